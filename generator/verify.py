"""`axgen verify`: golden model and simulations on the same random inputs, compared exactly."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from generator.datatypes import all_values
from generator.errors import AxgenError
from generator.golden import run_layers
from generator.project import Project

BACKENDS = ("rtl",)


@dataclass
class BackendReport:
    backend: str
    samples: int
    mismatches: int
    cycles_per_sample: float | None
    latency_cycles: int | None
    first_mismatch: dict | None = None
    sim_cycles: int | None = None  # clock cycles simulated over both phases


def random_inputs(project: Project, samples: int, seed: int) -> np.ndarray:
    """Uniformly random values of the first layer's input datatype, (samples, input elements)
    with an image flattened channels-last."""
    first = project.impls[0]
    rng = np.random.default_rng(seed)
    return rng.choice(all_values(first.in_dtype), size=(samples, first.in_elems))


def golden_outputs(project: Project, values: np.ndarray) -> np.ndarray:
    return run_layers(values, [i.layer for i in project.impls], [i.multiplier for i in project.impls])


def run_rtl(project: Project, values: np.ndarray, expected: np.ndarray | None, seed: int):
    from generator.rtl_sim import simulate
    rtl = project.data["rtl"]
    first, last = project.impls[0], project.impls[-1]
    return simulate(
        rtl_dir=project.root / "rtl", toplevel=rtl["top"], inputs=values,
        in_dtype=first.in_dtype, in_per_beat=first.in_per_beat, out_dtype=last.out_dtype,
        out_per_beat=last.out_per_beat, out_elems=last.out_elems, expected=expected, seed=seed, build_dir=project.root / "build" / "rtl_sim")


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
        result = run_rtl(project, values, expected, seed)
        # counted by the testbench over both phases (back to back, and random back-pressure)
        mismatches = int(result.mismatches)
        first = _first_mismatch(result.outputs, expected)
        if first is None and mismatches:  # wrong only under back-pressure
            first = {"phase": "random back-pressure", "samples": list(result.mismatched_samples)}
        reports.append(BackendReport(name, samples, mismatches, result.cycles_per_sample, result.latency_cycles,
                                     first, result.sim_cycles))
    estimated = project.estimated_cycles
    report = {
        "backend": backend, "samples": samples, "seed": seed,
        "mismatches": sum(r.mismatches for r in reports),
        "cycles_per_sample": reports[0].cycles_per_sample,
        "latency_cycles": reports[0].latency_cycles,
        "estimated_cycles_per_sample": estimated,
        "cycles_over_estimate": None if reports[0].cycles_per_sample is None
        else round(reports[0].cycles_per_sample / estimated, 4),
        "backends": [r.__dict__ for r in reports],
    }
    (Path(project.root) / "verify.json").write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    return report
