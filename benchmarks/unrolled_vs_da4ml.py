"""Unrolled layers side by side with the anchor (issue 22): each fully-connected layer of a network
as one constant matrix-vector product, built by axgen (impl: unrolled, raw accumulators out:
generator.backends.rtl.unrolled) and by da4ml's own Verilog generator (da4ml.trace + comb_trace +
codegen.VerilogModel, pipelined with `latency_cutoff` at the same adder levels per stage; both
solvers at the same delay constraint, DEPTH_SLACK levels beyond the shallowest graph), both
synthesized with Yosys `synth_xilinx -nodsp` (LUT, FF, CARRY4) and with `synth_ecp5` + nextpnr-ecp5
(LFE5U-85F, out of context: Fmax). Prints one table: LUT, FF, Fmax and latency of both, and
axgen's LUT sites over da4ml's (LUTs as logic and as memory: Vivado's "Slice LUTs"), measured in
this one run.

    python benchmarks/unrolled_vs_da4ml.py                    # the jet tagger's four layers (16-64-32-32-5)
    python benchmarks/unrolled_vs_da4ml.py --layers fc3 fc2   # some of them
    python benchmarks/unrolled_vs_da4ml.py --no-pnr           # Yosys only
    python benchmarks/unrolled_vs_da4ml.py --network          # also the whole network, side by side
    python benchmarks/unrolled_vs_da4ml.py --layers --network # the whole network only

With --network, the whole jet tagger (its activations truncating, QKeras' quantized_relu as
hls4ml builds it with ap_fixed's default, so that da4ml's quantize can compute the same function)
is built both ways: axgen's accelerator (every layer unrolled, its quantized ReLUs as axgen's
threshold units, its FIFOs and width converters; `axgen synth --tool yosys`: each layer and the
top's own logic) and da4ml's one module traced through the four layers (relu, quantize with
saturation). Before counting, both compute the network on random inputs and must agree on every
output (da4ml's values are axgen's output codes at their scale plus each output's bias).

Both sides take the same integer matrix and input type, and both compute x @ W exactly; the
thresholds are left out of both (da4ml's trace has no threshold search), so what is compared is
the adder graph and its pipeline. axgen's side includes its output FIFO and credit counter (the
back-pressure da4ml's free-running pipeline leaves to its user); its latency counts the FIFO.
Results are written to benchmarks/results/unrolled_vs_da4ml.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))

import models  # noqa: E402

from generator.backends.rtl.unrolled import render_unrolled  # noqa: E402
from generator.errors import AxgenError  # noqa: E402
from generator.frontend import load_network  # noqa: E402
from generator.hw.adder_graph import DEPTH_SLACK  # noqa: E402
from generator.hw.unrolled import unrolled_impl  # noqa: E402
from generator.resources import folder as folder_of  # noqa: E402
from generator.templating import environment  # noqa: E402
from generator.tools.nextpnr import SYNTH_ECP5, arguments, parse_report, place_and_route  # noqa: E402
from generator.synth.yosys import resources  # noqa: E402
from generator.tools.yosys import run_reading, run_script  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "unrolled_vs_da4ml.json"
PART, PACKAGE, SPEED, MHZ = "LFE5U-85F", "CABGA381", 6, 125.0
LEVELS = 2  # adder levels per pipeline stage on both sides


def axgen_files(layer, folder: Path) -> tuple[dict, str, int]:
    """axgen's unrolled layer with raw accumulators: its files, top module and latency (cycles)."""
    impl = unrolled_impl(0, replace(layer, thresholds=None, out_bias=0), {"levels": LEVELS})
    name = "axgen_cmvm"
    path = folder / f"{name}.v"
    path.write_text(render_unrolled(environment("rtl"), impl, name))
    lib = {f: folder_of("rtl") / f for f in ("axgen_fifo.v", "axgen_credits.v")}  # its output FIFO and credits
    return {path.name: path, **lib}, name, impl.depth + 1


