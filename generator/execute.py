"""A built project's accelerator on integer input values: its golden model, its RTL on
Verilator (cocotb or the C++ harness) or its HLS C++ in C simulation (used by `verify` and `predict`)."""

from __future__ import annotations

import numpy as np

from generator.golden import run_layers
from generator.project import Project
from generator import streams
from generator.sim import csim, harness, rtl as rtl_sim

RTL_BUILD = "build/rtl_sim"  # inside the project folder
HARNESS_BUILD = "build/harness"  # inside the project folder


def golden_outputs(project: Project, values: np.ndarray) -> np.ndarray:
    """The golden model on integer input values (N, input elements)."""
    stages = project.plan.stages
    return run_layers(values, [s.layer for s in stages], [s.multiplier for s in stages])


def run_rtl(project: Project, values: np.ndarray, expected: np.ndarray | None, seed: int) -> rtl_sim.SimResult:
    """The RTL on Verilator (cocotb), compared with `expected` when given."""
    rtl = project.data["rtl"]
    first, last = project.plan.first, project.plan.last
    return rtl_sim.simulate(
        rtl_dir=project.root / "rtl", toplevel=rtl["top"], inputs=values,
        in_dtype=first.in_dtype, in_per_beat=first.in_per_beat, out_dtype=last.out_dtype,
        out_per_beat=last.out_per_beat, out_elems=last.out_elems, expected=expected, seed=seed,
        build_dir=project.root / RTL_BUILD)


def pack_outputs(project: Project, values: np.ndarray) -> np.ndarray:
    """Output values (N, output elements) -> the output stream's bytes, one row per sample."""
    last = project.plan.last
    return streams.pack(np.asarray(values).reshape(len(values), -1), last.out_dtype.name, last.out_per_beat)


def run_harness(project: Project, values: np.ndarray, seed: int, stream_samples: int, random: bool = True,
                trace: tuple | None = None) -> harness.HarnessResult:
    """The RTL in the C++ streaming harness on Verilator; outputs as stream bytes (pack_outputs'
    layout; unpack_outputs gives values)."""
    first, last = project.plan.first, project.plan.last
    return harness.simulate(
        rtl_dir=project.root / "rtl", toplevel=project.data["rtl"]["top"],
        data=streams.pack(values, first.in_dtype.name, first.in_per_beat),
        in_beat_bytes=streams.beat_bytes(first.in_dtype.name, first.in_per_beat),
        out_beat_bytes=streams.beat_bytes(last.out_dtype.name, last.out_per_beat),
        beats_out=last.out_elems // last.out_per_beat, in_data_bits=first.in_per_beat * first.in_dtype.bitwidth(),
        seed=seed, build_dir=project.root / HARNESS_BUILD, stream_samples=stream_samples, random=random, trace=trace)


def unpack_outputs(project: Project, data: np.ndarray) -> np.ndarray:
    """Output stream bytes -> values (N, output elements)."""
    last = project.plan.last
    return streams.unpack(data, last.out_dtype.name, last.out_per_beat)


def run_hls(project: Project, values: np.ndarray) -> csim.HlsResult:
    """The HLS C++ in C simulation (g++)."""
    first, last = project.plan.first, project.plan.last
    return csim.simulate(project.root / "hls", project.data["hls"]["testbench"], values, first.in_dtype, last.out_dtype,
                         last.out_elems)
