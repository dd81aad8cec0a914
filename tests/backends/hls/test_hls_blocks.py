"""HLS streaming blocks (hls_lib/axgen_mvau.h, axgen_swg.h, axgen_maxpool.h, axgen_dwc.h), each
alone, in g++ C simulation, compared bit-exactly with the golden model (generator.golden,
generator.golden.conv) at several shapes, foldings, datatypes and multipliers.

Every case is one template instantiation in ONE generated C++ program
(templates/harness/hls_blocks.cpp.j2; each MVAU's multiplier class comes from the generator's own
templates/hls/mul_class.h.j2), compiled once and cached (generator.tools.gxx.compile_cached). The
program reads every weight, threshold and input code from a data file and writes every output
code and the blocks' loop statistics (AXGEN_CSIM_STATS) to another, so tests that change data (a
corrupted weight) rerun the same binary."""

from __future__ import annotations

import math
import subprocess
import time
from dataclasses import dataclass, field, replace

import numpy as np
import pytest

from generator import config, golden
from generator.golden import conv as golden_conv
from generator.datatypes import DataType, to_codes
from generator.errors import AxgenError
from generator.hw import annotate
from generator.tools.gxx import compile_cached
from generator.ir import MatrixLayer
from block_cases import (POOL_CASES, SWG_CASES, boundary_thresholds, code as _code, extreme_inputs,
                         random_values as _values, swg_positions)
from generator.backends.hls.render import MVAU_ARGS, mul_class
from generator.hw.layout import threshold_array, weight_array, weight_lanes
from generator.hw.params import layer_params, window_steps
from generator.templating import environment

D = DataType
SAMPLES = 5   # MVAU vectors per case, back to back
IMAGES = 3    # SWG / max pool images per case
DWC_SAMPLES = 4
STATS = ("iterations", "reads", "writes", "bubbles", "trailing")


@dataclass
class Case:
    kind: str                 # mvau, swg, maxpool, dwc
    name: str
    targs: list               # template arguments of the runner run_<kind>
    data: list[int]           # what the runner reads, in order
    expected: np.ndarray      # (samples, output elements) codes
    reps: int
    params: dict = field(default_factory=dict)
    mul: dict | None = None   # the MVAU's multiplier class (render_hls.mul_class)
    layer: MatrixLayer | None = None
    impl: object = None
    x: np.ndarray | None = None


# ---------------------------------------------------------------- MVAU cases

# id, input, weights, (out dtype, bias, thresholds) or None for the raw accumulator, MW, MH, PE,
# SIMD, multiplier, multiplier binding[, weight value range (default: the whole datatype)]
MVAU_CASES = [
    ("uint4_int4_thr_exact", D["UINT4"], D["INT4"], (D["UINT2"], 0, 3), 8, 6, 2, 4, "exact", "auto"),
    ("int8_int8_raw_pe1_simd1", D["INT8"], D["INT8"], None, 5, 3, 1, 1, "exact", "dsp"),
    ("bip_bip_bip_pe_mh_simd_mw", D["BIPOLAR"], D["BIPOLAR"], (D["BIPOLAR"], 0, 1), 8, 4, 4, 8, "exact", "fabric"),
    ("bip_int3_int4_negbias", D["BIPOLAR"], D["INT3"], (D["INT4"], -8, 15), 6, 6, 3, 2, "exact", "auto"),
    ("uint3_uint4_trunc_posbias", D["UINT3"], D["UINT4"], (D["UINT3"], 2, 5), 12, 4, 2, 3, "trunc:k=3", "auto"),
    ("int4_int4_mitchell_raw", D["INT4"], D["INT4"], None, 12, 4, 2, 3, "mitchell", "auto"),
    ("int5_int3_drum_thr_pe_mh", D["INT5"], D["INT3"], (D["INT3"], -4, 7), 6, 4, 4, 2, "drum:k=2", "auto"),
    ("uint3_int3_lut_raw", D["UINT3"], D["INT3"], None, 6, 6, 3, 3, "lut", "auto"),
    ("uint4_int4_lut_thr_simd_mw", D["UINT4"], D["INT4"], (D["UINT2"], 0, 3), 4, 6, 2, 4, "lut", "auto"),
    ("uint8_uint1_raw_nf1", D["UINT8"], D["UINT1"], None, 6, 3, 3, 1, "exact", "auto"),
    ("int2_bip_raw_trunc", D["INT2"], D["BIPOLAR"], None, 6, 4, 2, 3, "trunc:k=1", "auto"),
    ("uint4_uint4_bam_thr_sf1", D["UINT4"], D["UINT4"], (D["UINT3"], 0, 7), 4, 6, 1, 4, "bam:h=1,v=3", "auto"),
    # small weights in a wide type: ACC_BITS (12) < the products' full width (17), so every
    # product is wrapped to ACC_BITS before the sum, as in the RTL
    ("int8_int8_smallw_wrap_etm", D["INT8"], D["INT8"], None, 4, 4, 2, 2, "etm:m=2", "auto", (-2, 2)),
    ("int8_int8_smallw_wrap_exact", D["INT8"], D["INT8"], (D["INT4"], -8, 15), 4, 4, 4, 1, "exact", "dsp", (-2, 2)),
    ("uint4_int4_64x32_pe4_simd8", D["UINT4"], D["INT4"], (D["UINT4"], 0, 15), 64, 32, 4, 8, "exact", "auto"),
]


