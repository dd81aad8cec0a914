"""Compile HLS C++ for C simulation with g++, cached by content.

`compile_cached(sources, name)` writes the source texts into a scratch folder, compiles every .cpp
among them into one program with the HLS include paths (axgen's hls_lib, then ap_int.h and
hls_stream.h from Vitis HLS or the hls4ml wheel) and keeps the binary under a name derived from a
SHA-256 of everything that decides it: the sources, the flags, the compiler and its version, and
every header in hls_lib. A second call with the same inputs reuses the binary; concurrent builds of
the same program (parallel test workers) wait for one another through a file lock.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from generator.errors import AxgenError
from generator.resources import folder
from generator.tools.cache import locked
from generator.tools.hls_headers import hls_include_flags

# -O1: C simulation runs little code; the ap_int templates make -O2 builds slower for no gain.
CXX_FLAGS = ["-O1", "-std=c++14", "-Wno-unknown-pragmas"]
LOG_LINES = 40  # compiler output lines quoted in an error
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")


def default_build_dir() -> Path:
    """$AXGEN_HLS_CACHE_DIR, else ~/.cache/axgen/hls, else (not writable) a folder in the temp dir.
    Binaries are keyed by a hash of what goes into them, so sharing the folder is safe."""
    shared = Path(os.environ.get("AXGEN_HLS_CACHE_DIR") or Path.home() / ".cache" / "axgen" / "hls")
    try:
        shared.mkdir(parents=True, exist_ok=True)
        if os.access(shared, os.W_OK):
            return shared
    except OSError:
        pass
    return Path(tempfile.gettempdir()) / f"axgen-hls-{os.getuid()}"


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
    if not _NAME.match(name):
        raise AxgenError(f"build name {name!r}: use letters, digits, '_', '.', '+', '-'")
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


def compile_cached(sources: dict[str, str], name: str, build_dir: Path | None = None,
                   units: list[str] | None = None) -> tuple[Path, bool]:
    """Compile `sources` (file name -> text; every .cpp is compiled, or only `units` when given,
    the first one is the main file, the others and the headers sit next to it) into one program.

    Returns (binary, was_cached). The binary is `<build_dir>/<name>-<hash>`; next to it
    `<name>-<hash>.cpp` is a copy of the main file and, with more than one source,
    `<name>-<hash>.src/` holds them all. A compile error raises AxgenError quoting the first
    lines of the compiler's output."""
    cpps = _check_sources(sources, name, units)
    cxx = compiler()
    flags = [*CXX_FLAGS, *hls_include_flags()]
    build_dir = Path(build_dir) if build_dir is not None else default_build_dir()
    build_dir.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    parts = [cxx, _version(cxx, os.stat(cxx).st_mtime_ns), *flags]
    for file, text in [*sources.items(), ("units", " ".join(cpps)), *_library_headers()]:
        parts += [file, text]
    for part in parts:
        h.update(part.encode() + b"\0")
    binary = build_dir / f"{name}-{h.hexdigest()[:24]}"
    if binary.is_file():
        return binary, True
    with locked(build_dir / f"{binary.name}.lock"):  # a concurrent build waits, then reuses it
        if binary.is_file():
            return binary, True
        _compile(cxx, flags, sources, cpps, binary)
    return binary, False


def _compile(cxx: str, flags: list[str], sources: dict[str, str], cpps: list[str], binary: Path) -> None:
    tmp = Path(tempfile.mkdtemp(dir=binary.parent, prefix=".build-"))
    try:
        src = tmp / "src"
        src.mkdir()
        for file, text in sources.items():
            (src / file).write_text(text)
        out = tmp / "program"
        cmd = [cxx, *flags, f"-I{src}", "-o", str(out), *(str(src / f) for f in cpps)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            lines = (proc.stderr or proc.stdout).splitlines()
            shown = "\n".join(lines[:LOG_LINES]) + (f"\n... ({len(lines) - LOG_LINES} more lines)"
                                                     if len(lines) > LOG_LINES else "")
            raise AxgenError(f"compiling {binary.name} ({', '.join(cpps)}) with {cxx} failed:\n{shown}")
        shutil.copyfile(src / cpps[0], binary.parent / f"{binary.name}.cpp")
        if len(sources) > 1:
            kept = binary.parent / f"{binary.name}.src"
            shutil.rmtree(kept, ignore_errors=True)
            os.replace(src, kept)
        os.replace(out, binary)  # atomic: never a half-written binary under its final name
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
