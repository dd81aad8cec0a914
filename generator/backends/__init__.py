"""Backends: each renders the hardware plan (rtl: Verilog; hls: HLS C++; tcl: vendor scripts)."""
