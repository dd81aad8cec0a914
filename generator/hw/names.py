"""Names in the generated hardware: the network's top and one module per stage."""

from __future__ import annotations

import re

TOP = "axgen_top"
# Samples per packet (m_axis_tlast closes every this many samples): the RTL top's parameter and the
# HLS top's macro, both defaulting to the plan's packet_samples; simulations set them small.
PACKET_PARAMETER = "PACKET_SAMPLES"
PACKET_MACRO = "AXGEN_PACKET_SAMPLES"


def module_name(index: int, name: str) -> str:
    """`axgen_L<index>_<name>`, the name cleaned to a Verilog / C identifier."""
    clean = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_")
    return f"axgen_L{index}_{clean}" if clean else f"axgen_L{index}"
