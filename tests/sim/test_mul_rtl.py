"""Verilog multipliers (rtl/axgen_mul.v and the rtl/axgen_umul_*.v cores) against their Python
definitions, on every input pair, for every family: generator.sim.mul_rtl's Verilator harness.
Plus: the harness catches a wrong core and a wrong module, lint, and Yosys LUT counts."""

from __future__ import annotations

import itertools
import shutil

import numpy as np
import pytest

from generator.datatypes import DataType
from generator.errors import AxgenError
from generator.multipliers import FAMILIES, parse
from generator.backends.rtl.render import MUL_FILES
from generator.resources import folder
from generator.sim.mul_rtl import check_many, check_verilog_table, lint_rtl

D = DataType

GRID_8X8 = (["exact"] + [f"trunc:k={k}" for k in (2, 4, 6, 8, 10)]
            + ["bam:h=0,v=6", "bam:h=1,v=6", "bam:h=2,v=8", "bam:h=3,v=4", "bam:h=7,v=14"]
            + ["perf:j=0,k=1", "perf:j=0,k=3", "perf:j=2,k=2", "perf:j=5,k=3", "perf:j=0,k=8"]
            + [f"drum:k={k}" for k in (1, 2, 3, 4, 5, 6, 8)]
            + ["mitchell"] + [f"mitchell:w={w}" for w in (0, 1, 2, 3, 4)]
            + [f"etm:m={m}" for m in (1, 2, 3, 4, 5, 8)] + ["roba"])

# (activation, weight) datatypes of the mixed-width checks.
MIXED = [("UINT3", "UINT5"), ("UINT4", "UINT2"), ("INT4", "INT3"), ("INT8", "INT8"), ("UINT4", "INT6"),
         ("BIPOLAR", "INT4"), ("INT5", "BIPOLAR"), ("UINT1", "INT2")]


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("mul_check")


def _table(tmp_path, name, rows, cols, seed, lo=-300, hi=300):
    path = tmp_path / f"{name}.npy"
    np.save(path, np.random.default_rng(seed).integers(lo, hi, size=(rows, cols)))
    return path


def _specs_for(na: int, nb: int) -> list[str]:
    """A few knob settings of every family that fit na x nb operands (edges included)."""
    n = na + nb
    specs = ["exact", f"trunc:k={n // 2}", f"trunc:k={n - 2}", f"bam:h={nb - 1},v={n // 2}", "bam:h=0,v=1",
             "perf:j=0,k=1", f"perf:j={nb // 2},k={nb - nb // 2}", "drum:k=1", f"drum:k={max(1, max(na, nb) - 1)}",
             "mitchell", "mitchell:w=0", "mitchell:w=1", "etm:m=1", f"etm:m={min(na, nb)}", "roba"]
    return [s for s in dict.fromkeys(specs) if _fits(s, na, nb)]


def _fits(spec: str, na: int, nb: int) -> bool:
    m = parse(spec)
    return FAMILIES[m.family].check(m.knobs, na, nb) is None


def _failures(results):
    return [(r["spec"], r["a_dtype"], r["b_dtype"], r["mismatches"], r["first"]) for r in results if r["mismatches"]]


@pytest.fixture(scope="module")
def grid_results(build_dir, tmp_path_factory):
    table = _table(tmp_path_factory.mktemp("tables"), "u8", 256, 256, seed=1, lo=-70000, hi=70000)
    specs = GRID_8X8 + [f"lut:{table}"]
    return {r["spec"]: r for r in check_many([(s, "UINT8", "UINT8") for s in specs], build_dir)}


@pytest.mark.parametrize("spec", GRID_8X8 + ["lut"])
def test_8x8_unsigned_matches_python(spec, grid_results):
    result = grid_results[spec] if spec != "lut" else next(r for s, r in grid_results.items() if s.startswith("lut:"))
    assert result["pairs"] == 65536
    assert result["mismatches"] == 0, result["first"]


def test_mixed_widths_match_python(build_dir, tmp_path):
    configs = []
    for a, b in MIXED:
        na, nb = D[a].bitwidth(), D[b].bitwidth()
        table = _table(tmp_path, f"{a}_{b}", 1 << na, 1 << nb, seed=na * 10 + nb)
        configs += [(spec, a, b) for spec in _specs_for(na, nb) + [f"lut:{table}"]]
    results = check_many(configs, build_dir)
    assert len(results) == len(configs)
    assert not _failures(results)
    for r in results:
        assert r["pairs"] == (1 << (D[r["a_dtype"]].bitwidth() + D[r["b_dtype"]].bitwidth()))


