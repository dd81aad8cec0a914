"""Boards: every data file loads and validates; a user's board file works; a bad one gets one
message naming the field and what is expected; `axgen boards` lists them; the ECP5 boards (nextpnr,
the default synthesis tool there)."""

import json
import sys
import subprocess
import os

import pytest
import yaml
from click.testing import CliRunner

from generator import boards, synth
from generator.cli import main
from generator.errors import AxgenError

FINN_BOARDS = {"pynq-z1", "pynq-z2", "ultra96-v2", "zcu102", "zcu104", "kv260", "u50", "u250", "u280", "u55c"}
# name: part (ordering code), package, speed grade, nextpnr's device option
ECP5_BOARDS = {"ulx3s": ("LFE5U-85F-6BG381C", "CABGA381", 6, "--85k"),
               "orangecrab": ("LFE5U-25F-8MG285C", "CSFBGA285", 8, "--25k"),
               "orangecrab-85": ("LFE5U-85F-8MG285C", "CSFBGA285", 8, "--85k"),
               "ecpix5": ("LFE5UM5G-85F-8BG554I", "CABGA554", 8, "--um5g-85k")}


def test_every_board_loads():
    assert FINN_BOARDS <= set(boards.available())
    for name in boards.available():
        board = boards.load(name)
        assert board.name == name and board.part and board.clock_mhz > 0
        assert (board.shell == "alveo") == (board.family == "alveo") == (board.platform is not None)
        assert (board.board_part is None) == (board.shell != "zynq")
        assert (board.family == "ecp5") == (board.arch == "ecp5") == (board.shell == "none") == \
            (board.package is not None) == (board.speed is not None) == (board.dma_width is None)
        assert all(board.resources[k] > 0 for k in ("lut", "ff", "bram18", "dsp"))


def test_cli_lists_boards():
    result = CliRunner().invoke(main, ["boards", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["name"] for r in rows} >= FINN_BOARDS
    z2 = next(r for r in rows if r["name"] == "pynq-z2")
    assert z2["part"] == "xc7z020clg400-1" and z2["resources"]["lut"] == 53200 and z2["dma_width"] == 64


def _user_board(tmp_path, **changes):
    data = yaml.safe_load((boards.folder("boards") / "pynq-z2.yaml").read_text())
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    path = tmp_path / "myboard.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_a_users_board_file(tmp_path):
    board = boards.load(_user_board(tmp_path, clock_mhz=125))
    assert board.name == "myboard" and board.clock_mhz == 125


@pytest.mark.parametrize("changes, fragment", [
    ({"part": None}, "field 'part' is missing; expected the FPGA part"),
    ({"clock_mhz": "fast"}, "field 'clock_mhz' is 'fast'; expected a clock in MHz"),
    ({"clock_mhz": -5}, "field 'clock_mhz' is -5"),
    ({"family": "virtex"}, "field 'family' is 'virtex'; expected one of zynq7, zynquplus, alveo"),
    ({"dma_width": 48}, "field 'dma_width' is 48; expected one of"),
    ({"resources": {"lut": 10, "ff": 10, "bram18": 1, "uram": 0}}, "field 'resources.dsp' is None"),
    ({"shell": "alveo"}, "field 'platform' is missing"),
    ({"colour": "red"}, "unknown field(s) ['colour']"),
])
def test_a_bad_board_file_names_the_field(tmp_path, changes, fragment):
    with pytest.raises(AxgenError, match="board file .*myboard.yaml: " + fragment.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]")):
        boards.load(_user_board(tmp_path, **changes))


def test_unknown_board_lists_the_known_ones(tmp_path):
    with pytest.raises(AxgenError, match="unknown board 'pynq-z9'; known boards: ecpix5, kv260, orangecrab"):
        boards.load("pynq-z9")
    with pytest.raises(AxgenError, match="board file .* does not exist"):
        boards.load(tmp_path / "none.yaml")


def test_ecp5_boards():
    from generator.tools.nextpnr import device_option
    for name, (part, package, speed, device) in ECP5_BOARDS.items():
        board = boards.load(name)
        assert (board.part, board.package, board.speed, board.family) == (part, package, speed, "ecp5")
        assert device_option(board.part) == device and board.clock_mhz == 125
        assert synth.default_tool(board.to_dict()) == "nextpnr"
    assert boards.load("ulx3s").resources == {"lut": 83640, "ff": 83640, "bram18": 208, "uram": 0, "dsp": 156}
    assert boards.load("orangecrab").resources == {"lut": 24288, "ff": 24288, "bram18": 56, "uram": 0, "dsp": 28}
    assert synth.default_tool(boards.load("pynq-z2").to_dict()) == "yosys"


def test_cli_lists_the_ecp5_boards():
    rows = json.loads(CliRunner().invoke(main, ["boards", "--json"]).output)
    ulx3s = next(r for r in rows if r["name"] == "ulx3s")
    assert ulx3s["package"] == "CABGA381" and ulx3s["speed"] == 6 and ulx3s["dma_width"] is None
    result = CliRunner().invoke(main, ["boards"], terminal_width=60)
    assert result.exit_code == 0, result.output
    for name in ECP5_BOARDS:
        assert name in result.output


@pytest.mark.parametrize("changes, fragment", [
    ({"shell": "zynq", "dma_width": 64}, "family 'ecp5', arch 'ecp5' and shell 'zynq' do not go together"),
    ({"speed": None}, "field 'speed' is missing; expected the speed grade, one of 6, 7, 8"),
    ({"speed": 9}, "field 'speed' is 9; expected one of 6, 7, 8"),
    ({"package": None}, "field 'package' is missing; expected the package nextpnr places"),
])
def test_a_bad_ecp5_board_file_names_the_field(tmp_path, changes, fragment):
    data = yaml.safe_load((boards.folder("boards") / "ulx3s.yaml").read_text())
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    path = tmp_path / "myecp5.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(AxgenError, match=fragment):
        boards.load(path)


@pytest.mark.parametrize("columns", [80, 60])
def test_the_boards_table_in_a_pipe_keeps_every_cell_whole(columns):
    """In a pipe (rich assumes 80 columns) or a narrow terminal the table drops its last columns
    rather than cutting cells: `axgen boards | grep ultra96-v2` finds the board."""
    names = [row["name"] for row in json.loads(CliRunner().invoke(main, ["boards", "--json"]).output)]
    proc = subprocess.run([sys.executable, "-m", "generator.cli", "boards"], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": str(columns)}, check=True)
    lines = proc.stdout.splitlines()
    assert "…" not in proc.stdout and max(len(line) for line in lines) <= columns
    for name in names:
        assert any(f" {name} " in line for line in lines), name
    flat = " ".join(proc.stdout.split())  # the caption wraps
    assert f"not shown at {columns} columns:" in flat and "--json shows every column" in flat
    assert "DMA bits" not in flat.split("not shown at")[0]  # the last column goes first
