"""Reading Vivado's reports: report_utilization -hierarchical (7-series and UltraScale+ columns),
the flat report's primitives, the timing summary (samples in tests/support/vivado_samples.py)."""

import pytest

import vivado_samples as samples
from generator.errors import AxgenError
from generator.tools import vivado


def test_hierarchical_report_7series():
    rows = vivado.parse_utilization_hier(samples.ooc_hier(), "ooc.rpt")
    assert [(r["instance"], r["depth"]) for r in rows] == [
        ("axgen_top", 0), ("u_e0_fifo", 1), ("u_e1_fifo", 1), ("u_l0", 1), ("u_mvau", 2), ("u_out_fifo", 3),
        ("u_l1", 1), ("u_mvau", 2), ("u_l2", 1), ("u_mvau", 2)]
    top, l0 = rows[0], rows[3]
    assert top["module"] == "(top)" and l0["module"] == "axgen_L0_fc0"
    # logic LUTs; LUTRAMs + SRLs; RAMB18 + 2 x RAMB36; no URAM column on 7-series; DSP48 Blocks
    assert {k: l0[k] for k in ("lut", "lutram", "ff", "bram18", "uram", "dsp", "carry", "total_luts")} == {
        "lut": 2890, "lutram": 60, "ff": 700, "bram18": 2, "uram": None, "dsp": 32, "carry": None, "total_luts": 2950}
    assert (top["lut"], top["lutram"], top["bram18"], top["dsp"]) == (4177, 144, 4, 40)
    assert top["lut"] + top["lutram"] == top["total_luts"]
    assert vivado.tool_version(samples.ooc_hier()) == "Vivado v.2022.2"


def test_hierarchical_report_ultrascale_block_design():
    rows = vivado.parse_utilization_hier(samples.BD_HIER, "bd.rpt")
    by_name = {r["instance"]: r for r in rows if r["instance"].startswith("u_l") or r["depth"] < 4}
    assert by_name["axgen_bd_wrapper"]["depth"] == 0 and by_name["inst"]["depth"] == 3
    assert by_name["u_l0"]["depth"] == 4 and by_name["u_l0"]["uram"] == 1 and by_name["u_l0"]["dsp"] == 32
    assert by_name["axi_dma"]["bram18"] == 4 * 2 + 1
    assert rows[-1]["module"] == "axgen_bd_smartconnect_0"


def test_hierarchical_report_problems():
    with pytest.raises(AxgenError, match="x.rpt is not a report_utilization -hierarchical report"):
        vivado.parse_utilization_hier(samples.OOC_UTIL, "x.rpt")
    broken = samples.ooc_hier().replace("|   u_l2           |                 axgen_L2_fc2 |",
                                        "|   u_l2           |")
    with pytest.raises(AxgenError, match="y.rpt: a row of the hierarchy table has 9 cells, the header 10"):
        vivado.parse_utilization_hier(broken, "y.rpt")


def test_primitives_and_timing():
    prims = vivado.parse_primitives(samples.OOC_UTIL)  # the section, not the table of contents' line
    assert prims["CARRY4"] == 412 and prims["RAMB36E1"] == 1 and prims["FDRE"] == 1270 and len(prims) == 11
    assert vivado.parse_primitives(samples.ooc_hier()) == {}
    assert vivado.parse_timing(samples.TIMING) == {"wns_ns": 2.913, "whs_ns": 0.112}
    assert vivado.parse_timing("no summary here") == {"wns_ns": None, "whs_ns": None}


def test_hierarchical_report_of_older_and_percentage_layouts():
    """Vivado 2018.3's report and a -hierarchical_percentages one read as the 2022.2 one does."""
    expected = vivado.parse_utilization_hier(samples.ooc_hier(), "ooc.rpt")
    older = samples.hier_2018()
    assert "Copyright 1986-2018" in older
    assert vivado.parse_utilization_hier(older, "2018.rpt") == expected
    assert vivado.tool_version(older) == "Vivado v.2018.3"
    shares = samples.with_percentages(samples.ooc_hier())
    assert "2890(2.89%)" in shares
    assert vivado.parse_utilization_hier(shares, "pct.rpt") == expected


def test_the_hls_block_designs_layers_are_its_dataflow_processes(tmp_path):
    """Vitis HLS instances (<module>_U0, modules <top>_<module>) are the layers of the HLS block
    design's report, as u_l<i> are the RTL's."""
    from generator.synth.vivado import read_reports
    reports = {"utilization_hier": "hier.rpt", "utilization": "flat.rpt", "timing": "timing.rpt"}
    (tmp_path / "hier.rpt").write_text(samples.BD_HLS_HIER)
    data = {"rtl": {"top": "axgen_top", "layers": [{"index": i, "name": n, "module": f"axgen_L{i}_{n}"}
                                                   for i, n in enumerate(("fc0", "fc1", "fc2"))]}}
    result = read_reports(tmp_path, reports, data, "test")
    assert result["complete"] and list(result["layers"]) == ["fc0", "fc1", "fc2"]
    assert [result["layers"][n]["instance"] for n in ("fc0", "fc1", "fc2")] == [
        "axgen_L0_fc0_U0", "axgen_L1_fc1_U0", "axgen_L2_fc2_U0"]
    assert (result["layers"]["fc0"]["lut"], result["layers"]["fc1"]["bram18"]) == (3300, 2)
    assert result["extra"]["accelerator"]["instance"] == "inst"
    assert result["stitching"]["lut"] == 5000 - 3300 - 1250 - 330  # the FIFOs between the processes
