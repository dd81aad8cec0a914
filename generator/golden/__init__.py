"""The golden model on the integer IR (numpy, vectorized over a batch), which defines what the
hardware must compute, and the host-side float head and tail around it."""

from generator.golden.host import head_values, tail_output
from generator.golden.layers import run_layer, run_layers

__all__ = ["head_values", "tail_output", "run_layer", "run_layers"]
