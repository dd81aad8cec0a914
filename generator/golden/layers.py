"""One golden function per layer kind, found through `GOLDEN`, and the network on a batch."""

from __future__ import annotations

import numpy as np

from generator.golden.avgpool import run_avgpool
from generator.golden.branch import run_add, run_duplicate
from generator.golden.conv import run_conv, run_dwconv, run_maxpool
from generator.golden.matrix import run_matrix
from generator.ir import chain_sources
from generator.multipliers import EXACT, Multiplier

# layer kind -> golden function (values (N, in elements), layer, multiplier) -> values; a kind
# with two inputs (the add) takes a tuple of both
GOLDEN = {"fc": run_matrix, "conv": run_conv, "dwconv": run_dwconv, "maxpool": run_maxpool, "avgpool": run_avgpool,
          "duplicate": run_duplicate, "add": run_add}


def run_layer(x, layer, mul: Multiplier = EXACT) -> np.ndarray:
    """One layer on flattened channels-last values (N, elements) -> (N, elements); `x` is a
    tuple of arrays for a layer with several inputs."""
    flat = [np.asarray(v, dtype=np.int64).reshape(len(v), -1) for v in (x if isinstance(x, tuple) else (x,))]
    out = GOLDEN[layer.kind](tuple(flat) if isinstance(x, tuple) else flat[0], layer, mul or EXACT)
    return out.reshape(len(out), -1)


def run_layers(x: np.ndarray, layers, muls: list[Multiplier | None] | None = None, sources: tuple = ()) -> np.ndarray:
    """Input values (N, input elements of the first layer) -> output values of the last layer;
    `muls` gives each layer's multiplier (None or missing: exact; pooling has no products);
    `sources` the layers feeding each layer (Network.sources; empty for a chain). A layer's
    output is dropped once its last consumer has run."""
    muls = list(muls or [EXACT] * len(layers))
    sources = chain_sources(len(layers), sources)
    last_use = {src: i for i, srcs in enumerate(sources) for src in srcs}
    values = {-1: x}
    for i, (layer, mul, srcs) in enumerate(zip(layers, muls, sources)):
        ins = tuple(values[s] for s in srcs)
        values[i] = run_layer(ins if len(ins) > 1 else ins[0], layer, mul)
        for s in set(srcs):
            if last_use[s] == i:
                del values[s]
    return values[len(layers) - 1]
