from setuptools import Extension, setup

setup(
    packages=["sumsq"],
    package_dir={"": "src"},
    ext_modules=[Extension("sumsq._sumsq", sources=["src/sumsq/_sumsq.c"])],
)
