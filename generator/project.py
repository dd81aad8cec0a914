"""A built project folder: write it atomically (`build`), read it back (`open_project`)."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np

from generator import boards, config as config_mod
from generator.backends.driver import render_driver
from generator.backends.hls import render_hls
from generator.backends.rtl import render_rtl
from generator.backends.tcl.ecp5 import write_flow_script
from generator.backends.tcl.vitis_hls import write_scripts
from generator.backends.tcl.vivado import write_vivado_scripts
from generator.errors import AxgenError
from generator.hw import HardwarePlan, make_plan, reopen_plan, timing
from generator.hw.autofold import check_clock, fold_to_target, target_from_fps
from generator.hw.resources import fit_problems, summary as resource_summary
from generator.ir import Network
from generator.outputs import exclusive, publish, staging as staging_folder, write_json
from generator.serialize import load_network, save_array, save_network
from generator.multipliers import VERILOG
from generator.multipliers.cores import split_core
from generator.sim import verilog_core  # noqa: F401 (registers the verilog: core loader)
from generator.sim.fifo_sizing import size_fifos as fifo_depths
from generator.sim.user_mul import prove
from generator.tools.cache import FIFO_SIZING, cache_dir
from generator.version import __version__

PROJECT_FILE = "project.json"
FORMAT_VERSION = 2  # of project.json and the folder's layout (2: pipeline depths); another version is refused
# project.json's top-level keys and what each holds (the documentation's format reference is generated
# from this table, and a test checks it against a project's file)
PROJECT_KEYS = {
    "format_version": "the format of project.json and the folder (an axgen of another format refuses the project)",
    "axgen_version": "the axgen that built the project",
    "name": "the network's name",
    "board": "the target board, every field of its board file (see Boards)",
    "config": "the configuration as given (`defaults`, `layers`), lut: tables copied into the project",
    "network": "the integer IR: its layers and where their integer parameters (params/*.npy) and the host "
               "head and tail (host/) are",
    "layers": "one entry per stage in stream order: index, name, kind, shapes, datatypes, folding (pe, simd), "
              "multiplier, accumulator, estimated cycles, pipeline depth, estimated Fmax and resources",
    "estimated_cycles_per_sample": "the slowest stage's cycles per sample",
    "target_cycles_per_sample": "the --target-cycles (or --target-fps) target the folding was chosen for, or null",
    "estimated_latency_cycles": "first input beat to last output beat of one sample in an empty pipeline",
    "clock_mhz": "the clock the pipelining meets and the scripts constrain",
    "estimated_fmax_mhz": "the timing model's Fmax of the slowest stage",
    "fifo_sizing": "rule (each FIFO holds what its consumer needs to start) or simulation (peak occupancy + 1)",
    "fifos": "every stream link's FIFO: link, depth (words), bits",
    "fifo_bits": "the bits of all FIFOs",
    "bottleneck": "the stage with the most cycles per sample",
    "estimated_resources": "the resource model's estimate: total, stitching, the board's capacity, utilization, fits",
    "rtl": "the Verilog top's stream widths and packing, its layers' modules and the files written",
    "hls": "the HLS top's stream widths and packing, its layers' IPs and the files written",
    "driver": "the PYNQ driver's settings (DMA, stream widths, files), or null on a board without a shell",
    "tcl": "the scripts written: Vitis HLS, Vivado / Vitis (Xilinx boards) or the open ECP5 flow",
}
TABLES = "params/tables"  # lut: tables and verilog: cores copied into the project, named by content hash


@dataclass(frozen=True)
class Project:
    root: Path
    plan: HardwarePlan
    data: dict  # project.json

    @property
    def network(self) -> Network:
        return self.plan.network

    @property
    def stages(self):
        return self.plan.stages

    @property
    def estimated_cycles(self) -> int:
        return self.plan.estimated_cycles

    @property
    def estimated_latency(self) -> int:
        return self.plan.estimated_latency


def layer_entry(impl) -> dict:
    layer = impl.layer
    return {
        "index": impl.index, "name": layer.name, "kind": layer.kind, "source": layer.source,
        "in_shape": list(layer.in_shape), "out_shape": list(layer.out_shape), "macs": layer.macs,
        "in_elems": impl.in_elems, "out_elems": impl.out_elems,
        "in_per_beat": impl.in_per_beat, "out_per_beat": impl.out_per_beat,
        "in_stream_bits": impl.in_stream_bits, "out_stream_bits": impl.out_stream_bits,
        "estimated_cycles": impl.cycles, "stage_cycles": impl.stage_cycles,
        **impl.entry(),
    }


def _copy_tables(cfg: config_mod.Config, root: Path) -> config_mod.Config:
    """Copy every lut: table and verilog: core file into the project; the returned config names
    the copies (relative to the project root), so the project still works from any folder or
    after a move, and reopening it derives a core's model from the very file it was built with."""
    def copy(spec: str) -> str:
        family, _, path = spec.partition(":")
        if family not in ("lut", VERILOG):
            return spec
        module = None
        if family == VERILOG:
            path, module = split_core(path)
        source = Path(path)
        digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
        target = root / TABLES / f"{digest}{source.suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return f"{family}:{TABLES}/{target.name}" + (f":{module}" if module else "")
    return cfg.map_multipliers(copy)


