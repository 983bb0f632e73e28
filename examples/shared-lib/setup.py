from setuptools import Extension, setup

setup(
    packages=["yamlver"],
    package_dir={"": "src"},
    ext_modules=[
        Extension("yamlver._yamlver", sources=["src/yamlver/_yamlver.c"], libraries=["yaml"])
    ],
)
