"""Golden-model speed on FINN's CNV-w2a2 (random weights and batch-norm), every matrix layer with the
same multiplier:

- exact: the float64 BLAS path against the int64 path (the fallback when 2^53 cannot be proven);
- approximate: the factored matrix products against exact and against the straightforward sum of one
  lookup per product (`accumulate_reference`, the oracle), outputs checked identical.

Two weight sets: as exported (CNV's narrow 2-bit weights hold only -1, 0, +1) and redrawn uniformly
over every value of each layer's weight datatype (the harder case for the factoring). Inputs are
random first-stream values; the host head and tail are left out. Ratios are of times measured in the
same run; JSON goes to benchmarks/results/golden_speed.json.

    .venv/bin/python benchmarks/golden_speed.py [--images 48] [--specs trunc:k=1,etm:m=1,mitchell]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "support"))

import models  # noqa: E402  (the tests' networks)
from generator import api  # noqa: E402
from generator.datatypes import all_values  # noqa: E402
from generator.golden import run_layer  # noqa: E402
from generator.golden.matrix import accumulate_reference  # noqa: E402
from generator.multipliers import EXACT, parse  # noqa: E402
from generator.multipliers.factors import factorize  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "golden_speed.json"


@contextlib.contextmanager
def integer_path():
    """The int64 fallback everywhere, as if no layer's float64 bound held."""
    with mock.patch("generator.golden.matrix.exact_in_float", lambda bound: False):
        yield


@contextlib.contextmanager
def oracle_path():
    """One lookup per product (accumulate_reference) in place of the matrix products."""
    def products(layer, mul=EXACT):
        return lambda x: accumulate_reference(x, layer, mul)
    with mock.patch("generator.golden.matrix.products", products), mock.patch("generator.golden.conv.products", products):
        yield


def timed_run(x, layers, mul, path=contextlib.nullcontext) -> tuple[np.ndarray, dict]:
    """The network layer by layer; per-layer seconds."""
    seconds = {}
    with path():
        for layer in layers:
            start = time.perf_counter()
            x = run_layer(x, layer, mul if layer.kind != "maxpool" else None)
            seconds[layer.name] = time.perf_counter() - start
    return x, seconds


def redrawn(layers, rng):
    return [dataclasses.replace(lay, weights=rng.choice(all_values(lay.weight_dtype), size=lay.weights.shape))
            if lay.kind != "maxpool" else lay for lay in layers]


def measure(layers, x, specs: list[str]) -> dict:
    out, exact_blas = timed_run(x, layers, EXACT)
    out_int, exact_int = timed_run(x, layers, EXACT, integer_path)
    assert np.array_equal(out, out_int)
    total = sum(exact_blas.values())
    row = {"exact_blas_s": exact_blas, "exact_int_s": exact_int, "exact_blas_total_s": total,
           "exact_int_total_s": sum(exact_int.values()), "int_over_blas": sum(exact_int.values()) / total,
           "families": {}}
    print(f"  exact: BLAS {total:.2f} s, int64 {row['exact_int_total_s']:.2f} s "
          f"(int64 / BLAS {row['int_over_blas']:.1f}x)", flush=True)
    for spec in specs:
        mul = parse(spec)
        fast, fast_s = timed_run(x, layers, mul)
        slow, oracle_s = timed_run(x, layers, mul, oracle_path)
        terms = {lay.name: factorize(mul, lay.in_dtype, lay.weight_dtype, lay.weights).terms
                 for lay in layers if lay.kind != "maxpool"}
        f, o = sum(fast_s.values()), sum(oracle_s.values())
        row["families"][spec] = {"fast_s": fast_s, "oracle_s": oracle_s, "fast_total_s": f, "oracle_total_s": o,
                                 "fast_over_exact": f / total, "oracle_over_fast": o / f,
                                 "bit_exact": bool(np.array_equal(fast, slow)), "terms": terms}
        print(f"  {spec}: factored {f:.2f} s ({f / total:.2f}x exact), oracle {o:.2f} s ({o / f:.1f}x the factored), "
              f"bit-exact {np.array_equal(fast, slow)}, terms {sorted(set(terms.values()))}", flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=48)
    parser.add_argument("--specs", default="trunc:k=1,etm:m=1,mitchell")
    args = parser.parse_args()
    net = api.load(models.finn_fc("cnv_2w2a"), input_shape=(3, 32, 32))
    rng = np.random.default_rng(0)
    first = net.layers[0]
    x = rng.choice(all_values(first.in_dtype), size=(args.images, int(np.prod(first.in_shape))))
    specs = args.specs.split(",")
    result = {"network": "cnv_2w2a (random weights, random batch-norm)", "images": args.images, "specs": specs,
              "blas_threads_note": "numpy's BLAS may use every core", "weights": {}}
    for name, layers in [("exported", list(net.layers)), ("full_range_random", redrawn(net.layers, rng))]:
        print(f"CNV-w2a2, {args.images} images, weights {name}:", flush=True)
        result["weights"][name] = measure(layers, x, specs)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
