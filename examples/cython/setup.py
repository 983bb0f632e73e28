from Cython.Build import cythonize
from setuptools import setup

setup(
    packages=["primes"],
    package_dir={"": "src"},
    ext_modules=cythonize(["src/primes/_sieve.pyx"], language_level=3),
)
