from primes._sieve import primes_below

__all__ = ["primes_below"]
