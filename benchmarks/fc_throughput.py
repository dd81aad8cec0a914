"""Measured cycles per sample over the folding bound, for the fully-connected networks the
tests verify (same foldings), plus Verilator build time and simulation time.

    .venv/bin/python benchmarks/fc_throughput.py [--samples 12]

Prints one row per network and folding: bound = max over layers of MH/PE * MW/SIMD, measured =
steady-state cycles between outputs with samples back to back and no back-pressure."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import models  # noqa: E402  (the tests' networks and foldings)
from generator import config  # noqa: E402
from generator.digits import INPUT_SHAPE  # noqa: E402
from generator.frontend import load_network  # noqa: E402
from generator.project import build  # noqa: E402
from generator.rtl_sim import build as build_sim  # noqa: E402
from generator.verify import verify  # noqa: E402


def cases(tmp: Path):
    for name, folds in sorted(models.FOLDINGS.items()):
        path = models.export(models.finn_fc(name), (1, 28, 28), tmp / f"{name}.onnx")
        for i, fold in enumerate(folds):
            yield f"{name} (random weights)", i, path, fold
    digits = models.export(models.digits_mlp(), INPUT_SHAPE, tmp / "digits.onnx")
    for i, fold in enumerate(models.DIGITS_FOLDINGS):
        yield "digits MLP (trained)", i, digits, fold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=12)
    args = parser.parse_args()
    header = f"{'network':26} {'fold':>4} {'bound':>7} {'measured':>9} {'ratio':>6} {'latency':>8} {'build s':>8} {'sim s':>6}"
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for label, i, path, fold in cases(tmp):
            project_dir = tmp / f"{path.stem}_{i}"
            project = build(load_network(path), project_dir, config.from_dict(fold))
            t0 = time.time()
            build_sim(project_dir / "rtl", project.data["rtl"]["top"], project_dir / "build" / "rtl_sim")
            t1 = time.time()
            report = verify(project, "rtl", samples=args.samples, seed=0)
            t2 = time.time()
            bound, measured = report["estimated_cycles_per_sample"], report["cycles_per_sample"]
            status = "" if report["mismatches"] == 0 else f"  {report['mismatches']} MISMATCHES"
            print(f"{label:26} {i:>4} {bound:>7} {measured:>9.1f} {measured / bound:>6.3f} "
                  f"{report['latency_cycles']:>8} {t1 - t0:>8.1f} {t2 - t1:>6.1f}{status}", flush=True)


if __name__ == "__main__":
    main()
