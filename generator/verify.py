"""`axgen verify`: golden model and simulations on the same random inputs, compared exactly."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from generator.datatypes import all_values
from generator.errors import AxgenError
from generator.execute import RTL_BUILD, golden_outputs, run_hls, run_rtl
from generator.project import Project
from generator.sim import rtl as rtl_sim

BACKENDS = ("rtl", "hls")  # "all" runs both on the same inputs


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


def random_inputs(project: Project, samples: int, seed: int) -> np.ndarray:
    """Uniformly random values of the first layer's input datatype, (samples, input elements)
    with an image flattened channels-last."""
    first = project.plan.first
    rng = np.random.default_rng(seed)
    return rng.choice(all_values(first.in_dtype), size=(samples, first.in_elems))


def _rtl_report(project: Project, values: np.ndarray, expected: np.ndarray, seed: int) -> BackendReport:
    t0 = time.time()
    rtl_sim.build(project.root / "rtl", project.data["rtl"]["top"], project.root / RTL_BUILD)
    t1 = time.time()
    result = run_rtl(project, values, expected, seed)
    # counted by the testbench over both phases (back to back, and random back-pressure)
    mismatches = int(result.mismatches)
    first = _first_mismatch(result.outputs, expected)
    if first is None and mismatches:  # wrong only under back-pressure, or only in m_axis_tlast
        first = {"samples": list(result.mismatched_samples)}
        if not result.tlast_errors:
            first["phase"] = "random back-pressure"
    if result.tlast_errors:
        first["tlast"] = result.tlast_errors[0]
    return BackendReport("rtl", len(values), mismatches, result.cycles_per_sample, result.latency_cycles, first,
                         result.sim_cycles, build_seconds=round(t1 - t0, 2), run_seconds=round(time.time() - t1, 2))


def _hls_report(project: Project, values: np.ndarray, expected: np.ndarray) -> BackendReport:
    result = run_hls(project, values)
    bad = int(np.count_nonzero(np.any(result.outputs != expected, axis=1)))
    return BackendReport("hls", len(values), bad, None, None, _first_mismatch(result.outputs, expected),
                         build_seconds=round(result.build_seconds, 2), run_seconds=round(result.run_seconds, 3),
                         cached_build=result.cached)


def _first_mismatch(got: np.ndarray, want: np.ndarray) -> dict | None:
    bad = np.nonzero(np.any(got != want, axis=1))[0]
    if not bad.size:
        return None
    i = int(bad[0])
    return {"sample": i, "expected": want[i].tolist(), "got": got[i].tolist()}


def verify(project: Project, backend: str = "rtl", samples: int = 16, seed: int = 0) -> dict:
    if backend not in (*BACKENDS, "all"):
        raise AxgenError(f"unknown backend {backend!r}; supported: {', '.join(BACKENDS)}, all")
    if samples < 2:
        raise AxgenError("--samples must be at least 2 (throughput is measured between samples)")
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
        "backends": [r.__dict__ for r in reports],
    }
    (Path(project.root) / "verify.json").write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    return report
