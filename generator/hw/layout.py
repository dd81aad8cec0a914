"""Memory layouts and hardware widths of a matrix layer, shared by both backends: the RTL
stores words of lanes, the HLS C++ arrays indexed by lane; both hold the same codes."""

from __future__ import annotations

import numpy as np

from generator.datatypes import to_codes

# `impl` below is a matrix stage (generator.hw.matrix.LayerImpl), not imported: the matrix module
# imports this one (no import circle in generator.hw).


def pad8(bits: int) -> int:
    """An AXI-Stream tdata width: `bits` rounded up to whole bytes."""
    return -(-bits // 8) * 8


def signed_bits(lo: int, hi: int) -> int:
    """Width of the narrowest two's-complement type holding [lo, hi] (at least 2 bits)."""
    n = max(int(hi).bit_length(), int(-min(lo, 0) - 1).bit_length()) + 1
    return max(2, n)


def hw_widths(impl) -> dict:
    """Accumulator and threshold widths as the hardware holds them (signed)."""
    lo, hi = int(impl.acc_dtype.min()), int(impl.acc_dtype.max())
    return {"acc_bits": signed_bits(lo, hi), "t_bits": signed_bits(lo, hi + 1)}


def weight_lanes(impl) -> np.ndarray:
    """What the weight memory holds per weight, (MH, MW): its code, or for a layer with split
    products and signed weights its sign and magnitude, {w < 0, |w|} in weight_lane_bits."""
    layer = impl.layer
    if impl.weight_lane_bits == layer.weight_dtype.bitwidth():
        return to_codes(layer.weights, layer.weight_dtype)
    w = np.asarray(layer.weights, dtype=np.int64)
    return (np.abs(w) | (w < 0).astype(np.int64) << layer.weight_dtype.bitwidth()).astype(np.uint64)


def weight_words(impl) -> np.ndarray:
    """(NF*SF, PE*SIMD) weight lanes (weight_lanes): word nf*SF+sf, lane p*SIMD+s = W[nf*PE+p][sf*SIMD+s]."""
    codes = weight_lanes(impl).reshape(impl.nf, impl.pe, impl.sf, impl.simd)
    return codes.transpose(0, 2, 1, 3).reshape(impl.nf * impl.sf, impl.pe * impl.simd)


def threshold_words(impl, t_bits: int) -> np.ndarray:
    """(NF, PE*N) threshold codes: word nf, lane p*N+i = T[nf*PE+p][i] in two's complement."""
    t = np.asarray(impl.thresholds, dtype=np.int64)
    codes = (t & ((1 << t_bits) - 1)).astype(np.uint64)
    return codes.reshape(impl.nf, impl.pe * t.shape[1])


def weight_array(impl) -> np.ndarray:
    """(PE, SIMD, NF*SF) codes: [p][s][nf*SF+sf] = code of W[nf*PE+p][sf*SIMD+s]."""
    return weight_words(impl).T.reshape(impl.pe, impl.simd, -1)


def threshold_array(impl) -> np.ndarray:
    """(PE, NF, N) thresholds: [p][nf][i] = T[nf*PE+p][i]; (PE, NF, 1) zeros without thresholds."""
    if impl.thresholds is None:
        return np.zeros((impl.pe, impl.nf, 1), dtype=np.int64)
    t = np.asarray(impl.thresholds, dtype=np.int64)
    return t.reshape(impl.nf, impl.pe, t.shape[1]).transpose(1, 0, 2)


def wrapped_table(table: np.ndarray, bits: int) -> np.ndarray:
    """A lut: table's products, flattened, wrapped to `bits` two's complement (products wrap to
    the accumulator width like every other product)."""
    table = np.asarray(table, dtype=np.int64).reshape(-1)
    half = 1 << (bits - 1)
    return ((table + half) & ((1 << bits) - 1)) - half
