"""Board data files (boards/NAME.yaml): FPGA part, clock and resources."""

from __future__ import annotations

import yaml

from generator.errors import AxgenError
from generator.resources import resource_dir

BOARDS_DIR = resource_dir("boards")
DEFAULT_BOARD = "pynq-z2"


def available() -> list[str]:
    return sorted(p.stem for p in BOARDS_DIR.glob("*.yaml"))


def load(name: str | None) -> dict:
    name = name or DEFAULT_BOARD
    path = BOARDS_DIR / f"{name}.yaml"
    if not path.is_file():
        raise AxgenError(f"unknown board {name!r}; available boards: {', '.join(available())}")
    data = yaml.safe_load(path.read_text())
    data["name"] = name
    return data
