"""A user's own Verilog module for a `lut:` multiplier (`lut_verilog: FILE.v[:module]` in the
config): proven equal to the table on every input pair before the build uses it in hardware."""

from __future__ import annotations

from pathlib import Path

from generator.errors import AxgenError
from generator.sim.mul_rtl import check_verilog_table
from generator.hw.matrix import LayerImpl


def split(setting: str) -> tuple[Path, str]:
    """`FILE.v` (module named like the file) or `FILE.v:module`."""
    text = str(setting)
    head, sep, tail = text.rpartition(":")
    if sep and head.endswith(".v") and tail.isidentifier():
        return Path(head), tail
    return Path(text), Path(text).stem


def prove(impl: LayerImpl, build_dir: Path | None = None) -> dict:
    """Exhaustive proof that the layer's user module equals its lut: table; raises on any
    difference, naming the first mismatching pairs."""
    path, module = split(impl.lut_verilog)
    if not path.is_file():
        raise AxgenError(f"layer {impl.name}: lut_verilog file {path} does not exist")
    layer = impl.layer
    result = check_verilog_table(path, module, impl.multiplier.table(), layer.in_dtype.bitwidth(),
                                 layer.weight_dtype.bitwidth(), build_dir=build_dir)
    if result["mismatches"]:
        raise AxgenError(f"layer {impl.name}: module {module} in {path} differs from table "
                         f"{impl.multiplier.table_path} on {result['mismatches']} of {result['pairs']} input pairs, "
                         f"first: {result['first'][:3]}; it cannot replace the table")
    return {"id": impl.index, "file": path.name, "source": str(path), "module": module,
            "table": impl.multiplier.table_path, "pairs": result["pairs"], "mismatches": 0,
            "p_bits": result["p_bits"], "p_signed": bool(result["p_signed"])}
