"""The jet tagger's shape trained, built unrolled, verified and placed (issue 22): hls4ml's
jet-tagging MLP (16 inputs, 64-32-32-5, 6-bit weights and activations) trained on the digits data
(nothing can be downloaded): each 8x8 image pooled 2x2 into 16 inputs, the digits 0-4 its five
classes. The quantized model is Brevitas (a 6-bit input quantizer, QuantLinear, batch norm,
6-bit QuantReLU), trained as `axgen demo` trains its MLP, then pruned as hls4ml's users prune
the jet tagger for fully unrolled layers (its tutorials keep 25% of each layer's weights:
`--sparsity 0.75`; generator.digits.prune: magnitude pruning in steps with fine-tuning). It is
exported, built with every layer unrolled for ulx3s at 125 MHz, and measured in one run:

- accuracy on the held-out digits 0-4: float, Brevitas dense and pruned, axgen's golden model,
  and the RTL on all of them;
- bit-exactness: golden model against Verilator (random inputs, random back-pressure) and against
  the HLS C simulation; cycles per sample and latency as measured by the simulation;
- each layer's adders, and with `--pnr` the whole accelerator placed and routed by nextpnr-ecp5
  on the LFE5U-85F at the target clock (`--layers`: each layer out of context instead).

Dense (`--sparsity 0`), fc1 (64->32) is 1,651 adders: placed alone on the 85F at the pipelining
125 MHz needs, it does not route; at 2 adder levels a stage it routes at 96 MHz.

    python benchmarks/jet_digits.py                  # accuracy, bit-exactness, cycles
    python benchmarks/jet_digits.py --pnr            # and the whole top's Fmax (about 15 minutes)
    python benchmarks/jet_digits.py --pnr --layers   # every layer's Fmax instead

Results are written to benchmarks/results/jet_digits.json.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from generator import config
from generator.digits import Digits, accuracy, load_digits_split, on_pixels, prune, torch_logits, trained
from generator.frontend import load_network
from generator.frontend.loading import export_brevitas
from generator.predict import predict
from generator.project import build
from generator.verify import verify

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "jet_digits.json"
BITS, HIDDEN, CLASSES, BOARD, CLOCK_MHZ = 6, (64, 32, 32), 5, "ulx3s", 125.0


def pooled(data: Digits) -> Digits:
    """The digits 0-4, each 8x8 image averaged over 2x2 blocks: 16 inputs of 0..16."""
    def pool(x):
        return x.reshape(-1, 4, 2, 4, 2).mean(axis=(2, 4)).reshape(-1, 16).astype(np.float32)
    keep_train, keep_test = data.y_train < CLASSES, data.y_test < CLASSES
    return Digits(pool(data.x_train[keep_train]), data.y_train[keep_train], pool(data.x_test[keep_test]),
                  data.y_test[keep_test])


def jet_model(quantized: bool):
    """16 -> 64 -> 32 -> 32 -> 5, batch norm and ReLU between (6-bit where quantized)."""
    import torch.nn as nn
    import brevitas.nn as qnn
    from brevitas.quant import Int8WeightPerTensorFixedPoint, Uint8ActPerTensorFixedPoint
    layers, width = [], 16
    if quantized:
        layers.append(qnn.QuantIdentity(act_quant=Uint8ActPerTensorFixedPoint, bit_width=BITS, max_val=1.0))
    for out in (*HIDDEN, CLASSES):
        if quantized:
            layers.append(qnn.QuantLinear(width, out, bias=True, weight_quant=Int8WeightPerTensorFixedPoint,
                                          weight_bit_width=BITS))
        else:
            layers.append(nn.Linear(width, out))
        if out != CLASSES:
            act = (qnn.QuantReLU(act_quant=Uint8ActPerTensorFixedPoint, bit_width=BITS, max_val=2.0) if quantized
                   else nn.ReLU())
            layers += [nn.BatchNorm1d(out), act]
        width = out
    return on_pixels(nn.Sequential(*layers), (16,))


def main() -> None:
    import torch
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pnr", action="store_true", help="also place and route the accelerator with nextpnr")
    parser.add_argument("--layers", action="store_true", help="with --pnr: each layer alone instead of the whole top")
    parser.add_argument("--sparsity", type=float, default=0.75, help="fraction of each layer's weights pruned "
                        "(default 0.75; 0: dense)")
    parser.add_argument("--samples", type=int, default=64, help="random samples of the RTL and HLS verification")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    start = time.time()
    data = pooled(load_digits_split(args.seed))
    float_acc = accuracy(torch_logits(trained(lambda: jet_model(False), data, args.seed), data.x_test), data.y_test)
    model = trained(lambda: jet_model(True), data, args.seed)
    dense_acc = accuracy(torch_logits(model, data.x_test), data.y_test)
    if args.sparsity:
        prune(model, data, args.sparsity, seed=args.seed)
    brevitas = torch_logits(model, data.x_test)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "jet_digits.onnx"
        path.write_bytes(export_brevitas(model, (16,)).SerializeToString())
        net = load_network(path, name="jet_digits")
        project = build(net, Path(tmp) / "project", config.from_dict({"defaults": {"impl": "unrolled"}}),
                        board=BOARD, clock_mhz=CLOCK_MHZ)
        golden = predict(project, data.x_test, "golden")
        rtl = predict(project, data.x_test, "rtl", seed=args.seed)
        rtl_report = verify(project, "rtl", samples=args.samples, seed=args.seed)
        hls_report = verify(project, "hls", samples=args.samples, seed=args.seed)
        layers = project.data["layers"]
        row = {
            "sparsity": args.sparsity,
            "float_accuracy": float_acc, "brevitas_dense_accuracy": dense_acc,
            "brevitas_accuracy": accuracy(brevitas, data.y_test),
            "golden_accuracy": accuracy(golden, data.y_test), "rtl_accuracy": accuracy(rtl, data.y_test),
            "test_digits": int(len(data.y_test)), "golden_equals_brevitas": bool(np.array_equal(golden, brevitas)),
            "rtl_equals_golden_on_digits": bool(np.array_equal(rtl, golden)),
            "rtl_mismatches": rtl_report["mismatches"], "hls_mismatches": hls_report["mismatches"],
            "cycles_per_sample": rtl_report["cycles_per_sample"], "latency_cycles": rtl_report["latency_cycles"],
            "clock_mhz": CLOCK_MHZ,
            "layers": {layer["name"]: {
                "impl": layer["impl"], "thresholds_as": layer.get("thresholds_as"),
                "zero_weights": round(float(np.mean(ir.weights == 0)), 3),
                "adders": (layer.get("adder_graph") or {}).get("adders"),
                "estimated_fmax_mhz": layer.get("estimated_fmax_mhz")} for ir, layer in zip(net.layers, layers)},
        }
        if args.pnr:
            from generator.synth import run as synth
            if args.layers:
                placed = synth(project.root, tool="nextpnr", only=list(row["layers"]))["layers"]
                for name, entry in placed.items():
                    row["layers"][name].update(fmax_mhz=entry["fmax_mhz"], lut4=entry.get("lut"), ff=entry.get("ff"))
            else:
                timing = synth(project.root, tool="nextpnr", only=["top"])["timing"]
                row["top"] = {"fmax_mhz": timing["fmax_mhz"], "slack_ns": timing["slack_ns"],
                              "critical_path": timing["critical_path"]}
    row["latency_ns"] = round(row["latency_cycles"] * 1000 / CLOCK_MHZ, 1)
    row["seconds"] = round(time.time() - start, 1)
    print(f"jet-shaped MLP 16-64-32-32-5, {BITS}-bit, trained on pooled digits 0-4 ({row['test_digits']} held out), "
          f"{args.sparsity:.0%} of each layer's weights pruned")
    print(f"accuracy: float {row['float_accuracy']:.2%}, Brevitas dense {row['brevitas_dense_accuracy']:.2%}, "
          f"Brevitas {row['brevitas_accuracy']:.2%}, golden {row['golden_accuracy']:.2%}, RTL {row['rtl_accuracy']:.2%} "
          f"(golden = Brevitas logits: {row['golden_equals_brevitas']}, RTL = golden: {row['rtl_equals_golden_on_digits']})")
    print(f"{args.samples} random samples: RTL mismatches {row['rtl_mismatches']}, HLS mismatches {row['hls_mismatches']}; "
          f"{row['cycles_per_sample']:g} cycles per sample, latency {row['latency_cycles']} cycles = "
          f"{row['latency_ns']} ns at {CLOCK_MHZ:g} MHz")
    for name, layer in row["layers"].items():
        placed = f", placed {layer['fmax_mhz']} MHz" if layer.get("fmax_mhz") else ""
        print(f"  {name}: {layer['impl']}, {layer['zero_weights']:.0%} zero weights, {layer['adders']} adders, "
              f"thresholds as {layer['thresholds_as']}, estimated {layer['estimated_fmax_mhz']} MHz{placed}")
    if "top" in row:
        print(f"whole accelerator placed and routed: {row['top']['fmax_mhz']} MHz at a {CLOCK_MHZ:g} MHz target "
              f"(slack {row['top']['slack_ns']} ns; critical path {row['top']['critical_path']})")
    RESULTS.write_text(json.dumps(row, indent=1) + "\n")


if __name__ == "__main__":
    main()
