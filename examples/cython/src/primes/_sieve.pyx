# cython: boundscheck=False, wraparound=False

def primes_below(int n):
    """All primes smaller than n (sieve of Eratosthenes)."""
    if n < 3:
        return []
    cdef bytearray sieve = bytearray([1]) * n
    cdef int i, j
    sieve[0] = sieve[1] = 0
    i = 2
    while i * i < n:
        if sieve[i]:
            j = i * i
            while j < n:
                sieve[j] = 0
                j += i
        i += 1
    return [k for k in range(n) if sieve[k]]
