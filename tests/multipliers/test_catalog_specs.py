"""`axgen multipliers --spec SPEC`: only the given specs, with the same metrics, --synth and --json."""

import json
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main

DATA = Path(__file__).parent / "data"


def test_spec_lists_only_the_given_multipliers_with_luts():
    core = f"verilog:{DATA / 'hax_or.v'}"
    result = CliRunner().invoke(main, ["multipliers", "--bits", "4", "--spec", "exact", "--spec", "trunc:k=2",
                                       "--spec", core, "--synth", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["spec"] for r in rows] == ["exact", "trunc:k=2", core]
    exact, trunc, mine = rows
    assert exact["mae"] == 0 and trunc["mae"] > 0
    # hax_or on 4-bit magnitudes: (p1 | p0) << 1 for the two low product bits.
    assert mine["ep"] > 0 and mine["wce"] == 1 and mine["luts"] > 0
    assert exact["luts"] > 0 and all(r["bits"] == 4 for r in rows)


def test_spec_table_and_bad_spec():
    result = CliRunner().invoke(main, ["multipliers", "--bits", "3", "--spec", "drum:k=2"])
    assert result.exit_code == 0 and "drum:k=2" in result.output and "trunc" not in result.output
    result = CliRunner().invoke(main, ["multipliers", "--bits", "8", "--spec", f"verilog:{DATA / 'odd43.v'}"])
    assert result.exit_code == 2 and "narrower than the 8 x 8-bit operands" in result.output
