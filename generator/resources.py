"""Where axgen's own data folders are: templates/, rtl/, hls_lib/, boards/ and testbench/.

Every lookup of them goes through `folder`. In a checkout (or an editable install) they sit at
the repository root, next to generator/. An installed wheel carries them inside the package, as
generator/_data/<name> (pyproject.toml maps each folder there).
"""

from __future__ import annotations

from pathlib import Path

from generator.errors import AxgenError

FOLDERS = ("templates", "rtl", "hls_lib", "boards", "testbench")
_PACKAGE = Path(__file__).resolve().parent
_INSTALLED = _PACKAGE / "_data"  # present only in an installed wheel
_CHECKOUT = _PACKAGE.parent  # the repository root


def data_root() -> Path:
    """The folder that holds the data folders (and so the `testbench` package)."""
    return _INSTALLED if _INSTALLED.is_dir() else _CHECKOUT


def folder(name: str) -> Path:
    """The data folder `name` (one of FOLDERS)."""
    if name not in FOLDERS:
        raise ValueError(f"unknown axgen data folder {name!r}; one of {', '.join(FOLDERS)}")
    path = data_root() / name
    if not path.is_dir():
        raise AxgenError(f"axgen's {name}/ folder is missing (looked for {path}); reinstall axgen")
    return path
