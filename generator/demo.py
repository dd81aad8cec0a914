"""`axgen demo`: digits -> quantized MLP -> QONNX -> accelerator -> Verilator -> summary."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from generator import config as config_mod
from generator.digits import (INPUT_SHAPE, accuracy, float_mlp, load_digits_split, quantized_mlp, torch_logits,
                              train)
from generator.folding import annotate
from generator.frontend import load_network
from generator.golden import run_layers
from generator.host import head_values, tail_output
from generator.ir import Network
from generator.multipliers import parse
from generator.predict import predict
from generator.project import build
from generator.verify import verify

# Folding for the demo MLP (64-64-32-10): every layer within 64 cycles per sample.
DEMO_FOLDING = {0: {"pe": 8, "simd": 8}, 1: {"pe": 4, "simd": 8}, 2: {"pe": 2, "simd": 4}}
DEFAULT_MULTIPLIER = "trunc:k=3"


def demo_config(multiplier: str = "exact", tune: bool = False) -> config_mod.Config:
    return config_mod.from_dict({"defaults": {"multiplier": multiplier, "tune_weights": tune},
                                 "layers": DEMO_FOLDING})


def golden_accuracy(net: Network, cfg: config_mod.Config, x: np.ndarray, y: np.ndarray) -> float:
    impls = annotate(net.layers, cfg)
    values = run_layers(head_values(net.head, x), [i.layer for i in impls], [i.multiplier for i in impls])
    return accuracy(tail_output(net.tail, values), y)


def _verify_rtl(project, samples: int, seed: int, console: Console, what: str) -> dict:
    with console.status(f"verifying the {what} accelerator on Verilator ({samples} random samples, back-pressure)"):
        report = verify(project, "rtl", samples=samples, seed=seed)
    shutil.rmtree(project.root / "build", ignore_errors=True)
    return report


def run_demo(out_dir: Path, samples: int = 32, seed: int = 0, console: Console | None = None,
             multiplier: str = DEFAULT_MULTIPLIER) -> dict:
    import torch
    console = console or Console()
    parse(multiplier)  # a bad spec fails before any long work
    torch.set_num_threads(2)
    start = time.time()
    out_dir.mkdir(parents=True, exist_ok=True)
    data = load_digits_split(seed)
    with console.status("training a float MLP and a 4-bit quantized MLP on digits"):
        float_model = train(float_mlp(), data, seed=seed)
        quant_model = train(quantized_mlp(), data, seed=seed)
    float_acc = accuracy(torch_logits(float_model, data.x_test), data.y_test)
    brevitas_acc = accuracy(torch_logits(quant_model, data.x_test), data.y_test)

    from generator.frontend.loading import export_brevitas
    proto = export_brevitas(quant_model, INPUT_SHAPE)
    model_path = out_dir / "model.onnx"
    model_path.write_bytes(proto.SerializeToString())
    net = load_network(model_path, name="digits_mlp")
    project = build(net, out_dir / "project", demo_config(), force=True)
    golden_logits = predict(project, data.x_test, "golden")
    golden_acc = accuracy(golden_logits, data.y_test)
    with console.status(f"running the first {samples} test digits through the RTL"):
        rtl_logits = predict(project, data.x_test[:samples], "rtl", seed=seed)
    rtl_agree = bool(np.array_equal(rtl_logits, golden_logits[:samples]))
    report = _verify_rtl(project, samples, seed, console, "exact")

    approx_acc = golden_accuracy(net, demo_config(multiplier), data.x_test, data.y_test)
    approx_project = build(net, out_dir / "project_approx", demo_config(multiplier, tune=True), force=True)
    tuned_acc = accuracy(predict(approx_project, data.x_test, "golden"), data.y_test)
    approx_report = _verify_rtl(approx_project, samples, seed, console, f"{multiplier} (tuned)")

    summary = {
        "float_accuracy": float_acc, "brevitas_accuracy": brevitas_acc, "golden_accuracy": golden_acc,
        "multiplier": multiplier, "approx_accuracy": approx_acc, "approx_tuned_accuracy": tuned_acc,
        "approx_rtl_mismatches": approx_report["mismatches"],
        "rtl_mismatches": report["mismatches"], "rtl_equals_golden_on_digits": rtl_agree,
        "cycles_per_sample": report["cycles_per_sample"],
        "estimated_cycles_per_sample": report["estimated_cycles_per_sample"],
        "latency_cycles": report["latency_cycles"], "project": str(project.root), "model": str(model_path),
        "seconds": round(time.time() - start, 1),
    }
    table = Table(title="axgen demo: digits MLP 64-64-32-10, 4-bit weights and activations", show_header=False)
    table.add_row("accuracy, float model", f"{float_acc:.2%}")
    table.add_row("accuracy, quantized (Brevitas)", f"{brevitas_acc:.2%}")
    table.add_row("accuracy, golden model, exact", f"{golden_acc:.2%}")
    table.add_row(f"accuracy, golden, {multiplier}", f"{approx_acc:.2%}")
    table.add_row(f"accuracy, golden, {multiplier} + tuning", f"{tuned_acc:.2%}")
    table.add_row(f"RTL vs golden, exact, {samples} random", _status(report))
    table.add_row(f"RTL vs golden, exact, {samples} digits", "identical" if rtl_agree else "DIFFERENT")
    table.add_row(f"RTL vs golden, {multiplier} + tuning", _status(approx_report))
    table.add_row("cycles/sample measured / estimated",
                  f"{report['cycles_per_sample']:g} / {report['estimated_cycles_per_sample']}")
    table.add_row("latency (cycles)", str(report["latency_cycles"]))
    table.add_row("QONNX model", str(model_path))
    table.add_row("projects (exact, approximate)", f"{project.root}\n{approx_project.root}")
    table.add_row("time", f"{summary['seconds']} s")
    console.print(table)
    return summary


def _status(report: dict) -> str:
    return "bit-exact" if report["mismatches"] == 0 else f"{report['mismatches']} MISMATCHING"
