"""The multiplier library in Python: definitions, wrapper, metrics, specs, tables, tuning."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.datatypes import DataType as D
from generator.errors import AxgenError
from generator.multipliers import parse
from generator.multipliers.catalog import grid, pareto
from generator.multipliers.metrics import error_metrics
from generator.multipliers.tuning import tune_weights, tuning_map

A = np.arange(256)[:, None]
B = np.arange(256)[None, :]


def bits(x, i):
    return (x >> i) & 1


def test_trunc_and_bam_follow_their_partial_product_definitions():
    """Literal double sums over partial products, against the vectorized functions."""
    for k in (0, 3, 7, 12):
        want = sum(bits(A, i) * bits(B, j) << (i + j) for i in range(8) for j in range(8) if i + j >= k)
        assert np.array_equal(parse(f"trunc:k={k}").unsigned(A, B, 8, 8), want)
    for h, v in ((1, 4), (2, 9), (3, 3)):
        want = sum(bits(A, i) * bits(B, j) << (i + j) for i in range(8) for j in range(8) if j >= h and i + j >= v)
        assert np.array_equal(parse(f"bam:h={h},v={v}").unsigned(A, B, 8, 8), want)


def test_perf_drum_mitchell_roba_etm_on_hand_examples():
    assert parse("perf:j=1,k=2").unsigned(np.array(13), np.array(15), 4, 4) == 13 * 9  # b loses bits 1, 2
    assert parse("drum:k=3").unsigned(np.array(200), np.array(100), 8, 8) == 224 * 112
    assert parse("drum:k=3").unsigned(np.array(5), np.array(6), 8, 8) == 30  # both below 2^3: exact
    # Mitchell: 6 * 5: k1=2, k2=2, fa=2, fb=1, S=2*4+1*4=12 < 16 -> 16+12 = 28
    assert parse("mitchell").unsigned(np.array(6), np.array(5), 4, 4) == 28
    # 7 * 7: fa=fb=3, S=24 >= 16 -> 48; with w=1 fractions keep their top bit: fa=fb=2, S=16 -> 32
    assert parse("mitchell").unsigned(np.array(7), np.array(7), 4, 4) == 48
    assert parse("mitchell:w=1").unsigned(np.array(7), np.array(7), 4, 4) == 32
    assert parse("mitchell").unsigned(np.array(0), np.array(7), 4, 4) == 0
    # RoBA: 6 -> 8 (tie up), 5 -> 4: 8*5 + 6*4 - 8*4 = 32
    assert parse("roba").unsigned(np.array(6), np.array(5), 4, 4) == 32
    # ETM m=2, 4-bit: 13 = 11|01, 6 = 01|10: high 3*1 << 4 = 48; low 01|10 = 11 -> t=1 -> 2^(2+2)-1 = 15
    assert parse("etm:m=2").unsigned(np.array(13), np.array(6), 4, 4) == 63
    assert parse("etm:m=2").unsigned(np.array(3), np.array(2), 4, 4) == 6  # high parts zero: exact
    assert np.all(parse("mitchell").unsigned(A, B, 8, 8) <= A * B)  # Mitchell never overestimates


def test_sign_magnitude_wrapper_and_most_negative_code():
    mul = parse("trunc:k=2")
    x = np.arange(-8, 8)[:, None]
    w = np.arange(-4, 4)[None, :]
    got = mul(x, w, D["INT4"], D["INT3"])
    want = np.where((x < 0) ^ (w < 0), -1, 1) * mul.unsigned(np.abs(x), np.abs(w), 4, 3)
    assert np.array_equal(got, want)
    assert mul(np.array(-8), np.array(-4), D["INT4"], D["INT3"]) == mul.unsigned(np.array(8), np.array(4), 4, 3) == 32
    assert mul(np.array(-1), np.array(1), D["BIPOLAR"], D["INT4"]) == -1  # bipolar stays exact


def test_metrics_on_a_known_case():
    """trunc:k=1 on 2x2 unsigned drops only a0*b0: error -1 on the 4 pairs with a, b odd."""
    m = error_metrics(parse("trunc:k=1"), D["UINT2"], D["UINT2"])
    assert m["ep"] == 4 / 16 and m["wce"] == 1 and m["mae"] == 4 / 16 and m["bias"] == -4 / 16
    assert m["mse"] == 4 / 16
    assert m["mre"] == pytest.approx(np.mean([1 / 1, 1 / 3, 1 / 3, 1 / 9] + [0] * 5))
    assert error_metrics(parse("exact"), D["INT8"], D["INT8"])["mae"] == 0


@pytest.mark.parametrize("spec, fragment", [
    ("wallace", "unknown multiplier"), ("trunc", "missing knob"), ("trunc:q=2", "bad knob"),
    ("trunc:k=x", "must be an integer"), ("lut:", "needs a table"), ("lut:/nonexistent.npy", "does not exist")])
def test_bad_specs(spec, fragment):
    with pytest.raises(AxgenError, match=fragment):
        parse(spec)


def test_knob_ranges_are_checked_against_operand_widths():
    with pytest.raises(AxgenError, match="k=9 is outside 0..6"):
        parse("trunc:k=9").check_operands(D["UINT4"], D["UINT4"], "layer x")


def test_lut_tables_npy_and_tfapprox_bin(tmp_path):
    table = (A * B).astype(np.uint16)
    table[3, 5] = 0
    (tmp_path / "t.bin").write_bytes(table.astype("<u2").tobytes())
    mul = parse(f"lut:{tmp_path / 't.bin'}")
    got = mul(A, B, D["UINT8"], D["UINT8"])
    assert got[3, 5] == 0 and got[7, 9] == 63
    signed = np.arange(16)[:, None] * 100 + np.arange(16)[None, :]
    np.save(tmp_path / "s.npy", signed)
    mul = parse(f"lut:{tmp_path / 's.npy'}")
    assert mul(np.array(-1), np.array(2), D["INT4"], D["INT4"]) == 15 * 100 + 2  # raw codes index the table
    (tmp_path / "bad.bin").write_bytes(b"12")
    with pytest.raises(AxgenError, match="65536"):
        parse(f"lut:{tmp_path / 'bad.bin'}")


def test_tuning_minimizes_error_and_keeps_ties():
    mul = parse("trunc:k=3")
    mapping = tuning_map(mul, D["UINT4"], D["INT4"])
    xs = np.arange(16)
    for w, w2 in mapping.items():
        cost = lambda c: np.abs(xs * w - mul(xs, np.array(c), D["UINT4"], D["INT4"])).sum()  # noqa: E731
        assert cost(w2) == min(cost(c) for c in range(-8, 8))
        if cost(w) == cost(w2):
            assert w2 == w
    weights = np.array([[3, -5], [7, 0]])
    assert np.array_equal(tune_weights(weights, parse("exact"), D["UINT4"], D["INT4"]), weights)


def test_catalog_cli_json_and_grid():
    for n in (2, 4, 8):
        specs = grid(n)
        assert specs[0] == "exact" and len(set(specs)) == len(specs)
        assert {s.split(":")[0] for s in specs} == {"exact", "trunc", "bam", "perf", "drum", "mitchell", "etm", "roba"}
    result = CliRunner().invoke(main, ["multipliers", "--bits", "4", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {"spec", "bits", "signed", "mae", "wce", "mre", "ep", "mse", "bias"} <= set(rows[0])
    assert rows[0]["spec"] == "exact" and rows[0]["mae"] == 0
    bad = CliRunner().invoke(main, ["multipliers", "--bits", "12"])
    assert bad.exit_code == 2 and "2 to 8" in bad.output


def test_pareto_front():
    rows = [{"spec": "a", "luts": 10, "mre": 0.5}, {"spec": "b", "luts": 20, "mre": 0.1},
            {"spec": "c", "luts": 25, "mre": 0.3}, {"spec": "d", "luts": 5, "mre": 0.9}]
    assert [r["spec"] for r in pareto(rows)] == ["d", "a", "b"]


def test_synth_table_and_pareto_plot(tmp_path):
    """--synth adds LUT / CARRY4 counts; --plot writes the error-versus-LUTs PNG."""
    plot = tmp_path / "pareto.png"
    specs = ["exact", "trunc:k=1", "trunc:k=2", "bam:h=0,v=1", "perf:j=0,k=1", "drum:k=1"]  # every family is slow
    result = CliRunner().invoke(main, ["multipliers", "--bits", "2", *(f"--spec={s}" for s in specs), "--synth",
                                       "--json", "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["spec"] for r in rows] == specs
    exact = next(r for r in rows if r["spec"] == "exact")
    assert exact["luts"] > 0 and all(r["luts"] >= 0 and "carry4" in r for r in rows)
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and plot.stat().st_size > 10_000
    no_synth = CliRunner().invoke(main, ["multipliers", "--plot", str(plot)])
    assert no_synth.exit_code == 2 and "--synth" in no_synth.output