def _resolve_tables(cfg: config_mod.Config, root: Path) -> config_mod.Config:
    def resolve(spec: str) -> str:
        family, _, rest = spec.partition(":")
        return f"{family}:{root / rest}" if family in ("lut", VERILOG) and rest.startswith(f"{TABLES}/") else spec
    return cfg.map_multipliers(resolve)


def _core_entry(impl) -> dict:
    """project.json's record of a layer's verilog: core: file, module, ports, widths, content hash."""
    mul = getattr(impl, "multiplier", None)
    return {"verilog_core": mul.core().record()} if mul is not None and mul.family == VERILOG else {}


def _tuned_weights(plan: HardwarePlan, params_dir: Path) -> dict[int, str]:
    """Store the weights of every layer that weight tuning changed (the IR keeps the originals)."""
    stored = {}
    for impl in plan.stages:
        if getattr(impl, "tuned_weights", 0):
            stored[impl.index] = "params/" + save_array(params_dir / f"{impl.name}_weights_tuned.npy", impl.layer.weights)
    return stored


def _target(board, target_cycles: int | None, target_fps: float | None, clock_mhz: float | None):
    """The board (at `clock_mhz`, if given: the clock the pipelines meet, the TCL constraints'
    and what --target-fps divides by) and the target of cycles per sample, if any."""
    if target_cycles is not None and target_fps is not None:
        raise AxgenError("give --target-cycles or --target-fps, not both")
    if clock_mhz is not None:
        check_clock(clock_mhz)
        board = replace(board, clock_mhz=float(clock_mhz))
    if target_fps is not None:
        target_cycles = target_from_fps(target_fps, board.clock_mhz)
    return board, target_cycles


def clock_problem(plan: HardwarePlan) -> str | None:
    """A line when the plan's estimated Fmax (generator.hw.timing) is below its clock, else None."""
    fmax = plan.estimated_fmax_mhz
    if fmax is None or plan.board is None or fmax >= plan.board.clock_mhz:
        return None
    slowest = min((s for s in plan.stages if hasattr(s, "estimated_fmax_mhz")), key=lambda s: s.estimated_fmax_mhz)
    return (f"the estimated Fmax {fmax:g} MHz (layer {slowest.name}: {timing.limit_of(slowest)}) is below the "
            f"clock {plan.board.clock_mhz:g} MHz; choose a lower --clock")


