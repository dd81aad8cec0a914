"""What the generated PYNQ driver and the board shell (Zynq block design, Vitis link config) agree
on: names, kernel arguments, the layout of the buffers and the DMA packets (`describe` says it in
words for a shell; the driver's README carries that text).

Packets: the accelerator's m_axis_tlast closes every P-th sample (P = `packet_samples`), and on a
Zynq shell each S2MM transfer of the AXI DMA ends at a TLAST, so the driver receives P samples per
transfer. P is the driver's default batch: about BATCH_SECONDS of the accelerator's estimated time,
within BATCH_BYTES per direction (and one transfer, the DMA's length register): a default batch is
one MM2S and one S2MM transfer. A build may ask for another P (`--packet-samples`); the Alveo
shell's data movers count beats instead, so there TLAST closes every sample (P = 1).
"""

from __future__ import annotations

import math
import numbers

from generator.errors import AxgenError

ZYNQ_DMA = "dma"  # the AXI DMA's cell name: the attribute of the PYNQ overlay
BUFFER_LENGTH_BITS = 26  # the DMA's length register at its widest
MAX_TRANSFER_BYTES = (1 << BUFFER_LENGTH_BITS) - 1  # most bytes of one DMA transfer
BATCH_SECONDS = 0.01  # the default batch keeps the accelerator busy this long (estimated)...
BATCH_BYTES = 1 << 22  # ...within this many bytes of buffer per direction

MM2S_KERNEL = "axgen_mm2s"
S2MM_KERNEL = "axgen_s2mm"
MM2S_INSTANCE = f"{MM2S_KERNEL}_1"  # compute unit names: the attributes of the PYNQ overlay
S2MM_INSTANCE = f"{S2MM_KERNEL}_1"
KERNEL_ARGS = {MM2S_KERNEL: ("src", "beats"), S2MM_KERNEL: ("dst", "beats")}  # in this order (no VHDL keywords: v++ would rename in/out)

ZYNQ_STREAM_MAX_BYTES = 512  # axis_dwidth_converter's widest side: the widest port the Zynq block design takes

BITFILES = {"zynq": "axgen.bit", "alveo": "axgen.xclbin"}  # what the driver loads by default


def mem_word_bits(tdata_bits: int) -> int:
    """Bits of memory one beat takes on an Alveo shell: tdata_bits rounded up to a power of two, at least 8."""
    bits = 8
    while bits < tdata_bits:
        bits *= 2
    return bits


def sample_bytes(shell: str | None, tdata_bits: int, beats: int) -> int:
    """Bytes of memory one sample of a stream takes: its beats of tdata bytes (Zynq DMA), or of a
    power-of-two word on an Alveo shell."""
    return beats * (mem_word_bits(tdata_bits) if shell == "alveo" else tdata_bits) // 8


