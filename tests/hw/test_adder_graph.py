"""Constant matrices as adder graphs (generator.hw.adder_graph, solved by da4ml): the graph's own
coefficients are the matrix exactly (a proof over every input, not a sample), its evaluation
equals the matrix product, its node ranges hold every value, and the solution is deterministic."""

import numpy as np
import pytest

from generator.datatypes import DataType
from generator.hw.adder_graph import solve_matrix


def _digits(n: int) -> int:
    """Nonzero digits of n in canonical signed-digit (non-adjacent) form."""
    count, n = 0, abs(n)
    while n:
        if n & 1:
            count += 1
            n -= 2 - (n & 3)  # the digit +1 or -1 that leaves a multiple of 4
        n >>= 1
    return count


def _matrix(rng, m, k, lo, hi):
    w = rng.integers(lo, hi, size=(m, k))
    w[0] = 0  # an output of constant 0
    w[:, 1] = 0  # an input nobody uses
    w[min(2, m - 1)] = 16  # a power of two: shifted inputs, summed
    return w


@pytest.mark.parametrize("m, k, dtype, lo, hi", [(24, 16, "INT16", -32, 32), (16, 40, "UINT6", -32, 32),
                                                 (5, 32, "UINT3", -2, 2), (6, 6, "INT4", 0, 2)])
def test_the_graph_computes_the_matrix(m, k, dtype, lo, hi):
    rng = np.random.default_rng(m * k)
    w = _matrix(rng, m, k, lo, hi)
    dt = DataType[dtype]
    graph = solve_matrix(w, dt)
    assert np.array_equal(graph.matrix(), w)
    x = rng.integers(int(dt.min()), int(dt.max()) + 1, size=(300, k))
    x[0], x[1] = int(dt.min()), int(dt.max())
    assert np.array_equal(graph.evaluate(x), x @ w.T)
    # shared subexpressions: fewer adders than each row's signed digits summed on its own
    assert graph.adders < sum(max(0, sum(_digits(int(v)) for v in row) - 1) for row in w)
    ranges = graph.ranges(dt)  # every node's value lies in its range, the extremes included
    values = [x[:, i] for i in range(k)]
    for a, sa, na, b, sb, nb in graph.ops.tolist():
        values.append((-1) ** na * (values[a] << sa) + (-1) ** nb * (values[b] << sb))
    for node, v in enumerate(values):
        assert ranges[node, 0] <= v.min() and v.max() <= ranges[node, 1]


def test_the_solution_is_deterministic():
    w = _matrix(np.random.default_rng(3), 12, 20, -16, 16)
    first, second = solve_matrix(w, DataType["INT8"]), solve_matrix(w.copy(), DataType["INT8"])
    assert np.array_equal(first.ops, second.ops) and np.array_equal(first.outputs, second.outputs)


def test_the_depth_slack_trades_adders_for_levels():
    """At most `depth_slack` levels beyond the shallowest graph: 0 is the shallowest, None as deep as
    sharing makes it; every one computes the matrix, deeper ones with no more adders."""
    w = _matrix(np.random.default_rng(5), 64, 16, -32, 32)
    graphs = {slack: solve_matrix(w, DataType["UINT6"], slack) for slack in (0, 2, None)}
    depth = {slack: int(g.levels.max()) for slack, g in graphs.items()}
    assert all(np.array_equal(g.matrix(), w) for g in graphs.values())
    assert depth[0] <= depth[2] <= depth[0] + 2 and depth[2] <= depth[None]
    assert graphs[None].adders <= graphs[2].adders <= graphs[0].adders
