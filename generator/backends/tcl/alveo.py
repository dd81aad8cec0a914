"""The Alveo kernel flow as data: the accelerator as a free-running kernel between two HLS data movers, and the v++ link."""

from __future__ import annotations

from generator.hw import shell

KERNELS_DIR = "kernels"
BUILD_DIR = "build/alveo"
XCLBIN = f"{BUILD_DIR}/{shell.BITFILES['alveo']}"
ACCEL = "axgen"  # the accelerator kernel's compute unit
# The data movers' memory bank, by a piece of the platform's name; on another platform v++ picks
# its default bank. Both movers use the one bank, the one PYNQ then allocates buffers in.
PLATFORM_BANKS = (("_u50_", "HBM[0]"), ("_u55c_", "HBM[0]"), ("_u280_", "HBM[0]"), ("_u200_", "DDR[0]"),
                  ("_u250_", "DDR[0]"))


def memory_bank(platform: str) -> str | None:
    for piece, bank in PLATFORM_BANKS:
        if piece in platform:
            return bank
    return None


def data_movers(ports: dict) -> list[dict]:
    """The two HLS kernels of the shell contract (generator.hw.shell): MM2S_KERNEL(in, beats)
    sends `beats` words of `in` to the accelerator's s_axis, S2MM_KERNEL(out, beats) writes
    `beats` beats of its m_axis to `out`; a word holds one beat in its low bits."""
    movers = []
    for kernel, instance, template, stream, direction, bits, beats, peer in (
            (shell.MM2S_KERNEL, shell.MM2S_INSTANCE, "alveo_mm2s.cpp.j2", "m_axis", "memory -> AXI-Stream",
             ports["in_bits"], ports["in_beats"], f"{ACCEL}.s_axis"),
            (shell.S2MM_KERNEL, shell.S2MM_INSTANCE, "alveo_s2mm.cpp.j2", "s_axis", "AXI-Stream -> memory",
             ports["out_bits"], ports["out_beats"], f"{ACCEL}.m_axis")):
        buffer, count = shell.KERNEL_ARGS[kernel]
        word = shell.mem_word_bits(bits)
        movers.append({"kernel": kernel, "instance": instance, "buffer": buffer, "count": count, "stream": stream,
                       "template": template, "file": f"{KERNELS_DIR}/{kernel}.cpp",
                       "xo": f"{BUILD_DIR}/{kernel}.xo", "direction": direction, "beat_bits": bits,
                       "beats_per_sample": beats, "word_bits": word, "word_bytes": word // 8, "peer": peer})
    return movers


def link_config(board: dict, top: str, movers: list[dict]) -> dict:
    """v++ --link connectivity: one compute unit of each kernel, the streams, the memory bank."""
    mm2s, s2mm = movers
    bank = memory_bank(board["platform"])
    ends = (f"{mm2s['instance']}.{mm2s['stream']}", f"{s2mm['instance']}.{s2mm['stream']}")
    return {"flow": f"{mm2s['instance']}.{mm2s['buffer']} -> {ends[0]} -> {ACCEL}.s_axis ... {ACCEL}.m_axis -> "
                    f"{ends[1]} -> {s2mm['instance']}.{s2mm['buffer']}",
            "nk": [f"{m['kernel']}:1:{m['instance']}" for m in movers] + [f"{top}:1:{ACCEL}"],
            "stream_connect": [f"{ends[0]}:{ACCEL}.s_axis", f"{ACCEL}.m_axis:{ends[1]}"],
            "sp": [f"{m['instance']}.{m['buffer']}:{bank}" for m in movers] if bank else [], "bank": bank}
