"""Approximate constants (`csd:k=K[,drop=D]`, generator.multipliers.csd): every weight keeps at
most K nonzero signed power-of-two digits, rounding a rounded weight changes nothing, K digits or
more leave a weight as it is, the error falls as K grows, and drop=D zeroes exactly the weights
of magnitude <= D."""

import numpy as np
import pytest

from generator.errors import AxgenError
from generator.multipliers.csd import ConstantRounding, constant_rounding, csd_digits, round_weight, round_weights


def _digits(n: int) -> int:
    count, n = 0, abs(n)
    while n:
        if n & 1:
            count += 1
            n -= 2 - (n & 3)
        n >>= 1
    return count


@pytest.mark.parametrize("k", [1, 2, 3])
def test_rounded_weights_have_at_most_k_digits(k):
    for w in range(-512, 513):
        r = round_weight(w, k)
        assert _digits(r) <= k and round_weight(r, k) == r and np.sign(r) == np.sign(w)
        assert abs(r - w) <= abs(w) / 2 ** k  # each digit halves the remainder at least
        if _digits(w) <= k:
            assert r == w


def test_a_matrix_rounds_element_by_element():
    w = np.arange(-40, 40).reshape(8, 10)
    assert np.array_equal(round_weights(w, 1), [[round_weight(int(v), 1) for v in row] for row in w])
    errors = [np.abs(round_weights(w, k) - w).sum() for k in (1, 2, 3)]
    assert errors[0] > errors[1] >= errors[2]


def test_drop_zeroes_the_small_weights_then_rounds():
    w = np.arange(-40, 40).reshape(8, 10)
    for k, drop in ((1, 1), (2, 3), (9, 5)):
        r = round_weights(w, k, drop)
        assert np.array_equal(r == 0, np.abs(w) <= drop)
        assert np.array_equal(r[np.abs(w) > drop], round_weights(w, k)[np.abs(w) > drop])
    assert np.array_equal(round_weights(w, 9, 0), w)  # 9 digits keep every weight of 40 or less


def test_specs():
    assert csd_digits("csd:k=2") == 2 and csd_digits("exact") is None and csd_digits("trunc:k=2") is None
    assert constant_rounding("csd:k=2,drop=3") == ConstantRounding(2, 3)
    assert constant_rounding("csd:k=1") == ConstantRounding(1, 0)
    for bad in ("csd", "csd:k=0", "csd:j=2", "csd:k=1,drop=", "csd:drop=1", "csd:k=1,drop=-1"):
        with pytest.raises(AxgenError, match="csd:k=K with K >= 1"):
            csd_digits(bad)
