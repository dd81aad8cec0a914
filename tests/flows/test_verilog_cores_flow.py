"""Users' verilog: cores inside a whole accelerator: two cores whose files both define a helper
module PDKGENHAX1 (with different behaviour) on two layers of the digits MLP, bit-exact in RTL
simulation and HLS C simulation, and the project reopened from its own copies of the cores."""

import json
from pathlib import Path

from generator import config
from generator.frontend import load_network
from generator.multipliers.cores import defined_modules
from generator.project import build, open_project
from generator.verify import verify

DATA = Path(__file__).parents[1] / "multipliers" / "data"


def test_digits_with_two_clashing_cores(digits_model, tmp_path):
    net = load_network(digits_model)
    cfg = {"layers": {
        0: {"pe": 8, "simd": 8, "multiplier": f"verilog:{DATA / 'hax_exact.v'}"},
        1: {"pe": 4, "simd": 8, "multiplier": f"verilog:{DATA / 'hax_or.v'}:hax_or", "tune_weights": True},
    }}
    build(net, tmp_path / "p", config.from_dict(cfg))
    data = json.loads((tmp_path / "p" / "project.json").read_text())
    cores = [layer["verilog_core"] for layer in data["layers"][:2]]
    assert [(c["module"], c["ports"], c["a_bits"], c["p_bits"]) for c in cores] == [
        ("hax_exact", ["A", "B", "O"], 8, 16), ("hax_or", ["A", "B", "O"], 8, 16)]
    assert "verilog_core" not in data["layers"][2]
    rtl = tmp_path / "p" / "rtl"
    helpers = [m for f in sorted(rtl.glob("axgen_core_*.v")) for m in defined_modules(f.read_text())
               if m.endswith("PDKGENHAX1")]
    assert len(helpers) == len(set(helpers)) == 2  # renamed apart
    assert data["config"]["layers"]["0"]["multiplier"].startswith("verilog:params/tables/")
    report = verify(open_project(tmp_path / "p"), "all", samples=12, seed=1)
    assert report["mismatches"] == 0, [(b["backend"], b["first_mismatch"]) for b in report["backends"]]
    assert {b["backend"] for b in report["backends"]} >= {"rtl", "hls"}
