"""Exhaustive check of the HLS multipliers (hls_lib/axgen_mul.h) against the Python reference.

`check_hls(configs)` takes (spec, a_dt, b_dt) tuples, renders ONE C++ file
(templates/harness/mul_check_hls.cpp.j2) that runs, for every configuration, `axgen_mul` (or
`axgen_mul_lut_op`, with the table embedded) on every pair of operand codes, compiles it once
with g++ (generator.tools.gxx.compile_cached: cached by a hash of everything that goes into the
binary), runs it and compares each product with `Multiplier.__call__` on the decoded values.

    python -m generator.sim.mul_hls trunc:k=4 UINT8 UINT8  drum:k=3 INT4 INT3
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from generator.datatypes import DataType, dtype, from_codes
from generator.errors import AxgenError
from generator.hw.encoding import kind, mul_params
from generator.tools.gxx import compile_cached
from generator.multipliers import LUT, Multiplier, parse
from generator.templating import environment

MAX_PAIR_BITS = 22          # 2^22 operand pairs per configuration at most
LOG_TAIL = 40               # lines of a failing run's output quoted in the error


def _reference(mul: Multiplier, x, w, x_dt, w_dt) -> np.ndarray:
    return mul(x, w, x_dt, w_dt)


@dataclass(frozen=True)
class _Config:
    spec: str
    mul: Multiplier
    a_dt: object
    b_dt: object

    @property
    def na(self) -> int:
        return self.a_dt.bitwidth()

    @property
    def nb(self) -> int:
        return self.b_dt.bitwidth()

    @property
    def is_lut(self) -> bool:
        return self.mul.family == LUT

    def table(self) -> np.ndarray:
        """The lut table as the C++ reads it, 2^(na+nb) entries; zeros when a bipolar operand
        keeps the product exact (the table is not read then and may have any shape)."""
        if DataType["BIPOLAR"] in (self.a_dt, self.b_dt):
            return np.zeros(1 << (self.na + self.nb), dtype=np.int64)
        return self.mul.table().reshape(-1)

    @property
    def pb(self) -> int:
        """Product width: na+nb+1 bits, the width axgen_mul.h promises holds every family's
        signed product (a product needing more would wrap and show as a mismatch); a lut needs
        as many as its widest entry."""
        pb = self.na + self.nb + 1
        if self.is_lut:
            t = self.table()
            widest = max(int(t.max()).bit_length(), int(-t.min() - 1).bit_length()) + 1 if t.size else 1
            pb = max(pb, widest)
        if pb > 64:
            raise AxgenError(f"{self.spec} on {self.a_dt.name} x {self.b_dt.name}: products need {pb} bits; "
                             "the exhaustive check reads them as 64-bit integers")
        return pb


def _configs(configs) -> list[_Config]:
    out = []
    for spec, a_dt, b_dt in configs:
        a_dt = dtype(a_dt) if isinstance(a_dt, str) else a_dt
        b_dt = dtype(b_dt) if isinstance(b_dt, str) else b_dt
        mul = parse(spec)
        mul.check_operands(a_dt, b_dt, where=f"check_hls({spec!r}, {a_dt.name}, {b_dt.name})")
        if a_dt.bitwidth() + b_dt.bitwidth() > MAX_PAIR_BITS:
            raise AxgenError(f"{spec} on {a_dt.name} x {b_dt.name}: 2^{a_dt.bitwidth() + b_dt.bitwidth()} "
                             f"operand pairs is too many for an exhaustive check (at most 2^{MAX_PAIR_BITS})")
        out.append(_Config(spec, mul, a_dt, b_dt))
    return out


def _literal(v: int) -> str:
    return "(-9223372036854775807LL - 1)" if v == -(1 << 63) else f"{v}LL"


def render_source(configs: list[_Config]) -> str:
    """The check program (templates/harness/mul_check_hls.cpp.j2): per configuration, a call of
    run_family, or of run_lut with the table embedded as table_<i>."""
    tables, calls = [], []
    for i, c in enumerate(configs):
        ka, kb = kind(c.a_dt), kind(c.b_dt)
        name = f"lut {c.mul.table().shape}" if c.is_lut else c.spec  # no path: the table is in the source
        call = {"comment": f"{name}, {c.a_dt.name} x {c.b_dt.name}", "table": None}
        if c.is_lut:
            call["table"] = f"table_{i}"
            tables.append({"name": call["table"], "entries": [_literal(int(v)) for v in c.table()]})
            call["targs"] = [ka, c.na, kb, c.nb, c.pb]
        else:
            p = mul_params(c.mul, c.a_dt, c.b_dt)
            call["targs"] = [p["FAMILY"], p["K1"], p["K2"], ka, c.na, kb, c.nb, c.pb]
        calls.append(call)
    return environment("harness").get_template("mul_check_hls.cpp.j2").render(tables=tables, calls=calls)


def run(binary: Path, configs: list[_Config]) -> list[np.ndarray]:
    """Run the check binary; per configuration, the products indexed [a_code << nb | b_code]."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "products.bin"
        proc = subprocess.run([str(binary), str(out)], capture_output=True, text=True)
        if proc.returncode != 0 or not out.is_file():
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-LOG_TAIL:])
            raise AxgenError(f"HLS multiplier check {binary} failed (exit {proc.returncode}):\n{tail}")
        flat = np.fromfile(out, dtype="<i8")
    sizes = [1 << (c.na + c.nb) for c in configs]
    if flat.size != sum(sizes):
        raise AxgenError(f"HLS multiplier check {binary} wrote {flat.size} products, expected {sum(sizes)}")
    return np.split(flat, np.cumsum(sizes)[:-1])


