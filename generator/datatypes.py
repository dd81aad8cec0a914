"""Integer datatypes of stream elements and their bit-level encoding.

The datatypes are qonnx's own (`UINTn`, `INTn`, `BIPOLAR`). Arrays in the golden model hold
*values* (bipolar as -1/+1); on a stream or in a memory file an element is its *code*: the
n-bit pattern (two's complement for INTn, 0/1 for BIPOLAR). This module is the one place that
converts between the two (through generator.streams, the standalone packing the driver shares).
"""

from __future__ import annotations

import numpy as np
from qonnx.core.datatype import DataType

from generator import streams
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
    return streams.to_codes(values, dt.name)


def from_codes(codes: np.ndarray, dt) -> np.ndarray:
    """Unsigned bit patterns -> values (int64)."""
    return streams.from_codes(codes, dt.name)


def smallest_int_type(lo: int, hi: int):
    """The narrowest UINTn (if lo >= 0) or INTn holding every integer in [lo, hi]."""
    lo, hi = int(lo), int(hi)
    if lo >= 0:
        return DataType[f"UINT{max(1, int(hi).bit_length())}"]
    n = max(int(hi).bit_length(), int(-lo - 1).bit_length()) + 1
    return DataType[f"INT{max(2, n)}"]


def fit_dtype(values: np.ndarray, dt):
    """`dt` if it holds every value, else the narrowest integer type that does."""
    if dt == DataType["BIPOLAR"] or np.all(dt.allowed(values)):
        return dt
    return smallest_int_type(int(values.min()), int(values.max()))


def pack_beats(values: np.ndarray, dt, per_beat: int) -> list[int]:
    """Pack a 1-D vector of values into beats of `per_beat` elements; element i of a beat sits
    in bits [i*W, (i+1)*W). Returns Python ints (beats can be wider than 64 bits)."""
    data = streams.pack(np.asarray(values).reshape(1, -1), dt.name, per_beat)
    width = streams.beat_bytes(dt.name, per_beat)
    return [int.from_bytes(data[0, i:i + width].tobytes(), "little") for i in range(0, data.shape[1], width)]


def unpack_beats(beats: list[int], dt, per_beat: int) -> np.ndarray:
    """Inverse of pack_beats: beats -> 1-D vector of values."""
    width = streams.beat_bytes(dt.name, per_beat)
    data = b"".join((int(b) & ((1 << (8 * width)) - 1)).to_bytes(width, "little") for b in beats)
    return streams.unpack(np.frombuffer(data, dtype=np.uint8).reshape(1, -1), dt.name, per_beat)[0]
