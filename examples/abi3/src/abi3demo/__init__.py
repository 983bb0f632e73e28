from abi3demo._core import greet

__all__ = ["greet"]
