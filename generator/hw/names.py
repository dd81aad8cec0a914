"""Names in the generated hardware: the network's top and one module per stage."""

from __future__ import annotations

import re

TOP = "axgen_top"


def module_name(index: int, name: str) -> str:
    """`axgen_L<index>_<name>`, the name cleaned to a Verilog / C identifier."""
    clean = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_")
    return f"axgen_L{index}_{clean}" if clean else f"axgen_L{index}"
