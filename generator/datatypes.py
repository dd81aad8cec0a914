"""Integer datatypes of stream elements and their bit-level encoding.

The datatypes are qonnx's own (`UINTn`, `INTn`, `BIPOLAR`). Arrays in the golden model hold
*values* (bipolar as -1/+1); on a stream or in a memory file an element is its *code*: the
n-bit pattern (two's complement for INTn, 0/1 for BIPOLAR). This module is the one place that
converts between the two.
"""

from __future__ import annotations

import numpy as np
from qonnx.core.datatype import DataType

from generator.errors import AxgenError

__all__ = ["DataType", "dtype", "to_codes", "from_codes", "smallest_int_type", "pack_beats", "unpack_beats",
           "all_values"]


def dtype(name: str):
    """The qonnx DataType called `name`, restricted to the integer kinds axgen streams."""
    try:
        dt = DataType[name]
    except KeyError:
        raise AxgenError(f"unknown datatype {name!r}: supported are UINT1..UINT32, INT2..INT32, BIPOLAR") from None
    if not dt.is_integer() or dt.name == "TERNARY":
        raise AxgenError(f"datatype {name} is not supported: supported are UINTn, INTn and BIPOLAR")
    return dt


def all_values(dt) -> np.ndarray:
    """Every value of `dt`, ascending (bipolar: -1, +1)."""
    if dt == DataType["BIPOLAR"]:
        return np.array([-1, 1], dtype=np.int64)
    return np.arange(int(dt.min()), int(dt.max()) + 1, dtype=np.int64)


def to_codes(values: np.ndarray, dt) -> np.ndarray:
    """Values -> unsigned bit patterns (uint64) of `dt`'s width."""
    v = np.asarray(values, dtype=np.int64)
    if dt == DataType["BIPOLAR"]:
        return ((v + 1) // 2).astype(np.uint64)
    mask = (1 << dt.bitwidth()) - 1
    return (v & mask).astype(np.uint64)


def from_codes(codes: np.ndarray, dt) -> np.ndarray:
    """Unsigned bit patterns -> values (int64)."""
    c = np.asarray(codes).astype(np.int64)
    if dt == DataType["BIPOLAR"]:
        return 2 * c - 1
    n = dt.bitwidth()
    c = c & ((1 << n) - 1)
    if dt.signed():
        c = np.where(c >= (1 << (n - 1)), c - (1 << n), c)
    return c


def smallest_int_type(lo: int, hi: int):
    """The narrowest UINTn (if lo >= 0) or INTn holding every integer in [lo, hi]."""
    lo, hi = int(lo), int(hi)
    if lo >= 0:
        return DataType[f"UINT{max(1, int(hi).bit_length())}"]
    n = max(int(hi).bit_length(), int(-lo - 1).bit_length()) + 1
    return DataType[f"INT{max(2, n)}"]


def pack_beats(values: np.ndarray, dt, per_beat: int) -> list[int]:
    """Pack a 1-D vector of values into beats of `per_beat` elements; element i of a beat sits
    in bits [i*W, (i+1)*W). Returns Python ints (beats can be wider than 64 bits)."""
    codes = to_codes(np.asarray(values).reshape(-1), dt)
    w = dt.bitwidth()
    if codes.size % per_beat:
        raise ValueError(f"{codes.size} elements do not fill beats of {per_beat}")
    beats = []
    for start in range(0, codes.size, per_beat):
        word = 0
        for i, c in enumerate(codes[start:start + per_beat]):
            word |= int(c) << (i * w)
        beats.append(word)
    return beats


def unpack_beats(beats: list[int], dt, per_beat: int) -> np.ndarray:
    """Inverse of pack_beats: beats -> 1-D vector of values."""
    w = dt.bitwidth()
    mask = (1 << w) - 1
    codes = [(int(b) >> (i * w)) & mask for b in beats for i in range(per_beat)]
    return from_codes(np.array(codes, dtype=np.uint64), dt)
