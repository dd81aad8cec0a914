"""Golden-model speed on FINN's CNV-w2a2 (random weights and batch-norm), every matrix layer with the
same multiplier:

- exact: the float64 BLAS path against the int64 path (the fallback when 2^53 cannot be proven);
- approximate: the factored matrix products against exact, and against the straightforward sum of one
  lookup per product (`accumulate_reference`, the oracle; value im2col) on the first --oracle-images
  images (it takes seconds per image), outputs checked identical.

Two weight sets: as exported (CNV's narrow 2-bit weights hold only -1, 0, +1) and redrawn uniformly
over every value of each layer's weight datatype (the harder case for the factoring). Inputs are
random first-stream values; the host head and tail are left out. Each time is the best of two runs
(the oracle and the int64 path: one). Ratios are of times measured in the
same run; JSON goes to benchmarks/results/golden_speed.json.

    .venv/bin/python benchmarks/golden_speed.py [--images 48] [--oracle-images 4] [--specs trunc:k=1,etm:m=1,mitchell]
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
from generator.golden.conv import im2col  # noqa: E402
from generator.golden.matrix import accumulate_reference, activate  # noqa: E402
from generator.multipliers import EXACT, parse  # noqa: E402
from generator.multipliers.factors import factorize  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "golden_speed.json"


@contextlib.contextmanager
def integer_path():
    """The int64 fallback everywhere, as if no layer's float64 bound held."""
    with mock.patch("generator.golden.matrix.exact_in_float", lambda bound: False):
        yield


def oracle_matrix(x, layer, mul):
    return activate(accumulate_reference(x, layer, mul), layer)


def oracle_conv(x, layer, mul):
    """Every window of the images (value im2col), then one lookup per product."""
    g = layer.conv
    windows = im2col(x.reshape(len(x), g.in_h, g.in_w, g.channels), g.kernel, g.stride, g.pads)
    return oracle_matrix(windows.reshape(len(x) * g.pixels, layer.mw), layer, mul).reshape(len(x), -1)


@contextlib.contextmanager
def oracle_path():
    """One lookup per product (accumulate_reference) in place of the matrix products."""
    with mock.patch.dict("generator.golden.layers.GOLDEN", {"fc": oracle_matrix, "conv": oracle_conv}):
        yield


def timed_run(x, layers, mul, path=contextlib.nullcontext, repeats: int = 2) -> tuple[np.ndarray, dict]:
    """The network layer by layer; per-layer seconds, the best of `repeats` runs."""
    seconds = {}
    with path():
        for _ in range(repeats):
            y = x
            for layer in layers:
                start = time.perf_counter()
                y = run_layer(y, layer, mul if layer.kind != "maxpool" else None)
                seconds[layer.name] = min(seconds.get(layer.name, np.inf), time.perf_counter() - start)
    return y, seconds


def redrawn(layers, rng):
    return [dataclasses.replace(lay, weights=rng.choice(all_values(lay.weight_dtype), size=lay.weights.shape))
            if lay.kind != "maxpool" else lay for lay in layers]


def measure(layers, x, specs: list[str], oracle_images: int) -> dict:
    out, exact_blas = timed_run(x, layers, EXACT)
    out_int, exact_int = timed_run(x, layers, EXACT, integer_path, repeats=1)
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
        few, few_s = timed_run(x[:oracle_images], layers, mul)
        slow, oracle_s = timed_run(x[:oracle_images], layers, mul, oracle_path, repeats=1)
        terms = {lay.name: factorize(mul, lay.in_dtype, lay.weight_dtype, lay.weights).terms
                 for lay in layers if lay.kind != "maxpool"}
        f, o, f_few = sum(fast_s.values()), sum(oracle_s.values()), sum(few_s.values())
        same = bool(np.array_equal(few, slow) and np.array_equal(fast[:oracle_images], few))
        row["families"][spec] = {"fast_s": fast_s, "fast_total_s": f, "fast_over_exact": f / total,
                                 "oracle_images": oracle_images, "oracle_s": oracle_s, "oracle_total_s": o,
                                 "fast_on_oracle_images_s": f_few, "oracle_over_fast": o / f_few,
                                 "bit_exact": same, "terms": terms}
        print(f"  {spec}: factored {f:.2f} s ({f / total:.2f}x exact); on {oracle_images} images oracle {o:.2f} s, "
              f"factored {f_few:.2f} s ({o / f_few:.1f}x faster), bit-exact {same}, "
              f"terms per layer {sorted(set(terms.values()))}", flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=48)
    parser.add_argument("--specs", default="trunc:k=1,etm:m=1,mitchell")
    parser.add_argument("--oracle-images", type=int, default=4, help="the oracle is slow: it runs on the first few")
    args = parser.parse_args()
    net = api.load(models.finn_fc("cnv_2w2a"), input_shape=(3, 32, 32))
    rng = np.random.default_rng(0)
    first = net.layers[0]
    x = rng.choice(all_values(first.in_dtype), size=(args.images, int(np.prod(first.in_shape))))
    specs = args.specs.split(",")
    result = {"network": "cnv_2w2a (random weights, random batch-norm)", "images": args.images, "specs": specs,
              "oracle_images": args.oracle_images,
              "blas_threads_note": "numpy's BLAS may use every core", "weights": {}}
    for name, layers in [("exported", list(net.layers)), ("full_range_random", redrawn(net.layers, rng))]:
        print(f"CNV-w2a2, {args.images} images, weights {name}:", flush=True)
        result["weights"][name] = measure(layers, x, specs, args.oracle_images)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
