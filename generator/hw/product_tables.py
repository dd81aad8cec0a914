"""An approximate multiplier applied to constant weights (an unrolled layer with a multiplier
family, e.g. `impl: unrolled, multiplier: drum:k=3`): the family's product by a fixed weight w is a
function of the activation alone, f_w(x) = mul(x, w). Where f_w is the exact w * x it stays a
coefficient of the layer's adder graph (generator.hw.adder_graph); otherwise it is a table over
the activation's codes (a few LUTs per product bit), and the graph adds the tables' outputs with
coefficient +1, or -1 where a column's table for -w is the negation of the one for w (one table
serves both). Every output is then sum_j mul(x_j, W[i, j]) exactly, as the golden model computes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generator.datatypes import from_codes
from generator.errors import AxgenError

TABLE_MAX_BITS = 8  # activations of at most this many bits (a table of 256 entries per product)


@dataclass(frozen=True)
class ProductTable:
    column: int  # the activation it reads
    values: tuple[int, ...]  # its value for every activation code 0 .. 2^bits - 1 (0 for a code outside the type)

    @property
    def lo(self) -> int:
        return min(self.values)

    @property
    def hi(self) -> int:
        return max(self.values)


def code_values(dt) -> tuple[np.ndarray, np.ndarray]:
    """Every code of `dt`'s width and, per code, whether its value lies in the type and the value."""
    codes = np.arange(1 << dt.bitwidth(), dtype=np.uint64)
    values = from_codes(codes, dt)
    return values, (values >= int(dt.min())) & (values <= int(dt.max()))


def product_matrix(weights: np.ndarray, mul, x_dt, w_dt, where: str) -> tuple[np.ndarray, tuple[ProductTable, ...]]:
    """(M, K + T) integer matrix over the K activations and T product tables, and the tables, such
    that matrix @ [x; tables(x)] = sum_k mul(x_k, W[m, k]) for every activation vector x."""
    if x_dt.bitwidth() > TABLE_MAX_BITS:
        raise AxgenError(f"{where}: an unrolled layer computes {mul.spec}'s products by constant weights as "
                         f"tables over the activation, for inputs of at most {TABLE_MAX_BITS} bits; this one is "
                         f"{x_dt.name}; use exact or csd:k=K[,drop=D] constants, or impl: folded")
    weights = np.asarray(weights, dtype=np.int64)
    m, k = weights.shape
    values, valid = code_values(x_dt)
    inside = values[valid]
    coefficients = np.zeros((m, k), dtype=np.int64)
    tables: list[ProductTable] = []
    selects: list[np.ndarray] = []  # per table, its coefficient (+1, -1, 0) in every output
    for col in range(k):
        mine: list[int] = []  # this column's tables
        for w in np.unique(weights[:, col]).tolist():
            rows = weights[:, col] == w
            products = np.asarray(mul(inside, np.full(inside.shape, w), x_dt, w_dt), dtype=np.int64)
            if np.array_equal(products, w * inside):
                coefficients[rows, col] = w
                continue
            if not products.any():
                continue  # a product of zero whatever the activation
            full = np.zeros(len(values), dtype=np.int64)
            full[valid] = products
            sign, found = 1, None
            for t in mine:
                if tables[t].values == tuple(full.tolist()):
                    found = t
                elif tables[t].values == tuple((-full).tolist()):
                    found, sign = t, -1
                if found is not None:
                    break
            if found is None:
                found = len(tables)
                tables.append(ProductTable(col, tuple(full.tolist())))
                selects.append(np.zeros(m, dtype=np.int64))
                mine.append(found)
            selects[found][rows] = sign
    matrix = np.concatenate([coefficients, np.stack(selects, axis=1) if selects else np.zeros((m, 0), np.int64)],
                            axis=1)
    return matrix, tuple(tables)