def _lut_table(rng, folder, in_dt, w_dt, name) -> str:
    table = rng.integers(-60, 61, size=(1 << in_dt.bitwidth(), 1 << w_dt.bitwidth()))
    path = folder / f"{name}.npy"
    np.save(path, table)
    return f"lut:{path}"


def mvau_data(impl, params: dict, x: np.ndarray) -> list[int]:
    """Weights [p][s][nf*SF+sf], thresholds [p][nf][i], reps, input codes -- run_mvau's order."""
    data = [int(v) for v in weight_array(impl).reshape(-1)]
    if params["N_THRES"]:
        data += [int(v) for v in threshold_array(impl).reshape(-1)]
    data += [len(x), len(x)]  # samples fed, reps
    data += [int(v) for v in to_codes(x, impl.in_dtype).reshape(-1)]
    return data


def mvau_case(index: int, spec, folder) -> Case:
    name, in_dt, w_dt, out, mw, mh, pe, simd, mul_spec, binding, *w_range = spec
    rng = np.random.default_rng(index)
    if mul_spec == "lut":
        mul_spec = _lut_table(rng, folder, in_dt, w_dt, name)
    weights = rng.integers(w_range[0][0], w_range[0][1] + 1, size=(mh, mw)) if w_range else _values(rng, w_dt, (mh, mw))
    layer = MatrixLayer(name, in_dt, w_dt, weights, None, 0, D["INT32"], (mw,), (mh,))
    cfg = config.from_dict({"layers": {0: {"pe": pe, "simd": simd, "multiplier": mul_spec, "hls_mul": binding}}})
    impl = annotate([layer], cfg)[0]
    if out is not None:
        out_dt, bias, n = out
        layer = replace(layer, thresholds=boundary_thresholds(rng, layer, impl.acc_dtype, n, impl.multiplier),
                        out_dtype=out_dt, out_bias=bias)
        impl = annotate([layer], cfg)[0]
    x = extreme_inputs(rng, layer, SAMPLES)
    expected = to_codes(golden.run_layer(x, impl.layer, impl.multiplier), impl.out_dtype).astype(np.int64)
    params = layer_params(impl)
    mul = mul_class(impl, f"{name}_mul", params)  # as in the layer's generated params header
    if mul["table"] is not None:
        mul["spec"] = f"lut:{name}.npy"  # no temporary folder in the program: one cached build for every run
    return Case("mvau", name, [*(params[k] for k in MVAU_ARGS), mul["name"]], mvau_data(impl, params, x), expected,
                SAMPLES, params, mul, layer, impl, x)


# ---------------------------------------------------------------- SWG cases

