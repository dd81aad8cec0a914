"""The Python API: everything the command line does, for notebooks and scripts. The `axgen`
command is a thin layer over these functions.

    import generator as axgen

    net = axgen.load("tfc.onnx")                     # or axgen.load(brevitas_module, input_shape=(1, 28, 28))
    axgen.inspect(net)                               # the layers: kind, shapes, datatypes, MACs
    acc = axgen.build(net, "out", config={"defaults": {"pe": 4, "simd": 8},
                                          "layers": {"fc0": {"multiplier": "trunc:k=3"}}})
    report = acc.verify(backend="all", samples=32)   # golden vs RTL and HLS simulation, exactly
    y = acc.predict(x)                               # float inputs -> what the QONNX model computes
    fc1 = acc.stepper("fc1")                         # one layer's RTL, stepped from Python (pyverilator)
    out = fc1.run(values)                            # its integer inputs -> its outputs, cycle by cycle
    acc = axgen.open_project("out")                  # a project built earlier
    acc.synth(tool="yosys", jobs=2)                  # LUT/FF/DSP/BRAM per layer -> out/resources.json
    axgen.finetune(module, config, x, y, x_val, y_val)   # a few epochs with the approximate products

Every error a user can cause raises generator.errors.AxgenError with one clear message.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from generator import config as config_mod
from generator.errors import AxgenError
from generator.hw import HardwarePlan
from generator.ir import Network
from generator.project import Project

ConfigLike = config_mod.Config | dict | str | Path | None


def load(model, input_shape: tuple[int, ...] | None = None, name: str | None = None,
         input_type: str | None = None) -> Network:
    """The integer IR of a QONNX file (path) or a Brevitas nn.Module (then `input_shape`, the
    per-sample input shape, is required). `input_type` (e.g. "UINT8") declares the integers a
    model without an input quantizer takes."""
    from generator.frontend import load_network
    return load_network(model, input_shape, name, input_type)


def inspect(model, input_type: str | None = None) -> list[dict]:
    """The layers the frontend finds: index, name, kind, shapes, datatypes, MACs."""
    from generator.inspection import layer_rows
    return layer_rows(model if isinstance(model, Network) else load(model, input_type=input_type))


def finetune(model, config: ConfigLike, x: np.ndarray, y: np.ndarray, x_val: np.ndarray, y_val: np.ndarray,
             input_shape: tuple[int, ...] | None = None, epochs: int = 3, lr: float = 1e-3, seed: int = 0) -> dict:
    """Approximation-aware fine-tuning of a Brevitas module in place: up to `epochs` with each
    layer's multiplier of `config` in the forward pass (straight-through gradient), keeping the
    epoch with the best validation accuracy. x are float inputs shaped as the model takes them.
    Returns {"before", "after", "epoch", "history"} (validation accuracies); build the tuned
    module with the same config afterwards."""
    from generator.finetuning import finetune as run
    if not hasattr(model, "parameters"):
        raise AxgenError("fine-tuning needs the Brevitas nn.Module (a QONNX file has no training graph)")
    shape = input_shape or getattr(model, "input_shape", None)
    if shape is None:
        raise AxgenError("fine-tuning a Brevitas module needs input_shape (the per-sample input shape)")
    network = load(model, input_shape=tuple(shape))
    cfg = _config(config)
    cfg.check_layers([layer.name for layer in network.layers])
    return run(model, network, cfg, x, y, x_val, y_val, epochs=epochs, lr=lr, seed=seed)


def _config(value: ConfigLike) -> config_mod.Config:
    if isinstance(value, config_mod.Config):
        return value
    if isinstance(value, dict) or value is None:
        return config_mod.from_dict(value)
    if isinstance(value, (str, Path)):
        return config_mod.load(value)
    raise AxgenError(f"config must be a dict, a YAML file path or a Config, not {type(value).__name__}")


def _warn(message: str) -> None:
    print(f"axgen: warning: {message}", file=sys.stderr)


def build(model, out_dir: str | Path, config: ConfigLike = None, board: str | None = None, force: bool = False,
          input_shape: tuple[int, ...] | None = None, strict: bool = False, target_cycles: int | None = None,
          target_fps: float | None = None, clock_mhz: float | None = None,
          size_fifos: bool | None = None, input_type: str | None = None,
          packet_samples: int | None = None) -> Accelerator:
    """Build the accelerator project of `model` (a Network from `load`, a QONNX path or a
    Brevitas module) into out_dir; nothing is written unless the whole project is complete. When
    the estimated resources exceed the board's, one warning line per resource goes to stderr, or
    with `strict` an AxgenError names them (and nothing is written). `target_cycles` (cycles per
    sample) or `target_fps` (samples per second at `clock_mhz`) choose PE and SIMD of every layer
    the config does not fix, at the lowest estimated resources.
    `size_fifos` (default: when a target is given) sizes the FIFOs between the layers from a
    Verilator run, so the accelerator keeps its slowest stage's rate with the fewest FIFO bits.
    `input_type` (e.g. "UINT8") declares the integers a model without an input quantizer takes.
    `clock_mhz` (default the board's clock) is the clock the matrix blocks' pipelines meet, the
    one the TCL scripts constrain and the one `target_fps` divides by; when the plan's estimated
    Fmax is below it, a warning goes to stderr, or with `strict` an AxgenError. `packet_samples`
    (default: the driver's default batch on a Zynq board, 1 elsewhere) is how many samples make a
    packet: m_axis_tlast closes every this many, and the PYNQ driver receives one DMA transfer
    per packet."""
    from generator.project import build as build_project
    net = model if isinstance(model, Network) else load(model, input_shape, input_type=input_type)
    return Accelerator(build_project(net, Path(out_dir), _config(config), board=board, force=force, strict=strict,
                                     warn=_warn, target_cycles=target_cycles, target_fps=target_fps,
                                     clock_mhz=clock_mhz, size_fifos=size_fifos, packet_samples=packet_samples))


def boards() -> list[dict]:
    """Every known board's data (boards/*.yaml), validated."""
    from generator import boards as board_files
    return [board_files.load(name).to_dict() for name in board_files.available()]


def cache_usage() -> dict:
    """The build cache ($AXGEN_CACHE, default ~/.cache/axgen): {"root": path, "kinds": {kind: bytes}}."""
    from generator.tools import cache
    return {"root": str(cache.cache_root()), "kinds": cache.usage()}


def clear_cache(kinds: list[str] | None = None) -> int:
    """Remove the cached builds (of the given kinds, or all); returns the bytes freed."""
    from generator.tools import cache
    return cache.clear(kinds)


def open_project(path: str | Path) -> Accelerator:
    """A project folder written by `build` (or `axgen build`)."""
    from generator.project import open_project as open_folder
    return Accelerator(open_folder(path))


class Accelerator:
    """A built project: its hardware plan, project.json, and what can be done with it."""

    def __init__(self, project: Project):
        self.project = project

    def __repr__(self) -> str:
        return (f"<axgen accelerator {self.name!r} in {self.root}: {len(self.plan.stages)} layers, "
                f"{self.estimated_cycles} cycles per sample>")

    @property
    def root(self) -> Path:
        return self.project.root

    @property
    def name(self) -> str:
        return self.project.data["name"]

    @property
    def plan(self) -> HardwarePlan:
        return self.project.plan

    @property
    def data(self) -> dict:
        """project.json."""
        return self.project.data

    @property
    def estimated_cycles(self) -> int:
        return self.project.estimated_cycles

    def verify(self, backend: str = "rtl", samples: int = 16, seed: int = 0, trace: str | Path | None = None) -> dict:
        """Golden model and simulation(s) on the same random inputs, compared exactly (RTL: cocotb on
        the first 32 samples, the C++ harness on all); also written to DIR/verify.json. `trace`: a
        waveform file (.vcd or .fst) of the first mismatching sample."""
        from generator.verify import verify
        return verify(self.project, backend, samples, seed, trace=trace)

    def predict(self, x: np.ndarray, backend: str = "golden", seed: int = 0) -> np.ndarray:
        """Float inputs shaped as the model takes them -> the model's output, through the host
        head, the accelerator (golden model, RTL or HLS simulation) and the host tail."""
        from generator.predict import predict
        return predict(self.project, np.asarray(x), backend, seed)

    def stepper(self, layer: str | int | None = None, reset: bool = True):
        """One layer (name, index or module) or the top (None or "top") of the RTL, simulated cycle
        by cycle in this process with pyverilator: a generator.sim.stepping.Stepper. Set and read
        ports by name, `step(n)` clocks it, `run(values)` streams the layer's integer inputs through
        it and returns its outputs (compare with the golden model's per-layer outputs)."""
        from generator.execute import open_stepper
        return open_stepper(self.project, layer, reset=reset)

    def synth(self, tool: str | None = None, layers: list[str] | None = None, jobs: int = 1, progress=None,
              no_dsp: bool = False, full: bool = False, clock_mhz: float | None = None) -> dict:
        """Synthesize the project (Yosys, nextpnr, Vivado or Vitis HLS; by default nextpnr on an ECP5
        board, else Yosys); writes and returns DIR/resources.json."""
        return synth(self.root, tool, layers, jobs, progress, no_dsp=no_dsp, full=full, clock_mhz=clock_mhz)


def synth(project_dir: str | Path, tool: str | None = None, layers: list[str] | None = None, jobs: int = 1,
          progress=None, no_dsp: bool = False, full: bool = False, clock_mhz: float | None = None) -> dict:
    """Synthesize a project's layers and top with `tool` ("yosys", "nextpnr", "vivado" or
    "vitis-hls"; by default nextpnr on an ECP5 board, else yosys): all, or the named `layers`
    (names, indices, modules, "top"), `jobs` runs at a time; `no_dsp` keeps products out of DSP
    blocks (Yosys); `full` runs Vivado's whole block-design flow; `clock_mhz` is nextpnr's target
    (default: the project's clock). Writes and returns DIR/resources.json: {"tool", "tool_version",
    "board", "layers": {name: {"lut", "ff", "carry", "dsp", "bram18", "lutram", "uram", ...}},
    "stitching", "total", "capacity", "utilization", "fits", ...}, with nextpnr a "timing" section
    {"target_mhz", "fmax_mhz", "slack_ns", "layers": {name: {"fmax_mhz"}}, "critical_path"}.
    `progress(unit, event)` hears "start", "done", "cached", "failed"."""
    from generator import synth
    return synth.run(Path(project_dir), tool, only=layers, jobs=jobs, no_dsp=no_dsp, full=full, progress=progress,
                     clock_mhz=clock_mhz)


def dse(model, dataset, out_dir: str | Path, budget: int = 40, config: ConfigLike = None, board: str | None = None,
        library: str | Path | None = None, multipliers: list[str] | tuple = (), max_loss: float = 0.05,
        objectives: str = "accuracy,luts", workers: int = 0, scheduler: str | None = None, seed: int = 0,
        yosys: bool = True, jobs: int = 1, progress=None, input_shape: tuple[int, ...] | None = None,
        tune: bool = True, target_cycles: int | None = None):
    """Design-space exploration: a multiplier (built-in families, `multipliers` specs such as lut:FILE,
    the *.v cores of `library`) and weight tuning per matrix layer, at the folding of `config`, on the
    Pareto front of validation accuracy (golden model on `dataset`: "digits" or an .npz with x_train,
    y_train, x_val, y_val[, x_test, y_test]) and LUTs (resource model; the front re-measured with Yosys
    unless not `yosys`); weight tuning is searched per layer unless not `tune`. NSGA-II spends
    `budget` evaluations (seeded; on Dask with `workers` or
    `scheduler`), cached in out_dir. Writes out_dir/pareto.csv, pareto.png and configs/<config>.yaml;
    returns a generator.dse.DseResult. `progress(phase, done, total)` hears "prefilter", "search", "yosys".
    With `target_cycles` the folding is chosen first (generator.hw.autofold, exact multipliers; the
    layers `config` folds keep theirs) and the search runs at it."""
    from generator.dse.outputs import run_dse
    net = model if isinstance(model, Network) else load(model, input_shape)
    cfg = _config(config)
    if target_cycles is not None:
        from generator import boards as board_files
        from generator.hw.autofold import fold_to_target
        cfg, _ = fold_to_target(net, cfg, board_files.load(board), target_cycles)
    return run_dse(net, dataset, Path(out_dir), cfg, board, yosys=yosys, jobs=jobs, progress=progress,
                   budget=budget, seed=seed, max_loss=max_loss, objectives=objectives, multipliers=tuple(multipliers),
                   library=library, workers=workers, scheduler=scheduler, tune=tune)
