import os
import platform

import pytest
import sumsq


def test_sum_of_squares():
    assert sumsq.sum_of_squares([1, 2, 3]) == 14
    assert sumsq.sum_of_squares(range(10)) == 285
    assert sumsq.sum_of_squares([]) == 0


def test_rejects_non_integers():
    with pytest.raises(TypeError):
        sumsq.sum_of_squares(["a"])


def test_imported_from_the_installed_wheel():
    # Tests run from a temporary directory: the module must come from site-packages.
    assert "site-packages" in sumsq.__file__


def test_compiled_for_the_identifier_arch():
    identifier = os.environ.get("CIBUILDWHEEL_BUILD_IDENTIFIER", "")
    if identifier:
        assert identifier.endswith(sumsq.machine())
        assert platform.machine() == sumsq.machine()
