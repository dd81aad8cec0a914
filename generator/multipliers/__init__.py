"""Multipliers a layer can use, named by a spec: `family` or `family:knob=value,...`
(`exact`, `trunc:k=6`, `drum:k=4`, `bam:h=1,v=6`, `mitchell`, `mitchell:w=3`,
`lut:path/to/table.npy`, `verilog:path/to/core.v[:module]`).

`parse(spec)` gives a Multiplier: a vectorized product of values of two datatypes.
- Bipolar operands are always exact (XNOR): the product of two +-1 values.
- Family products on integer operands go through the sign-magnitude wrapper: the family
  multiplies the magnitudes |x| and |w| as unsigned numbers of the operand's full width n
  (an n-bit signed operand gives an n-bit unsigned magnitude, so the most negative code
  -2^(n-1) has the exact magnitude 2^(n-1)), and the product is negated when exactly one
  operand is negative (a zero operand counts as positive: ETM's product of 0 and b is not 0).
- `lut:` tables define the whole signed product directly, indexed by the raw operand codes.
- `verilog:` cores are a user's unsigned multiplier circuits: like a family they multiply the
  magnitudes (zero-extended to the core's input widths) inside the sign-magnitude wrapper; their
  Python model is the table of every input pair, derived once by simulating the core
  (generator.multipliers.cores).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from generator.datatypes import DataType, to_codes
from generator.errors import AxgenError
from generator.multipliers import families as fam
from generator.multipliers.cores import VERILOG, Core, load_core, split_core  # noqa: F401 (VERILOG re-exported)

BIPOLAR = DataType["BIPOLAR"]


@dataclass(frozen=True)
class Family:
    name: str
    function: object
    knobs: tuple[str, ...]
    optional: tuple[str, ...] = ()

    def check(self, knobs: dict, na: int, nb: int) -> str | None:
        """None if the knob values make sense for na x nb operands, else what is wrong."""
        return _KNOB_CHECKS[self.name](knobs, na, nb)


def _range(name, value, lo, hi):
    return None if lo <= value <= hi else f"{name}={value} is outside {lo}..{hi}"


_KNOB_CHECKS = {
    "exact": lambda k, na, nb: None,
    "trunc": lambda k, na, nb: _range("k", k["k"], 0, na + nb - 2),
    "bam": lambda k, na, nb: _range("h", k["h"], 0, nb - 1) or _range("v", k["v"], 0, na + nb - 2),
    "perf": lambda k, na, nb: _range("j", k["j"], 0, nb - 1) or _range("k", k["k"], 1, nb - k["j"]),
    "drum": lambda k, na, nb: _range("k", k["k"], 1, max(na, nb)),
    "mitchell": lambda k, na, nb: None if "w" not in k else _range("w", k["w"], 0, max(na, nb) - 1),
    "etm": lambda k, na, nb: _range("m", k["m"], 1, min(na, nb)),
    "roba": lambda k, na, nb: None,
}

FAMILIES = {f.name: f for f in [
    Family("exact", fam.exact, ()),
    Family("trunc", fam.trunc, ("k",)),
    Family("bam", fam.bam, ("h", "v")),
    Family("perf", fam.perf, ("j", "k")),
    Family("drum", fam.drum, ("k",)),
    Family("mitchell", fam.mitchell, (), ("w",)),
    Family("etm", fam.etm, ("m",)),
    Family("roba", fam.roba, ()),
]}
LUT = "lut"


@dataclass(frozen=True)
class Multiplier:
    family: str
    knobs: dict = field(default_factory=dict)
    table_path: str | None = None  # lut: the table; verilog: the core's file
    module: str | None = None  # verilog only: the core's module

    @property
    def spec(self) -> str:
        if self.family == LUT:
            return f"{LUT}:{self.table_path}"
        if self.family == VERILOG:
            return f"{VERILOG}:{self.table_path}:{self.module}"
        if not self.knobs:
            return self.family
        order = FAMILIES[self.family].knobs + FAMILIES[self.family].optional
        return self.family + ":" + ",".join(f"{k}={self.knobs[k]}" for k in order if k in self.knobs)

    @property
    def is_exact(self) -> bool:
        return self.family == "exact"

    def table(self) -> np.ndarray:
        return load_table(self.table_path)

    def core(self) -> Core:
        """A verilog: core's ports and derived table (generator.multipliers.cores)."""
        return load_core(self.table_path, self.module)

    def check_operands(self, x_dt, w_dt, where: str) -> None:
        """Raise if this multiplier cannot serve operands of these datatypes."""
        if self.family == LUT:
            if BIPOLAR in (x_dt, w_dt):
                return  # bipolar products stay exact (XNOR)
            want = (1 << x_dt.bitwidth(), 1 << w_dt.bitwidth())
            if self.table().shape != want:
                raise AxgenError(f"{where}: table {self.table_path} has shape {self.table().shape}; a "
                                 f"{x_dt.name} x {w_dt.name} layer needs {want} (2^bits activation codes x 2^bits weight codes)")
            return
        if self.family == VERILOG:
            if BIPOLAR not in (x_dt, w_dt):
                problem = self.core().fits(x_dt.bitwidth(), w_dt.bitwidth())
                if problem:
                    raise AxgenError(f"{where}: multiplier {self.spec} does not fit {x_dt.name} x {w_dt.name} "
                                     f"operands: {problem}")
            return
        problem = FAMILIES[self.family].check(self.knobs, x_dt.bitwidth(), w_dt.bitwidth())
        if problem:
            raise AxgenError(f"{where}: multiplier {self.spec} does not fit {x_dt.name} x {w_dt.name} operands: {problem}")

    def unsigned(self, a: np.ndarray, b: np.ndarray, na: int, nb: int) -> np.ndarray:
        """The family on unsigned magnitudes (not for lut)."""
        if self.family == VERILOG:
            return self.core().table[np.asarray(a, np.int64), np.asarray(b, np.int64)]
        return FAMILIES[self.family].function(np.asarray(a, np.int64), np.asarray(b, np.int64), na, nb, **self.knobs)

    def __call__(self, x: np.ndarray, w: np.ndarray, x_dt, w_dt) -> np.ndarray:
        """Products of values x (datatype x_dt) and w (w_dt), broadcast, as int64."""
        x = np.asarray(x, dtype=np.int64)
        w = np.asarray(w, dtype=np.int64)
        if self.is_exact or x_dt == BIPOLAR or w_dt == BIPOLAR:
            return x * w
        if self.family == LUT:
            return self.table()[to_codes(x, x_dt).astype(np.int64), to_codes(w, w_dt).astype(np.int64)]
        magnitude = self.unsigned(np.abs(x), np.abs(w), x_dt.bitwidth(), w_dt.bitwidth())
        return np.where((x < 0) ^ (w < 0), -magnitude, magnitude)


