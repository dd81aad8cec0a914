"""The boards reference's table of what each Xilinx board needs follows boards/*.yaml: the board
part pattern the block design asks Vivado for, where its board files come from, and for an Alveo
card the Vitis platform (the table moved there from the README)."""

from __future__ import annotations

from axdocs import reference

from generator import boards
from generator.backends.tcl import zynq


def test_the_boards_page_names_what_every_xilinx_board_needs():
    text = reference.boards_page()["reference/boards.md"]
    section = text.split("## What each Xilinx board needs installed", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    xilinx = [name for name in boards.available() if boards.load(name).family != boards.ECP5]
    assert len(rows) == len(xilinx)
    for name in xilinx:
        target = boards.load(name)
        row = next((r for r in rows if f"`{name}`" == r.split("|")[1].strip()), None)
        assert row is not None, name
        if target.board_part:
            assert f"`{zynq.board_files(target.to_dict())['pattern']}`" in row, (name, row)
            assert (zynq.SHIPPED in row) == (target.board_files is None), (name, row)
        else:
            assert target.shell == "alveo" and f"`{target.platform}`" in row, (name, row)