def check_hls(configs, build_dir: Path | None = None, reference=None, max_report: int = 5) -> list[dict]:
    """Exhaustively compare axgen_mul.h with the Python reference for each (spec, a_dt, b_dt).

    `reference(mul, x, w, x_dt, w_dt)` gives the expected products of values x, w (default
    `mul(x, w, x_dt, w_dt)`); it exists so that a test can show a wrong expectation is caught.
    Returns per configuration: spec, a_dt, b_dt, pairs, mismatches and `first` (up to
    max_report mismatching pairs: codes, values, hls and python products)."""
    cfgs = _configs(configs)
    if not cfgs:
        return []
    reference = reference or _reference
    binary, _ = compile_cached({"check.cpp": render_source(cfgs)}, "mulcheck", build_dir)
    results = []
    for c, hls in zip(cfgs, run(binary, cfgs)):
        a_codes = np.repeat(np.arange(1 << c.na, dtype=np.int64), 1 << c.nb)
        b_codes = np.tile(np.arange(1 << c.nb, dtype=np.int64), 1 << c.na)
        x, w = from_codes(a_codes, c.a_dt), from_codes(b_codes, c.b_dt)
        expected = np.asarray(reference(c.mul, x, w, c.a_dt, c.b_dt), dtype=np.int64)
        bad = np.flatnonzero(hls != expected)
        results.append({
            "spec": c.spec, "a_dt": c.a_dt.name, "b_dt": c.b_dt.name, "pairs": int(hls.size),
            "mismatches": int(bad.size),
            "first": [{"a_code": int(a_codes[i]), "b_code": int(b_codes[i]), "a": int(x[i]), "b": int(w[i]),
                       "hls": int(hls[i]), "python": int(expected[i])} for i in bad[:max_report]],
        })
    return results


def main(argv: list[str]) -> int:
    if not argv or len(argv) % 3:
        print("usage: " + __doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    try:
        results = check_hls([tuple(argv[i:i + 3]) for i in range(0, len(argv), 3)])
    except AxgenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for r in results:
        status = "ok" if r["mismatches"] == 0 else f"{r['mismatches']} MISMATCHES, first {r['first']}"
        print(f"{r['spec']:<20} {r['a_dt']:>7} x {r['b_dt']:<7} {r['pairs']:>8} pairs  {status}")
    return 0 if all(r["mismatches"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
