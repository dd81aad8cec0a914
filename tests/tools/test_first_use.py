"""Tools on first use (issue 21): four processes start Yosys at once on empty caches (an empty
YoWASP cache, where the runtime writes its compiled module in place, and an empty axgen cache),
three rounds in a row; every run passes. About 40 s a round: behind the slow marker (the
benchmark benchmarks/yowasp_first_use.py runs ten rounds, and the bare tool for comparison)."""

import pytest
from first_use import describe, round_of


@pytest.mark.slow
@pytest.mark.parametrize("round_index", range(3))
def test_four_yosys_runs_at_once_on_empty_caches(round_index, tmp_path):
    codes, _ = round_of("axgen", 4, tmp_path)
    assert codes == [0, 0, 0, 0], [describe(c) for c in codes]
