"""Integer element values <-> the bytes of AXI-Stream beats, vectorised with numpy (standalone).

This file imports numpy only: `axgen build` copies it into a project's driver/ folder, so the
PYNQ driver on the board, the golden side and the RTL simulation pack streams with one code.

A datatype is named as qonnx names it: `UINTn`, `INTn` (two's complement), `BIPOLAR` ({-1, +1},
code 0/1) or `BINARY` (= UINT1). A value's *code* is its n-bit pattern. A beat carries
`per_beat` elements, element i in bits [i*W, (i+1)*W); the beat's tdata is padded with zero bits
to `tdata_bits` (default: per_beat*W rounded up to whole bytes) and moves as tdata_bits/8 bytes,
least significant byte first, as a DMA moves it. A sample of E elements is E/per_beat beats back
to back; `pack` turns (N, E) values into (N, E/per_beat * tdata_bits/8) bytes, `unpack` back.
"""

from __future__ import annotations

import re

import numpy as np

_NAME = re.compile(r"^(U?INT)([1-9][0-9]?)$")


def parse_dtype(name: str) -> tuple[str, int]:
    """("UINT" | "INT" | "BIPOLAR", bits) of a datatype name."""
    if name == "BIPOLAR":
        return "BIPOLAR", 1
    if name == "BINARY":
        return "UINT", 1
    match = _NAME.match(str(name))
    if not match or int(match.group(2)) > 64 or (match.group(1) == "INT" and int(match.group(2)) < 2):
        raise ValueError(f"unknown stream datatype {name!r}: supported are UINT1..UINT64, INT2..INT64, BIPOLAR, BINARY")
    return match.group(1), int(match.group(2))


