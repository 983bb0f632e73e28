"""Sum of squares, computed in C."""

from sumsq._sumsq import machine, sum_of_squares

__all__ = ["machine", "sum_of_squares"]