def swg_case(index: int, spec) -> Case:
    name, (h, w, c), (kh, kw), (sh, sw), pads, simd, dt, pad_value = spec
    rng = np.random.default_rng(1000 + index)
    x = _values(rng, dt, (IMAGES, h, w, c))
    expected = golden_conv.im2col(x, (kh, kw), (sh, sw), pads, pad_value).reshape(IMAGES, -1)
    top, left, bottom, right = pads
    params = {"IFM_H": h, "IFM_W": w, "CH": c, "K_H": kh, "K_W": kw, "STRIDE_H": sh, "STRIDE_W": sw,
              "PAD_T": top, "PAD_L": left, "PAD_B": bottom, "PAD_R": right, "SIMD": simd,
              "ELEM_BITS": dt.bitwidth(), "PAD_CODE": _code(dt, pad_value), **window_steps(kw, swg_positions(c, simd))}
    data = [IMAGES, IMAGES, *(int(v) for v in to_codes(x, dt).reshape(-1))]
    return Case("swg", name, list(params.values()), data, to_codes(expected, dt).astype(np.int64), IMAGES, params)


def swg_cycles(p: dict) -> int:
    """The documented trip count per image of axgen_swg (its comment; axgen_swg_cycles)."""
    h, w, cf = p["IFM_H"], p["IFM_W"], p["CH"] // (p["SIMD"] // p["P"])
    kh, kw, sh, pad_t = p["K_H"], p["K_W"], p["STRIDE_H"], p["PAD_T"]
    oh = (h + pad_t + p["PAD_B"] - kh) // sh + 1
    ow = (w + p["PAD_L"] + p["PAD_R"] - kw) // p["STRIDE_W"] + 1
    r, rowb, orowb = kh + sh, w * cf, ow * (kh * kw * p["CH"] // p["SIMD"])

    def lo(o):
        py0 = o * sh
        return 0 if py0 <= pad_t else min(py0 - pad_t, h - 1)

    def hi(o):
        py0 = o * sh
        return 0 if py0 + kh - 1 <= pad_t else min(py0 + kh - 1 - pad_t, h - 1)

    re, we, o = [], 0, 0
    for g in range(h):
        while o < oh and lo(o) + r <= g:
            we = max(we, re[hi(o)]) + orowb
            o += 1
        re.append(max(re[-1] if re else 0, we if o else 0) + rowb)
    for o in range(o, oh):
        we = max(we, re[hi(o)]) + orowb
    return max(re[-1], we)


# ---------------------------------------------------------------- max pool cases

def pool_case(index: int, spec) -> Case:
    name, (h, w, c), (kh, kw), (sh, sw), pe, dt = spec
    rng = np.random.default_rng(2000 + index)
    x = _values(rng, dt, (IMAGES, h, w, c))
    expected = golden_conv.maxpool(x, (kh, kw), (sh, sw)).reshape(IMAGES, -1)
    params = {"IFM_H": h, "IFM_W": w, "CH": c, "K_H": kh, "K_W": kw, "STRIDE_H": sh, "STRIDE_W": sw, "PE": pe,
              "ELEM_BITS": dt.bitwidth(), "SIGNED": int(dt.signed() and dt != D["BIPOLAR"])}
    data = [IMAGES, IMAGES, *(int(v) for v in to_codes(x, dt).reshape(-1))]
    return Case("maxpool", name, list(params.values()), data, to_codes(expected, dt).astype(np.int64), IMAGES,
                params)


# ---------------------------------------------------------------- DWC cases

# id, IN_ELEMS, OUT_ELEMS, ELEM_BITS, ELEMS per sample
DWC_CASES = [
    ("3to2_int4", 3, 2, 4, 12),
    ("2to3", 2, 3, 5, 6),
    ("8to16", 8, 16, 2, 32),
    ("16to8", 16, 8, 3, 48),
    ("4to4", 4, 4, 8, 8),
    ("1to5_wide", 1, 5, 16, 10),
    ("6to4", 6, 4, 7, 24),
]


def dwc_case(index: int, spec) -> Case:
    name, i, o, bits, elems = spec
    rng = np.random.default_rng(3000 + index)
    codes = rng.integers(0, 1 << bits, size=(DWC_SAMPLES, elems))
    params = {"IN_ELEMS": i, "OUT_ELEMS": o, "ELEM_BITS": bits, "ELEMS": elems}
    return Case("dwc", name, list(params.values()), [DWC_SAMPLES, DWC_SAMPLES, *(int(v) for v in codes.reshape(-1))],
                codes.astype(np.int64), DWC_SAMPLES, params)


# ---------------------------------------------------------------- the C++ program

def render_program(cases: list[Case]) -> str:
    """The test program, templates/harness/hls_blocks.cpp.j2: the runners, every MVAU's multiplier
    class from the generator's own template (templates/hls/mul_class.h.j2) and one runner call
    per case."""
    calls = [{"index": i, "name": c.name, "runner": f"run_{c.kind}", "targs": c.targs} for i, c in enumerate(cases)]
    return environment("harness", "hls").get_template("hls_blocks.cpp.j2").render(
        muls=[c.mul for c in cases if c.mul is not None], cases=calls)


@dataclass
class Result:
    in_left: int
    outputs: np.ndarray       # flat output codes
    stats: dict
    model: int                # cycle model per sample
    warnings: list[str]       # hls::stream warnings printed while the case ran


def run_program(binary, cases: list[Case], data: list[int], folder) -> list[Result]:
    data_file, out_file = folder / "data.bin", folder / "results.bin"
    np.asarray(data, dtype="<i8").tofile(data_file)
    proc = subprocess.run([str(binary), str(data_file), str(out_file)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"{binary} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    warnings: dict[int, list[str]] = {}
    current = -1
    for line in proc.stdout.splitlines():
        if line.startswith("CASE "):
            current = int(line.split()[1])
        elif line.strip():
            warnings.setdefault(current, []).append(line)
    flat = np.fromfile(out_file, dtype="<i8")
    results, pos = [], 0
    for i, _ in enumerate(cases):
        in_left, n = int(flat[pos]), int(flat[pos + 1])
        outputs = flat[pos + 2:pos + 2 + n]
        pos += 2 + n
        stats = dict(zip(STATS, (int(v) for v in flat[pos:pos + len(STATS)])))
        model = int(flat[pos + len(STATS)])
        pos += len(STATS) + 1
        results.append(Result(in_left, outputs, stats, model, warnings.get(i, [])))
    assert pos == flat.size, (pos, flat.size)
    return results


def mismatches(case: Case, result: Result, expected: np.ndarray | None = None) -> list[tuple[int, int]]:
    """(sample, element) of every output code differing from the expectation; a missing or extra
    output element counts as a mismatch of its own."""
    want = (case.expected if expected is None else expected).reshape(-1)
    got = result.outputs
    n = min(want.size, got.size)
    per = want.size // case.reps
    bad = [divmod(int(i), per) for i in np.flatnonzero(got[:n] != want[:n])]
    bad += [divmod(i, per) for i in range(n, max(want.size, got.size))]
    return bad


def _data(cases: list[Case]) -> list[int]:
    return [v for c in cases for v in c.data]


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hls_blocks")
    cases = ([mvau_case(i, spec, folder) for i, spec in enumerate(MVAU_CASES)]
             + [swg_case(i, spec) for i, spec in enumerate(SWG_CASES)]
             + [pool_case(i, spec) for i, spec in enumerate(POOL_CASES)]
             + [dwc_case(i, spec) for i, spec in enumerate(DWC_CASES)])
    start = time.monotonic()
    binary, cached = compile_cached({"hls_blocks_tb.cpp": render_program(cases)}, "hls_blocks")
    built = time.monotonic()
    results = run_program(binary, cases, _data(cases), folder)
    ran = time.monotonic()
    print(f"\nHLS blocks: {len(cases)} cases, build {built - start:.1f} s ({'cached' if cached else 'compiled'}), "
          f"run {ran - built:.2f} s")
    return {"cases": cases, "results": results, "binary": binary, "folder": folder}


def _by_name(suite, name: str) -> tuple[Case, Result]:
    for c, r in zip(suite["cases"], suite["results"]):
        if c.name == name:
            return c, r
    raise KeyError(name)


def _check(suite, name: str) -> tuple[Case, Result]:
    case, result = _by_name(suite, name)
    assert not result.warnings, result.warnings  # e.g. hls::stream "read while empty"
    assert result.in_left == 0, f"{result.in_left} input beats not consumed"
    bad = mismatches(case, result)
    assert not bad, f"{len(bad)} mismatches (sample, element), first {bad[:10]}"
    return case, result


# ---------------------------------------------------------------- bit-exact against the golden model

@pytest.mark.parametrize("name", [c[0] for c in MVAU_CASES])
def test_mvau_matches_golden(suite, name):
    case, result = _check(suite, name)
    p = case.params
    assert result.outputs.size == case.reps * p["MH"]


@pytest.mark.parametrize("name", [c[0] for c in SWG_CASES])
def test_swg_matches_im2col(suite, name):
    _check(suite, name)


@pytest.mark.parametrize("name", [c[0] for c in POOL_CASES])
def test_maxpool_matches_golden(suite, name):
    _check(suite, name)


@pytest.mark.parametrize("name", [c[0] for c in DWC_CASES])
def test_dwc_preserves_element_order(suite, name):
    _check(suite, name)


def test_mvau_grid_covers_the_brief(suite):
    """Foldings (PE=MH, SIMD=MW, PE=SIMD=1, NF=1, SF=1), operand kinds, raw and threshold outputs,
    a bias, approximate families, lut tables."""
    mvau = [c for c in suite["cases"] if c.kind == "mvau"]
    p = [c.params for c in mvau]
    assert any(q["PE"] == q["MH"] for q in p) and any(q["SIMD"] == q["MW"] for q in p)
    assert any(q["PE"] == 1 and q["SIMD"] == 1 for q in p)
    assert any(q["IN_KIND"] == 2 and q["W_KIND"] == 2 for q in p)
    assert {q["IN_KIND"] for q in p} == {0, 1, 2} and {q["W_KIND"] for q in p} == {0, 1, 2}
    assert any(q["N_THRES"] == 0 for q in p) and any(q["N_THRES"] > 1 for q in p)
    assert any(q["OUT_BIAS"] < 0 for q in p) and any(q["OUT_BIAS"] > 0 for q in p)
    families = {c.impl.multiplier.family for c in mvau}
    assert {"trunc", "mitchell", "drum", "bam", "lut"} <= families
    # an unsigned raw accumulator leaves the MVAU narrower than its signed ACC_BITS
    assert any(q["N_THRES"] == 0 and q["OUT_BITS"] < q["ACC_BITS"] for q in p)
    # products wrapped to an ACC_BITS narrower than their full width
    assert any(q["ACC_BITS"] < q["IN_BITS"] + q["W_BITS"] + 1 and q["IN_KIND"] != 2 and q["W_KIND"] != 2 for q in p)
    # the approximate raw-accumulator cases really differ from exact multiplication
    for c in mvau:
        integer = DataType["BIPOLAR"] not in (c.layer.in_dtype, c.layer.weight_dtype)
        if c.impl.multiplier.family != "exact" and integer and not c.params["N_THRES"]:
            exact = golden.run_layer(c.x, c.impl.layer)
            assert not np.array_equal(exact, golden.run_layer(c.x, c.impl.layer, c.impl.multiplier)), c.name


def test_native_csim_equals_the_ap_int_code(suite, tmp_path):
    """C simulation runs the MVAU's arithmetic on native integers (hls_lib/axgen_csim.h); built
    with the ap_int code synthesis sees instead (AXGEN_CSIM_AP_INT), the same program gives the
    same outputs and loop statistics for every case, wrapped products and lut tables included."""
    cases = suite["cases"]
    binary, _ = compile_cached({"hls_blocks_tb.cpp": render_program(cases)}, "hls_blocks", ap_int=True)
    assert binary != suite["binary"]
    for c, native, ap_int in zip(cases, suite["results"], run_program(binary, cases, _data(cases), tmp_path)):
        assert np.array_equal(native.outputs, ap_int.outputs) and native.stats == ap_int.stats, c.name


# ---------------------------------------------------------------- trip counts (cycle models)

def test_mvau_trip_count_is_nf_sf_per_vector(suite):
    for case, result in zip(suite["cases"], suite["results"]):
        if case.kind != "mvau":
            continue
        p = case.params
        nf, sf = p["MH"] // p["PE"], p["MW"] // p["SIMD"]
        assert result.model == nf * sf == case.impl.cycles
        assert result.stats["iterations"] == case.reps * nf * sf, case.name
        assert result.stats["reads"] == case.reps * sf and result.stats["writes"] == case.reps * nf, case.name


def test_swg_trip_count_matches_documented_model(suite):
    """The loop runs reps * axgen_swg_cycles iterations, the Python statement of the model gives
    the same count, the last iteration does work (the count is tight), and the count is
    max(input beats, output beats) plus at most K_H image rows and one output row."""
    for case, result in zip(suite["cases"], suite["results"]):
        if case.kind != "swg":
            continue
        p = case.params
        cf = p["CH"] // (p["SIMD"] // p["P"])  # input beats per pixel
        in_beats = p["IFM_H"] * p["IFM_W"] * cf
        out_beats = case.expected.shape[1] // p["SIMD"]
        oh = (p["IFM_H"] + p["PAD_T"] + p["PAD_B"] - p["K_H"]) // p["STRIDE_H"] + 1
        rowb, orowb = p["IFM_W"] * cf, out_beats // oh
        assert result.model == swg_cycles(p), case.name
        assert result.stats["iterations"] == case.reps * result.model, case.name
        assert result.stats["trailing"] == 0, case.name
        assert result.stats["reads"] == case.reps * in_beats and result.stats["writes"] == case.reps * out_beats
        assert max(in_beats, out_beats) <= result.model <= max(in_beats, out_beats) + p["K_H"] * rowb + orowb, \
            (case.name, result.model, in_beats, out_beats)
        if orowb >= p["STRIDE_H"] * rowb:  # output-bound: the first window's rows, then a beat per cycle
            hi0 = min(p["K_H"] - 1 - p["PAD_T"], p["IFM_H"] - 1) if p["K_H"] - 1 > p["PAD_T"] else 0
            assert result.model == (hi0 + 1) * rowb + out_beats, case.name
        print(f"{case.name}: {result.model} cycles/image, in {in_beats}, out {out_beats}, "
              f"bubbles {result.stats['bubbles'] // case.reps}/image")


def test_maxpool_and_dwc_trip_counts(suite):
    for case, result in zip(suite["cases"], suite["results"]):
        p = case.params
        if case.kind == "maxpool":
            beats = p["IFM_H"] * p["IFM_W"] * p["CH"] // p["PE"]
            assert result.model == beats
            assert result.stats["iterations"] == result.stats["reads"] == case.reps * beats, case.name
            assert result.stats["bubbles"] == 0
        elif case.kind == "dwc":
            n_in, n_out = p["ELEMS"] // p["IN_ELEMS"], p["ELEMS"] // p["OUT_ELEMS"]
            assert result.model == max(n_in, n_out)
            assert result.stats["iterations"] == case.reps * max(n_in, n_out), case.name
            assert result.stats["reads"] == case.reps * n_in and result.stats["writes"] == case.reps * n_out


# ---------------------------------------------------------------- the tests can fail

def test_wrong_expectation_is_reported(suite):
    case, result = _by_name(suite, "3x3s1_pad1_6x7_c3_simd1_int")
    wrong = case.expected.copy()
    wrong[1, 17] = (wrong[1, 17] + 1) % 16
    assert mismatches(case, result, wrong) == [(1, 17)]
    short = Result(result.in_left, result.outputs[:-2], result.stats, result.model, [])
    assert mismatches(case, short) == [(case.reps - 1, case.expected.shape[1] - 2),
                                       (case.reps - 1, case.expected.shape[1] - 1)]


def test_corrupted_weight_is_a_mismatch(suite, tmp_path):
    """One weight code changed in the data of a folded approximate case (PE=2, SIMD=3): rerunning
    the same binary, exactly output row m of W[m][k] differs from the golden model (in the
    samples where it matters), and the output equals the golden model of the corrupted layer --
    so the weight layout [p][s][nf*SF+sf] is the one the block reads."""
    cases, data = suite["cases"], _data(suite["cases"])
    target = next(c for c in cases if c.name == "int4_int4_mitchell_raw")
    offset = sum(len(c.data) for c in cases[:cases.index(target)])
    impl, layer = target.impl, target.layer
    m, k = 3, 7  # nf = 1, p = 1; sf = 2, s = 1
    nf, p, sf, s = m // impl.pe, m % impl.pe, k // impl.simd, k % impl.simd
    new_value = -8 if layer.weights[m, k] != -8 else 7
    weights = layer.weights.copy()
    weights[m, k] = new_value
    corrupted = MatrixLayer(layer.name, layer.in_dtype, layer.weight_dtype, weights, None, 0,
                            layer.out_dtype, layer.in_shape, layer.out_shape)
    index = offset + (p * impl.simd + s) * impl.nf * impl.sf + nf * impl.sf + sf
    assert impl.split_products  # the lanes hold sign and magnitude
    assert data[index] == weight_lanes(impl)[m, k]
    data[index] = int(weight_lanes(replace(impl, layer=corrupted))[m, k])
    results = run_program(suite["binary"], cases, data, tmp_path)
    for c, r in zip(cases, results):
        bad = mismatches(c, r)
        if c is not target:
            assert not bad, c.name
            continue
        assert bad and {e for _, e in bad} == {m}
        want = to_codes(golden.run_layer(target.x, corrupted, impl.multiplier), impl.out_dtype).astype(np.int64)
        assert not mismatches(c, r, want)
        changed = {int(n) for n in np.flatnonzero(want[:, m] != c.expected[:, m])}
        assert {n for n, _ in bad} == changed and changed <= {int(n) for n in np.flatnonzero(target.x[:, k])}


def test_lost_input_is_reported(suite, tmp_path):
    """The DWC case 2to3 told to convert one sample more than its input holds: the block reads an
    empty hls::stream, which its warning and the missing output show; the other cases are
    unaffected (same binary)."""
    cases, data = suite["cases"], _data(suite["cases"])
    target = next(c for c in cases if c.name == "2to3")
    offset = sum(len(c.data) for c in cases[:cases.index(target)])
    assert data[offset:offset + 2] == [target.reps, target.reps]  # samples fed, reps
    data[offset + 1] += 1
    results = run_program(suite["binary"], cases, data, tmp_path)
    for c, r in zip(cases, results):
        if c is not target:
            assert not r.warnings and not mismatches(c, r), c.name
            continue
        assert any("read while empty" in w for w in r.warnings), r.warnings
        extra = r.outputs.size - c.expected.size
        assert extra == c.params["ELEMS"]
        assert mismatches(c, r) == [(c.reps, e) for e in range(extra)]


# ---------------------------------------------------------------- the build helper

def test_compile_is_cached_and_errors_are_clear(tmp_path):
    src = {"main.cpp": '#include "part.h"\n#include <ap_int.h>\nint main() { return part() - 5; }\n',
           "part.h": "int part();\n", "part.cpp": "int part() { return 5; }\n"}
    binary, cached = compile_cached(src, "twofiles", tmp_path)
    assert not cached and subprocess.run([str(binary)]).returncode == 0
    entry = binary.parent
    assert entry.parent == tmp_path and entry.name.startswith("twofiles-") and binary.name == "twofiles"
    assert (entry / "src" / "main.cpp").read_text() == src["main.cpp"]
    assert sorted(p.name for p in (entry / "src").iterdir()) == sorted(src)
    stamp = binary.stat().st_mtime_ns
    again, cached = compile_cached(src, "twofiles", tmp_path)
    assert cached and again == binary and binary.stat().st_mtime_ns == stamp
    changed, cached = compile_cached({**src, "part.cpp": "int part() { return 6; }\n"}, "twofiles", tmp_path)
    assert not cached and changed != binary
    broken = {"bad.cpp": "int main() { return undefined_name; }\n"}
    with pytest.raises(AxgenError, match="undefined_name") as info:
        compile_cached(broken, "broken", tmp_path)
    assert "bad.cpp" in str(info.value) and len(str(info.value).splitlines()) <= 45
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("broken-") and p.is_dir()]
    with pytest.raises(AxgenError, match="no .cpp"):
        compile_cached({"only.h": ""}, "x", tmp_path)


def test_dwc_ratios_are_varied():
    ratios = {(i, o) for _, i, o, _, _ in DWC_CASES}
    assert len(ratios) >= 4 and any(i % o and o % i for i, o in ratios)
    assert all(e % math.lcm(i, o) == 0 for _, i, o, _, e in DWC_CASES)
