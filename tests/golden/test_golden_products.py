"""The golden model's matrix products (multipliers factored into separable terms, summed by BLAS in
float64 when provably exact, else in int64) equal the straightforward sum of one product at a time
(`accumulate_reference`, the oracle): every family across its knob range, `lut:` tables and
`verilog:` cores, on random layers of 1- to 8-bit signed, unsigned and bipolar operands."""

import hashlib
import itertools
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import generator.multipliers.cores as cores
from generator.datatypes import DataType, all_values
from generator.golden.conv import run_conv
from generator.golden.matrix import Lookup, accumulate, accumulate_reference, products
from generator.ir import ConvGeometry, MatrixLayer
from generator.multipliers import FAMILIES, Multiplier, parse
from generator.multipliers.bounds import exact_in_float, partial_sum_bound
from generator.multipliers.catalog import grid
from generator.multipliers.cores import Core
from generator.multipliers.factors import factorize

TYPES = [f"UINT{n}" for n in range(1, 9)] + [f"INT{n}" for n in range(2, 9)] + ["BIPOLAR"]
D = DataType


def matrix_layer(x_dt, w_dt, weights, conv=None) -> MatrixLayer:
    mh, mw = weights.shape
    return MatrixLayer("l", x_dt, w_dt, weights, None, 0, D["INT32"], (mw,), (mh,), conv=conv)


def values(rng, dt, shape) -> np.ndarray:
    return rng.choice(all_values(dt), size=shape)


@lru_cache(maxsize=None)
def family_specs(na: int, nb: int) -> tuple[str, ...]:
    """Every family at every knob setting its check accepts for na x nb magnitudes."""
    specs = []
    for name, family in FAMILIES.items():
        for combo in itertools.product(range(na + nb + 1), repeat=len(family.knobs)):
            knobs = dict(zip(family.knobs, combo))
            if family.check(knobs, na, nb) is None:
                specs.append(Multiplier(name, knobs).spec)
        if family.optional:
            specs += [f"{name}:{family.optional[0]}={v}" for v in range(na + nb + 1)
                      if family.check({family.optional[0]: v}, na, nb) is None]
    return tuple(specs)


@pytest.fixture(scope="module")
def table_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("tables")


def lut_spec(folder, rng, x_dt, w_dt) -> str:
    table = rng.integers(-(1 << 12), 1 << 12, (1 << x_dt.bitwidth(), 1 << w_dt.bitwidth()))
    path = folder / f"{hashlib.sha256(table.tobytes()).hexdigest()[:16]}_{table.shape[0]}x{table.shape[1]}.npy"
    np.save(path, table)
    return f"lut:{path}"


def fake_core(path, module, rng, a_bits, b_bits) -> Core:
    """A user's core as the loader would derive it, with a random unsigned table."""
    table = rng.integers(0, 1 << (a_bits + b_bits), (1 << a_bits, 1 << b_bits))
    return Core(str(path), module, ("a", "b", "p"), a_bits, b_bits, a_bits + b_bits, "0" * 64, table)


@st.composite
def cases(draw):
    """A random layer, its inputs and one multiplier of every kind it can use."""
    x_dt, w_dt = D[draw(st.sampled_from(TYPES))], D[draw(st.sampled_from(TYPES))]
    k, m, n = draw(st.integers(1, 40)), draw(st.integers(1, 12)), draw(st.integers(1, 9))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    layer = matrix_layer(x_dt, w_dt, values(rng, w_dt, (m, k)))
    kind = draw(st.sampled_from(["family", "lut", "verilog"]))
    spec = draw(st.sampled_from(family_specs(x_dt.bitwidth(), w_dt.bitwidth()))) if kind == "family" else kind
    return layer, values(rng, x_dt, (n, k)), spec, rng


