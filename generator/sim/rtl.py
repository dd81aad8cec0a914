"""RTL simulation: cocotb (testbench/stream_test.py) on Verilator, with a cached build.

`simulate` streams integer input vectors through a rendered stream block (a layer wrapper or
axgen_top), packed into beats by generator.streams (the code the PYNQ driver runs;
`simulate_stream` takes the bytes as a DMA moves them), returns the output vectors, the measured
cycles, and the number of samples whose output differs from `expected` (bit-exact, over both the
back-to-back and the random back-pressure phase) or, on a DUT with m_axis_tlast, whose TLAST is
wrong: high on the last beat of every `packet_samples`-th sample counted from reset, low
elsewhere. A top's Verilog parameters (its PACKET_SAMPLES) may be set for the simulation
(`parameters`; generator.sim.packets chooses a small packet for a project's top).
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from generator import streams
from generator.errors import AxgenError
from generator.resources import folder
from generator.tools.cache import cached, content_key
from generator.tools.verilator import ensure_verilator, make_env

TEST_MODULE = "testbench.stream_test"
# Warnings are lint's business (render_rtl.lint runs -Wall); they must not stop a simulation.
# cocotb's runner passes --public-flat-rw, which keeps every signal of the design visible and
# writable and stops Verilator from optimising (several times slower on a CNV). The testbench only
# touches the top's ports: those are made public by a control file, everything else is not.
BUILD_ARGS = ["-Wno-fatal", "--no-public-flat-rw"]
PUBLIC_PORTS = '`verilator_config\npublic_flat_rw -module "{top}" -var "*"\n'
TIMESCALE = ("1ns", "1ps")
# Most cycles the DUT may go without an output beat before it counts as hung (~4 s of simulation).
DEFAULT_IDLE_CYCLES = 2_000_000
LOG_TAIL = 60


@dataclass
class SimResult:
    outputs: np.ndarray  # (N, out_elems) values
    cycles_per_sample: float | None  # steady state, back to back, no back-pressure
    latency_cycles: int | None  # first input beat of sample 0 -> its last output beat
    mismatches: int  # samples whose output differs from the expectation in any phase
    mismatched_samples: list[int]
    sim_cycles: int
    tlast_errors: list[str] = field(default_factory=list)  # samples whose m_axis_tlast is wrong (top only)
    stall_cycles_per_sample: float | None = None  # cycles_per_sample after mode "stall"'s stalls
    busy_cycles: int | None = None  # phase "stream": first input beat -> the last sample's last output beat
    tlast_beats: list[int] | None = None  # the first phase's output beats with m_axis_tlast high (None: no port)


def _tail(path: Path, lines: int = LOG_TAIL) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _source_key(sources: list[Path], toplevel: str, parameters: dict) -> str:
    parts = [repr((toplevel, BUILD_ARGS, TIMESCALE, sys.version_info[:2], sorted(parameters.items())))]
    for path in sources:
        parts += [path.name, path.read_bytes()]
    return content_key(*parts, length=16)


@contextlib.contextmanager
def _testbench_on_path():
    """cocotb's simulator process gets sys.path as PYTHONPATH: put the folder holding the
    `testbench` package on it."""
    parent = str(folder("testbench").parent)
    added = parent not in sys.path
    if added:
        sys.path.append(parent)
    try:
        yield
    finally:
        if added:
            sys.path.remove(parent)


def _runner():
    from cocotb_tools.runner import get_runner
    runner = get_runner("verilator")
    runner.log.setLevel(logging.WARNING)
    return runner


def build(rtl_dir: Path, toplevel: str, build_dir: Path, parameters: dict[str, int] | None = None) -> Path:
    """Verilate and compile `toplevel` from rtl_dir/*.v, with its Verilog `parameters` set, once
    per distinct source set and parameters; returns the build folder build_dir/<toplevel>-<hash> (a
    cache entry, reused while the sources are unchanged; a failed build keeps its build.log there
    until the next attempt)."""
    parameters = dict(parameters or {})
    ensure_verilator()
    rtl_dir, build_dir = Path(rtl_dir), Path(build_dir)
    sources = sorted(rtl_dir.glob("*.v"))
    if not sources:
        raise AxgenError(f"no Verilog sources in {rtl_dir}")

    def verilate(target: Path) -> None:
        log = target / "build.log"
        control = target / "ports.vlt"
        control.write_text(PUBLIC_PORTS.format(top=toplevel))
        try:
            with make_env(), _testbench_on_path():
                _runner().build(sources=[*sources, control], hdl_toplevel=toplevel, build_dir=target, build_args=BUILD_ARGS,
                                parameters=parameters, timescale=TIMESCALE, log_file=log)
        except (RuntimeError, SystemExit) as exc:
            raise AxgenError(f"Verilator build of {toplevel} failed ({exc}); end of {log}:\n{_tail(log)}") from None

    target, _ = cached(build_dir, f"{toplevel}-{_source_key(sources, toplevel, parameters)}", verilate, keep_failed=True)
    return target


def _failed(results_xml: Path) -> bool:
    from cocotb_tools.check_results import get_results
    try:
        _, failed = get_results(results_xml)
    except RuntimeError:
        return True
    return failed > 0


def hex_beats(data: np.ndarray, beat_bytes: int) -> list[list[str]]:
    """(N, beats * beat_bytes) stream bytes (generator.streams' layout) -> the job's form: per
    sample, each beat as hex text."""
    rows = np.asarray(data, dtype=np.uint8)
    return [[format(int.from_bytes(row[i:i + beat_bytes].tobytes(), "little"), "x")
             for i in range(0, rows.shape[1], beat_bytes)] for row in rows]


def beats_data(samples: list[list[str]], beat_bytes: int) -> np.ndarray:
    """Inverse of hex_beats: per sample hex beats -> (N, beats * beat_bytes) uint8."""
    return np.array([np.frombuffer(b"".join(int(b, 16).to_bytes(beat_bytes, "little") for b in sample), dtype=np.uint8)
                     for sample in samples], dtype=np.uint8).reshape(len(samples), -1)


def simulate(rtl_dir: Path, toplevel: str, inputs: np.ndarray, in_dtype, in_per_beat: int, out_dtype,
             out_per_beat: int, out_elems: int, expected: np.ndarray | None, seed: int, build_dir: Path,
             modes: tuple[str, ...] = ("stream", "random"), idle_cycles: int = DEFAULT_IDLE_CYCLES,
             packet_samples: int = 1, parameters: dict[str, int] | None = None) -> SimResult:
    """Run `inputs` (N, in_elems values of in_dtype) through `toplevel` from rtl_dir and compare
    with `expected` (N, out_elems values of out_dtype) if given. The DUT's tdata may be wider than
    the elements (padding); input padding gets random junk in the random phase, output padding
    must be zero when `expected` is given. A DUT that emits no output beat for idle_cycles cycles
    counts as hung. Its m_axis_tlast (if any) must close every `packet_samples`-th sample; the
    toplevel's Verilog `parameters` are set as given."""
    inputs = np.asarray(inputs, dtype=np.int64).reshape(len(inputs), -1)
    if len(inputs) == 0:
        raise AxgenError("simulate: no input samples")
    in_elems = inputs.shape[1]
    if in_elems % in_per_beat or out_elems % out_per_beat:
        raise AxgenError(f"simulate: {in_elems} inputs / {out_elems} outputs do not fill beats of "
                         f"{in_per_beat} / {out_per_beat} elements")
    out_bytes = streams.beat_bytes(out_dtype.name, out_per_beat)
    result = simulate_stream(
        rtl_dir, toplevel, streams.pack(inputs, in_dtype.name, in_per_beat),
        in_beat_bytes=streams.beat_bytes(in_dtype.name, in_per_beat), out_beat_bytes=out_bytes,
        beats_out=out_elems // out_per_beat, in_data_bits=in_per_beat * in_dtype.bitwidth(),
        expected=None if expected is None else streams.pack(np.asarray(expected).reshape(len(inputs), -1),
                                                            out_dtype.name, out_per_beat),
        seed=seed, build_dir=build_dir, modes=modes, idle_cycles=idle_cycles, packet_samples=packet_samples,
        parameters=parameters)
    return replace(result, outputs=streams.unpack(result.outputs, out_dtype.name, out_per_beat))


def simulate_stream(rtl_dir: Path, toplevel: str, data: np.ndarray, in_beat_bytes: int, out_beat_bytes: int,
                    beats_out: int, in_data_bits: int, expected: np.ndarray | None, seed: int, build_dir: Path,
                    modes: tuple[str, ...] = ("stream", "random"), idle_cycles: int = DEFAULT_IDLE_CYCLES,
                    packet_samples: int = 1, parameters: dict[str, int] | None = None) -> SimResult:
    """`simulate` on stream bytes as a DMA moves them: `data` is (N, beats_in * in_beat_bytes)
    uint8, one row per sample (generator.streams.pack's layout), `expected` likewise for the
    output; the result's `outputs` are the (N, beats_out * out_beat_bytes) output bytes."""
    data = np.asarray(data, dtype=np.uint8)
    if data.ndim != 2 or len(data) == 0 or data.shape[1] == 0 or data.shape[1] % in_beat_bytes:
        raise AxgenError(f"simulate: input bytes of shape {data.shape} are not whole beats of {in_beat_bytes} bytes")
    rtl_dir = Path(rtl_dir).resolve()
    build_dir = Path(build_dir).resolve()
    target = build(rtl_dir, toplevel, build_dir, parameters)
    run_dir = Path(tempfile.mkdtemp(prefix=f"run-{toplevel}-", dir=build_dir))
    for mem in rtl_dir.glob("*.mem"):
        shutil.copyfile(mem, run_dir / mem.name)
    job = {
        "samples": hex_beats(data, in_beat_bytes),
        "expected": None if expected is None else hex_beats(expected, out_beat_bytes),
        "beats_in": data.shape[1] // in_beat_bytes,
        "beats_out": int(beats_out),
        "in_data_bits": int(in_data_bits),
        "packet_samples": int(packet_samples),
        "seed": int(seed),
        "modes": list(modes),
        "idle_cycles": int(idle_cycles),
        "result": str(run_dir / "result.json"),
    }
    (run_dir / "job.json").write_text(json.dumps(job))
    log = run_dir / "sim.log"
    try:
        with _testbench_on_path():
            _runner().test(test_module=TEST_MODULE, hdl_toplevel=toplevel, hdl_toplevel_lang="verilog",
                           build_dir=target, test_dir=run_dir, results_xml=str(run_dir / "results.xml"),
                           extra_env={"AXGEN_JOB": str(run_dir / "job.json")}, log_file=log, seed=seed)
    except (RuntimeError, SystemExit) as exc:
        raise AxgenError(f"RTL simulation of {toplevel} failed ({exc}); end of {log}:\n{_tail(log)}") from None
    result_path = run_dir / "result.json"
    if _failed(run_dir / "results.xml") or not result_path.exists():
        raise AxgenError(f"RTL simulation of {toplevel} wrote no result; end of {log}:\n{_tail(log)}")
    result = json.loads(result_path.read_text())
    if "error" in result:
        raise AxgenError(f"RTL simulation of {toplevel}: {result['error']} (files kept in {run_dir})")
    outputs = beats_data(result["outputs"], out_beat_bytes)
    shutil.rmtree(run_dir, ignore_errors=True)
    return SimResult(outputs=outputs, cycles_per_sample=result["cycles_per_sample"],
                     latency_cycles=result["latency_cycles"], mismatches=result["mismatches"],
                     mismatched_samples=result["mismatched_samples"], sim_cycles=result["cycles"],
                     tlast_errors=result.get("tlast_errors", []),
                     stall_cycles_per_sample=result.get("stall_cycles_per_sample"),
                     busy_cycles=result.get("busy_cycles"), tlast_beats=result.get("tlast_beats"))
