"""Boards: every data file loads and validates; a user's board file works; a bad one gets one
message naming the field and what is expected; `axgen boards` lists them."""

import json

import pytest
import yaml
from click.testing import CliRunner

from generator import boards
from generator.cli import main
from generator.errors import AxgenError

FINN_BOARDS = {"pynq-z1", "pynq-z2", "ultra96-v2", "zcu102", "zcu104", "kv260", "u50", "u250", "u280", "u55c"}


def test_every_board_loads():
    assert FINN_BOARDS <= set(boards.available())
    for name in boards.available():
        board = boards.load(name)
        assert board.name == name and board.part and board.clock_mhz > 0
        assert (board.shell == "alveo") == (board.family == "alveo") == (board.platform is not None)
        assert (board.board_part is None) == (board.shell == "alveo")
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
    with pytest.raises(AxgenError, match="unknown board 'pynq-z9'; known boards: kv260, pynq-z1"):
        boards.load("pynq-z9")
    with pytest.raises(AxgenError, match="board file .* does not exist"):
        boards.load(tmp_path / "none.yaml")