def resolve(spec, rng, layer, folder, monkeypatch) -> Multiplier:
    """A family spec as it is; `lut` a random table file; `verilog` a core with a random table,
    derived by a stand-in loader (the real one simulates the core)."""
    x_dt, w_dt = layer.in_dtype, layer.weight_dtype
    if spec == "lut":
        return parse(lut_spec(folder, rng, x_dt, w_dt))
    if spec == "verilog":
        a_bits, b_bits = x_dt.bitwidth() + int(rng.integers(0, 2)), w_dt.bitwidth() + int(rng.integers(0, 2))
        core = fake_core(folder / "core.v", "core", rng, a_bits, b_bits)
        monkeypatch.setattr(cores, "_LOADER", [lambda path, module: core])
        monkeypatch.setattr(cores, "_CORES", {})
        (folder / "core.v").write_text("module core(); endmodule\n")
        return parse(f"verilog:{folder / 'core.v'}")
    return parse(spec)


def agrees_with_the_oracle(folder, case, integer: bool) -> None:
    layer, x, spec, rng = case
    with pytest.MonkeyPatch.context() as mp:
        mul = resolve(spec, rng, layer, folder, mp)
        if integer:
            mp.setattr("generator.golden.matrix.exact_in_float", lambda bound: False)
        assert np.array_equal(accumulate(x, layer, mul), accumulate_reference(x, layer, mul)), mul.spec


@settings(max_examples=150, deadline=None)
@given(cases())
def test_products_equal_the_oracle(table_dir, case):
    agrees_with_the_oracle(table_dir, case, integer=False)


@settings(max_examples=40, deadline=None)
@given(cases())
def test_integer_fallback_equals_the_oracle(table_dir, case):
    """With the float64 bound taken as failed, the same products summed in int64."""
    agrees_with_the_oracle(table_dir, case, integer=True)


