"""axgen: quantized neural networks to bit-exact FPGA streaming accelerators."""

__version__ = "0.1.0"
