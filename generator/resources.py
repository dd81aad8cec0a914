"""Where axgen's own files are: the top-level folders templates/, rtl/, hls_lib/, boards/ and
testbench/. Every lookup of them goes through this module."""

from __future__ import annotations

from pathlib import Path

FOLDERS = ("templates", "rtl", "hls_lib", "boards", "testbench")
_ROOT = Path(__file__).resolve().parent.parent


def folder(name: str) -> Path:
    """The folder `name` (one of FOLDERS)."""
    if name not in FOLDERS:
        raise KeyError(f"no resource folder {name!r}; known: {', '.join(FOLDERS)}")
    return _ROOT / name