@pytest.mark.parametrize("bits", [2, 3, 4, 5, 6, pytest.param(7, marks=pytest.mark.slow), pytest.param(8, marks=pytest.mark.slow)])
@pytest.mark.parametrize("signed", [False, True])
def test_catalog_grid_equals_the_oracle(bits, signed):
    """Every setting `axgen multipliers` lists, on n x n operands with every weight value present."""
    rng = np.random.default_rng(bits)
    x_dt, w_dt = D[f"INT{bits}" if signed else f"UINT{bits}"], D[f"INT{bits}"]
    ws = all_values(w_dt)
    layer = matrix_layer(x_dt, w_dt, np.concatenate([ws, values(rng, w_dt, 2 * len(ws))]).reshape(-1, 3 * len(ws) // 6))
    x = values(rng, x_dt, (8, layer.mw))
    for spec in grid(bits):
        mul = parse(spec)
        assert np.array_equal(accumulate(x, layer, mul), accumulate_reference(x, layer, mul)), spec


def test_factoring_is_short_where_the_structure_allows():
    """Bit planes for truncated arrays, one term for perforation and DRUM, the exact product plus one
    correction for trunc:k=1: fewer matrix products than activation values."""
    x_dt, w_dt = D["INT8"], D["INT8"]
    ws = all_values(w_dt)
    terms = {spec: factorize(parse(spec), x_dt, w_dt, ws).terms
             for spec in ["exact", "trunc:k=1", "trunc:k=3", "perf:j=1,k=2", "drum:k=3", "bam:h=2,v=5"]}
    assert terms == {"exact": 1, "trunc:k=1": 2, "trunc:k=3": 4, "perf:j=1,k=2": 1, "drum:k=3": 1, "bam:h=2,v=5": 4}


def test_float_bound_fails_for_wide_sums():
    """The bound from the datatypes: K * max|x| * max|w| past 2^53 is refused, well below accepted."""
    x_dt = D["UINT24"]
    factors = factorize(parse("exact"), x_dt, D["INT24"], np.array([-(1 << 23)]))
    weights = np.full((1, 1 << 7), -(1 << 23), dtype=np.int64)  # K = 128: 2^7 * 2^24 * 2^23 > 2^53
    assert not exact_in_float(partial_sum_bound(factors.act_max(x_dt), weights))
    assert exact_in_float(partial_sum_bound(factors.act_max(x_dt), weights[:, :2]))
    assert exact_in_float(partial_sum_bound(np.array([255, 1]), np.full((4, 2 * 4608), 255)))  # CNV-sized, 8 bits


def test_integer_fallback_on_wide_sums():
    """UINT24 x INT24 over K = 256: float64 would round (the sums pass 2^53), int64 does not."""
    rng = np.random.default_rng(0)
    x_dt, w_dt = D["UINT24"], D["INT24"]
    w = -(1 << 23) + rng.integers(0, 1 << 10, (3, 256))
    x = (1 << 24) - 1 - rng.integers(0, 1 << 10, (5, 256))
    layer = matrix_layer(x_dt, w_dt, w)
    exact = np.array([[sum(int(a) * int(b) for a, b in zip(row, col)) for col in w] for row in x], dtype=np.int64)
    assert not np.array_equal(x.astype(np.float64) @ w.T.astype(np.float64), exact)  # what BLAS alone would give
    assert np.array_equal(accumulate(x, layer, parse("exact")), exact)


def test_many_terms_go_through_the_product_table(tmp_path):
    """A random 8 x 8 table (255 terms) and Mitchell at 8 bits (64): one lookup per product instead."""
    rng = np.random.default_rng(2)
    layer = matrix_layer(D["UINT8"], D["INT8"], values(rng, D["INT8"], (6, 50)))
    x = values(rng, D["UINT8"], (9, 50))
    for mul in [parse(lut_spec(tmp_path, rng, D["UINT8"], D["INT8"])), parse("mitchell")]:
        accumulation = products(layer, mul)
        assert accumulation.terms == 1 and isinstance(accumulation, Lookup)
        assert np.array_equal(accumulation(x), accumulate_reference(x, layer, mul))


def test_a_wide_activation_factors_into_its_product_table():
    """A carried accumulator is a wide activation (INT17 into an INT8 layer): Mitchell's products
    have more primitive rows than there are weight columns, so the factorization is the product
    table itself (one term per distinct weight) and never a (2^17, rows) array."""
    rng = np.random.default_rng(4)
    layer = matrix_layer(D["INT17"], D["INT8"], values(rng, D["INT8"], (4, 40)))
    factors = factorize(parse("mitchell"), D["INT17"], D["INT8"], layer.weights)
    distinct = len(np.unique(layer.weights))
    assert factors.terms == distinct and factors.act.shape == (1 << 17, distinct)
    x = values(rng, D["INT17"], (7, 40))
    accumulation = products(layer, parse("mitchell"))
    assert isinstance(accumulation, Lookup) and np.array_equal(accumulation(x), accumulate_reference(x, layer,
                                                                                                   parse("mitchell")))


# etm: mul(0, w) is not 0 (the padding's terms); lut: 8 x 8 random, through the table
@pytest.mark.parametrize("spec, bits", [("exact", 3), ("trunc:k=2", 3), ("etm:m=1", 3), ("lut", 8)])
def test_convolution_in_chunks_equals_one_window_at_a_time(monkeypatch, tmp_path, spec, bits):
    """run_conv takes the multiplier's terms per pixel, pads with the terms of 0 and chunks the images
    (a small chunk here forces several): every window's sum as the oracle gives it."""
    rng = np.random.default_rng(1)
    x_dt, w_dt = D[f"UINT{bits}"], D[f"INT{bits}"]
    g = ConvGeometry(5, 4, 3, (3, 2), (1, 2), (1, 0, 1, 1), 5, 2)
    layer = matrix_layer(x_dt, w_dt, values(rng, w_dt, (4, 18)), conv=g)
    x = values(rng, x_dt, (7, 5 * 4 * 3))
    mul = parse(lut_spec(tmp_path, rng, x_dt, w_dt) if spec == "lut" else spec)
    monkeypatch.setattr("generator.golden.conv.CHUNK_ELEMENTS", 100)
    out = run_conv(x, layer, mul).reshape(7, 5, 2, 4)
    padded = np.pad(x.reshape(7, 5, 4, 3), ((0, 0), (1, 1), (0, 1), (0, 0)))
    for oy, ox in itertools.product(range(5), range(2)):
        window = padded[:, oy:oy + 3, 2 * ox:2 * ox + 2, :].reshape(7, 18)
        assert np.array_equal(out[:, oy, ox], accumulate_reference(window, layer, mul))