def value_range(name: str) -> tuple[int, int]:
    """Smallest and largest value of the datatype."""
    kind, bits = parse_dtype(name)
    if kind == "BIPOLAR":
        return -1, 1
    if kind == "INT":
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def to_codes(values, name: str) -> np.ndarray:
    """Values -> codes (uint64), wrapping what does not fit (bipolar: (v + 1) // 2)."""
    kind, bits = parse_dtype(name)
    v = np.asarray(values, dtype=np.int64)
    if kind == "BIPOLAR":
        return ((v + 1) // 2).astype(np.uint64)
    return v.view(np.uint64) & np.uint64((1 << bits) - 1)


def from_codes(codes, name: str) -> np.ndarray:
    """Codes -> values (int64); bits above the datatype's width are ignored."""
    kind, bits = parse_dtype(name)
    c = np.asarray(codes).astype(np.uint64) & np.uint64((1 << bits) - 1)
    if kind == "BIPOLAR":
        return 2 * c.astype(np.int64) - 1
    if kind == "INT":  # sign extension: move the sign bit to bit 63, shift back arithmetically
        return (c << np.uint64(64 - bits)).view(np.int64) >> np.int64(64 - bits)
    return c.view(np.int64)


def beat_bytes(name: str, per_beat: int, tdata_bits: int | None = None) -> int:
    """Bytes of one beat: tdata_bits / 8, by default per_beat*W rounded up to whole bytes."""
    data_bits = per_beat * parse_dtype(name)[1]
    if tdata_bits is None:
        return -(-data_bits // 8)
    if tdata_bits % 8 or tdata_bits < data_bits:
        raise ValueError(f"tdata of {tdata_bits} bits cannot carry {per_beat} x {name} ({data_bits} bits) "
                         "in whole bytes")
    return tdata_bits // 8


def _beats_per_sample(elems: int, per_beat: int) -> int:
    if per_beat < 1 or elems % per_beat:
        raise ValueError(f"{elems} elements per sample do not fill beats of {per_beat}")
    return elems // per_beat


def _container_bytes(bits: int) -> int:
    """Bytes of the smallest numpy unsigned integer holding `bits`."""
    return 1 if bits <= 8 else 2 if bits <= 16 else 4 if bits <= 32 else 8


def _check_range(v: np.ndarray, name: str) -> None:
    lo, hi = value_range(name)
    if v.size and (v.min() < lo or v.max() > hi or (name == "BIPOLAR" and not v.all())):
        bad = (v < lo) | (v > hi) | ((v == 0) if name == "BIPOLAR" else False)
        raise ValueError(f"value {int(v[bad][0])} is outside {name} (range {lo}..{hi}"
                         f"{', 0 excluded' if name == 'BIPOLAR' else ''})")


def pack(values, name: str, per_beat: int, tdata_bits: int | None = None) -> np.ndarray:
    """(N, E) integer values of datatype `name` -> (N, E/per_beat * beat bytes) uint8: every
    sample's beats back to back, each little-endian. Values outside the datatype are refused."""
    v = np.asarray(values)
    if v.ndim != 2 or not (np.issubdtype(v.dtype, np.integer) or v.size == 0):
        raise ValueError(f"pack takes a 2-D integer array (samples, elements), not {v.dtype} of shape {v.shape}")
    n, elems = v.shape
    beats = _beats_per_sample(elems, per_beat)
    nbytes = beat_bytes(name, per_beat, tdata_bits)
    _, bits = parse_dtype(name)
    _check_range(v, name)
    size = _container_bytes(bits)
    # each code's little-endian bytes, one row per element
    raw = to_codes(v, name).astype(f"<u{size}").view(np.uint8).reshape(n * elems, size)
    if bits == 8 * size:  # whole bytes: a beat's data is its elements' bytes in order
        data = raw.reshape(n * beats, per_beat * size)
    else:  # the low `bits` bits of every element back to back, zero bits up to the next byte
        planes = np.unpackbits(raw, axis=1, bitorder="little")[:, :bits]
        data = np.packbits(planes.reshape(n * beats, per_beat * bits), axis=1, bitorder="little")
    out = np.zeros((n * beats, nbytes), dtype=np.uint8)
    out[:, :data.shape[1]] = data
    return out.reshape(n, beats * nbytes)


def unpack(data, name: str, per_beat: int, tdata_bits: int | None = None) -> np.ndarray:
    """(N, beats * beat bytes) uint8, as `pack` lays them out -> (N, beats * per_beat) values.
    Padding bits are ignored."""
    d = np.asarray(data, dtype=np.uint8)
    nbytes = beat_bytes(name, per_beat, tdata_bits)
    if d.ndim != 2 or d.shape[1] % nbytes:
        raise ValueError(f"unpack takes (samples, bytes) with whole beats of {nbytes} bytes, not shape {d.shape}")
    n, beats = d.shape[0], d.shape[1] // nbytes
    _, bits = parse_dtype(name)
    size = _container_bytes(bits)
    rows = d.reshape(n * beats, nbytes)
    if bits == 8 * size:
        raw = np.ascontiguousarray(rows[:, :per_beat * size]).reshape(-1)
    else:  # every element's bits, zero bits up to its container, packed back into bytes
        planes = np.unpackbits(rows, axis=1, bitorder="little")[:, :per_beat * bits]
        wide = np.zeros((n * beats * per_beat, 8 * size), dtype=np.uint8)
        wide[:, :bits] = planes.reshape(-1, bits)
        raw = np.packbits(wide.reshape(-1), bitorder="little")
    codes = raw.view(f"<u{size}").astype(np.uint64)
    return from_codes(codes, name).reshape(n, beats * per_beat)


def channels_first(values, channels: int, dims) -> np.ndarray:
    """Values of a channels-last stream, (N, pixels * channels), as the model holds the tensor:
    per sample of shape `dims`, (C,) for a vector or (C, H, W) / (C, 1, 1) for an image."""
    values = np.asarray(values)
    n = len(values)
    return values.reshape(n, -1, channels).transpose(0, 2, 1).reshape((n, *tuple(dims)))
