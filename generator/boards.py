"""Boards: one YAML data file each in boards/ (or a user's file), validated into a `Board`:
FPGA part, Vivado board part (and where its board files come from), family, default clock, resources, shell kind and DMA width; an ECP5
board (family ecp5) also its package and speed grade, for nextpnr."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from generator.errors import AxgenError
from generator.resources import folder

DEFAULT_BOARD = "pynq-z2"
FAMILIES = {"zynq7": "Zynq-7000", "zynquplus": "Zynq UltraScale+", "alveo": "Alveo (UltraScale+)", "ecp5": "Lattice ECP5"}
ECP5 = "ecp5"  # the family nextpnr places (axgen synth --tool nextpnr)
ARCHES = {"xc7": "7-series", "xcup": "UltraScale+", ECP5: "ECP5"}  # Yosys synth_xilinx -family, or synth_ecp5
NO_SHELL = "none"
SHELLS = {"zynq": "processing system + AXI DMA", "alveo": "Vitis kernel on an XRT platform",
          NO_SHELL: "no host shell: synthesis, place and route out of context (no bitstream)"}
SPEED_GRADES = (6, 7, 8)  # ECP5
DMA_WIDTHS = (32, 64, 128, 256, 512)
RESOURCE_KEYS = ("lut", "ff", "bram18", "uram", "dsp")


@dataclass(frozen=True)
class Board:
    name: str
    description: str
    part: str  # the FPGA part, e.g. xc7z020clg400-1
    board_part: str | None  # Vivado's board part (board preset), where one exists
    family: str  # one of FAMILIES
    arch: str  # one of ARCHES
    clock_mhz: float  # default clock of the accelerator
    shell: str  # one of SHELLS
    dma_width: int | None  # bits of the memory-mapped data path (HP port / AXI master); None without a shell
    resources: dict  # capacity: lut, ff, bram18, uram, dsp (on ECP5: LUT4, TRELLIS_FF, DP16KD, MULT18X18D)
    platform: str | None = None  # Vitis platform (Alveo)
    package: str | None = None  # ECP5: the package as nextpnr names it, e.g. CABGA381
    speed: int | None = None  # ECP5: the speed grade (6, 7 or 8)
    board_files: str | None = None  # where Vivado's board files for board_part come from (None: they ship with Vivado)

    def to_dict(self) -> dict:
        return asdict(self)


def available() -> list[str]:
    return sorted(p.stem for p in folder("boards").glob("*.yaml"))


def _field(data: dict, where: str, key: str, kind, expected: str, optional: bool = False):
    if key not in data:
        if optional:
            return None
        raise AxgenError(f"{where}: field {key!r} is missing; expected {expected}")
    value = data[key]
    if value is None and optional:
        return None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise AxgenError(f"{where}: field {key!r} is {value!r}; expected {expected}")
    return value


def _choice(data: dict, where: str, key: str, choices) -> str:
    value = _field(data, where, key, str, f"one of {', '.join(choices)}")
    if value not in choices:
        raise AxgenError(f"{where}: field {key!r} is {value!r}; expected one of {', '.join(choices)}")
    return value


def from_dict(data, name: str, where: str) -> Board:
    """A Board from a board file's mapping; every problem names the field and what is expected."""
    if not isinstance(data, dict):
        raise AxgenError(f"{where}: a board file is a mapping of fields (part, family, clock_mhz, ...)")
    known = set(Board.__dataclass_fields__) - {"name"}
    unknown = sorted(set(data) - known - {"name"})
    if unknown:
        raise AxgenError(f"{where}: unknown field(s) {unknown}; board fields are {', '.join(sorted(known))}")
    clock = _field(data, where, "clock_mhz", (int, float), "a clock in MHz, a positive number")
    if clock <= 0:
        raise AxgenError(f"{where}: field 'clock_mhz' is {clock!r}; expected a clock in MHz, a positive number")
    shell = _choice(data, where, "shell", SHELLS)
    dma = _field(data, where, "dma_width", int, f"the DMA data width in bits, one of {DMA_WIDTHS}",
                 optional=shell == NO_SHELL)
    if dma not in DMA_WIDTHS and not (dma is None and shell == NO_SHELL):
        raise AxgenError(f"{where}: field 'dma_width' is {dma!r}; expected one of {DMA_WIDTHS}")
    resources = _field(data, where, "resources", dict, f"a mapping of {', '.join(RESOURCE_KEYS)} to counts")
    for key in RESOURCE_KEYS:
        value = resources.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise AxgenError(f"{where}: field 'resources.{key}' is {value!r}; expected a count (an integer >= 0)")
    extra = sorted(set(resources) - set(RESOURCE_KEYS))
    if extra:
        raise AxgenError(f"{where}: unknown resource(s) {extra}; resources are {', '.join(RESOURCE_KEYS)}")
    family = _choice(data, where, "family", FAMILIES)
    arch = _choice(data, where, "arch", ARCHES)
    ecp5 = family == ECP5
    if ecp5 != (arch == ECP5) or ecp5 != (shell == NO_SHELL):
        raise AxgenError(f"{where}: family {family!r}, arch {arch!r} and shell {shell!r} do not go together; an ECP5 "
                         f"board has family, arch ecp5 and shell {NO_SHELL}, a Xilinx one none of them")
    package = _field(data, where, "package", str, "the package nextpnr places, e.g. CABGA381", optional=not ecp5)
    speed = _field(data, where, "speed", int, f"the speed grade, one of {', '.join(map(str, SPEED_GRADES))}",
                   optional=not ecp5)
    if ecp5 and speed not in SPEED_GRADES:
        raise AxgenError(f"{where}: field 'speed' is {speed!r}; expected one of {', '.join(map(str, SPEED_GRADES))}")
    platform = _field(data, where, "platform", str, "the Vitis platform name (Alveo boards)", optional=True)
    if shell == "alveo" and platform is None:
        raise AxgenError(f"{where}: field 'platform' is missing; an alveo shell needs the Vitis platform name, "
                         "e.g. xilinx_u50_gen3x16_xdma_5_202210_1")
    return Board(
        name=name,
        description=_field(data, where, "description", str, "a one-line description of the board"),
        part=_field(data, where, "part", str, "the FPGA part, e.g. xc7z020clg400-1"),
        board_part=_field(data, where, "board_part", str, "Vivado's board part, or null", optional=True),
        family=family, arch=arch, clock_mhz=clock, shell=shell, dma_width=dma,
        resources={key: resources[key] for key in RESOURCE_KEYS}, platform=platform, package=package, speed=speed,
        board_files=_field(data, where, "board_files", str, "where Vivado's board files come from, or null",
                           optional=True))


def load(name_or_file: str | Path | None = None) -> Board:
    """A board by name (boards/NAME.yaml) or a user's board file (a path ending in .yaml/.yml)."""
    text = str(name_or_file or DEFAULT_BOARD)
    if text.endswith((".yaml", ".yml")):
        path = Path(text)
        if not path.is_file():
            raise AxgenError(f"board file {path} does not exist")
        name = path.stem
    else:
        path = folder("boards") / f"{text}.yaml"
        if not path.is_file():
            raise AxgenError(f"unknown board {text!r}; known boards: {', '.join(available())} "
                             "(or give a board file, NAME.yaml)")
        name = text
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise AxgenError(f"board file {path} is not valid YAML: {exc}") from None
    return from_dict(data, name, f"board file {path}")
