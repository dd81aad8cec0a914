"""A constant matrix-vector product y = W x as a graph of shifted additions (an unrolled layer's
products: a zero weight costs nothing, a power of two is a wire, shared subexpressions are built
once). da4ml's CMVM solver finds the graph; this module turns its solution into axgen's own
integer form, proves it (the coefficients every output computes are W, exactly) and gives each
node its value range, width and adder depth, for the golden model, the backends and the models.

Node k < n_inputs is input k. Node n_inputs + i is

    (-1)^neg_a * (node a << shift_a) + (-1)^neg_b * (node b << shift_b)

and output j is (-1)^neg * (node << shift) (shift may be negative: an exact right shift), or 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from generator.datatypes import DataType
from generator.errors import AxgenError

ZERO = -1  # an output's node when the output is the constant 0
# Adder levels a graph may take beyond the shallowest (da4ml's delay constraint `hard_dc`, 2 as its
# model converter's default): on the jet tagger's and the digits MLP's layers 1-2% more adders
# than unconstrained, 2 to 5 levels fewer (fc0 of the jet's shape trained on digits: 12 -> 7).
DEPTH_SLACK = 2
# da4ml's first-stage method: "mc" (most common pair first) where da4ml defaults to "wmc" (weighted by
# width): 0.9-1.6% fewer adder bits on every layer of the jet tagger, at the same depth
METHOD = "mc"
Intervals = list[tuple[int, int]]  # per input, its lowest and highest value


def intervals(inputs: DataType | Intervals, n: int) -> Intervals:
    """Per input, [lo, hi]: every input of one type, or the intervals given."""
    if hasattr(inputs, "bitwidth"):  # a DataType (qonnx's types are instances of their own classes)
        return [(int(inputs.min()), int(inputs.max()))] * n
    return [(int(lo), int(hi)) for lo, hi in inputs]


@dataclass(frozen=True, eq=False)
class AdderGraph:
    n_inputs: int
    ops: np.ndarray  # int64 (N, 6): a, shift_a, neg_a, b, shift_b, neg_b
    outputs: np.ndarray  # int64 (M, 3): node (ZERO: constant 0), shift, neg

    @property
    def adders(self) -> int:
        return len(self.ops)

    @cached_property
    def coefficients(self) -> list[np.ndarray]:
        """Per node, its value as integer coefficients over the inputs (Python ints: exact)."""
        rows = [np.array([int(i == k) for i in range(self.n_inputs)], dtype=object) for k in range(self.n_inputs)]
        for a, sa, na, b, sb, nb in self.ops.tolist():
            rows.append((-1) ** na * rows[a] * (1 << sa) + (-1) ** nb * rows[b] * (1 << sb))
        return rows

    def matrix(self) -> np.ndarray:
        """(M, n_inputs) the integer matrix the graph computes (right shifts must be exact)."""
        out = []
        for node, shift, neg in self.outputs.tolist():
            if node == ZERO:
                out.append(np.zeros(self.n_inputs, dtype=object))
                continue
            row = self.coefficients[node] * (-1) ** neg
            if shift >= 0:
                out.append(row * (1 << shift))
            elif any(int(c) % (1 << -shift) for c in row):
                raise AxgenError(f"adder graph: output {len(out)} drops bits in its right shift by {-shift}")
            else:
                out.append(np.array([int(c) >> -shift for c in row], dtype=object))
        return np.array(out, dtype=object).astype(np.int64).reshape(len(self.outputs), self.n_inputs)

    @cached_property
    def levels(self) -> np.ndarray:
        """Adder depth of every node (inputs 0)."""
        depth = [0] * self.n_inputs
        for a, _, _, b, _, _ in self.ops.tolist():
            depth.append(max(depth[a], depth[b]) + 1)
        return np.array(depth, dtype=np.int64)

    def ranges(self, inputs: DataType | Intervals) -> np.ndarray:
        """(nodes, 2) the lowest and highest value of every node for inputs of a type, or each in
        its own interval [lo, hi]."""
        bounds = intervals(inputs, self.n_inputs)
        out = []
        for row in self.coefficients:
            low = sum(min(int(c) * lo, int(c) * hi) for c, (lo, hi) in zip(row, bounds))
            high = sum(max(int(c) * lo, int(c) * hi) for c, (lo, hi) in zip(row, bounds))
            out.append((low, high))
        return np.array(out, dtype=np.int64)

    def evaluate(self, x: np.ndarray) -> np.ndarray:
        """(N, n_inputs) integers -> (N, M) outputs, node by node as the hardware adds."""
        x = np.asarray(x, dtype=np.int64)
        values = [x[:, k] for k in range(self.n_inputs)]
        for a, sa, na, b, sb, nb in self.ops.tolist():
            values.append((-1) ** na * (values[a] << sa) + (-1) ** nb * (values[b] << sb))
        zero = np.zeros(len(x), dtype=np.int64)
        cols = [zero if node == ZERO else (-1) ** neg * (values[node] << shift if shift >= 0 else values[node] >> -shift)
                for node, shift, neg in self.outputs.tolist()]
        return np.stack(cols, axis=1) if cols else np.zeros((len(x), 0), dtype=np.int64)


class _Builder:
    """da4ml's solution (buffers of fixed-point values with a power-of-two step each) as axgen's
    integer nodes: a buffer is a term (node, shift, neg) scaled by 2^exponent."""

    def __init__(self, n_inputs: int):
        self.n_inputs = n_inputs
        self.ops: list[tuple[int, int, int, int, int, int]] = []
        self.memo: dict[tuple, int] = {}

    def add(self, t0: tuple, t1: tuple) -> int:
        key = (*t0, *t1)
        if key not in self.memo:
            self.ops.append(key)
            self.memo[key] = self.n_inputs + len(self.ops) - 1
        return self.memo[key]

    def stage(self, comb, inputs: list) -> list:
        """One CombLogic on input terms [(node, shift, neg, exponent) or None] -> its output terms."""
        bufs: list = []
        for op in comb.ops:
            q = op.qint
            if (q.min == 0 and q.max == 0) or not np.isfinite(q.step):
                bufs.append(None)
                continue
            e = int(np.log2(q.step))
            if op.opcode == -1:
                term = inputs[op.id0]
                bufs.append(None if term is None else _rescale(term, term[3] + int(comb.inp_shifts[op.id0]), e))
            elif op.opcode in (0, 1):
                t0, t1 = bufs[op.id0], bufs[op.id1]
                t1 = None if t1 is None else (t1[0], t1[1], t1[2] ^ int(op.opcode == 1), t1[3] + int(op.data))
                bufs.append(self._sum(t0, t1, e))
            else:
                raise AxgenError(f"da4ml's solution has an operation of code {op.opcode}; axgen's adder graphs take "
                                 "only inputs, additions and subtractions")
        out = []
        for idx, shift, neg in zip(comb.out_idxs, comb.out_shifts, comb.out_negs):
            term = None if idx < 0 else bufs[idx]
            out.append(None if term is None else (term[0], term[1], term[2] ^ int(bool(neg)), term[3] + int(shift)))
        return out

    def _sum(self, t0, t1, e: int):
        if t0 is None or t1 is None:
            term = t0 if t1 is None else t1
            return None if term is None else _rescale(term, term[3], e)
        a, b = _rescale(t0, t0[3], e), _rescale(t1, t1[3], e)
        return (self.add(a[:3], b[:3]), 0, 0, e)


def _rescale(term, exponent: int, e: int) -> tuple:
    """The term (node, shift, neg, _) at `exponent` as one of exponent e: node << (shift + exponent - e)."""
    shift = term[1] + exponent - e
    if shift < 0:
        raise AxgenError("da4ml's solution narrows a value's step; axgen's adder graphs only shift left inside")
    return (term[0], shift, term[2], e)


def solve_matrix(weights: np.ndarray, inputs: DataType | Intervals, depth_slack: int | None = DEPTH_SLACK) -> AdderGraph:
    """The adder graph of y = weights @ x for x of one type or each in its interval (weights (M, K)
    integers), at most `depth_slack` adder levels deeper than the shallowest (da4ml's delay
    constraint; None: as deep as sharing makes it), proven: its matrix is `weights` exactly. Solved
    once per matrix, intervals and slack in a process (the design-space exploration plans each
    layer's candidates many times)."""
    weights = np.asarray(weights, dtype=np.int64)
    hard_dc = -1 if depth_slack is None else int(depth_slack)
    return _solved(weights.tobytes(), weights.shape, tuple(intervals(inputs, weights.shape[1])), hard_dc)


@lru_cache(maxsize=512)
def _solved(data: bytes, shape: tuple[int, int], bounds: tuple[tuple[int, int], ...], hard_dc: int) -> AdderGraph:
    from da4ml.cmvm import solve
    weights = np.frombuffer(data, dtype=np.int64).reshape(shape)
    m, k = shape
    kernel = np.ascontiguousarray(weights.T, dtype=np.float32)  # the binding reads the buffer as C order
    pipeline = solve(kernel, method0=METHOD, hard_dc=hard_dc, qintervals=[(float(lo), float(hi), 1.0) for lo, hi in bounds])
    builder = _Builder(k)
    terms = [(i, 0, 0, 0) for i in range(k)]
    for comb in pipeline.solutions:
        terms = builder.stage(comb, terms)
    outputs = np.array([(ZERO, 0, 0) if t is None else (t[0], t[1] + t[3], t[2]) for t in terms],
                       dtype=np.int64).reshape(m, 3)
    graph = AdderGraph(k, np.array(builder.ops, dtype=np.int64).reshape(-1, 6), outputs)
    if not np.array_equal(graph.matrix(), weights):
        raise AxgenError("da4ml's adder graph does not compute the layer's weights; this is a bug in axgen's reading "
                         "of its solution")
    return graph
