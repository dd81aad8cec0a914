"""Evenly spaced thresholds as arithmetic (generator.hw.thresholds.Steps, issue 22): where a
channel's thresholds are t_i = base + i * 2^shift + pattern[i mod P], the count of those an
accumulator reaches is clip(h + [r >= pattern[h mod P]], 0, n) with h, r the difference from the
base shifted and its low bits. Proven here against the count itself on every accumulator around
the thresholds; rows that are not of that form are left to the binary search."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.hw.thresholds import steps_of


def reached(row, acc):
    return (acc[:, None] >= np.asarray(row)[None, :]).sum(axis=1)


@settings(max_examples=200, deadline=None)
@given(base=st.integers(-5000, 5000), shift=st.integers(0, 8), n=st.integers(2, 40), data=st.data())
def test_evenly_spaced_thresholds_count_by_arithmetic(base, shift, n, data):
    period = data.draw(st.sampled_from([p for p in (1, 2, 4) if 2 * p <= n]))
    pattern = data.draw(st.lists(st.integers(0, (1 << shift) - 1), min_size=period, max_size=period))
    row = np.array([base + (i << shift) + pattern[i % period] for i in range(n)])
    if np.any(np.diff(row) < 0):
        return  # not sorted: no layer has such thresholds
    steps = steps_of(row)
    assert steps is not None and steps.n == n
    acc = np.arange(int(row[0]) - (3 << shift) - 3, int(row[-1]) + (3 << shift) + 3)
    assert np.array_equal(steps.count(acc), reached(row, acc))


def test_rounding_half_to_even_alternates_its_offset():
    # a 6-bit quantized_relu after an accumulator with 11 fractional bits, rounded half to even
    row = np.array([2049, 4096, 6145, 8192, 10241, 12288])
    steps = steps_of(row)
    assert (steps.base, steps.shift, steps.pattern) == (2048, 11, (1, 0))
    acc = np.arange(-3000, 16000)
    assert np.array_equal(steps.count(acc), reached(row, acc))


def test_thresholds_that_are_not_evenly_spaced_are_searched():
    assert steps_of(np.array([3, 7, 12, 20])) is None  # a batch norm's real scale
    assert steps_of(np.array([0, 3, 6, 9])) is None  # a step of 3: not a power of two
    assert steps_of(np.array([0, 4, 9, 12, 16, 21, 24, 29])) is None  # offsets (0,0,1,0) then (0,1,...) differ
    assert steps_of(np.array([5])) is None  # one threshold: one comparison already
    assert steps_of(np.array([1.0, np.inf])) is None