# Exact products in logic (rtl/axgen_fmul.v, the signed weight's top row subtracted in the tree):
# every operand kind against `*`'s results, 1-bit and 2-bit signed weights included.
FABRIC = MIXED + [("UINT4", "INT4"), ("INT3", "INT5"), ("INT6", "INT2"), ("INT5", "UINT4"),
                  ("BIPOLAR", "BIPOLAR")]


def test_exact_products_in_logic_match_python(build_dir):
    results = check_many([("exact", a, b) for a, b in FABRIC], build_dir, fabric=True)
    assert len(results) == len(FABRIC)
    assert not _failures(results)


# Deliberate bugs: (file, correct text, wrong text, a configuration that must then fail).
MUTATIONS = [
    ("axgen_umul_drum_operand.v", "{x_sh[M_BITS-1:1], x_sh[0] | shifted}", "{x_sh[M_BITS-1:1], x_sh[0]}",
     ("drum:k=3", "UINT6", "UINT6")),
    ("axgen_mul.v", "(a ^ {A_BITS{a_neg}}) + {{(A_BITS - 1){1'b0}}, a_neg}", "(a ^ {A_BITS{a_neg}})",
     ("trunc:k=2", "INT4", "INT4")),
    ("axgen_mul.v", "({2'b00, mag} ^ {FULL_BITS{neg}})", "{2'b00, mag ^ {MAG_BITS{neg}}}", ("drum:k=2", "UINT3", "INT4")),
    ("axgen_umul_mitchell.v", "k_sum + {{(E_BITS - 1){1'b0}}, f_sum[L]}", "k_sum", ("mitchell", "UINT5", "UINT5")),
    ("axgen_umul_etm.v", "assign fill[M-1:0] = {M{|c}};", "assign fill[M-1:0] = {M{1'b0}};",
     ("etm:m=3", "UINT5", "INT5")),
    ("axgen_umul_bam.v", "sum = rect;", "sum = rect | 1'b1;", ("bam:h=1,v=4", "UINT4", "UINT4")),
    ("axgen_umul_roba.v", "{b[B_BITS-2:0], 1'b0}", "{b[B_BITS-2:0], 1'b1}", ("roba", "INT4", "UINT4")),
]


def test_wrong_rtl_is_caught(build_dir, tmp_path):
    """The harness must fail on a buggy core or wrapper and name the pairs; untouched families
    in the same build still pass, and the real sources pass the same configurations."""
    rtl = tmp_path / "rtl"
    rtl.mkdir()
    for name in MUL_FILES:
        shutil.copyfile(folder("rtl") / name, rtl / name)
    for name, good, bad, _ in MUTATIONS:
        text = (rtl / name).read_text()
        assert text.count(good) == 1, (name, good)
        (rtl / name).write_text(text.replace(good, bad))
    configs = [m[3] for m in MUTATIONS]
    untouched = [("exact", "INT4", "INT4"), ("perf:j=1,k=2", "UINT5", "UINT4")]
    results = check_many(configs + untouched, build_dir, rtl_dir=rtl)
    for r in results[:len(configs)]:
        assert r["mismatches"] > 0, r["spec"]
        assert r["first"] and all(f["got"] != f["expected"] for f in r["first"])
    assert all(r["mismatches"] == 0 for r in results[len(configs):])
    assert not _failures(check_many(configs, build_dir))


MODULE = """module {name} (input wire [3:0] a, input wire [2:0] b, output wire {sign} [{msb}:0] p);
    wire signed [4:0] x = {{1'b0, a}};
    wire signed [3:0] w = $signed(b);
    wire signed [8:0] full = x * w;
    assign p = ({wrong}) ? full[{msb}:0] + 1'b1 : full[{msb}:0];
endmodule
"""


def test_check_verilog_table(build_dir, tmp_path):
    """UINT4 x INT3 exact products as a table: a module that is right everywhere passes, one
    that is off by one at a single pair fails at exactly that pair."""
    a = np.arange(16)[:, None]
    w = np.arange(8)[None, :]
    table = a * np.where(w >= 4, w - 8, w)
    good = tmp_path / "good.v"
    good.write_text(MODULE.format(name="good_mul", sign="signed", msb=8, wrong="1'b0"))
    r = check_verilog_table(good, "good_mul", table, 4, 3, build_dir)
    assert r["mismatches"] == 0 and r["pairs"] == 128 and r["p_signed"]
    bad = tmp_path / "bad.v"
    bad.write_text(MODULE.format(name="bad_mul", sign="", msb=7, wrong="a == 4'd13 && b == 3'd6"))
    r = check_verilog_table(bad, "bad_mul", table, 4, 3, build_dir)
    assert r["mismatches"] == 1
    assert r["first"] == [{"a_code": 13, "b_code": 6, "expected": -26, "got": -25}]
    with pytest.raises(AxgenError, match="port a of 5 bits"):
        check_verilog_table(good, "good_mul", np.zeros((32, 8), dtype=int), 5, 3, build_dir)


