"""The automatic folding against FINN's SetFolding rule and against the exhaustive optimum, at
equal targets of cycles per sample.

    .venv/bin/python benchmarks/autofold_baseline.py [--out benchmarks/results/autofold_baseline.json]

FINN's rule, as its documentation describes SetFolding, here on axgen's stages and their valid
values: each matrix layer starts at PE = SIMD = 1 and raises SIMD through its valid values
until the layer meets the target, or until SIMD times the weight width would pass
`mvau_wwidth_max` (36 bits, FINN's default); then raises PE until it meets the target. A pool
raises its PE. Two passes: when a layer could not meet the target, the rule runs again with
the slowest layer's cycles as the target, so no other layer is faster than the network (FINN's
`two_pass_relaxation`). FINN's test is "cycles < target"; here both sides use "cycles <=
target".

Per network (TFC-w1a1, CNV-w1a1, the tests' small CNN and the digits CNN) and three targets it
prints the lanes (sum of PE * SIMD over the matrix layers) and estimated LUTs (the resource
model, stitching included) of both, their ratios, and the exhaustive optimum: the fewest lanes
meeting the target (per layer, as lanes add up) and, where the foldings of the whole network
number at most EXHAUSTIVE_MAX, the fewest estimated LUTs of any of them.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "support"))

import models  # noqa: E402  (the tests' networks)
from generator import boards, config  # noqa: E402
from generator.digits import CNN_INPUT_SHAPE, quantized_cnn  # noqa: E402
from generator.frontend import load_network  # noqa: E402
from generator.hw import HardwarePlan  # noqa: E402
from generator.hw.autofold import AutoFolder  # noqa: E402
from generator.hw.resources import used  # noqa: E402
from generator.hw.stitch import chain_links  # noqa: E402

MVAU_WWIDTH_MAX = 36  # FINN's default limit on SIMD * weight bits
EXHAUSTIVE_MAX = 200_000  # foldings of a whole network searched exhaustively for the fewest LUTs
RESULTS = Path(__file__).resolve().parent / "results" / "autofold_baseline.json"


def _meets(stage, target: int) -> bool:
    return stage.cycles <= target


def finn_rule_pass(stages, target: int) -> list:
    out = []
    for stage in stages:
        choices = stage.fold_choices()
        stage = replace(stage, **{key: 1 for key in choices})
        if "simd" in choices:
            bits = stage.layer.weight_dtype.bitwidth()
            for simd in choices["simd"]:
                if simd * bits > MVAU_WWIDTH_MAX:
                    break
                stage = replace(stage, simd=simd)
                if _meets(stage, target):
                    break
        for pe in choices["pe"]:
            stage = replace(stage, pe=pe)
            if _meets(stage, target):
                break
        out.append(stage)
    return out


def finn_rule(stages, target: int) -> list:
    """FINN's SetFolding with its second, relaxing pass."""
    first = finn_rule_pass(stages, target)
    slowest = max(stage.cycles for stage in first)
    return finn_rule_pass(stages, slowest) if slowest > target else first


def lanes(stages) -> int:
    return sum(stage.lanes for stage in stages if stage.kind != "maxpool")


def luts(folder: AutoFolder, stages) -> int:
    plan = HardwarePlan(folder.net, tuple(stages), chain_links(tuple(stages)), folder.board)
    return used(plan.resources()["total"], "lut")


def fewest_lanes(folder: AutoFolder, target: int) -> int:
    """The exhaustive optimum in lanes: lanes add up over the layers, so each layer's fewest."""
    return sum(min(s.lanes for s in opts.meeting(target)) for opts in folder.options if opts.stage.kind != "maxpool")


def fewest_luts(folder: AutoFolder, target: int) -> int | None:
    """The fewest estimated LUTs of any folding meeting `target`, by trying them all (None: too many)."""
    candidates = [opts.meeting(target) for opts in folder.options]
    count = 1
    for c in candidates:
        count *= len(c)
    if count > EXHAUSTIVE_MAX:
        return None
    return min(luts(folder, combo) for combo in itertools.product(*candidates))


def networks(tmp: Path) -> dict:
    """name -> (network, three targets of cycles per sample)."""
    tfc = load_network(models.export(models.finn_fc("tfc_1w1a"), (1, 28, 28), tmp / "tfc.onnx"))
    cnv = load_network(models.export(models.finn_fc("cnv_1w1a"), (3, 32, 32), tmp / "cnv.onnx"))
    small = load_network(models.export(models.small_cnn(), (3, 12, 10), tmp / "small_cnn.onnx"))
    digits = load_network(models.export(quantized_cnn(), CNN_INPUT_SHAPE, tmp / "digits_cnn.onnx"))
    return {"TFC-w1a1": (tfc, (800, 6272, 50176)), "CNV-w1a1": (cnv, (15000, 32768, 131072)),
            "small CNN": (small, (270, 540, 1620)), "digits CNN": (digits, (64, 288, 1152))}


def compare(net, target: int, board) -> dict:
    folder = AutoFolder(net, config.Config(), board)
    auto = folder.cheapest(target)
    finn = finn_rule([opts.stage for opts in folder.options], target)
    row = {"target": target, "auto": {"lanes": lanes(auto), "luts": luts(folder, auto),
                                      "cycles": max(s.cycles for s in auto), "folding": [s.folding for s in auto]},
           "finn": {"lanes": lanes(finn), "luts": luts(folder, finn), "cycles": max(s.cycles for s in finn),
                    "folding": [s.folding for s in finn]},
           "optimum_lanes": fewest_lanes(folder, target), "optimum_luts": fewest_luts(folder, target)}
    row["lanes_ratio"] = round(row["auto"]["lanes"] / row["finn"]["lanes"], 3)
    row["luts_ratio"] = round(row["auto"]["luts"] / row["finn"]["luts"], 3)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    board = boards.load("zcu104")  # room for the fast CNV targets
    header = (f"{'network':11} {'target':>7} {'auto cyc':>8} {'FINN cyc':>8} {'auto lanes':>10} {'FINN lanes':>10} "
              f"{'opt lanes':>9} {'lanes':>6} {'auto LUTs':>9} {'FINN LUTs':>9} {'opt LUTs':>8} {'LUTs':>6}")
    print(header)
    print("-" * len(header))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (net, targets) in networks(Path(tmp)).items():
            for target in targets:
                row = compare(net, target, board)
                rows.append({"network": name, **row})
                opt = row["optimum_luts"]
                print(f"{name:11} {target:>7} {row['auto']['cycles']:>8} {row['finn']['cycles']:>8} "
                      f"{row['auto']['lanes']:>10} {row['finn']['lanes']:>10} {row['optimum_lanes']:>9} "
                      f"{row['lanes_ratio']:>6.3f} {row['auto']['luts']:>9} {row['finn']['luts']:>9} "
                      f"{opt if opt is not None else '-':>8} {row['luts_ratio']:>6.3f}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"board": board.name, "rows": rows}, indent=1) + "\n")
    print("ratios: auto / FINN rule (<= 1: the automatic folding needs no more); "
          f"opt LUTs: exhaustive over at most {EXHAUSTIVE_MAX} foldings ('-': more)")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
