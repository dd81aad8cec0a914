"""RTL simulation at Verilator speed: a C++ streaming harness (templates/harness/stream_main.cpp.j2).

`build` verilates a network top (axgen_top: s_axis in, m_axis with m_axis_tlast out) with the
harness's main once per distinct Verilog source set and flags (a cache entry in the given build
folder, generator.tools.cache); memory files are read at run time from the project's rtl/ folder,
so a changed weight file reuses the build. The traced variants (`--trace` for VCD, `--trace-fst`
for FST) are cached separately.

`simulate` writes the samples' stream bytes (generator.streams.pack's layout) to a file, runs the
harness and reads back the output bytes of both phases: "stream" (the first K samples back to
back, no back-pressure: cycles per sample and latency) and "random" (all samples, seeded random
input gaps, junk in the padding bits, random m_axis_tready), and per sample whether m_axis_tlast
was right: high on exactly its last beat when it closes a packet (every `packet_samples`-th sample
since reset), low otherwise. A top's Verilog parameters (its PACKET_SAMPLES) may be set for the
build (`parameters`, each set a separate cache entry). Python touches no cycle.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from generator.errors import AxgenError
from generator.templating import environment
from generator.tools.cache import cached, content_key
from generator.tools.verilator import MAKE_OPT, build_executable

TEMPLATE = "stream_main.cpp.j2"
# For speed: -O3 Verilator optimisation, X values and assertions resolved the cheapest way.
# Measured with benchmarks/verify_speed.py (--cnv) on a 2-core machine:
# - threads: on TFC-w1a1 at PE=SIMD=1, --threads 2 ran at about half the speed of one thread (one
#   small pipeline); on CNV-w1a1 it ran about 8x slower than one thread (the two threads spin
#   waiting for each other every cycle on shared cores), so the model is single-threaded;
# - OPT_FAST=-O3 instead of -O2 for the model's C++: no measurable difference on CNV;
# - --unroll-count 256: about 12% faster on CNV before the width converter's slot loop was
#   guarded (rtl/axgen_dwc.v), no gain after, so not used.
# What costs on CNV is the model: per cycle, Verilator evaluates every combinational block. The
# MVAU's lane sums now load only on an issued step and the width converter's slot loop runs only
# when a beat moves (rtl/axgen_mvau.v, axgen_dwc.v: the same logic in Yosys). Writing a bipolar
# product as the XOR of its bits made the CNV model ~3.6x faster but cost 9% more LUTs in Yosys, so
# it was not kept: the RTL that is simulated is the RTL that is synthesized. cocotb runs the same
# Verilated model and sped up with it: harness/cocotb on CNV stays at 2-3x (the issue asks 10x);
# the ±1 lane sums as SIMD - 2*popcount would be the next step (with the resource model refitted).
VERILATOR_FLAGS = ["-O3", "--x-assign", "fast", "--x-initial", "fast", "--noassert", "--threads", "1",
                   "-Wno-fatal", "-Wno-lint", "-Wno-style"]
MAKE_FLAGS = MAKE_OPT
# Waveform format by file suffix -> the Verilator flag of the traced build.
TRACE_FLAGS = {".vcd": ["--trace"], ".fst": ["--trace-fst"]}
PROFILE_FLAGS = ["+define+AXGEN_FIFO_PROFILE"]  # FIFOs report their peak occupancy (rtl/axgen_fifo.v)
FIFO_PEAK = re.compile(r"^AXGEN_FIFO \S*\.u_(\w+)_fifo (\d+)$", re.M)
# Verilator's FST writer includes <lz4.h> and <zlib.h> and links -llz4 -lz.
FST_LIBRARIES = re.compile(r"(?:lz4|zlib)\.h: No such file|cannot find -l(?:lz4|z)\b")
DEFAULT_IDLE_CYCLES = 2_000_000  # cycles without an output beat before the design counts as stalled
LOG_TAIL = 30
# The fault phases of a run with faults (templates/harness/stream_main.cpp.j2): stalls of each side,
# then ap_rst_n pulsed in the middle of an input sample, of an output sample, and with samples inside.
FAULT_PHASES = ("stall", "reset_input", "reset_output", "reset_pipeline")
STALL_CYCLES = 10_000
TLAST_KEPT = 5


@dataclass
class HarnessResult:
    stream_outputs: np.ndarray  # (K, out bytes) of phase "stream"
    random_outputs: np.ndarray | None  # (N, out bytes) of phase "random", when it ran
    tlast_bad: np.ndarray  # (N,) bool: m_axis_tlast wrong in some phase
    tlast_errors: list[str]
    cycles_per_sample: float | None
    latency_cycles: int | None
    cycles: int  # clock cycles simulated
    seconds: float  # the run, without the build
    build_seconds: float
    cached_build: bool
    trace: dict | None = None  # {"from_cycle", "to_cycle"} of a traced run
    fifo_peaks: dict[str, int] | None = None  # link name -> highest FIFO occupancy (a profile build)
    fault_outputs: dict[str, np.ndarray] | None = None  # FAULT_PHASES -> (N, out bytes), with faults
    stall_cycles_per_sample: float | None = None  # cycles_per_sample measured after phase "stall"'s stalls

    def outputs(self) -> np.ndarray:
        """Output bytes of every sample: the random phase's, or the stream phase's without it."""
        return self.stream_outputs if self.random_outputs is None else self.random_outputs

    def mismatched(self, expected: np.ndarray) -> tuple[np.ndarray, dict | None]:
        """Samples whose output bytes differ from `expected` (N, out bytes) in a phase, or whose
        TLAST is wrong (sorted indexes); and where the first output mismatch is ({"phase":
        "stream" | "random" | one of FAULT_PHASES, "sample": i}, None when the outputs all match)."""
        bad = self.tlast_bad.copy()
        first = None
        for name, got in (("stream", self.stream_outputs), ("random", self.random_outputs),
                          *(self.fault_outputs or {}).items()):
            if got is None or not len(got):
                continue
            rows = np.any(got != expected[:len(got)], axis=1)
            bad[:len(got)] |= rows
            if first is None and rows.any():
                first = {"phase": name, "sample": int(np.argmax(rows))}
        return np.flatnonzero(bad), first


def _tail(text: str, lines: int = LOG_TAIL) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def render_main(toplevel: str) -> str:
    return environment("harness").get_template(TEMPLATE).render(top=toplevel)


def trace_format(path: Path | str) -> str:
    """The waveform format of a --trace file, by its suffix: ".vcd" or ".fst"."""
    suffix = Path(path).suffix.lower()
    if suffix not in TRACE_FLAGS:
        raise AxgenError(f"--trace {path}: the waveform format comes from the file's suffix; "
                         f"supported: {', '.join(TRACE_FLAGS)}")
    return suffix


def _fst_libraries_missing(log: Path) -> None:
    """Name the missing FST libraries when a --trace-fst build failed for want of them."""
    try:
        found = FST_LIBRARIES.search(log.read_text(errors="replace"))
    except OSError:
        return
    if found:
        raise AxgenError(f"an FST waveform needs the lz4 and zlib development headers and libraries at C++ build time "
                         f"(Debian/Ubuntu: apt install liblz4-dev zlib1g-dev); the harness build failed with "
                         f"\"{found.group(0)}\" (see {log}). A .vcd trace needs neither.")


def build(rtl_dir: Path, toplevel: str, build_dir: Path, trace: str | None = None,
          profile: bool = False, parameters: dict[str, int] | None = None) -> tuple[Path, float, bool]:
    """The harness executable for `toplevel` from rtl_dir/*.v: (path, seconds, was cached).
    `trace` (".vcd" or ".fst") builds the variant that writes that waveform; `profile` the
    variant whose FIFOs report their peak occupancy; `parameters` set the toplevel's Verilog
    parameters."""
    rtl_dir, build_dir = Path(rtl_dir).resolve(), Path(build_dir).resolve()
    sources = sorted(rtl_dir.glob("*.v"))
    if not sources:
        raise AxgenError(f"no Verilog sources in {rtl_dir}")
    main = render_main(toplevel)
    flags = (VERILATOR_FLAGS + (TRACE_FLAGS[trace] if trace else []) + (PROFILE_FLAGS if profile else [])
             + [f"-G{name}={int(value)}" for name, value in sorted((parameters or {}).items())])
    parts = [repr((toplevel, flags, MAKE_FLAGS, sys.platform)), main]
    for path in sources:
        parts += [path.name, path.read_bytes()]
    kind = (f"trace{trace[1:]}-" if trace else "") + ("profile-" if profile else "")
    key = f"{toplevel}-{kind}{content_key(*parts, length=16)}"
    start = time.monotonic()

    def verilate(target: Path) -> None:
        (target / "main.cpp").write_text(main)
        build_executable(target, toplevel, [*sources, target / "main.cpp"], flags, MAKE_FLAGS,
                         f"the {toplevel} harness", log_lines=LOG_TAIL)

    try:
        target, was_cached = cached(build_dir, key, verilate, keep_failed=True)
    except AxgenError:
        if trace == ".fst":
            _fst_libraries_missing(build_dir / key / "build.log")
        raise
    return target / "obj" / "harness", time.monotonic() - start, was_cached


def simulate(rtl_dir: Path, toplevel: str, data: np.ndarray, in_beat_bytes: int, out_beat_bytes: int,
             beats_out: int, in_data_bits: int, seed: int, build_dir: Path, stream_samples: int,
             random: bool = True, idle_cycles: int = DEFAULT_IDLE_CYCLES,
             trace: tuple[Path, str, int] | None = None, pace: int = 0, profile: bool = False,
             faults: bool = False, stall_cycles: int = STALL_CYCLES, packet_samples: int = 1,
             parameters: dict[str, int] | None = None) -> HarnessResult:
    """Stream `data` ((N, beats_in * in_beat_bytes) uint8, one row per sample) through
    `toplevel`: phase "stream" on the first `stream_samples`, then (with `random`) phase
    "random" on all N. `trace` = (waveform file, phase, sample) builds the traced variant of the
    file's format (.vcd or .fst) and writes the waveform from that sample's first input beat to its
    last output beat in that phase. `pace` offers the samples of phase "stream" at most one per
    `pace` cycles; `profile` builds the variant whose FIFOs report their peak occupancy
    (HarnessResult.fifo_peaks). `faults` then runs the fault phases (FAULT_PHASES, on all N under
    the harness's faults: `stall_cycles`-cycle stalls of each side, resets in flight). m_axis_tlast
    must close every `packet_samples`-th sample; `parameters` set the toplevel's Verilog parameters
    (as in build)."""
    data = np.ascontiguousarray(data, dtype=np.uint8)
    if data.ndim != 2 or len(data) == 0 or data.shape[1] == 0 or data.shape[1] % in_beat_bytes:
        raise AxgenError(f"harness: input bytes of shape {data.shape} are not whole beats of {in_beat_bytes} bytes")
    n = len(data)
    stream_samples = min(int(stream_samples), n)
    rtl_dir, build_dir = Path(rtl_dir).resolve(), Path(build_dir).resolve()
    binary, build_s, was_cached = build(rtl_dir, toplevel, build_dir,
                                        trace=None if trace is None else trace_format(trace[0]), profile=profile,
                                        parameters=parameters)
    run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=build_dir))
    data.tofile(run_dir / "in.bin")
    args = {"in": run_dir / "in.bin", "out": run_dir, "samples": n, "stream": stream_samples,
            "random": int(random), "beats_in": data.shape[1] // in_beat_bytes, "in_bytes": in_beat_bytes,
            "beats_out": beats_out, "out_bytes": out_beat_bytes, "in_data_bits": in_data_bits,
            "seed": seed & (2**64 - 1), "idle": idle_cycles, "pace": int(pace), "faults": int(faults),
            "stall": int(stall_cycles), "packet": int(packet_samples)}
    if trace is not None:
        path, phase, sample = trace
        args.update(trace=Path(path).resolve(), trace_phase=("stream", "random").index(phase), trace_sample=sample)
    start = time.monotonic()
    # $readmemh opens the memory files by name: run in the rtl folder
    proc = subprocess.run([str(binary), *(f"{k}={v}" for k, v in args.items())], cwd=rtl_dir,
                          capture_output=True, text=True)
    seconds = time.monotonic() - start
    result_path = run_dir / "result.json"
    if proc.returncode != 0 or not result_path.exists():
        raise AxgenError(f"the {toplevel} harness failed (exit {proc.returncode}; files kept in {run_dir}):\n"
                         f"{_tail(proc.stdout + proc.stderr)}")
    result = json.loads(result_path.read_text())
    if "error" in result:
        raise AxgenError(f"RTL simulation of {toplevel} (harness): {result['error']} (files kept in {run_dir})")
    width = beats_out * out_beat_bytes
    stream_out = np.fromfile(run_dir / "stream.bin", dtype=np.uint8).reshape(-1, width)
    random_out = np.fromfile(run_dir / "random.bin", dtype=np.uint8).reshape(-1, width) if random else None
    fault_outputs = {name: np.fromfile(run_dir / f"{name}.bin", dtype=np.uint8).reshape(-1, width)
                     for name in FAULT_PHASES} if faults else None
    bad = np.zeros(n, dtype=bool)
    for name in ("stream", "random", *(FAULT_PHASES if faults else ())):
        flags = np.fromfile(run_dir / f"{name}_tlast.bin", dtype=np.uint8).astype(bool)
        bad[:len(flags)] |= flags
    shutil.rmtree(run_dir, ignore_errors=True)
    cps = result["cycles_per_sample"]
    return HarnessResult(stream_out, random_out, bad, result["tlast_errors"], None if cps is None else float(cps),
                         result["latency_cycles"], int(result["cycles"]), seconds, build_s, was_cached,
                         result.get("trace"),
                         {m[0]: int(m[1]) for m in FIFO_PEAK.findall(proc.stdout)} if profile else None,
                         fault_outputs, result.get("stall_cycles_per_sample"))
