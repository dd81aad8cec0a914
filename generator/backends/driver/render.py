"""Render DIR/driver/: the PYNQ driver (templates/driver), with every constant computed here from
the hardware plan, its board and the shell contract (generator.hw.shell), plus the files it needs
on the board. The packing (generator/streams.py) and the ONNX runner of the host head and tail
(generator/onnx_exec.py) are copied as they are, so the driver runs the code axgen runs."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import numpy as np

from generator import onnx_exec, streams
from generator.hw import HardwarePlan, shell
from generator.templating import environment
from generator.version import __version__

DRIVER_DIR = "driver"
ENTRY = "axgen_driver.py"
CLASS = "Accelerator"
COPIES = {"axgen_streams.py": streams, "axgen_onnx.py": onnx_exec}  # driver file <- axgen module
HEAD_MODEL, TAIL_MODEL, TAIL_SCALE, TAIL_OFFSET = "head.onnx", "tail.onnx", "tail_scale.npy", "tail_offset.npy"
# What the board needs besides the driver folder: (package, version, what for). numpy and pynq come
# with a PYNQ image; the rest only `predict` needs (the host head and tail).
REQUIREMENTS = (
    ("numpy", ">=1.17", "stream packing (packbits with bitorder)"),
    ("pynq", ">=3.0", "the overlay, buffers and the DMA or kernels (DMA transfer with start and nbytes)"),
    ("qonnx", "==1.0.0", "predict: runs the host head and tail (Quant nodes), as axgen does; needs no torch"),
    ("onnx", "==1.17.0", "predict: reads head.onnx / tail.onnx (the version axgen pins)"),
    ("onnxruntime", ">=1.17", "predict: qonnx runs the standard ONNX nodes with it"),
)


def _round_up(n: int, to: int) -> int:
    return -(-n // to) * to


def stream_constants(plan: HardwarePlan) -> dict:
    """Both streams as the driver moves them: name -> (value, what it is). A beat takes its tdata
    bytes in memory on a Zynq DMA, a power-of-two word on Alveo (generator.hw.shell)."""
    first, last, board = plan.first, plan.last, plan.board
    alveo = board.shell == "alveo"
    word = "tdata rounded up to a power of two" if alveo else "tdata, padded to whole bytes"
    rows = {}
    for side, stage_dtype, elems, per_beat, tdata in (
            ("IN", first.in_dtype, first.in_elems, first.in_per_beat, plan.in_tdata_bits),
            ("OUT", last.out_dtype, last.out_elems, last.out_per_beat, plan.out_tdata_bits)):
        bits = shell.mem_word_bits(tdata) if alveo else tdata
        beats = elems // per_beat
        what = "input" if side == "IN" else "output"
        sample = shell.sample_bytes(board.shell, tdata, beats)
        rows.update({
            f"{side}_DTYPE": (stage_dtype.name, f"datatype of the {what} stream's elements"),
            f"{side}_ELEMS": (elems, f"{what} values per sample"),
            f"{side}_PER_BEAT": (per_beat, "elements per beat, element i in bits [i*W, (i+1)*W)"),
            f"{side}_WORD_BITS": (bits, f"bits of memory per beat: {word}"),
            f"{side}_BEATS": (beats, "beats per sample"),
            f"{side}_SAMPLE_BYTES": (sample, "bytes of memory per sample"),
        })
    return rows


def batch_size(plan: HardwarePlan) -> int:
    """Samples per batch by default (generator.hw.shell.default_batch): about BATCH_SECONDS of the
    accelerator at its estimated rate, within BATCH_BYTES (and one DMA transfer) per direction, a
    whole number of packets -- one packet, unless the build asked for smaller ones."""
    seconds = plan.estimated_cycles / (plan.board.clock_mhz * 1e6)
    return shell.default_batch(seconds, max(plan.sample_bytes), plan.packet_samples)


def _kernel_call(kernel: str) -> str:
    return f"{kernel}({', '.join(shell.KERNEL_ARGS[kernel])}) compute unit (alveo)"


def driver_constants(plan: HardwarePlan) -> list[dict]:
    """Every constant of the driver: name, Python literal and what it is."""
    board, net = plan.board, plan.network
    sizes = stream_constants(plan)
    packet = plan.packet_samples
    align = board.dma_width // 8
    rows = [
        ("NAME", net.name, "the network"),
        ("BOARD", board.name, "the board it was built for"),
        ("SHELL", board.shell, "zynq: AXI DMA; alveo: data-mover kernels"),
        ("BITFILE", shell.BITFILES[board.shell], "loaded by default, looked up next to this file"),
        ("CLOCK_MHZ", float(board.clock_mhz), "the accelerator's clock"),
        ("ESTIMATED_CYCLES", plan.estimated_cycles, "estimated cycles per sample (the slowest stage)"),
        ("INPUT_SHAPE", tuple(int(d) for d in net.head.input_shape), "one sample of the model's input"),
        ("OUTPUT_SHAPE", tuple(int(d) for d in net.tail.output_shape), "one sample of the model's output"),
        ("HEAD_MODEL", HEAD_MODEL, "host head: float input -> the input quantizer's float output"),
        ("HEAD_SCALE", float(net.head.scale), "integer value = round(head output / HEAD_SCALE + HEAD_ZERO_POINT)"),
        ("HEAD_ZERO_POINT", int(net.head.zero_point), "the input quantizer's zero point"),
        ("CHANNELS_LAST", bool(net.head.channels_last), "an image (C, H, W) streams as (H, W, C)"),
        ("TAIL_MODEL", TAIL_MODEL if net.tail.onnx_bytes is not None else None, "host tail after the affine step"),
        ("TAIL_SCALE", TAIL_SCALE, "per output channel: float = scale * (value + offset)"),
        ("TAIL_OFFSET", TAIL_OFFSET, "per output channel offset"),
        *((name, value, comment) for name, (value, comment) in sizes.items()),
        ("BATCH_SIZE", batch_size(plan), "samples per batch by default (one MM2S transfer, whole packets)"),
        ("PACKET_SAMPLES", packet, "samples per packet: m_axis_tlast closes each, one S2MM transfer (zynq)"),
        ("PACKET_STRIDE", _round_up(packet * sizes["OUT_SAMPLE_BYTES"][0], align),
         f"bytes between received packets: aligned to the {board.dma_width}-bit memory side"),
        ("MAX_TRANSFER_BYTES", shell.MAX_TRANSFER_BYTES, "most bytes of one DMA transfer (zynq)"),
        ("ZYNQ_DMA", shell.ZYNQ_DMA, "the AXI DMA's name in the overlay (zynq)"),
        ("MM2S_INSTANCE", shell.MM2S_INSTANCE, _kernel_call(shell.MM2S_KERNEL)),
        ("S2MM_INSTANCE", shell.S2MM_INSTANCE, _kernel_call(shell.S2MM_KERNEL)),
    ]
    return [{"name": name, "value": repr(value), "comment": comment} for name, value, comment in rows]


def _readme(plan: HardwarePlan, constants: list[dict], files: list[str]) -> str:
    values = {c["name"]: c["value"] for c in constants}
    board = plan.board
    shape = ", ".join(str(d) for d in plan.network.head.input_shape)
    return environment("driver").get_template("README.md.j2").render(
        name=plan.network.name, version=__version__, board=board.name, shell=board.shell, files=files,
        entry=ENTRY, cls=CLASS, bitfile=shell.BITFILES[board.shell], requirements=REQUIREMENTS,
        input_shape=values["INPUT_SHAPE"], output_shape=values["OUTPUT_SHAPE"], batch=values["BATCH_SIZE"],
        in_dtype=plan.first.in_dtype.name, in_elems=plan.first.in_elems, out_dtype=plan.last.out_dtype.name,
        out_elems=plan.last.out_elems, samples_shape=f"(N, {shape})",
        packet=plan.packet_samples, batch_packets=batch_size(plan) // plan.packet_samples,
        contract=textwrap.fill(shell.describe(board.shell, plan.in_tdata_bits, plan.out_tdata_bits, plan.packet_samples),
                               96, break_on_hyphens=False))


def render_driver(plan: HardwarePlan, project_root: Path) -> dict:
    """Write DIR/driver/ for `plan` and return project.json's "driver" entry. The bytes depend only
    on the plan (and axgen's own files), so rebuilding gives identical files."""
    out = Path(project_root) / DRIVER_DIR
    out.mkdir(parents=True, exist_ok=True)
    net = plan.network
    constants = driver_constants(plan)
    env = environment("driver")
    (out / ENTRY).write_text(env.get_template("axgen_driver.py.j2").render(
        name=net.name, version=__version__, board=plan.board.name, shell=plan.board.shell, constants=constants,
        cls=CLASS))
    for name, module in COPIES.items():
        shutil.copyfile(Path(module.__file__), out / name)
    (out / HEAD_MODEL).write_bytes(net.head.onnx_bytes)
    host = [HEAD_MODEL, TAIL_SCALE, TAIL_OFFSET]
    if net.tail.onnx_bytes is not None:
        (out / TAIL_MODEL).write_bytes(net.tail.onnx_bytes)
        host.append(TAIL_MODEL)
    np.save(out / TAIL_SCALE, np.ascontiguousarray(net.tail.scale), allow_pickle=False)
    np.save(out / TAIL_OFFSET, np.ascontiguousarray(net.tail.offset), allow_pickle=False)
    (out / "requirements.txt").write_text(env.get_template("requirements.txt.j2").render(requirements=REQUIREMENTS))
    files = sorted([ENTRY, *COPIES, *host, "requirements.txt", "README.md"])
    (out / "README.md").write_text(_readme(plan, constants, files))
    board, sizes = plan.board, stream_constants(plan)
    return {"files": [f"{DRIVER_DIR}/{f}" for f in files], "entry": f"{DRIVER_DIR}/{ENTRY}", "class": CLASS,
            "shell": board.shell, "batch_size": batch_size(plan),
            "stream": {k.lower(): v for k, (v, _) in sizes.items()},
            "requirements": [f"{p}{v}" for p, v, _ in REQUIREMENTS], **shell.contract(board.shell, plan.packet_samples)}
