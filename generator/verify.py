"""`axgen verify`: golden model and simulations on the same random inputs, compared exactly."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from generator.datatypes import all_values
from generator.errors import AxgenError
from generator.execute import (RTL_BUILD, golden_outputs, pack_outputs, run_harness, run_hls, run_rtl, sim_packet,
                               unpack_outputs)
from generator.outputs import write_json
from generator.project import Project
from generator.sim import packets, rtl as rtl_sim
from generator.sim.harness import trace_format

BACKENDS = ("rtl", "hls")  # "all" runs both on the same inputs
COCOTB_SAMPLES = 32  # cocotb checks the first 32 samples; the C++ harness checks all
SHOWN_SAMPLES = 20  # mismatching samples listed in a report


@dataclass
class BackendReport:
    backend: str
    samples: int
    mismatches: int
    cycles_per_sample: float | None
    latency_cycles: int | None
    first_mismatch: dict | None = None
    sim_cycles: int | None = None  # RTL: clock cycles simulated over both phases
    build_seconds: float | None = None
    run_seconds: float | None = None
    cached_build: bool | None = None
    passes: list[dict] | None = None  # RTL: each simulation pass (cocotb, harness), its samples and speed
    trace_at: dict | None = None  # RTL: the harness's first output mismatch {"phase", "sample"}


# verify.json's keys and what each holds (the documentation's format reference is generated from
# these tables, and a test checks them against a verify run's file)
VERIFY_KEYS = {
    "backend": "rtl, hls or all, as asked",
    "samples": "random inputs compared",
    "seed": "the seed they were drawn with",
    "mismatches": "samples whose outputs (or TLAST) differ from the golden model's, over every backend and pass",
    "cycles_per_sample": "steady-state cycles between outputs, samples back to back without back-pressure (RTL)",
    "latency_cycles": "first input beat to the first sample's last output beat (RTL)",
    "estimated_cycles_per_sample": "project.json's estimate",
    "cycles_over_estimate": "measured over estimated cycles per sample",
    "estimated_latency_cycles": "project.json's latency estimate",
    "latency_over_estimate": "measured over estimated latency",
    "packet_samples": "P: m_axis_tlast closes every P-th sample (project.json's rtl.packet_samples)",
    "simulated_packet_samples": "the P the simulations were built with, min(P, 3), so that packets close within them",
    "backends": "one report per backend (below)",
    "trace": "with --trace: the waveform file, the phase, sample and cycles it covers",
}
BACKEND_KEYS = {
    "backend": "rtl or hls",
    "samples": "samples this backend checked",
    "mismatches": "samples that differ",
    "cycles_per_sample": "measured cycles per sample (RTL)",
    "latency_cycles": "measured latency (RTL)",
    "first_mismatch": "the first differing sample and output, with both values, or null",
    "sim_cycles": "clock cycles simulated over both phases (RTL)",
    "build_seconds": "time to build the simulation (Verilator, g++)",
    "run_seconds": "time to run it",
    "cached_build": "whether the build came from the cache",
    "passes": "each simulation pass (below)",
    "trace_at": "the harness's first output mismatch {phase, sample}, or null",
}
PASS_KEYS = {
    "name": "cocotb, harness (RTL) or csim (HLS)",
    "samples": "samples this pass checked",
    "mismatches": "samples that differ",
    "cycles": "cycles simulated (null for C simulation)",
    "seconds": "run time",
    "build_seconds": "build time",
    "sample_cycles_per_second": "simulation speed: sample-cycles per second",
}


def random_inputs(project: Project, samples: int, seed: int) -> np.ndarray:
    """Uniformly random values of the first layer's input datatype, (samples, input elements)
    with an image flattened channels-last."""
    first = project.plan.first
    rng = np.random.default_rng(seed)
    return rng.choice(all_values(first.in_dtype), size=(samples, first.in_elems))


def _pass(name: str, samples: int, mismatches: int, cycles: int | None, seconds: float, build_seconds: float) -> dict:
    """One simulation pass of a backend, as verify.json lists it (C simulation counts no cycles)."""
    return {"name": name, "samples": samples, "mismatches": mismatches, "cycles": cycles,
            "seconds": round(seconds, 3), "build_seconds": round(build_seconds, 2),
            "sample_cycles_per_second": round(cycles / seconds) if cycles is not None and seconds > 0 else None}


def _rtl_report(project: Project, values: np.ndarray, expected: np.ndarray, seed: int) -> BackendReport:
    """cocotb on the first COCOTB_SAMPLES samples (protocol, TLAST and back-pressure driven from
    Python), then the C++ harness on all of them; a sample mismatches when either pass says so."""
    n = len(values)
    k = min(n, COCOTB_SAMPLES)
    t0 = time.time()
    rtl_sim.build(project.root / "rtl", project.data["rtl"]["top"], project.root / RTL_BUILD,
                  packets.rtl_parameters(sim_packet(project)))
    t1 = time.time()
    result = run_rtl(project, values[:k], expected[:k], seed)
    t2 = time.time()
    # counted by the testbench over both phases (back to back, and random back-pressure)
    first = _first_mismatch(result.outputs, expected[:k])
    if first is None and result.mismatches:  # wrong only under back-pressure, or only in m_axis_tlast
        first = {"samples": list(result.mismatched_samples)[:SHOWN_SAMPLES]}
        if not result.tlast_errors:
            first["phase"] = "random back-pressure"
    if result.tlast_errors:
        first["tlast"] = result.tlast_errors[0]
    h = run_harness(project, values, seed, k)
    bad, where = h.mismatched(pack_outputs(project, expected))
    passes = [_pass("cocotb", k, int(result.mismatches), result.sim_cycles, t2 - t1, t1 - t0),
              _pass("harness", n, int(bad.size), h.cycles, h.seconds, h.build_seconds)]
    if first is None and bad.size:
        first = _harness_mismatch(project, h, expected, bad, where)
    mismatched = set(result.mismatched_samples) | set(bad.tolist())
    return BackendReport("rtl", n, len(mismatched), h.cycles_per_sample, h.latency_cycles, first,
                         result.sim_cycles + h.cycles, build_seconds=round(t1 - t0 + h.build_seconds, 2),
                         run_seconds=round(t2 - t1 + h.seconds, 2), passes=passes,
                         trace_at=where)


def _harness_mismatch(project: Project, h, expected: np.ndarray, bad: np.ndarray, where: dict | None) -> dict:
    """The first mismatch the harness found: its sample's values, or the samples with a wrong TLAST."""
    if where is None:
        return {"pass": "harness", "samples": bad[:SHOWN_SAMPLES].tolist(), "tlast": h.tlast_errors[0]}
    phase_outputs = h.stream_outputs if where["phase"] == "stream" else h.random_outputs
    i = where["sample"]
    got = unpack_outputs(project, phase_outputs[i:i + 1])[0]
    return {"pass": "harness", "phase": where["phase"], "sample": i, "expected": expected[i].tolist(),
            "got": got.tolist()}