_TABLES: dict[str, np.ndarray] = {}


def load_table(path: str) -> np.ndarray:
    """A `lut:` table: .npy integer array (2^na, 2^nb) indexed [activation code][weight code],
    or TFApprox's .bin: 256 x 256 little-endian uint16, 8 x 8 unsigned, indexed [a][b]."""
    if path in _TABLES:
        return _TABLES[path]
    p = Path(path)
    if not p.is_file():
        raise AxgenError(f"multiplier table {path} does not exist")
    try:
        if p.suffix == ".bin":
            raw = p.read_bytes()
            if len(raw) != 256 * 256 * 2:
                raise AxgenError(f"{path}: a TFApprox .bin table has 65536 uint16 entries (131072 bytes), not {len(raw)} bytes")
            table = np.frombuffer(raw, dtype="<u2").reshape(256, 256).astype(np.int64)
        else:
            table = np.load(p, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise AxgenError(f"multiplier table {path} is not a readable .npy or .bin file ({exc})") from None
    if table.ndim != 2 or not np.issubdtype(table.dtype, np.integer):
        raise AxgenError(f"multiplier table {path} must be a 2-D integer array, got {table.dtype} of shape {table.shape}")
    rows, cols = table.shape
    if rows & (rows - 1) or cols & (cols - 1) or rows < 2 or cols < 2:
        raise AxgenError(f"multiplier table {path}: both dimensions must be powers of two (2^bits codes), got {table.shape}")
    table = table.astype(np.int64)
    _TABLES[path] = table
    return table


def parse(spec: str) -> Multiplier:
    spec = str(spec).strip()
    family, _, knob_text = spec.partition(":")
    if family == LUT:
        if not knob_text:
            raise AxgenError("multiplier 'lut' needs a table: lut:path/to/table.npy")
        load_table(knob_text)
        return Multiplier(LUT, {}, knob_text)
    if family == VERILOG:
        path, module = split_core(knob_text)
        load_core(path, module)
        return Multiplier(VERILOG, {}, path, module)
    if family not in FAMILIES:
        raise AxgenError(f"unknown multiplier {spec!r}: supported families are "
                         f"{', '.join(sorted(FAMILIES))}, lut:FILE and verilog:FILE.v[:module]")
    fdef = FAMILIES[family]
    knobs = {}
    for part in filter(None, (p.strip() for p in knob_text.split(","))):
        key, eq, value = part.partition("=")
        if not eq or key not in fdef.knobs + fdef.optional:
            raise AxgenError(f"multiplier {spec!r}: bad knob {part!r}; {family} takes "
                             f"{', '.join(fdef.knobs + fdef.optional) or 'no knobs'}")
        try:
            knobs[key] = int(value)
        except ValueError:
            raise AxgenError(f"multiplier {spec!r}: knob {key} must be an integer, got {value!r}") from None
    missing = [k for k in fdef.knobs if k not in knobs]
    if missing:
        raise AxgenError(f"multiplier {spec!r}: missing knob(s) {', '.join(missing)}, e.g. "
                         f"{family}:" + ",".join(f"{k}=2" for k in fdef.knobs))
    return Multiplier(family, knobs)


EXACT = parse("exact")
