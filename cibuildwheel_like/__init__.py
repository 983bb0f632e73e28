"""cibuildwheel-like: build repaired, tested Linux wheels in real containers."""

__version__ = "0.1.0"
