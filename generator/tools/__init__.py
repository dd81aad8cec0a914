"""Runners of external tools (Verilator, g++, Yosys, Vitis HLS) and the cache their builds share."""
