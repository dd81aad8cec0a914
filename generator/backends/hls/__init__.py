"""The HLS C++ backend: renders the hardware plan as one Vitis HLS IP per stage, a DATAFLOW top
and a C simulation test bench."""

from generator.backends.hls.render import render_hls

__all__ = ["render_hls"]