def _hls_report(project: Project, values: np.ndarray, expected: np.ndarray) -> BackendReport:
    result = run_hls(project, values)
    bad = int(np.count_nonzero(np.any(result.outputs != expected, axis=1)))
    return BackendReport("hls", len(values), bad, None, None, _first_mismatch(result.outputs, expected),
                         build_seconds=round(result.build_seconds, 2), run_seconds=round(result.run_seconds, 3),
                         cached_build=result.cached,
                         passes=[_pass("csim", len(values), bad, None, result.run_seconds, result.build_seconds)])


def _first_mismatch(got: np.ndarray, want: np.ndarray) -> dict | None:
    bad = np.nonzero(np.any(got != want, axis=1))[0]
    if not bad.size:
        return None
    i = int(bad[0])
    return {"sample": i, "expected": want[i].tolist(), "got": got[i].tolist()}


def verify(project: Project, backend: str = "rtl", samples: int = 16, seed: int = 0,
           trace: str | Path | None = None) -> dict:
    """Golden model and the backend's simulations on `samples` random inputs, compared exactly;
    written to DIR/verify.json. `trace`: a waveform file (.vcd or .fst) of the first mismatching
    sample (RTL)."""
    if backend not in (*BACKENDS, "all"):
        raise AxgenError(f"unknown backend {backend!r}; supported: {', '.join(BACKENDS)}, all")
    if samples < 2:
        raise AxgenError(f"--samples {samples}: at least 2 are needed (throughput is measured between samples)")
    if trace is not None and backend == "hls":
        raise AxgenError("--trace writes a waveform of the RTL: use it with --backend rtl or all")
    if trace is not None:
        trace_format(trace)
    values = random_inputs(project, samples, seed)
    expected = golden_outputs(project, values)
    reports = []
    for name in (BACKENDS if backend == "all" else (backend,)):
        if name == "rtl":
            reports.append(_rtl_report(project, values, expected, seed))
        else:
            reports.append(_hls_report(project, values, expected))
    timed = next((r for r in reports if r.cycles_per_sample is not None), None)  # cycles come from the RTL
    estimated = project.estimated_cycles
    report = {
        "backend": backend, "samples": samples, "seed": seed,
        "mismatches": sum(r.mismatches for r in reports),
        "cycles_per_sample": timed and timed.cycles_per_sample,
        "latency_cycles": timed and timed.latency_cycles,
        "estimated_cycles_per_sample": estimated,
        "cycles_over_estimate": None if timed is None else round(timed.cycles_per_sample / estimated, 4),
        "estimated_latency_cycles": project.estimated_latency,
        "latency_over_estimate": None if timed is None else round(timed.latency_cycles / project.estimated_latency, 4),
        # TLAST is checked on packets of the simulated size (the top's is a whole batch)
        "packet_samples": project.plan.packet_samples, "simulated_packet_samples": sim_packet(project),
        "backends": [r.__dict__ for r in reports],
    }
    if trace is not None:
        report["trace"] = _trace(project, values, seed, next(r for r in reports if r.backend == "rtl"), Path(trace))
    write_json(Path(project.root) / "verify.json", report)  # whole or not at all (a killed run leaves the last one)
    return report


def _trace(project: Project, values: np.ndarray, seed: int, rtl: BackendReport, path: Path) -> dict | None:
    """Re-run the harness (traced build) up to the first mismatching sample and write its waveform:
    {"file", "phase", "sample", "from_cycle", "to_cycle"}; None when nothing mismatched."""
    if not rtl.mismatches:
        return None
    first = rtl.first_mismatch or {}
    where = rtl.trace_at or {"phase": "random", "sample": first.get("sample", min(first.get("samples") or [0]))}
    if not path.parent.is_dir():
        raise AxgenError(f"--trace {path}: folder {path.parent} does not exist")
    h = run_harness(project, values, seed, min(len(values), COCOTB_SAMPLES),
                    trace=(path, where["phase"], where["sample"]))
    if h.trace is None or not path.is_file():
        raise AxgenError(f"--trace: the harness wrote no waveform of sample {where['sample']} to {path}")
    return {"file": str(path), **where, **h.trace}
