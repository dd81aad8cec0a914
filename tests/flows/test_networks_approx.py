"""Approximate multipliers inside whole accelerators: different families in different layers,
bit-exact on Verilator and in HLS C simulation against the golden model (which uses the same multipliers)."""

import json

import numpy as np
import pytest

from generator import config
from generator.datatypes import DataType, from_codes
from generator.frontend import load_network
from generator.project import build, open_project
from generator.verify import verify


def exact_table_with_errors(path, a_dt, w_dt, seed=0):
    """A lut: table: the exact signed product of the raw codes, with a few entries perturbed."""
    a = from_codes(np.arange(1 << a_dt.bitwidth(), dtype=np.uint64), a_dt)[:, None]
    w = from_codes(np.arange(1 << w_dt.bitwidth(), dtype=np.uint64), w_dt)[None, :]
    table = a * w
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, table.size, size=max(1, table.size // 8))
    table.flat[idx] += rng.integers(-2, 3, size=idx.size)
    np.save(path, table)
    return path


def run(project_dir, samples=12):
    report = verify(open_project(project_dir), "all", samples=samples, seed=1)
    assert report["mismatches"] == 0, [(b["backend"], b["first_mismatch"]) for b in report["backends"]]
    assert 0.9 <= report["cycles_over_estimate"] <= 1.1
    return report


def test_tfc_w2a2_mixed_multipliers(finn_model, tmp_path):
    net = load_network(finn_model("tfc_2w2a"))
    weights = [layer.weight_dtype for layer in net.layers]
    table = exact_table_with_errors(tmp_path / "fc3.npy", DataType["INT2"], weights[3])
    cfg = {"layers": {
        0: {"pe": 16, "simd": 16, "multiplier": "trunc:k=1"},
        1: {"pe": 4, "simd": 4, "multiplier": "drum:k=1"},
        2: {"pe": 4, "simd": 4, "multiplier": "mitchell"},
        3: {"pe": 2, "simd": 4, "multiplier": f"lut:{table}"},
    }}
    project = build(net, tmp_path / "p", config.from_dict(cfg))
    specs = [layer["multiplier"]["spec"] for layer in project.data["layers"]]
    assert specs == ["trunc:k=1", "drum:k=1", "mitchell", f"lut:{table}"]
    stored = json.loads((tmp_path / "p" / "project.json").read_text())["config"]["layers"]["3"]["multiplier"]
    assert stored.startswith("lut:params/tables/") and (tmp_path / "p" / stored[4:]).is_file()
    table.unlink()  # the original table is not needed any more
    run(tmp_path / "p")


def test_digits_mixed_multipliers_with_tuning(digits_model, tmp_path):
    net = load_network(digits_model)
    cfg = {"defaults": {"tune_weights": True}, "layers": {
        0: {"pe": 8, "simd": 8, "multiplier": "trunc:k=3"},
        1: {"pe": 4, "simd": 8, "multiplier": "drum:k=3"},
        2: {"pe": 2, "simd": 4, "multiplier": "mitchell:w=2"},
    }}
    project = build(net, tmp_path / "p", config.from_dict(cfg))
    layers = json.loads((tmp_path / "p" / "project.json").read_text())["layers"]
    assert layers[0]["multiplier"]["mre"] > 0 and layers[0]["tuned_weights"] > 0
    run(tmp_path / "p")
    assert project.plan.stages[0].multiplier.spec == "trunc:k=3"


@pytest.mark.parametrize("spec", ["bam:h=1,v=3", "perf:j=1,k=1", "etm:m=2", "roba"])
def test_digits_other_families(digits_model, tmp_path, spec):
    net = load_network(digits_model)
    cfg = {"defaults": {"pe": 4, "simd": 8, "multiplier": spec}, "layers": {2: {"pe": 2}}}
    build(net, tmp_path / "p", config.from_dict(cfg))
    run(tmp_path / "p", samples=8)


def test_approximate_layer_differs_from_exact(digits_model, tmp_path):
    """The approximate project really computes something else than the exact one."""
    from generator.verify import golden_outputs, random_inputs
    net = load_network(digits_model)
    exact = build(net, tmp_path / "e", config.Config())
    approx = build(net, tmp_path / "a", config.from_dict({"defaults": {"multiplier": "trunc:k=4"}}))
    x = random_inputs(exact, 64, 0)
    assert not np.array_equal(golden_outputs(exact, x), golden_outputs(approx, x))


def test_lut_table_shape_is_checked(digits_model, tmp_path):
    from generator.errors import AxgenError
    np.save(tmp_path / "small.npy", np.zeros((4, 4), dtype=np.int64))
    net = load_network(digits_model)
    with pytest.raises(AxgenError, match="needs \\(16, 16\\)"):
        build(net, tmp_path / "p", config.from_dict({"defaults": {"multiplier": f"lut:{tmp_path / 'small.npy'}"}}))


USER_MUL = """// A user's approximate multiplier: exact UINT4 x INT4 product, except 7 x 7 -> 48.
module my_mul (
    input  wire [3:0] a,
    input  wire [3:0] b,
    output wire signed [8:0] p
);
    wire signed [8:0] exact = $signed({1'b0, a}) * $signed(b);
    assign p = (a == 4'd7 && b == 4'd7) ? 9'sd48 : exact;
endmodule
"""


def user_table(path, a_dt, w_dt, special=48):
    a = from_codes(np.arange(16, dtype=np.uint64), a_dt)[:, None]
    w = from_codes(np.arange(16, dtype=np.uint64), w_dt)[None, :]
    table = a * w
    table[7, 7] = special
    np.save(path, table)
    return path


def test_user_verilog_module_is_proven_then_used(digits_model, tmp_path):
    """lut_verilog: the module must equal the table on all 256 pairs; then the hardware uses it."""
    from generator.errors import AxgenError
    net = load_network(digits_model)
    assert (net.layers[2].in_dtype.name, net.layers[2].weight_dtype.name) == ("UINT4", "INT4")
    (tmp_path / "my_mul.v").write_text(USER_MUL)
    good = user_table(tmp_path / "good.npy", net.layers[2].in_dtype, net.layers[2].weight_dtype)
    cfg = {"defaults": {"pe": 2, "simd": 4}, "layers": {
        2: {"multiplier": f"lut:{good}", "lut_verilog": str(tmp_path / "my_mul.v")}}}
    project = build(net, tmp_path / "p", config.from_dict(cfg))
    proof = project.data["layers"][2]["lut_verilog"]
    assert proof["pairs"] == 256 and proof["mismatches"] == 0 and proof["module"] == "my_mul"
    rtl = tmp_path / "p" / "rtl"
    assert (rtl / "my_mul.v").is_file() and "my_mul u_user" in (rtl / "axgen_mul_user.v").read_text()
    assert not list(rtl.glob("*fc2*mul_table.mem"))  # the module, not a ROM, computes the products
    from generator.backends.rtl.lint import lint
    lint(rtl, "axgen_top")
    run(tmp_path / "p", samples=8)
    bad = user_table(tmp_path / "bad.npy", net.layers[2].in_dtype, net.layers[2].weight_dtype, special=49)
    cfg["layers"][2]["multiplier"] = f"lut:{bad}"
    with pytest.raises(AxgenError, match="differs from table .* on 1 of 256 input pairs"):
        build(net, tmp_path / "q", config.from_dict(cfg))
    assert not (tmp_path / "q").exists()
