"""FIFO sizing from a trace of the simulation: the smallest depth of every link FIFO that lets the
accelerator run at its slowest stage's rate.

The plan is rendered with every link FIFO deep enough never to fill (PROBE_SAMPLES samples of its
stream), built as the Verilator harness with FIFO profiling (rtl/axgen_fifo.v reports each
FIFO's peak occupancy), and run on PROBE_SAMPLES samples offered one per bottleneck period (the
rate the accelerator sustains: offered faster, the stages in front of the bottleneck would fill
their FIFOs without end). In that run no FIFO ever refuses a beat, so with each depth set to its
peak occupancy plus one (a beat may arrive in the cycle one leaves a full FIFO) the accelerator
follows the same schedule: the slowest stage never waits, and no FIFO holds more than the
schedule needs. The timing of every block is independent of the data, so the samples are zeros.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np

from generator.backends.rtl import render_rtl
from generator.errors import AxgenError
from generator.hw import HardwarePlan
from generator.sim import harness

PROBE_SAMPLES = 4
MIN_DEPTH = 2


def probe_depth(link) -> int:
    """A depth the link's FIFO cannot fill in the sizing run: PROBE_SAMPLES samples of its stream."""
    return PROBE_SAMPLES * -(-link.elems // link.dst_per_beat) + 16


def size_fifos(plan: HardwarePlan, build_dir: Path, users: dict | None = None) -> dict[str, int]:
    """{link name: FIFO depth} for `plan` (see the module docstring); `users` as for render_rtl."""
    if not plan.links:
        return {}
    probe = plan.with_fifo_depths({link.name: probe_depth(link) for link in plan.links})
    Path(build_dir).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=build_dir))
    try:
        rtl = render_rtl(probe, work / "rtl", users)
        in_bytes, out_bytes = rtl["in_tdata_bits"] // 8, rtl["out_tdata_bits"] // 8
        beats_in = rtl["in_elems"] // rtl["in_per_beat"]
        beats_out = rtl["out_elems"] // rtl["out_per_beat"]
        zeros = np.zeros((PROBE_SAMPLES, beats_in * in_bytes), dtype=np.uint8)
        run = harness.simulate(work / "rtl", rtl["top"], zeros, in_bytes, out_bytes, beats_out, rtl["in_data_bits"],
                               seed=0, build_dir=build_dir, stream_samples=PROBE_SAMPLES, random=False,
                               pace=plan.estimated_cycles, profile=True, packet_samples=probe.packet_samples)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    peaks = run.fifo_peaks or {}
    missing = [link.name for link in plan.links if link.name not in peaks]
    if missing:
        raise AxgenError(f"FIFO sizing: the simulation reported no occupancy for {', '.join(missing)}")
    full = [link.name for link in probe.links if peaks[link.name] >= link.depth]
    if full:
        raise AxgenError(f"FIFO sizing: the FIFO of {', '.join(full)} filled up in the sizing run "
                         f"({PROBE_SAMPLES} samples deep); the design does not keep its bottleneck's rate")
    return {link.name: max(MIN_DEPTH, peaks[link.name] + 1) for link in plan.links}
