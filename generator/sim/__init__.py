"""Simulation: RTL on Verilator (cocotb), HLS C simulation with g++, and the exhaustive checks of
multipliers (axgen's own and users' modules) against their Python definitions."""