def default_batch(seconds_per_sample: float, largest_sample_bytes: int, packet: int = 1) -> int:
    """Samples of a default batch: about BATCH_SECONDS of the accelerator, within BATCH_BYTES (and
    one DMA transfer) per direction, a whole number of packets (at least one)."""
    wanted = max(1, math.ceil(BATCH_SECONDS / seconds_per_sample))
    fits = max(1, min(BATCH_BYTES, MAX_TRANSFER_BYTES) // largest_sample_bytes)
    return max(packet, min(wanted, fits) // packet * packet)


def packet_samples(board, cycles_per_sample: int, in_sample_bytes: int, out_sample_bytes: int,
                   requested: int | None = None) -> int:
    """Samples per packet (m_axis_tlast on the last beat of every P-th sample) for an accelerator
    of these cycles and sample sizes on `board` (None: a block rendered without one): `requested`
    (checked), or by default one default batch on a Zynq shell and 1 elsewhere."""
    shell = None if board is None else board.shell
    largest = max(in_sample_bytes, out_sample_bytes)
    if requested is None:
        if shell != "zynq":
            return 1
        return default_batch(cycles_per_sample / (board.clock_mhz * 1e6), largest)
    if isinstance(requested, bool) or not isinstance(requested, numbers.Integral) or requested < 1:
        raise AxgenError(f"--packet-samples {requested!r}: a whole number of samples, at least 1, is needed")
    requested = int(requested)
    if shell not in (None, "zynq") and requested != 1:
        raise AxgenError(f"--packet-samples {requested}: packets of several samples are the Zynq shell's (its AXI "
                         f"DMA ends an S2MM transfer at TLAST); board {board.name} has the {shell} shell, whose "
                         f"TLAST closes every sample (supported: 1)")
    most = MAX_TRANSFER_BYTES // largest
    if requested > most:
        raise AxgenError(f"--packet-samples {requested}: a packet of {requested} samples takes "
                         f"{requested * out_sample_bytes} bytes out and its batch {requested * in_sample_bytes} bytes "
                         f"in, more than one DMA transfer ({MAX_TRANSFER_BYTES} bytes, the {BUFFER_LENGTH_BITS}-bit "
                         f"length register); supported: 1 to {most} samples")
    return requested


def contract(shell: str, packet: int = 1) -> dict:
    """The names and numbers of `shell`'s side of the contract, as project.json["driver"] records
    them (`packet`: the accelerator's samples per packet)."""
    if shell == "alveo":
        return {"bitfile": BITFILES[shell], "kernels": {MM2S_KERNEL: {"instance": MM2S_INSTANCE,
                                                                      "args": list(KERNEL_ARGS[MM2S_KERNEL])},
                                                        S2MM_KERNEL: {"instance": S2MM_INSTANCE,
                                                                      "args": list(KERNEL_ARGS[S2MM_KERNEL])}}}
    return {"bitfile": BITFILES[shell], "dma": ZYNQ_DMA, "max_transfer_bytes": MAX_TRANSFER_BYTES,
            "packet_samples": packet}


def describe(shell: str, in_tdata_bits: int, out_tdata_bits: int, packet: int = 1) -> str:
    """The contract of `shell` for an accelerator with these stream widths and `packet` samples
    per packet, in words."""
    if shell == "alveo":
        in_word, out_word = mem_word_bits(in_tdata_bits), mem_word_bits(out_tdata_bits)
        (src, count), (dst, _) = KERNEL_ARGS[MM2S_KERNEL], KERNEL_ARGS[S2MM_KERNEL]
        return (f"Alveo shell: two data-mover kernels and the accelerator, linked by Vitis (`v++ --link` with "
                f"`nk={MM2S_KERNEL}:1:{MM2S_INSTANCE}`, `nk={S2MM_KERNEL}:1:{S2MM_INSTANCE}` and the streams joined "
                f"by `stream_connect`). `{MM2S_KERNEL}({src}, {count})` reads `{count}` words of {in_word} bits from "
                f"the buffer `{src}` and sends the low {in_tdata_bits} bits of each as one beat to the accelerator's "
                f"s_axis; `{S2MM_KERNEL}({dst}, {count})` writes `{count}` beats of the accelerator's m_axis into the "
                f"buffer `{dst}`, each zero-extended to a word of {out_word} bits (a word is an HLS `ap_uint<W>` "
                f"with W the beat's bits rounded up to a power of two, little-endian). The driver starts "
                f"{S2MM_KERNEL} first, then {MM2S_KERNEL}, with a whole batch each; both buffers are in the memory "
                f"bank pynq.allocate uses by default.")
    return (f"Zynq shell: one AXI DMA in simple mode, the block design's cell `{ZYNQ_DMA}` (`overlay.{ZYNQ_DMA}`), "
            f"its buffer length register {BUFFER_LENGTH_BITS} bits wide (transfers up to {MAX_TRANSFER_BYTES} "
            f"bytes). MM2S feeds the accelerator's s_axis ({in_tdata_bits} bits) and its m_axis "
            f"({out_tdata_bits} bits) feeds S2MM, through AXI-Stream width converters that keep the bytes in "
            f"order. The driver sends a batch in one MM2S transfer: every beat of every sample back to back, "
            f"{in_tdata_bits // 8} bytes per beat, little-endian. The accelerator's m_axis_tlast, high on the last "
            f"beat of every {nth(packet)}sample (counted from reset), ends each S2MM transfer, so the driver "
            f"receives a packet of {packet} sample{'s' if packet > 1 else ''} per S2MM transfer, each at an "
            f"offset aligned to the DMA's memory width (no realignment engine needed), sends whole packets (a "
            f"batch is padded with zero samples) and waits for the MM2S transfer last.")


def nth(n: int) -> str:
    """The ordinal before "sample" in "every ... sample": "" for 1, else "2nd ", "3rd ", "15625th "."""
    if n == 1:
        return ""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix} "


def stream_bits_limit(board) -> int | None:
    """The widest accelerator port (tdata bits) the board's shell takes; None: no limit."""
    return ZYNQ_STREAM_MAX_BYTES * 8 if board is not None and board.shell == "zynq" else None