def da4ml_files(layer, folder: Path) -> tuple[dict, str, int]:
    """da4ml's own Verilog of the same product, pipelined every LEVELS adder levels."""
    from da4ml.codegen import VerilogModel
    from da4ml.trace import FixedVariableArrayInput, comb_trace
    from da4ml.trace.ops import quantize
    dt = layer.in_dtype
    inp = FixedVariableArrayInput(layer.mw, solver_options={"hard_dc": DEPTH_SLACK})
    signed = int(dt.signed())
    x = quantize(inp, signed, dt.bitwidth() - signed, 0)
    comb = comb_trace(inp, x @ layer.weights.T.astype(np.float64))
    name = "da4ml_cmvm"
    VerilogModel(comb, name, str(folder), latency_cutoff=LEVELS).write()
    src = folder / "src"
    files = {p.name: p for p in sorted(src.glob("*.v")) + sorted((src / "static").glob("*.v"))}
    stages = len(list(src.glob(f"{name}_stage*.v")))
    return files, name, stages + 1


def network_rows(tmp: Path) -> dict:
    """The whole jet tagger built by both, proven the same function, counted by Yosys."""
    import onnx
    from onnx import numpy_helper
    from da4ml.codegen import VerilogModel
    from da4ml.trace import FixedVariableArrayInput, comb_trace
    from da4ml.trace.ops import quantize, relu
    from generator import config
    from generator.golden.layers import run_layers
    from generator.project import build
    from generator.synth import run as synth
    path = models.qkeras_jet_tagger(tmp / "jet_floor.onnx", rounding="FLOOR")
    net = load_network(path, input_type="FIXED<16,6>")
    inits = {i.name: numpy_helper.to_array(i) for i in onnx.load(str(path)).graph.initializer}
    step = 2.0 ** -5  # quantized_bits(6, 0): the weights' and biases' scale
    inp = FixedVariableArrayInput(16, solver_options={"hard_dc": DEPTH_SLACK})
    x = quantize(inp, 1, 5, 10)
    for i, layer in enumerate(net.layers):
        w = np.clip(np.round(inits[f"W_{i}"] / step), -32, 31)
        if not np.array_equal(w.T, layer.weights):
            raise SystemExit(f"{layer.name}: the weights axgen loaded differ from the model's")
        x = x @ (w * step) + np.clip(np.round(inits[f"b_{i}"] / step), -32, 31) * step
        if i < len(net.layers) - 1:
            x = quantize(relu(x), 0, 2, 4, overflow_mode="SAT", round_mode="TRN")
    comb = comb_trace(inp, x)
    codes = np.random.default_rng(0).integers(-(1 << 15), 1 << 15, size=(2000, 16))
    theirs = np.asarray(comb.predict(codes * 2.0 ** -10), dtype=np.float64)
    ours = run_layers(codes, net.layers).astype(np.float64) * step * 2.0 ** -4
    bias = theirs - ours
    if not np.all(bias == bias[:1]):
        raise SystemExit("axgen's and da4ml's jet taggers compute different functions")
    folder = tmp / "network_da4ml"
    VerilogModel(comb, "da4ml_jet", str(folder), latency_cutoff=LEVELS).write()
    src = folder / "src"
    files = {p.name: p for p in sorted(src.glob("*.v")) + sorted((src / "static").glob("*.v"))}
    stages = len(list(src.glob("da4ml_jet_stage*.v")))
    row = {"layer": "network", "shape": "16-64-32-32-5", "input": "INT16", "weights": "INT6",
           "da4ml": {**yosys_counts(files, "da4ml_jet"), "latency_cycles": stages + 1, "fmax_mhz": None}}
    project = tmp / "network_axgen"
    build(net, project, config.from_dict({"defaults": {"impl": "unrolled", "levels": LEVELS}}))
    total = synth(project, tool="yosys", no_dsp=True, jobs=2)["total"]
    latency = json.loads((project / "project.json").read_text())["estimated_latency_cycles"]
    row["axgen"] = {**{key: total[key] for key in ("lut", "lutram", "ff", "carry", "bram18")},
                    "latency_cycles": latency, "fmax_mhz": None}
    row["lut_ratio"] = round(lut_sites(row["axgen"]) / lut_sites(row["da4ml"]), 3)
    return row