def build(net: Network, out_dir: Path, cfg: config_mod.Config, board: str | Path | None = None,
          force: bool = False, strict: bool = False, warn: Callable[[str], None] | None = None,
          target_cycles: int | None = None, target_fps: float | None = None,
          clock_mhz: float | None = None, size_fifos: bool | None = None,
          packet_samples: int | None = None) -> Project:
    """Write the whole project into out_dir, or nothing at all. `board` is a board name or a
    board file (default pynq-z2). With `target_cycles` (or `target_fps` at `clock_mhz`, the
    board's clock by default) the folding of every layer the config leaves free is chosen
    (generator.hw.autofold) and written into the stored config. `size_fifos` (by default: when a
    target is given) sizes every link FIFO from a simulation (generator.sim.fifo_sizing);
    otherwise a FIFO holds what its consumer needs to start (one input vector, or one pixel). A
    design whose estimated resources exceed the board's is passed to `warn` one line per
    resource, or with `strict` refused (nothing written). `packet_samples`: samples per packet
    (m_axis_tlast closes every this many samples; generator.hw.shell.packet_samples), by default
    the driver's default batch on a Zynq board and 1 elsewhere."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise AxgenError(f"{out_dir} exists and is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not force:
        raise AxgenError(f"{out_dir} is not empty; choose another folder or pass --force to replace it")
    with exclusive(out_dir):  # one build into a folder at a time; the other stops with a message
        return _build(net, out_dir, cfg, board, strict, warn, target_cycles, target_fps, clock_mhz, size_fifos,
                      packet_samples)


def _build(net: Network, out_dir: Path, cfg: config_mod.Config, board, strict: bool, warn, target_cycles,
           target_fps, clock_mhz, size_fifos, packet_samples) -> Project:
    target, target_cycles = _target(boards.load(board), target_cycles, target_fps, clock_mhz)
    if target_cycles is not None:
        cfg, plan = fold_to_target(net, cfg, target, target_cycles)
    else:
        plan = make_plan(net, cfg, target)
    plan = replace(plan, packet_request=packet_samples)
    _ = plan.packet_samples  # a requested packet is checked before anything is simulated or written
    users = {impl.index: prove(impl) for impl in plan.stages if impl.lut_verilog}
    sized = target_cycles is not None if size_fifos is None else size_fifos
    if sized:
        plan = plan.with_fifo_depths(fifo_depths(plan, cache_dir(FIFO_SIZING), users))
    estimate = resource_summary(plan)
    problems = fit_problems(estimate["total"], target)
    if problems and strict:
        raise AxgenError(f"the design does not fit board {target.name}: {'; '.join(problems)} "
                         "(a warning without --strict)")
    for problem in problems if warn else ():
        warn(f"the design does not fit board {target.name}: {problem}")
    slow = clock_problem(plan)
    if slow and strict:
        raise AxgenError(f"{slow} (a warning without --strict)")
    if slow and warn:
        warn(slow)
    staging = staging_folder(out_dir)  # beside the target, swapped in whole at the end
    try:
        ir_desc = save_network(net, staging / "params", staging / "host")
        tuned = _tuned_weights(plan, staging / "params")
        stored_cfg = _copy_tables(cfg, staging)
        rtl = render_rtl(plan, staging / "rtl", users)
        data = {
            "format_version": FORMAT_VERSION,
            "axgen_version": __version__, "name": net.name, "board": target.to_dict(),
            "config": stored_cfg.to_dict(), "network": ir_desc,
            "layers": [{**layer_entry(impl), "estimated_resources": estimate["layers"][impl.name],
                        **({"lut_verilog": users[impl.index]} if impl.index in users else {}),
                        **_core_entry(impl),
                        **({"tuned_weights_file": tuned[impl.index]} if impl.index in tuned else {})}
                       for impl in plan.stages],
            "estimated_cycles_per_sample": plan.estimated_cycles,
            "target_cycles_per_sample": target_cycles,
            "estimated_latency_cycles": plan.estimated_latency,
            "clock_mhz": target.clock_mhz,
            "estimated_fmax_mhz": plan.estimated_fmax_mhz,
            "fifo_sizing": "simulation" if sized else "rule",
            "fifos": [{"link": link.name, "depth": link.depth, "bits": link.depth * link.dst_bits} for link in plan.links],
            "fifo_bits": sum(link.depth * link.dst_bits for link in plan.links),
            "bottleneck": plan.bottleneck.name,
            "estimated_resources": {k: v for k, v in estimate.items() if k != "layers"},
            "rtl": rtl,
            "hls": render_hls(plan, staging / "hls"),
            "driver": render_driver(plan, staging) if target.shell != boards.NO_SHELL else None,
        }
        if target.family == boards.ECP5:  # the open flow instead of the vendor scripts
            data["tcl"] = write_flow_script(staging, data)
        else:
            data["tcl"] = write_scripts(staging, data) + write_vivado_scripts(staging, data)
        write_json(staging / PROJECT_FILE, data)
        publish(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Project(out_dir, plan, data)


def read_project_data(root: Path) -> dict:
    """project.json of a built project, checked for this axgen's format version."""
    root = Path(root)
    path = root / PROJECT_FILE
    if not path.is_file():
        raise AxgenError(f"{root} is not an axgen project (no {PROJECT_FILE}); create one with `axgen build`")
    try:
        data = json.loads(path.read_text())
    except (ValueError, OSError) as exc:
        raise AxgenError(f"{path} is damaged ({type(exc).__name__}: {exc}); rebuild the project") from None
    if not isinstance(data, dict):
        raise AxgenError(f"{path} is damaged (not a JSON object); rebuild the project")
    version = data.get("format_version", 0)
    if version != FORMAT_VERSION:
        raise AxgenError(f"{root} was built by axgen {data.get('axgen_version', '(unknown)')} in project format "
                         f"{version}; this axgen {__version__} reads format {FORMAT_VERSION}: rebuild it with `axgen build`")
    return data


def open_project(root: str | Path) -> Project:
    """The project as `build` wrote it: the IR from params/ and host/, each stage's folding,
    accumulator and tuned weights from project.json (nothing is chosen again)."""
    root = Path(root)
    data = read_project_data(root)
    try:
        net = load_network(root, data["network"])
        weights = {e["index"]: np.load(root / e["tuned_weights_file"], allow_pickle=False)
                   for e in data["layers"] if "tuned_weights_file" in e}
        cfg = _resolve_tables(config_mod.from_dict(data["config"]), root)
        board = data["board"]
        target = boards.from_dict({k: v for k, v in board.items() if k != "name"}, board["name"],
                                  f"{root / PROJECT_FILE} (board)")
        # a project written before packets (no rtl.packet_samples) closes every sample
        plan = reopen_plan(net, data["layers"], cfg, weights, target,
                           {fifo["link"]: fifo["depth"] for fifo in data.get("fifos", [])},
                           data["rtl"].get("packet_samples", 1))
    except (ValueError, KeyError, TypeError, OSError) as exc:
        raise AxgenError(f"{root / PROJECT_FILE} is damaged ({type(exc).__name__}: {exc}); rebuild the project") from None
    return Project(root, plan, data)
