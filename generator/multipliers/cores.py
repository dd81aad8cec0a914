"""`verilog:FILE.v[:module]` multipliers: a user's unsigned n x m core and its Python model, the
table of its output on every input pair. Simulating the core is a later stage's business
(generator.sim.verilog_core registers the loader); this module holds what it found."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from generator.errors import AxgenError

VERILOG = "verilog"


@dataclass(frozen=True, eq=False)
class Core:
    """A user's multiplier core: file, module, its ports (first input: the activation's
    magnitude, second: the weight's, one output) and table[a][b] of its unsigned output."""

    file: str
    module: str
    ports: tuple[str, str, str]
    a_bits: int
    b_bits: int
    p_bits: int
    sha256: str  # of the file's content
    table: np.ndarray  # (2^a_bits, 2^b_bits) int64

    def fits(self, na: int, nb: int) -> str | None:
        """None if na x nb magnitudes (zero-extended) can use the core, else what is wrong."""
        if na > self.a_bits or nb > self.b_bits:
            return (f"core {self.module} takes {self.a_bits} x {self.b_bits}-bit magnitudes ({'/'.join(self.ports[:2])}), "
                    f"narrower than the {na} x {nb}-bit operands")
        top = int(self.table[:1 << na, :1 << nb].max())
        if top >> (na + nb):
            return (f"core {self.module} gives {top} on {na} x {nb}-bit magnitudes, more than {na + nb} bits "
                    f"(an unsigned multiplier's product fits in na+nb bits)")
        return None

    def record(self) -> dict:
        """What project.json keeps of the core."""
        return {"file": self.file, "module": self.module, "ports": list(self.ports), "a_bits": self.a_bits,
                "b_bits": self.b_bits, "p_bits": self.p_bits, "sha256": self.sha256}


_LOADER: list[Callable[[Path, str], Core]] = []
_CORES: dict[tuple, Core] = {}


def register_loader(loader: Callable[[Path, str], Core]) -> None:
    """Set the function that derives a Core from (file, module) (generator.sim.verilog_core)."""
    _LOADER[:] = [loader]


def split_core(text: str) -> tuple[str, str]:
    """`FILE.v` (module named like the file) or `FILE.v:module`."""
    text = str(text).strip()
    if not text:
        raise AxgenError("multiplier 'verilog' needs a file: verilog:path/to/core.v[:module]")
    head, sep, tail = text.rpartition(":")
    if sep and head.endswith((".v", ".sv")) and tail.isidentifier():
        return head, tail
    return text, Path(text).stem


def load_core(path: str, module: str) -> Core:
    """The core `module` of `path`, derived once per file state."""
    p = Path(path)
    if not p.is_file():
        raise AxgenError(f"multiplier core file {path} does not exist")
    stat = p.stat()
    key = (str(p.resolve()), module, stat.st_mtime_ns, stat.st_size)
    if key not in _CORES:
        if not _LOADER:
            raise AxgenError(f"verilog:{path}: no core loader; import generator.sim.verilog_core first")
        _CORES[key] = _LOADER[0](p, module)
    return _CORES[key]


MODULE_RE = re.compile(r"\bmodule\s+([A-Za-z_][A-Za-z0-9_$]*)")


def defined_modules(text: str) -> list[str]:
    """Names of the modules a Verilog source defines, in order."""
    return MODULE_RE.findall(_without_comments(text))


def _without_comments(text: str) -> str:
    return re.sub(r"//[^\n]*|/\*.*?\*/", " ", text, flags=re.S)


def prefix(core: Core) -> str:
    """The per-file prefix of a core's modules in a project: two files defining helper modules
    of the same name (EvoApproxLib's PDKGEN* cells) do not clash."""
    return f"axgen_u{core.sha256[:10]}_"


def renamed_source(text: str, prefix_: str) -> str:
    """The source with every module it defines renamed prefix_+name, at its definition and at
    every instantiation (whole identifiers only); nothing else changes."""
    names = sorted(set(defined_modules(text)), key=len, reverse=True)
    if not names:
        return text
    pattern = re.compile(r"(?<![A-Za-z0-9_$])(" + "|".join(map(re.escape, names)) + r")(?![A-Za-z0-9_$])")
    return pattern.sub(lambda m: prefix_ + m.group(1), text)
