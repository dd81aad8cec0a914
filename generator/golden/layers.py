"""One golden function per layer kind, found through `GOLDEN`, and the network on a batch."""

from __future__ import annotations

import numpy as np

from generator.golden.avgpool import run_avgpool
from generator.golden.conv import run_conv, run_maxpool
from generator.golden.matrix import run_matrix
from generator.multipliers import EXACT, Multiplier

# layer kind -> golden function (values (N, in elements), layer, multiplier) -> values
GOLDEN = {"fc": run_matrix, "conv": run_conv, "maxpool": run_maxpool, "avgpool": run_avgpool}


def run_layer(x: np.ndarray, layer, mul: Multiplier = EXACT) -> np.ndarray:
    """One layer on flattened channels-last values (N, elements) -> (N, elements)."""
    x = np.asarray(x, dtype=np.int64)
    return GOLDEN[layer.kind](x.reshape(len(x), -1), layer, mul or EXACT).reshape(len(x), -1)


def run_layers(x: np.ndarray, layers, muls: list[Multiplier | None] | None = None) -> np.ndarray:
    """Input values (N, input elements of the first layer) -> output values of the last layer;
    `muls` gives each layer's multiplier (None or missing: exact; pooling has no products)."""
    muls = list(muls or [EXACT] * len(layers))
    for layer, mul in zip(layers, muls):
        x = run_layer(x, layer, mul)
    return x
