"""FIFO depths sized from a simulation against the rule's, per network: FIFO bits and the measured
cycles per sample of both, next to the estimate (the slowest stage), and the latency against the
latency model.

    .venv/bin/python benchmarks/fifo_depths.py [--cnv] [--out benchmarks/results/fifo_depths.json]

The rule (no target, no --size-fifos): the FIFO in front of a layer holds what it needs to start
(one input vector of a fully-connected layer, one pixel of a convolution or pool). Sized
(generator/sim/fifo_sizing.py): each FIFO's peak occupancy plus one in a run with deep FIFOs and
samples offered one per bottleneck period. Each network at the tests' folding (and with --cnv,
CNV-w1a1 at FINN's; its builds take minutes)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "support"))

import models  # noqa: E402  (the tests' networks and foldings)
from generator import config  # noqa: E402
from generator.digits import CNN_INPUT_SHAPE, INPUT_SHAPE, quantized_cnn  # noqa: E402
from generator.frontend import load_network  # noqa: E402
from generator.project import build  # noqa: E402
from generator.verify import verify  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "fifo_depths.json"


def cases(tmp: Path, cnv: bool):
    yield "TFC-w1a1", models.export(models.finn_fc("tfc_1w1a"), (1, 28, 28), tmp / "tfc.onnx"), models.FOLDINGS["tfc_1w1a"][0]
    yield "mixed MLP", models.export(models.mixed_mlp(), (24,), tmp / "mixed.onnx"), models.MIXED_FOLDING
    yield "digits MLP", models.export(models.digits_mlp(epochs=1), INPUT_SHAPE, tmp / "mlp.onnx"), models.DIGITS_FOLDINGS[1]
    small = models.export(models.small_cnn(), (3, 12, 10), tmp / "small.onnx")
    for i, fold in enumerate(models.SMALL_CNN_FOLDINGS):
        yield f"small CNN #{i}", small, fold
    strided = models.export(models.strided_cnn(), (2, 11, 9), tmp / "strided.onnx")
    yield "strided CNN #0", strided, models.STRIDED_CNN_FOLDINGS[0]
    yield "digits CNN 1x1", models.export(quantized_cnn(), CNN_INPUT_SHAPE, tmp / "dcnn.onnx"), {"layers": {}}
    if cnv:
        yield "CNV-w1a1", models.export(models.finn_fc("cnv_1w1a"), (3, 32, 32), tmp / "cnv.onnx"), models.CNV_FOLDING


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cnv", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    header = (f"{'network':15} {'estimate':>8} {'rule bits':>9} {'rule cyc':>9} {'sized bits':>10} {'sized cyc':>9} "
              f"{'latency':>7} {'lat model':>9}")
    print(header)
    print("-" * len(header))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for i, (label, path, fold) in enumerate(cases(tmp, args.cnv)):
            net = load_network(path)
            row = {"network": label, "folding": fold}
            for kind, sized in (("rule", False), ("sized", True)):
                project = build(net, tmp / f"{i}_{kind}", config.from_dict(fold), size_fifos=sized)
                report = verify(project, "rtl", samples=4, seed=0)
                row[kind] = {"fifos": project.data["fifos"], "fifo_bits": project.data["fifo_bits"],
                             "cycles_per_sample": report["cycles_per_sample"], "latency_cycles": report["latency_cycles"],
                             "mismatches": report["mismatches"]}
                row["estimated_cycles_per_sample"] = report["estimated_cycles_per_sample"]
                row["estimated_latency_cycles"] = report["estimated_latency_cycles"]
            rows.append(row)
            r, s = row["rule"], row["sized"]
            print(f"{label:15} {row['estimated_cycles_per_sample']:>8} {r['fifo_bits']:>9} {r['cycles_per_sample']:>9g} "
                  f"{s['fifo_bits']:>10} {s['cycles_per_sample']:>9g} {s['latency_cycles']:>7} "
                  f"{row['estimated_latency_cycles']:>9}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rows": rows}, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
