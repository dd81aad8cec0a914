"""Tables that fit the terminal: rich cuts every column of a table wider than the console (80
columns in a pipe) to an ellipsis, the first one included (`axgen boards | grep ultra96` found
nothing). `fit` drops a table's last columns instead, least important last by convention, until
what is left fits uncut, and names the dropped columns in the caption (every such command has
`--json` with all of them)."""

from __future__ import annotations

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table


def _width(console: Console, table: Table) -> int:
    return Measurement.get(console, console.options.update_width(1 << 16), table).maximum


def fit(table: Table, console: Console, keep: int = 1) -> Table:
    """`table` with its last columns removed (never the first `keep`) until its natural width fits
    `console`; the caption then says which columns were left out. Columns that may wrap
    (overflow "fold") count at their widest, so they are never the reason to drop a column."""
    dropped = []
    while len(table.columns) > keep and _width(console, table) > console.width:
        dropped.append(str(table.columns.pop().header))
    if dropped:
        note = f"not shown at {console.width} columns: {', '.join(reversed(dropped))} (--json shows every column)"
        table.caption = f"{table.caption}\n{note}" if table.caption else note
    for column in table.columns[:keep]:
        column.no_wrap = True
    return table
