"""Vendor scripts rendered from the hardware plan's project: Vitis HLS (one run per layer IP and
one for the network)."""
