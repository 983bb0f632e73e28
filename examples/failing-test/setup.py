from setuptools import Extension, setup

setup(
    packages=["failing"],
    package_dir={"": "src"},
    ext_modules=[Extension("failing._answer", sources=["src/failing/_answer.c"])],
)
