"""LUTs the design-space exploration saves on the whole accelerator at <= 1% accuracy loss, for the
demo's digits MLP and CNN (trained as `axgen demo` trains them), three ways:

- multipliers only (weight tuning off),
- multipliers and weight tuning per layer,
- the same, then approximation-aware fine-tuning: the front's configurations (up to --max-loss, 5%,
  below exact) are fine-tuned, cheapest first, and the first whose golden validation accuracy is within 1%
  of exact wins.

Accuracy is the golden model's on the demo's held-out digits (validation half chooses, test half
reports). LUTs are Yosys `synth_xilinx -nodsp` of the whole accelerator (layers and stitching,
logic + LUTRAM), cached; savings are printed against the exact accelerator measured in the same run.

With `--impl unrolled` every matrix layer is unrolled (constant weights as adder graphs) and the
search is over approximate constants (csd:k=K,drop=D: rounded to K signed digits, magnitudes <= D
pruned), then fine-tuned as above; `--front` also synthesizes every point of the search's front
and prints it (the Pareto front in Yosys LUTs).

    .venv/bin/python benchmarks/dse_savings.py [--networks mlp,cnn] [--budget 40] [--epochs 5]
    .venv/bin/python benchmarks/dse_savings.py --networks mlp --impl unrolled --front
"""

from __future__ import annotations

import argparse
import copy
import tempfile
import time
from pathlib import Path

import generator as axgen
from generator import demo, digits
from generator.dse import front_and_cheapest
from generator.dse.dataset import digits_dataset, encode
from generator.dse.evaluate import Scorer
from generator.synth import run as synth

LOSS = 0.01
FINETUNE_CANDIDATES = 6


def _luts(acc) -> int:
    total = synth(acc.root, "yosys", jobs=2, no_dsp=True)["total"]
    return int(total["lut"] + (total.get("lutram") or 0))


def _accuracies(net, settings: dict, data) -> tuple[float, float]:
    encoded = encode(data, net)
    val = Scorer(net, None, encoded.val, encoded.y_val)
    test = Scorer(net, None, encoded.test, encoded.y_test)
    return val(settings)["accuracy"], test(settings)["accuracy"]


def _finetuned(model, net, result, data, train, epochs: int, exact_val: float):
    """The cheapest front configuration that fine-tuning brings within LOSS of exact validation accuracy."""
    for row in sorted(result.front, key=lambda r: r["luts"])[:FINETUNE_CANDIDATES]:
        if row["exact"]:
            break
        tuned = copy.deepcopy(model)
        report = axgen.finetune(tuned, row["settings"], digits.shaped(tuned, train.x_train), train.y_train,
                                digits.shaped(tuned, data.x_val), data.y_val, epochs=epochs)
        net2 = axgen.load(tuned, input_shape=tuned.input_shape)
        val, _ = _accuracies(net2, row["settings"], data)
        print(f"    fine-tuned {row['config']}: validation {report['before']:.2%} -> {val:.2%} "
              f"(epoch {report['epoch']})", flush=True)
        if val >= exact_val - LOSS:
            return net2, row
    return None, None


def _front(net, result, data, work: Path) -> None:
    """Every front point synthesized: the Pareto front in Yosys LUTs."""
    print(f"  front ({len(result.front)} points): validation, test, model LUTs, Yosys LUTs, config")
    for i, row in enumerate(sorted(result.front, key=lambda r: r["luts"])):
        luts = _luts(axgen.build(net, work / f"front_{i}", config=row["settings"]))
        val, test = _accuracies(net, row["settings"], data)
        print(f"    {val:7.2%} {test:7.2%} {int(row['luts']):8d} {luts:8d}  {row['config']}", flush=True)


def run(kind: str, budget: int, epochs: int, work: Path, impl: str = "folded", front: bool = False,
        max_loss: float = 0.05) -> list[tuple]:
    spec = demo.demo_model(kind)
    train = digits.load_digits_split(0)
    model = digits.trained(spec.quantized_model, train, 0)
    net = axgen.load(model, input_shape=model.input_shape)
    data = digits_dataset(0)
    rows = []
    if impl == "unrolled":
        folding = {i: {"impl": "unrolled"} for i, layer in enumerate(net.layers) if layer.kind in ("fc", "conv")}
        exact = axgen.build(net, work / f"{kind}_exact", config={"layers": folding})
    else:
        exact = axgen.build(net, work / f"{kind}_exact", target_cycles=spec.target_cycles)  # folded as the demo folds
        folding = demo.folding_of(exact.project)
    exact_cfg = {"layers": folding}
    exact_val, exact_test = _accuracies(net, exact_cfg, data)
    exact_luts = _luts(exact)
    rows.append((kind, "exact", "exact", exact_val, exact_test, exact_luts))
    searches = (("constants", False),) if impl == "unrolled" else (("multipliers only", False), ("+ weight tuning", True))
    for label, tune in searches:
        t0 = time.time()
        result, best = front_and_cheapest(net, data, folding, loss=LOSS, budget=budget, seed=0, tune=tune,
                                          max_loss=max_loss)
        print(f"  {kind} {label}: {len(result.front)} front points, {len(result.evaluated)} evaluated "
              f"({time.time() - t0:.0f} s)", flush=True)
        val, test = _accuracies(net, best["settings"], data)
        luts = _luts(axgen.build(net, work / f"{kind}_{tune}", config=best["settings"]))
        rows.append((kind, label, best["config"], val, test, luts))
    if front:
        _front(net, result, data, work)
    # the last search's front reaches max_loss below exact (5%, dse's default --max-loss): fine-tuning starts there
    net2, row = _finetuned(model, net, result, data, train, epochs, exact_val)
    if row is not None:
        val, test = _accuracies(net2, row["settings"], data)
        luts = _luts(axgen.build(net2, work / f"{kind}_finetuned", config=row["settings"]))
        rows.append((kind, "+ fine-tuning" if impl == "unrolled" else "+ tuning + fine-tuning", row["config"], val,
                     test, luts))
    return [(*r, 1 - r[5] / exact_luts) for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", default="mlp,cnn")
    parser.add_argument("--budget", type=int, default=40)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--impl", choices=("folded", "unrolled"), default="folded")
    parser.add_argument("--front", action="store_true", help="Synthesize and print every point of the front.")
    parser.add_argument("--max-loss", type=float, default=0.05,
                        help="How far below exact the search's front reaches (and fine-tuning starts from).")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="axgen-dse-") as tmp:
        for kind in args.networks.split(","):
            results += run(kind, args.budget, args.epochs, Path(tmp), args.impl, args.front, args.max_loss)
    print(f"\n{'net':4} {'variant':24} {'val':>7} {'test':>7} {'Yosys LUTs':>10} {'saved':>7}  config")
    for kind, label, name, val, test, luts, saved in results:
        print(f"{kind:4} {label:24} {val:7.2%} {test:7.2%} {luts:10d} {saved:7.1%}  {name}")


if __name__ == "__main__":
    main()
