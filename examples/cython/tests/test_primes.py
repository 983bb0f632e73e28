import primes


def test_small():
    assert primes.primes_below(20) == [2, 3, 5, 7, 11, 13, 17, 19]


def test_edges():
    assert primes.primes_below(0) == []
    assert primes.primes_below(3) == [2]


def test_is_compiled():
    assert primes._sieve.__file__.endswith(".so")
