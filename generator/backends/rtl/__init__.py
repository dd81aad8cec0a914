"""The Verilog backend: renders the hardware plan (layers, stitched top, memory files, users'
multiplier modules) and lints Verilog."""

from generator.backends.rtl.render import render_rtl

__all__ = ["render_rtl"]
