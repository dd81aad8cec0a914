"""The results page: what the benchmarks measured, from the JSON they write to benchmarks/results/
(`make bench` reruns the speed benchmarks, then rebuilds the site), as tables and plots, each with
the command that reproduces it. A benchmark whose file is absent is left out of the page."""

from __future__ import annotations

import json

from axdocs import ROOT
from axdocs.figures import markdown_table, png, pyplot

RESULTS = ROOT / "benchmarks" / "results"
PAGE = "results/index.md"


def _load(name: str):
    path = RESULTS / name
    return json.loads(path.read_text()) if path.is_file() else None


def _bars(title: str, ylabel: str, groups: list[str], series: dict[str, list[float]], log: bool = False) -> bytes:
    """Grouped bars: one group per label, one bar per series."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=110)
    width = 0.8 / max(len(series), 1)
    for i, (name, values) in enumerate(series.items()):
        ax.bar([g + i * width for g in range(len(groups))], values, width, label=name)
    ax.set_xticks([g + width * (len(series) - 1) / 2 for g in range(len(groups))], groups, fontsize=8)
    ax.set(title=title, ylabel=ylabel)
    if log:
        ax.set_yscale("log")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return png(fig)


def _command(text: str) -> str:
    return f"Reproduce: `{text}`"


def verify_speed(files: dict) -> list[str]:
    data = _load("verify_speed.json")
    if data is None:
        return []
    names = sorted(data)
    rows = [[n, f"{data[n]['cycles_per_sample']:,.0f}", f"{data[n]['cocotb']['marginal_cycles_per_second']:,}",
             f"{data[n]['harness']['marginal_cycles_per_second']:,}", f"{data[n]['ratio']:.1f}x"] for n in names]
    files["results/verify_speed.png"] = _bars(
        "RTL verification speed", "sample-cycles per second", names,
        {"cocotb": [data[n]["cocotb"]["marginal_cycles_per_second"] for n in names],
         "C++ harness": [data[n]["harness"]["marginal_cycles_per_second"] for n in names]}, log=True)
    return ["## Verification speed", "",
            "Marginal simulated sample-cycles per second of the two RTL passes of `axgen verify` on Verilator: "
            "cocotb driving the streams from Python, and the C++ streaming harness.", "",
            markdown_table(["network", "cycles per sample", "cocotb", "harness", "harness / cocotb"], rows), "",
            "![verification speed](verify_speed.png)", "", _command(".venv/bin/python benchmarks/verify_speed.py --cnv"), ""]


def golden_speed(files: dict) -> list[str]:
    data = _load("golden_speed.json")
    if data is None:
        return []
    rows = []
    for weights, entry in data["weights"].items():
        rows.append([weights, "exact, float64 BLAS", f"{entry['exact_blas_total_s']:.2f}", "1"])
        rows.append([weights, "exact, int64", f"{entry['exact_int_total_s']:.2f}", f"{entry['int_over_blas']:.1f}"])
        for spec, fam in entry["families"].items():
            rows.append([weights, f"`{spec}`", f"{fam['fast_total_s']:.2f}", f"{fam['fast_over_exact']:.2f}"])
    first = next(iter(data["weights"].values()))["families"]
    specs = list(first)
    files["results/golden_speed.png"] = _bars(
        f"golden model, approximate products: {first[specs[0]]['oracle_images']} images", "seconds", specs,
        {"factored products (the golden model)": [first[s]["fast_on_oracle_images_s"] for s in specs],
         "one table gather per product (the tests' oracle)": [first[s]["oracle_total_s"] for s in specs]}, log=True)
    return ["## Golden-model speed", "",
            f"The golden model on {data['network']}, {data['images']} images, per weight set: exact layers as "
            "float64 matrix products where a bound proves them exact, int64 otherwise; approximate multipliers as "
            "a short sum of integer matrix products (seconds, and the ratio to the first row of the set).", "",
            markdown_table(["weights", "products", "seconds", "ratio"], rows), "",
            "![golden model speed](golden_speed.png)", "", _command(".venv/bin/python benchmarks/golden_speed.py"), ""]


def autofold(files: dict) -> list[str]:
    data = _load("autofold_baseline.json")
    if data is None:
        return []
    rows = data["rows"]
    table = [[r["network"], r["target"], r["auto"]["lanes"], r["finn"]["lanes"], r["optimum_lanes"],
              f"{r['auto']['luts']:,}", f"{r['finn']['luts']:,}", "-" if r["optimum_luts"] is None else f"{r['optimum_luts']:,}",
              r["lanes_ratio"], r["luts_ratio"]] for r in rows]
    labels = [f"{r['network']}\n{r['target']}" for r in rows]
    files["results/autofold.png"] = _bars("estimated LUTs at equal targets of cycles per sample", "LUTs (resource model)",
                                          labels, {"axgen": [r["auto"]["luts"] for r in rows],
                                                   "FINN's SetFolding rule": [r["finn"]["luts"] for r in rows]}, log=True)
    return ["## Automatic folding against FINN's rule", "",
            f"On {data['board']}: lanes (the sum of PE x SIMD over the matrix layers) and estimated LUTs of axgen's "
            "folding, of FINN's SetFolding rule and of the exhaustive optimum, at equal targets of cycles per sample "
            "(ratios: axgen over FINN's rule; '-': too many foldings to enumerate).", "",
            markdown_table(["network", "target", "lanes", "FINN lanes", "optimum lanes", "LUTs", "FINN LUTs",
                            "optimum LUTs", "lanes ratio", "LUTs ratio"], table), "",
            "![automatic folding](autofold.png)", "", _command(".venv/bin/python benchmarks/autofold_baseline.py"), ""]


def fifo_depths(files: dict) -> list[str]:
    data = _load("fifo_depths.json")
    if data is None:
        return []
    rows = [[r["network"], r["estimated_cycles_per_sample"], r["rule"]["cycles_per_sample"], r["rule"]["fifo_bits"],
             r["sized"]["cycles_per_sample"], r["sized"]["fifo_bits"]] for r in data["rows"]]
    return ["## FIFO sizing", "",
            "Measured cycles per sample and FIFO bits with the rule's FIFOs and with FIFOs sized from a simulation.", "",
            markdown_table(["network", "estimated cycles", "rule: cycles", "rule: FIFO bits", "sized: cycles",
                            "sized: FIFO bits"], rows), "",
            _command(".venv/bin/python benchmarks/fifo_depths.py"), ""]


def fmax(files: dict) -> list[str]:
    data = _load("fmax_networks.json")
    if data is None:
        return []
    names = [n for n in data["after"] if n in data["before"]]
    rows = [[n, data["before"][n]["fmax_mhz"], data["after"][n]["fmax_mhz"], data["after"][n].get("estimated_fmax_mhz", "-"),
             f"{data['after'][n]['lut4']:,}", f"{data['after'][n]['samples_per_s']:,}"] for n in names]
    files["results/fmax.png"] = _bars("whole accelerators placed by nextpnr (ECP5, target 125 MHz)", "Fmax (MHz)", names,
                                      {"unpipelined RTL": [data["before"][n]["fmax_mhz"] or 0 for n in names],
                                       "pipelined (now)": [data["after"][n]["fmax_mhz"] or 0 for n in names]})
    return ["## Fmax of whole networks", "", data["comment"], "",
            markdown_table(["network", "Fmax before (MHz)", "Fmax now (MHz)", "timing model (MHz)", "LUT4", "samples/s"], rows),
            "", "![Fmax per network](fmax.png)", "", _command(".venv/bin/python benchmarks/fmax_networks.py"), ""]


def resource_model(files: dict) -> list[str]:
    data = _load("unrolled_resources.json")
    if data is None:
        return []
    kinds = ["lut", "ff", "carry", "lutram"]
    rows = [[r["network"], r["layer"], *(f"{r[f'model_{k}'] / r[f'yosys_{k}']:.3f}" if r[f"yosys_{k}"] else "-" for k in kinds)]
            for r in data]
    totals = [f"{sum(r[f'model_{k}'] for r in data) / sum(r[f'yosys_{k}'] for r in data):.3f}" for k in kinds]
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5, 4), dpi=110)
    for k in kinds:
        ax.scatter([r[f"yosys_{k}"] for r in data], [r[f"model_{k}"] for r in data], label=k, s=22)
    top = max(max(r[f"yosys_{k}"], r[f"model_{k}"]) for r in data for k in kinds)
    ax.plot([1, top], [1, top], "k--", lw=0.8, label="model = Yosys")
    ax.set(xscale="log", yscale="log", xlabel="Yosys synth_xilinx", ylabel="resource model",
           title="unrolled layers: model against Yosys")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    files["results/resource_model.png"] = png(fig)
    return ["## Resource-model error", "",
            "The resource model's estimate over Yosys `synth_xilinx` per unrolled layer (1.000: exact).", "",
            markdown_table(["network", "layer", *kinds], rows + [["all", "", *totals]]), "",
            "![resource model against Yosys](resource_model.png)", "",
            _command(".venv/bin/python benchmarks/unrolled_resources.py"), "", *folded_resource_model()]


def folded_resource_model() -> list[str]:
    """The folded layers' model against the Yosys counts `calibrate_resources.py collect` stored
    (benchmarks/resource_calibration.json), as `calibrate_resources.py report` measures it."""
    data = _load("resource_model_folded.json")
    if data is None:
        return []
    rows = [[key.upper(), *(f"{100 * data['summary'][key][s]:.1f}%" for s in ("median", "mean", "p90", "max"))]
            for key in ("lut", "ff", "carry")]
    return ["### Folded layers", "",
            f"|estimate - Yosys| / Yosys over {len(data['layers'])} folded layers of the calibration networks "
            "(the counts `calibrate_resources.py collect` stored in `benchmarks/resource_calibration.json`, "
            "against today's model). Those counts were collected on 2026-11-29, before the RTL was pipelined for "
            "the clock: the flip-flops, and to a lesser degree the carry chains, are compared with older hardware. "
            "`calibrate_resources.py collect` refreshes them (hours of Yosys).",
            "", markdown_table(["resource", "median", "mean", "90th percentile", "max"], rows), "",
            _command(".venv/bin/python benchmarks/calibrate_resources.py report"), ""]


def _bench_module(name: str):
    """A benchmark script imported as a module (its cases and helpers, no run)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(f"axdocs_bench_{name}", ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timing_model(files: dict) -> list[str]:
    data = _load("timing_cases.json")
    if data is None:
        return []
    from generator.hw import timing
    bench = _bench_module("timing_model")
    rows, points = [], {True: [], False: []}
    for name in bench.CASES:
        stage, measured = bench.case_stage(name), data.get(name)
        estimate = timing.fmax_mhz(timing.shape_of(stage), stage.pipeline)
        if measured is None:
            rows.append([name, f"{estimate:.1f}", "-", "-", "not placed"])
            continue
        current = measured["key"] == bench.rtl_key(stage)
        rows.append([name, f"{estimate:.1f}", f"{measured['fmax_mhz']:.1f}", f"{estimate / measured['fmax_mhz']:.3f}",
                     "this RTL" if current else "an earlier RTL"])
        points[current].append((measured["fmax_mhz"], estimate))
    lines = ["## Timing-model error", "",
             "The timing model's Fmax of single matrix blocks, each pipelined for its clock, against nextpnr-ecp5 "
             "placing it alone (LFE5U-85F, speed 6, out of context). The last column says whether the placed Verilog "
             "is the current one (`benchmarks/timing_model.py` places again only the cases whose Verilog changed).", "",
             markdown_table(["case", "model (MHz)", "nextpnr (MHz)", "model / nextpnr", "placed"], rows), ""]
    every = points[True] + points[False]
    if every:
        plt = pyplot()
        fig, ax = plt.subplots(figsize=(4.5, 4), dpi=110)
        for current, marker, label in ((True, "o", "placed from this RTL"), (False, "x", "placed from an earlier RTL")):
            if points[current]:
                ax.scatter(*zip(*points[current]), s=24, marker=marker, label=label)
        low, high = min(min(p) for p in every) * 0.9, max(max(p) for p in every) * 1.1
        ax.plot([low, high], [low, high], "k--", lw=0.8, label="model = nextpnr")
        ax.set(xlabel="nextpnr Fmax (MHz)", ylabel="timing model (MHz)", title="single blocks")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        files["results/timing_model.png"] = png(fig)
        worst = max(abs(e / m - 1) for m, e in every)
        lines += [f"Worst |model / nextpnr - 1| over the {len(every)} placed cases: {worst:.1%} "
                  f"({len(points[True])} of them placed from the current Verilog).", "",
                  "![timing model against nextpnr](timing_model.png)", ""]
    return lines + [_command(".venv/bin/python benchmarks/timing_model.py"), ""]


def lut_savings(files: dict) -> list[str]:
    path = RESULTS / "dse_savings_unrolled_mlp.txt"
    if not path.is_file():
        return []
    text = path.read_text()
    command = text.splitlines()[0].lstrip("# ").split("  (")[0]
    return ["## LUTs saved by approximation", "",
            "The digits MLP with every layer unrolled: the design-space exploration's front, and the LUTs Yosys "
            "measures for the exact network, the best configuration within the loss, and after fine-tuning.", "",
            "```text", text.rstrip(), "```", "", _command(command), ""]


def unrolled_vs_da4ml(files: dict) -> list[str]:
    data = _load("unrolled_vs_da4ml.json")
    if data is None:
        return []

    def fmax(side: dict) -> str:
        return f"{side['fmax_mhz']:.1f}" if side.get("fmax_mhz") else ("did not route" if side.get("pnr") else "-")
    rows = [[r["layer"], r["shape"], side, f"{r[side]['lut']:,}", f"{r[side]['lutram']:,}", f"{r[side]['ff']:,}",
             f"{r[side]['carry']:,}", fmax(r[side]), str(r[side]["latency_cycles"]),
             f"{r['lut_ratio']:.3f}" if side == "axgen" else ""] for r in data for side in ("axgen", "da4ml")]
    return ["## Unrolled layers against da4ml", "",
            "The random-weight jet tagger (16-64-32-32-5, 6-bit weights, FIXED<16,6> input) as constant "
            "matrix-vector products, built by axgen (`impl: unrolled`) and by da4ml's own Verilog generator at "
            "the same delay constraint and pipelining (2 adder levels a stage). LUT, LUT RAM, FF and CARRY4 from "
            "Yosys `synth_xilinx -nodsp`; Fmax from nextpnr-ecp5 on the LFE5U-85F (speed 6, out of context, "
            "target 125 MHz); latency in cycles. The ratio is axgen's LUTs as logic and memory over da4ml's. "
            "The whole network does not fit one ECP5, so it is counted by Yosys only.", "",
            markdown_table(["layer", "shape", "side", "LUT", "LUT RAM", "FF", "CARRY4", "Fmax (MHz)", "latency",
                            "LUT ratio"], rows), "",
            _command(".venv/bin/python benchmarks/unrolled_vs_da4ml.py --network"), ""]


def jet_digits(files: dict) -> list[str]:
    data = _load("jet_digits.json")
    if data is None:
        return []
    rows = [[name, str(layer.get("adders", "-")), f"{layer['zero_weights']:.0%}" if "zero_weights" in layer else "-",
             str(layer.get("thresholds_as") or "-"), f"{layer['estimated_fmax_mhz']:g}",
             f"{layer['fmax_mhz']:g}" if layer.get("fmax_mhz") else "-"] for name, layer in data["layers"].items()]
    top = data.get("top") or {}
    placed = (f"Placed and routed whole by nextpnr-ecp5 on the LFE5U-85F: **{top['fmax_mhz']:g} MHz** at a "
              f"{data['clock_mhz']:g} MHz target." if top.get("fmax_mhz") else "")
    accuracy = ", ".join(f"{label} {data[key]:.2%}" for key, label in (
        ("float_accuracy", "float"), ("brevitas_dense_accuracy", "Brevitas before pruning"),
        ("brevitas_accuracy", "Brevitas"), ("golden_accuracy", "golden model"), ("rtl_accuracy", "RTL")) if key in data)
    return ["## The jet tagger's shape on the digits, unrolled", "",
            f"hls4ml's jet-tagging MLP (16-64-32-32-5, 6-bit) trained on the digits 0-4 pooled to 16 inputs, "
            f"{data.get('sparsity', 0):.0%} of each layer's weights pruned, every layer unrolled for ulx3s at "
            f"{data['clock_mhz']:g} MHz. Accuracy on {data['test_digits']} held-out digits: {accuracy}. "
            f"{data['cycles_per_sample']:g} cycle per sample and {data['latency_cycles']} cycles of latency "
            f"({data['latency_ns']:g} ns), measured on Verilator; RTL and HLS mismatches: {data['rtl_mismatches']}, "
            f"{data['hls_mismatches']}. {placed}", "",
            markdown_table(["layer", "adders", "zero weights", "thresholds as", "estimated Fmax (MHz)",
                            "placed alone (MHz)"], rows), "",
            _command(".venv/bin/python benchmarks/jet_digits.py --pnr"), ""]


def every_benchmark() -> list[str]:
    """Each script in benchmarks/ with the first paragraph of its docstring."""
    import ast
    rows = []
    for path in sorted((ROOT / "benchmarks").glob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
        summary = " ".join(doc.split("\n\n")[0].split())
        rows.append([f"`benchmarks/{path.name}`", summary])
    return ["## Every benchmark", "", "Each script's own summary (its docstring says how to run it and what it writes).",
            "", markdown_table(["script", "measures"], rows), ""]


def pages() -> dict:
    files: dict = {}
    body = ["# Results", "",
            "What the benchmarks in `benchmarks/` measured, read from the JSON files they write to "
            "`benchmarks/results/`. `make bench` reruns the speed benchmarks and rebuilds this page; the others "
            "run on their own, each with the command under its section. The machine is a shared 2-core host: "
            "speeds are ratios measured side by side in one run, not absolute figures.", ""]
    for section in (verify_speed, golden_speed, autofold, fifo_depths, fmax, resource_model, timing_model, lut_savings,
                    unrolled_vs_da4ml, jet_digits):
        body += section(files)
    body += every_benchmark()
    files[PAGE] = "\n".join(body) + "\n"
    return files
