"""A built project's accelerator on integer input values: its golden model, its RTL on
Verilator (cocotb, the C++ harness, or stepped from Python) or its HLS C++ in C simulation (used by `verify` and `predict`)."""

from __future__ import annotations

import numpy as np

from generator.errors import AxgenError
from generator.golden import run_layers
from generator.project import Project
from generator import streams
from generator.sim import csim, harness, packets, rtl as rtl_sim, stepping

RTL_BUILD = "build/rtl_sim"  # inside the project folder
HARNESS_BUILD = "build/harness"  # inside the project folder
STEPPING_BUILD = "build/stepping"  # inside the project folder


def golden_outputs(project: Project, values: np.ndarray) -> np.ndarray:
    """The golden model on integer input values (N, input elements)."""
    stages = project.plan.stages
    return run_layers(values, [s.layer for s in stages], [s.multiplier for s in stages], project.plan.sources)


def idle_cycles(project: Project) -> int:
    """Cycles without an output beat before a simulation counts the design as stalled: the default,
    or for a deep network four times its estimated latency (random back-pressure slows it)."""
    plan = project.plan
    return max(rtl_sim.DEFAULT_IDLE_CYCLES, 4 * (plan.estimated_latency + plan.estimated_cycles))


def sim_packet(project: Project) -> int:
    """Samples per packet in the project's simulations (generator.sim.packets): its top's
    packet_samples, made small."""
    return packets.simulated(project.plan.packet_samples)


def run_rtl(project: Project, values: np.ndarray, expected: np.ndarray | None, seed: int,
            modes: tuple[str, ...] = ("stream", "random")) -> rtl_sim.SimResult:
    """The RTL on Verilator (cocotb), compared with `expected` when given, in the testbench's
    `modes` (testbench/stream_test.py: stream, random and the fault modes), with sim_packet's
    packets."""
    rtl = project.data["rtl"]
    first, last = project.plan.first, project.plan.last
    packet = sim_packet(project)
    return rtl_sim.simulate(
        rtl_dir=project.root / "rtl", toplevel=rtl["top"], inputs=values,
        in_dtype=first.in_dtype, in_per_beat=first.in_per_beat, out_dtype=last.out_dtype,
        out_per_beat=last.out_per_beat, out_elems=last.out_elems, expected=expected, seed=seed,
        build_dir=project.root / RTL_BUILD, idle_cycles=idle_cycles(project), modes=modes,
        packet_samples=packet, parameters=packets.rtl_parameters(packet))


def pack_outputs(project: Project, values: np.ndarray) -> np.ndarray:
    """Output values (N, output elements) -> the output stream's bytes, one row per sample."""
    last = project.plan.last
    return streams.pack(np.asarray(values).reshape(len(values), -1), last.out_dtype.name, last.out_per_beat)


def run_harness(project: Project, values: np.ndarray, seed: int, stream_samples: int, random: bool = True,
                trace: tuple | None = None, faults: bool = False) -> harness.HarnessResult:
    """The RTL in the C++ streaming harness on Verilator, with sim_packet's packets; outputs as
    stream bytes (pack_outputs' layout; unpack_outputs gives values). `faults`: the fault phases
    too (harness.FAULT_PHASES)."""
    first, last = project.plan.first, project.plan.last
    packet = sim_packet(project)
    return harness.simulate(
        rtl_dir=project.root / "rtl", toplevel=project.data["rtl"]["top"],
        data=streams.pack(values, first.in_dtype.name, first.in_per_beat),
        in_beat_bytes=streams.beat_bytes(first.in_dtype.name, first.in_per_beat),
        out_beat_bytes=streams.beat_bytes(last.out_dtype.name, last.out_per_beat),
        beats_out=last.out_elems // last.out_per_beat, in_data_bits=first.in_per_beat * first.in_dtype.bitwidth(),
        seed=seed, build_dir=project.root / HARNESS_BUILD, stream_samples=stream_samples, random=random, trace=trace,
        idle_cycles=idle_cycles(project), faults=faults, packet_samples=packet,
        parameters=packets.rtl_parameters(packet))


def unpack_outputs(project: Project, data: np.ndarray) -> np.ndarray:
    """Output stream bytes -> values (N, output elements)."""
    last = project.plan.last
    return streams.unpack(data, last.out_dtype.name, last.out_per_beat)


def run_hls(project: Project, values: np.ndarray) -> csim.HlsResult:
    """The HLS C++ in C simulation (g++), with sim_packet's packets (its test bench checks TLAST)."""
    first, last = project.plan.first, project.plan.last
    return csim.simulate(project.root / "hls", project.data["hls"]["testbench"], values, first.in_dtype, last.out_dtype,
                         last.out_elems, defines=packets.hls_defines(sim_packet(project)))


def open_stepper(project: Project, layer: str | int | None = None, reset: bool = True) -> stepping.Stepper:
    """One module of the project's RTL, stepped cycle by cycle in this process (pyverilator): the
    layer named `layer` (its name, index or module name), or the top (with sim_packet's packets)
    when it is None or "top". Its `run(values)` takes the layer's integer inputs and returns its
    outputs, as the golden model's per-layer functions do."""
    rtl = project.data["rtl"]
    first, last = project.plan.first, project.plan.last
    parameters = None
    if layer is None or layer == "top":
        module, ins, outs = rtl["top"], first, last
        parameters = packets.rtl_parameters(sim_packet(project))
    else:
        entry = next((e for e in rtl["layers"] if str(layer) in (e["name"], str(e["index"]), e["module"])), None)
        if entry is None:
            known = ", ".join([f"{e['index']} {e['name']}" for e in rtl["layers"]] + ["top"])
            raise AxgenError(f"no layer {layer!r} in {project.root}; its layers: {known}")
        ins = outs = next(s for s in project.plan.stages if s.layer.name == entry["name"])
        module = entry["module"]
    fmt = stepping.StreamFormat(ins.in_dtype.name, ins.in_per_beat, outs.out_dtype.name, outs.out_per_beat,
                                outs.out_elems)
    return stepping.open_module(project.root / "rtl", module, project.root / STEPPING_BUILD, fmt, reset=reset,
                                parameters=parameters)
