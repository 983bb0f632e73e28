import pytest
import vecstats


def test_mean():
    assert vecstats.mean([1.0, 2.0, 3.0]) == 2.0


def test_stdev():
    assert vecstats.stdev([2, 4, 4, 4, 5, 5, 7, 9]) == pytest.approx(2.0)


def test_empty_raises_value_error():
    with pytest.raises(ValueError, match="empty"):
        vecstats.mean([])
