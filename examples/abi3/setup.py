from setuptools import Extension, setup

# One wheel for CPython 3.9 and later: the limited API, tagged cp39-abi3.
setup(
    packages=["abi3demo"],
    package_dir={"": "src"},
    ext_modules=[
        Extension(
            "abi3demo._core",
            sources=["src/abi3demo/_core.c"],
            define_macros=[("Py_LIMITED_API", "0x03090000")],
            py_limited_api=True,
        )
    ],
    options={"bdist_wheel": {"py_limited_api": "cp39"}},
)