def test_rtl_params_follow_the_spec():
    from generator.hw.encoding import mul_params
    assert mul_params(parse("bam:h=1,v=6"), D["UINT8"], D["INT8"]) == {"FAMILY": 2, "K1": 1, "K2": 6}
    assert mul_params(parse("perf:j=2,k=3"), D["UINT8"], D["INT8"]) == {"FAMILY": 3, "K1": 2, "K2": 3}
    assert mul_params(parse("mitchell"), D["UINT8"], D["INT8"]) == {"FAMILY": 5, "K1": -1, "K2": 0}
    assert mul_params(parse("mitchell:w=0"), D["UINT8"], D["INT8"]) == {"FAMILY": 5, "K1": 0, "K2": 0}
    assert mul_params(parse("drum:k=4"), D["BIPOLAR"], D["INT8"]) == {"FAMILY": 0, "K1": 0, "K2": 0}


def _lint_configs():
    for (a, b), p_bits in [(("UINT8", "UINT8"), None), (("INT4", "INT3"), 5), (("UINT3", "INT6"), 20),
                           (("UINT1", "UINT1"), None), (("INT2", "UINT7"), None)]:
        na, nb = D[a].bitwidth(), D[b].bitwidth()
        for spec in _specs_for(na, nb):
            yield spec, a, b, p_bits


def test_multipliers_lint_clean(tmp_path):
    """verilator -Wall on axgen_mul for every family at several widths, unwrapped and wrapped
    (P_BITS below the product width) or widened outputs."""
    table = _table(tmp_path, "t", 16, 8, seed=3)
    configs = list(_lint_configs()) + [(f"lut:{table}", "INT4", "UINT3", None), (f"lut:{table}", "INT4", "UINT3", 6)]
    for spec, a, b, p_bits in configs:
        lint_rtl(spec, a, b, p_bits)


def test_synthesis_luts(tmp_path, monkeypatch):
    """Yosys synth_xilinx: the exact 8x8 multiplier is in the usual range, truncation at k=8
    really removes logic, and results come back from the cache the second time."""
    from generator.synth import synth_multiplier
    monkeypatch.setenv("AXGEN_CACHE", str(tmp_path / "cache"))
    exact = synth_multiplier("exact", 8, 8)
    trunc = synth_multiplier("trunc:k=8", 8, 8)
    assert 70 <= exact["luts"] <= 200, exact
    assert exact["carry4"] >= 1 and exact["cells"]["CARRY4"] == exact["carry4"]
    assert exact["luts"] == sum(v for k, v in exact["cells"].items() if k.startswith("LUT"))
    assert trunc["luts"] < exact["luts"], (trunc, exact)
    assert not exact["cached"]
    again = synth_multiplier("exact", 8, 8)
    assert again["cached"] and again["luts"] == exact["luts"]
    assert len(list((tmp_path / "cache" / "synth").glob("*/result.json"))) == 2
    with pytest.raises(AxgenError, match="k=20 is outside"):
        synth_multiplier("trunc:k=20", 8, 8)


# ------------------------------------------------------------------ slow: every knob setting

def _all_specs(na: int, nb: int) -> list[str]:
    out = []
    for name, fam in FAMILIES.items():
        names = fam.knobs + fam.optional
        if fam.optional:
            out.append(name)
        for values in itertools.product(range(na + nb), repeat=len(names)):
            knobs = dict(zip(names, values))
            if fam.check(knobs, na, nb) is None:
                out.append(name + (":" + ",".join(f"{k}={v}" for k, v in knobs.items()) if knobs else ""))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("pair", ["UINT8xUINT8", "INT8xINT8", "INT8xUINT7", "UINT6xINT8", "UINT3xUINT5",
                                  "INT4xINT3", "UINT1xINT5", "INT5xUINT1", "INT2xINT2", "UINT4xINT6"])
def test_every_knob_setting_matches_python(pair, build_dir):
    a, b = pair.split("x")
    specs = _all_specs(D[a].bitwidth(), D[b].bitwidth())
    results = check_many([(s, a, b) for s in specs], build_dir)
    assert not _failures(results)


@pytest.mark.slow
@pytest.mark.parametrize("spec", ["exact", "trunc:k=8", "drum:k=4", "mitchell:w=3", "etm:m=4", "roba"])
def test_signed_synthesis(spec):
    from generator.synth import synth_multiplier
    r = synth_multiplier(spec, 8, 8, signed=True)
    assert r["luts"] > 0
