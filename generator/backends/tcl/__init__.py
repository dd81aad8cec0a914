"""Vendor files rendered from a built project: Vitis HLS scripts (vitis_hls), and Vivado / Vitis
scripts (vivado: IP packaging, out-of-context synthesis, the Zynq block design or the Alveo kernels)."""
