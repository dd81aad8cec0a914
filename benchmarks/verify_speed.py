"""RTL verification speed: cocotb, the C++ streaming harness and pyverilator (the top stepped from
Python, generator.sim.stepping), side by side in sample-cycles per second.

    .venv/bin/python benchmarks/verify_speed.py [--cnv [--skip-tfc]] [--out benchmarks/results/verify_speed.json]

TFC-w1a1 at PE=SIMD=1 (50,176 cycles per sample), and with --cnv CNV-w1a1 at FINN's folding (its
builds take minutes). Each pass is measured "marginally": two `verify --backend rtl` calls with
N1 and N2 samples, and (cycles simulated with N2 - with N1) / (seconds of the pass with N2 - with
N1), so start-up, reset and the cached builds drop out (each project is verified once before, to
build both). cocotb checks min(N, 32) samples per call, the harness all N: cocotb is measured on
its own smaller N1, N2. pyverilator streams N1 and N2 samples back to back (m_axis_tready high, as
the harness's first phase) through a freshly reset top, compared with the golden model, and is
measured the same way (cycles and seconds of its stream, the build done before). Prints the rates
and their ratios and writes them as JSON."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "support"))

import models  # noqa: E402  (the tests' networks and foldings)
from generator import config  # noqa: E402
from generator.execute import golden_outputs, open_stepper  # noqa: E402
from generator.frontend import load_network  # noqa: E402
from generator.project import build, open_project  # noqa: E402
from generator.verify import random_inputs, verify  # noqa: E402

# network: (model name, input shape, folding, cocotb N1/N2, harness N1/N2, pyverilator N1/N2)
NETWORKS = {
    "TFC-w1a1 PE=SIMD=1": ("tfc_1w1a", (1, 28, 28), {"defaults": {"pe": 1, "simd": 1}}, (4, 16), (32, 256), (2, 8)),
    "CNV-w1a1": ("cnv_1w1a", (3, 32, 32), models.CNV_FOLDING, (2, 6), (8, 64), (1, 3)),
}
TARGET_TFC = 3e6  # harness sample-cycles per second, marginal
TARGET_CNV_RATIO = 10.0  # harness over cocotb


def _pass(report: dict, name: str) -> dict:
    return next(p for p in report["backends"][0]["passes"] if p["name"] == name)


def marginal(project, name: str, counts: tuple[int, int]) -> dict:
    runs = []
    for n in counts:
        start = time.monotonic()
        report = verify(project, "rtl", samples=n, seed=0)
        wall = time.monotonic() - start
        if report["mismatches"]:
            raise SystemExit(f"{project.root}: {report['mismatches']} mismatching samples")
        p = _pass(report, name)
        runs.append({"verify_samples": n, "samples": p["samples"], "cycles": p["cycles"], "seconds": p["seconds"],
                     "verify_seconds": round(wall, 2)})
    (a, b) = runs
    rate = (b["cycles"] - a["cycles"]) / max(b["seconds"] - a["seconds"], 1e-9)
    return {"runs": runs, "marginal_cycles_per_second": round(rate)}


def stepped(project, counts: tuple[int, int]) -> dict:
    """pyverilator's marginal rate: N1 and N2 samples streamed through a freshly reset top."""
    runs = []
    for n in counts:
        values = random_inputs(project, n, seed=0)
        top = open_stepper(project)
        before = top.cycle  # after reset
        start = time.monotonic()
        got = top.run(values)
        seconds = time.monotonic() - start
        if not np.array_equal(got, golden_outputs(project, values)):
            raise SystemExit(f"{project.root}: pyverilator's outputs differ from the golden model's")
        runs.append({"samples": n, "cycles": top.cycle - before, "seconds": round(seconds, 3)})
    (a, b) = runs
    rate = (b["cycles"] - a["cycles"]) / max(b["seconds"] - a["seconds"], 1e-9)
    return {"runs": runs, "marginal_cycles_per_second": round(rate)}


def measure(label: str, tmp: Path) -> dict:
    model, shape, folding, cocotb_n, harness_n, stepped_n = NETWORKS[label]
    onnx = models.export(models.finn_fc(model), shape, tmp / f"{model}.onnx")
    root = tmp / model
    build(load_network(onnx), root, config.from_dict(folding))
    project = open_project(root)
    start = time.monotonic()
    warm = verify(project, "rtl", samples=2, seed=0)  # builds (cocotb and harness), then cached
    builds = {p["name"]: p["build_seconds"] for p in warm["backends"][0]["passes"]}
    start_step = time.monotonic()
    open_stepper(project)  # builds the pyverilator model, then cached
    builds["pyverilator"] = round(time.monotonic() - start_step, 2)
    print(f"{label}: builds {builds} s ({time.monotonic() - start:.1f} s with a 2-sample verify)", flush=True)
    cocotb = marginal(project, "cocotb", cocotb_n)
    harness = marginal(project, "harness", harness_n)
    pyverilator = stepped(project, stepped_n)
    rates = {name: r["marginal_cycles_per_second"] for name, r in
             (("cocotb", cocotb), ("harness", harness), ("pyverilator", pyverilator))}
    ratios = {"harness/cocotb": rates["harness"] / rates["cocotb"],
              "pyverilator/cocotb": rates["pyverilator"] / rates["cocotb"],
              "harness/pyverilator": rates["harness"] / rates["pyverilator"]}
    print(f"{label}: " + ", ".join(f"{name} {rate / 1e6:.3f} M" for name, rate in rates.items())
          + " sample-cycles/s; " + ", ".join(f"{k} {v:.1f}x" for k, v in ratios.items())
          + f" (cycles/sample {warm['cycles_per_sample']})", flush=True)
    return {"model": model, "folding": folding, "cycles_per_sample": warm["cycles_per_sample"], "build_seconds": builds,
            "cocotb": cocotb, "harness": harness, "pyverilator": pyverilator,
            "ratio": round(ratios["harness/cocotb"], 2), "ratios": {k: round(v, 2) for k, v in ratios.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cnv", action="store_true", help="Also CNV-w1a1 (builds take minutes).")
    parser.add_argument("--skip-tfc", action="store_true", help="Only CNV-w1a1 (with --cnv), e.g. while iterating.")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "verify_speed.json")
    args = parser.parse_args()
    labels = [label for label in NETWORKS if (args.cnv or not label.startswith("CNV"))
              and not (args.skip_tfc and args.cnv and label.startswith("TFC"))]
    results = {}
    with tempfile.TemporaryDirectory(prefix="verify_speed-") as tmp:
        for label in labels:
            results[label] = measure(label, Path(tmp))
    if "TFC-w1a1 PE=SIMD=1" in results:
        tfc = results["TFC-w1a1 PE=SIMD=1"]["harness"]["marginal_cycles_per_second"]
        print(f"target: harness >= {TARGET_TFC / 1e6:.0f} M sample-cycles/s on TFC-w1a1: {tfc / 1e6:.2f} M "
              f"({'met' if tfc >= TARGET_TFC else 'NOT met'})")
    if "CNV-w1a1" in results:
        ratio = results["CNV-w1a1"]["ratio"]
        print(f"target: CNV harness >= {TARGET_CNV_RATIO:.0f}x cocotb: {ratio:.1f}x "
              f"({'met' if ratio >= TARGET_CNV_RATIO else 'NOT met'})")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