def yosys_counts(files: dict, top: str) -> dict:
    script = (f"read_verilog -defer {' '.join(files)}\nsynth_xilinx -family xc7 -nodsp -noiopad -noclkbuf -flatten "
              f"-top {top}\ntee -q -o stat.json stat -json\n")
    counts = resources(run_script(files, script, f"Yosys synth_xilinx of {top}"))
    return {key: counts[key] for key in ("lut", "lutram", "ff", "carry", "bram18")}


def lut_sites(side: dict) -> int:
    """LUTs as logic and as memory (LUT RAM, shift registers): Vivado's "Slice LUTs"."""
    return side["lut"] + side["lutram"]


def fmax(files: dict, top: str, timeout: float) -> dict:
    """{"fmax_mhz"} placed and routed, or {"fmax_mhz": None, "pnr": why not} when nextpnr fails or
    takes longer than `timeout` seconds (a layer too big for the part to route is a result)."""
    script = f"read_verilog -defer {' '.join(files)}\n{SYNTH_ECP5} -top {top} -json netlist.json\ntee -q -o stat.json stat -json\n"
    args = arguments(PART, PACKAGE, SPEED, MHZ)
    try:
        report = run_reading(files, script, f"synth_ecp5 of {top}",
                             lambda work: place_and_route(work, "netlist.json", args, f"nextpnr of {top}", timeout=timeout))
    except AxgenError as exc:
        return {"fmax_mhz": None, "pnr": str(exc)}
    return {"fmax_mhz": parse_report(report)["fmax_mhz"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--layers", nargs="*", help="layer names (default: all)")
    parser.add_argument("--no-pnr", action="store_true", help="Yosys counts only, no place and route")
    parser.add_argument("--network", action="store_true", help="also the whole network, counted by Yosys (it does "
                        "not fit one ECP5 to be placed)")
    parser.add_argument("--pnr-timeout", type=float, default=3600.0, help="seconds one place and route may take "
                        "(default 3600); a layer that takes longer is recorded as not routed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        net = load_network(models.qkeras_jet_tagger(Path(tmp) / "jet.onnx"), input_type="FIXED<16,6>")
        rows = []
        for layer in net.layers:
            if args.layers is not None and layer.name not in args.layers:
                continue
            row = {"layer": layer.name, "shape": f"{layer.mw}->{layer.mh}", "input": layer.in_dtype.name,
                   "weights": layer.weight_dtype.name}
            for side, make in (("axgen", axgen_files), ("da4ml", da4ml_files)):
                folder = Path(tmp) / f"{layer.name}_{side}"
                folder.mkdir()
                files, top, latency = make(layer, folder)
                placed = {"fmax_mhz": None} if args.no_pnr else fmax(files, top, args.pnr_timeout)
                row[side] = {**yosys_counts(files, top), "latency_cycles": latency, **placed}
                print(f"{layer.name} {side}: {row[side]}", flush=True)
            row["lut_ratio"] = round(lut_sites(row["axgen"]) / lut_sites(row["da4ml"]), 3)
            rows.append(row)
        if args.network:
            rows.append(network_rows(Path(tmp)))
            print(f"network: {rows[-1]}", flush=True)
    print(f"\n{'layer':7} {'shape':13} {'side':6} {'LUT':>7} {'LUTRAM':>7} {'FF':>7} {'CARRY4':>7} {'BRAM18':>7} "
          f"{'Fmax MHz':>9} {'latency':>8}")
    for row in rows:
        for side in ("axgen", "da4ml"):
            r = row[side]
            f = f"{r['fmax_mhz']:.1f}" if r["fmax_mhz"] else ("no route" if r.get("pnr") else "-")
            print(f"{row['layer']:7} {row['shape']:13} {side:6} {r['lut']:7,} {r['lutram']:7,} {r['ff']:7,} {r['carry']:7,} "
                  f"{r['bram18']:7,} {f:>9} {r['latency_cycles']:8}")
            if r.get("pnr"):
                print(f"{'':22} {side} not placed: {r['pnr']}")
        print(f"{'':22} axgen / da4ml, LUTs as logic and memory = {row['lut_ratio']:.3f}")
    kept = json.loads(RESULTS.read_text()) if RESULTS.exists() else []  # rows this run did not measure stay
    measured = {row["layer"] for row in rows}
    RESULTS.write_text(json.dumps([r for r in kept if r["layer"] not in measured] + rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
