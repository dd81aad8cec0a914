"""What the generated PYNQ driver and the board shell (Zynq block design, Vitis link config) agree
on: names, kernel arguments, the layout of the buffers and the DMA packets (`describe` says it in
words for a shell; the driver's README carries that text).
"""

from __future__ import annotations

ZYNQ_DMA = "dma"  # the AXI DMA's cell name: the attribute of the PYNQ overlay
BUFFER_LENGTH_BITS = 26  # the DMA's length register at its widest
MAX_TRANSFER_BYTES = (1 << BUFFER_LENGTH_BITS) - 1  # most bytes of one DMA transfer
ZYNQ_PACKET_SAMPLES = 1  # samples per S2MM packet: the accelerator's m_axis_tlast ends each sample

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


def contract(shell: str) -> dict:
    """The names and numbers of `shell`'s side of the contract, as project.json["driver"] records them."""
    if shell == "alveo":
        return {"bitfile": BITFILES[shell], "kernels": {MM2S_KERNEL: {"instance": MM2S_INSTANCE,
                                                                      "args": list(KERNEL_ARGS[MM2S_KERNEL])},
                                                        S2MM_KERNEL: {"instance": S2MM_INSTANCE,
                                                                      "args": list(KERNEL_ARGS[S2MM_KERNEL])}}}
    return {"bitfile": BITFILES[shell], "dma": ZYNQ_DMA, "max_transfer_bytes": MAX_TRANSFER_BYTES,
            "packet_samples": ZYNQ_PACKET_SAMPLES}


def describe(shell: str, in_tdata_bits: int, out_tdata_bits: int) -> str:
    """The contract of `shell` for an accelerator with these stream widths, in words."""
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
            f"beat of every sample, ends each S2MM packet, so the driver receives {ZYNQ_PACKET_SAMPLES} sample(s) "
            f"per S2MM transfer, each at an offset aligned to the DMA's memory width (no realignment engine "
            f"needed), and waits for the MM2S transfer last.")


def stream_bits_limit(board) -> int | None:
    """The widest accelerator port (tdata bits) the board's shell takes; None: no limit."""
    return ZYNQ_STREAM_MAX_BYTES * 8 if board is not None and board.shell == "zynq" else None
