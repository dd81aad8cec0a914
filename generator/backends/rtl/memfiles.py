"""$readmemh text of the RTL's memories: weight and threshold words, lut: tables."""

from __future__ import annotations

import numpy as np


def mem_lines(codes: np.ndarray, bits: int) -> list[str]:
    """$readmemh lines for words of lanes: codes (words, lanes) of `bits` each, lane l in bits
    [l*bits, (l+1)*bits) of its word."""
    codes = np.asarray(codes, dtype=np.uint64)
    words, lanes = codes.shape
    width = lanes * bits
    digits = -(-width // 4)
    shifts = np.arange(bits, dtype=np.uint64)
    flat = ((codes[:, :, None] >> shifts) & np.uint64(1)).reshape(words, width).astype(np.uint8)
    flat = np.concatenate([flat, np.zeros((words, digits * 4 - width), dtype=np.uint8)], axis=1)
    nibbles = flat.reshape(words, digits, 4) @ np.array([1, 2, 4, 8], dtype=np.uint8)
    chars = np.array(list("0123456789abcdef"))[nibbles[:, ::-1]]
    return ["".join(row) for row in chars]


def table_lines(table: np.ndarray, p_bits: int) -> list[str]:
    """$readmemh lines of a `lut:` table for rtl/axgen_mul_lut.v: entry {a_code, b_code}
    (activation code high) in p_bits two's complement."""
    table = np.asarray(table, dtype=np.int64)
    codes = (table.reshape(-1, 1) & ((1 << p_bits) - 1)).astype(np.uint64)
    return mem_lines(codes, p_bits)


def mem_text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"
