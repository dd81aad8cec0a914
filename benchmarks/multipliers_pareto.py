"""8x8 (or --bits N) multipliers on LUT fabric: exhaustive error against Yosys synth_xilinx
-nodsp LUTs, with the LUT ratio to the exact multiplier measured in the same run.

    .venv/bin/python benchmarks/multipliers_pareto.py [--bits 8] [--signed] [--plot pareto.png]

MAE% is the mean absolute error over the largest exact product (normalized mean error
distance); MRE% the mean relative error over pairs with a non-zero exact product."""

from __future__ import annotations

import argparse
from pathlib import Path

from generator.multipliers.catalog import catalog, pareto, plot
from generator.synth import multiplier_cost

MRE_LIMIT = 0.02
LUT_SAVING = 0.30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bits", type=int, default=8)
    parser.add_argument("--signed", action="store_true")
    parser.add_argument("--plot", type=Path)
    args = parser.parse_args()
    rows = catalog(args.bits, args.signed, multiplier_cost)
    exact = next(r for r in rows if r["spec"] == "exact")
    lo = -(1 << (args.bits - 1)) if args.signed else 0
    hi = (1 << (args.bits - 1)) - 1 if args.signed else (1 << args.bits) - 1
    max_product = max(abs(lo * lo), abs(hi * hi), abs(lo * hi))
    front = {r["spec"] for r in pareto(rows)}
    print(f"{'spec':16} {'MAE%':>8} {'MRE%':>8} {'WCE':>7} {'EP%':>6} {'LUTs':>5} {'CARRY4':>6} {'LUT ratio':>9}  pareto")
    for r in rows:
        print(f"{r['spec']:16} {100 * r['mae'] / max_product:8.4f} {100 * r['mre']:8.3f} {r['wce']:7d} "
              f"{100 * r['ep']:6.1f} {r['luts']:5d} {r['carry4']:6d} {r['luts'] / exact['luts']:9.3f}  "
              f"{'*' if r['spec'] in front else ''}")
    good = [r for r in rows if r["mre"] <= MRE_LIMIT and r["luts"] <= (1 - LUT_SAVING) * exact["luts"]]
    print(f"\nexact: {exact['luts']} LUTs, {exact['carry4']} CARRY4")
    print(f"configurations with MRE <= {100 * MRE_LIMIT:.0f}% and >= {100 * LUT_SAVING:.0f}% fewer LUTs than exact: "
          + (", ".join(f"{r['spec']} ({r['luts']} LUTs, MRE {100 * r['mre']:.2f}%)" for r in good) or "none"))
    if args.plot:
        plot(rows, args.plot)
        print(f"plot: {args.plot}")


if __name__ == "__main__":
    main()
