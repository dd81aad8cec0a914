"""Compile HLS C++ for C simulation with g++, cached by content.

`compile_cached(sources, name)` compiles every .cpp among the source texts into one program with
the HLS include paths (axgen's hls_lib, then ap_int.h and hls_stream.h from Vitis HLS or the hls4ml
wheel). The program is a cache entry (generator.tools.cache, kind hls) named by a SHA-256 of
everything that decides it: the sources, the flags, the compiler and its version, and every header
in hls_lib. A second call with the same inputs reuses the binary; concurrent builds of the same
program (parallel test workers) wait for one another.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from pathlib import Path

from generator.errors import AxgenError
from generator.resources import folder
from generator.tools.cache import HLS, cache_dir, cached, content_key
from generator.tools.hls_headers import hls_include_flags
from generator.tools.hls_pch import precompiled_header

# -O1: compiles faster than -O2 and runs as fast -- the MVAU's products, sums and thresholds run
# on native integers in C simulation (hls_lib/axgen_csim.h), the rest is ap_int and stream code.
CXX_FLAGS = ["-O1", "-std=c++14", "-Wno-unknown-pragmas"]
# A short run (a few samples: verify's default, the tests) compiles at -O0: the unrolled jet
# tagger's C simulation compiled in 9.9 s against 22.7 s at -O1 and ran 24 samples in 0.02 s.
QUICK_OPT = "-O0"
# Defined, C simulation runs the MVAU's ap_int code, the code synthesis sees, instead of its
# native-integer twin (bit for bit the same, about 50 times slower on CNV).
AP_INT_MACRO = "AXGEN_CSIM_AP_INT"
LOG_LINES = 40  # compiler output lines quoted in an error
SOURCES = "src"  # the folder of the sources in a program's cache entry, next to the program
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")


def compiler() -> str:
    """Path of the C++ compiler: $CXX, else g++."""
    cxx = os.environ.get("CXX") or "g++"
    path = shutil.which(cxx)
    if path is None:
        raise AxgenError(f"C++ compiler {cxx!r} not found: install g++ (or set CXX) for HLS C simulation")
    return path


@functools.lru_cache(maxsize=None)
def _version(cxx: str, stamp: int) -> str:
    """`cxx --version` (cached per compiler path and modification time)."""
    try:
        proc = subprocess.run([cxx, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        raise AxgenError(f"C++ compiler {cxx} does not run: {exc}") from None
    return proc.stdout + proc.stderr


def _library_headers() -> list[tuple[str, str]]:
    return [(p.name, p.read_text()) for p in sorted(folder("hls_lib").glob("*.h"))]


def _check_sources(sources: dict[str, str], name: str, units: list[str] | None) -> list[str]:
    if not _NAME.match(name) or name == SOURCES:
        raise AxgenError(f"build name {name!r}: use letters, digits, '_', '.', '+', '-' (and not {SOURCES!r})")
    bad = [f for f in sources if not _NAME.match(f)]
    if bad:
        raise AxgenError(f"source file names {bad}: plain file names only (no folders)")
    cpps = [f for f in sources if f.endswith(".cpp")] if units is None else list(units)
    missing = [f for f in cpps if f not in sources]
    if missing:
        raise AxgenError(f"build {name}: translation units {missing} are not among the sources")
    if not cpps:
        raise AxgenError(f"build {name}: no .cpp among the sources {sorted(sources)}")
    return cpps


def cxx_flags(quick: bool = False) -> list[str]:
    """CXX_FLAGS, at QUICK_OPT for a short run."""
    return [QUICK_OPT if quick and flag.startswith("-O") else flag for flag in CXX_FLAGS]


def precompile(quick: bool = False) -> list[str]:
    """The flags that include the precompiled HLS headers into compile_cached's programs (built
    now if missing; generator.tools.hls_pch; one per optimisation level), [] when there are none."""
    cxx = compiler()
    return precompiled_header(cxx, _version(cxx, os.stat(cxx).st_mtime_ns), [*cxx_flags(quick), *hls_include_flags()])


def compile_cached(sources: dict[str, str], name: str, build_dir: Path | None = None,
                   units: list[str] | None = None, ap_int: bool = False, quick: bool = False,
                   defines: dict[str, int] | None = None) -> tuple[Path, bool]:
    """Compile `sources` (file name -> text; every .cpp is compiled, or only `units` when given,
    the first one is the main file, the others and the headers sit next to it) into one program;
    `ap_int` defines AP_INT_MACRO, `quick` compiles at QUICK_OPT, `defines` sets these macros to
    these integers (each a separate cache entry).

    Returns (binary, was_cached). The binary is `<entry>/<name>` in the cache entry
    `<build_dir>/<name>-<hash>` (build_dir defaults to the cache's hls folder); `<entry>/src/`
    holds the sources. A compile error raises AxgenError quoting the first lines of the
    compiler's output."""
    cpps = _check_sources(sources, name, units)
    cxx = compiler()
    flags = [*cxx_flags(quick), *hls_include_flags(), *([f"-D{AP_INT_MACRO}"] if ap_int else []),
             *(f"-D{macro}={int(value)}" for macro, value in sorted((defines or {}).items()))]
    build_dir = Path(build_dir) if build_dir is not None else cache_dir(HLS)
    version = _version(cxx, os.stat(cxx).st_mtime_ns)
    parts = [cxx, version, *flags]
    for file, text in [*sources.items(), ("units", " ".join(cpps)), *_library_headers()]:
        parts += [file, text]
    key = f"{name}-{content_key(*parts)}"
    # the precompiled HLS headers (the same program, built faster) are not part of the key
    entry, was_cached = cached(build_dir, key, lambda entry: _compile(cxx, flags, precompile(quick), sources, cpps, entry,
                                                                      name))
    return entry / name, was_cached


def _compile(cxx: str, flags: list[str], pch: list[str], sources: dict[str, str], cpps: list[str], entry: Path,
             name: str) -> None:
    src = entry / SOURCES
    src.mkdir()
    for file, text in sources.items():
        (src / file).write_text(text)
    head = [cxx, *flags, f"-I{src}", "-o", str(entry / name)]
    files = [str(src / f) for f in cpps]
    proc = subprocess.run([*head, *pch, *files], capture_output=True, text=True)
    if proc.returncode != 0 and pch and "internal compiler error" in proc.stderr:
        proc = subprocess.run([*head, *files], capture_output=True, text=True)  # g++ crashed on the precompiled header
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).splitlines()
        shown = "\n".join(lines[:LOG_LINES]) + (f"\n... ({len(lines) - LOG_LINES} more lines)"
                                                 if len(lines) > LOG_LINES else "")
        raise AxgenError(f"compiling {entry.name} ({', '.join(cpps)}) with {cxx} failed:\n{shown}")
