"""Measured cycles per sample over the estimate, for the networks the tests verify (same
foldings), plus build and run times of both backends: Verilator (RTL) and g++ (HLS C simulation).

    .venv/bin/python benchmarks/throughput.py [--family fc|conv|all] [--samples 8]

One row per network and folding. estimate = max over the stages of their estimated cycles per
sample (MVAU: pixels * MH/PE * MW/SIMD; sliding window: max(input beats, window beats); max
pool: input beats); measured = steady-state cycles between outputs with samples back to back and
no back-pressure; kcyc/s = simulated clock cycles (both verify phases) per second of simulation;
g++ build and run times are cold (a fresh cache folder), for the same samples. The rows also go to
benchmarks/results/throughput.json (--out), for comparison across commits."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "support"))

import models  # noqa: E402  (the tests' networks and foldings)
from generator import config  # noqa: E402
from generator.digits import INPUT_SHAPE  # noqa: E402
from generator.frontend import load_network  # noqa: E402
from generator.project import build  # noqa: E402
from generator.tools.cache import VERILATOR_OBJECTS, cache_dir  # noqa: E402
from generator.verify import verify  # noqa: E402


def fc_cases(tmp: Path):
    for name, folds in sorted(models.FOLDINGS.items()):
        path = models.export(models.finn_fc(name), (1, 28, 28), tmp / f"{name}.onnx")
        for i, fold in enumerate(folds):
            yield f"{name} (random)", i, path, fold
    digits = models.export(models.digits_mlp(), INPUT_SHAPE, tmp / "digits.onnx")
    for i, fold in enumerate(models.DIGITS_FOLDINGS):
        yield "digits MLP (trained)", i, digits, fold


def conv_cases(tmp: Path):
    for label, model, shape, folds in (("small CNN", models.small_cnn(), (3, 12, 10), models.SMALL_CNN_FOLDINGS),
                                       ("strided CNN", models.strided_cnn(), (2, 11, 9), models.STRIDED_CNN_FOLDINGS)):
        path = models.export(model, shape, tmp / f"{label.replace(' ', '_')}.onnx")
        for i, fold in enumerate(folds):
            yield f"{label} (random)", i, path, fold
    for name in models.FINN_CNV:
        path = models.export(models.finn_fc(name), (3, 32, 32), tmp / f"{name}.onnx")
        yield f"{name} (random)", 0, path, models.CNV_FOLDING


RESULTS = Path(__file__).resolve().parent / "results" / "throughput.json"
FAMILIES = {"fc": (fc_cases,), "conv": (conv_cases,), "all": (fc_cases, conv_cases)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", choices=sorted(FAMILIES), default="all")
    parser.add_argument("--samples", type=int, default=8)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    rows = []
    header = (f"{'network':18} {'fold':>4} {'estimate':>8} {'measured':>9} {'ratio':>6} {'latency':>7} "
              f"{'vl build':>8} {'vl run':>6} {'kcyc/s':>6} {'g++ build':>9} {'g++ run':>7}")
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # Cold g++ builds: a cache of our own, sharing only the Verilator runtime objects.
        objects = cache_dir(VERILATOR_OBJECTS)
        objects.mkdir(parents=True, exist_ok=True)
        os.environ["AXGEN_CACHE"] = str(tmp / "cache")
        (tmp / "cache").mkdir()
        (tmp / "cache" / VERILATOR_OBJECTS).symlink_to(objects.resolve(), target_is_directory=True)
        for cases in FAMILIES[args.family]:
            for label, i, path, fold in cases(tmp):
                project_dir = tmp / f"{path.stem}_{i}"
                project = build(load_network(path), project_dir, config.from_dict(fold))
                report = verify(project, "all", samples=args.samples, seed=0)
                rtl, hls = report["backends"]
                estimate, measured = report["estimated_cycles_per_sample"], report["cycles_per_sample"]
                speed = rtl["sim_cycles"] / rtl["run_seconds"] / 1000
                status = "" if report["mismatches"] == 0 else f"  {report['mismatches']} MISMATCHES"
                print(f"{label:18} {i:>4} {estimate:>8} {measured:>9.1f} {measured / estimate:>6.3f} "
                      f"{report['latency_cycles']:>7} {rtl['build_seconds']:>8.1f} {rtl['run_seconds']:>6.1f} "
                      f"{speed:>6.0f} {hls['build_seconds']:>9.1f} {hls['run_seconds']:>7.2f}{status}", flush=True)
                rows.append({"network": label, "folding": fold, "estimated_cycles": estimate,
                             "measured_cycles": measured, "ratio": round(measured / estimate, 4),
                             "latency_cycles": report["latency_cycles"],
                             "mismatches": report["mismatches"], "rtl_kcycles_per_second": round(speed),
                             "verilator_build_seconds": rtl["build_seconds"], "gxx_build_seconds": hls["build_seconds"],
                             "gxx_run_seconds": hls["run_seconds"]})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"samples": args.samples, "rows": rows}, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
