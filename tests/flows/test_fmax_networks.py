"""Whole networks meet the ECP5 boards' clock: each network of tests/support/fmax_networks.py,
built for ulx3s at 125 MHz (its pipelines chosen by the timing model), placed and routed whole by
nextpnr on the LFE5U-85F reaches at least 125 MHz. Minutes each (CNV the longest), so behind the
slow marker; the default suite places one layer (test_synth_nextpnr.py) and the demo's two tops
(test_demo.py). The table with the figures: benchmarks/fmax_networks.py."""

import pytest
from fmax_networks import CLOCK_MHZ, NETWORKS, place_network


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_the_network_meets_its_clock(name, tmp_path, monkeypatch):
    monkeypatch.setenv("AXGEN_CACHE", str(tmp_path / "cache"))  # really placed, not a cached figure
    row = place_network(name, tmp_path)
    assert row["fmax_mhz"] >= CLOCK_MHZ, row
    assert row["estimated_fmax_mhz"] >= CLOCK_MHZ, row  # the plan knew it before any tool ran
