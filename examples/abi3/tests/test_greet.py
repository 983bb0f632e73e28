import abi3demo


def test_greet():
    assert abi3demo.greet("wheel") == "hello, wheel"


def test_module_is_abi3():
    assert abi3demo._core.__file__.endswith(".abi3.so")
