"""The clock the test networks reach, placed and routed whole (issue 19): each network of
tests/support/fmax_networks.py is built for ulx3s at 125 MHz and its top goes through Yosys
synth_ecp5 and nextpnr-ecp5 (LFE5U-85F, CABGA381, speed grade 6, out of context, seeded). The
script prints, per network, nextpnr's Fmax, LUT4, FF, MULT18X18D, DP16KD, cycles per sample and
samples per second, beside the figures recorded before the pipelining (the unpipelined RTL of
commit 97e9e95, placed by the same flow at the same target) in benchmarks/results/fmax_networks.json.

    python benchmarks/fmax_networks.py                      # every network (CNV alone takes the longest)
    python benchmarks/fmax_networks.py --network residual_cnn --network tfc_w2a2_finn
    python benchmarks/fmax_networks.py --record             # also store the figures as "after"
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))

from fmax_networks import CLOCK_MHZ, NETWORKS, place_network  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "fmax_networks.json"
COLUMNS = [("fmax_mhz", "Fmax MHz", "{:.1f}"), ("lut4", "LUT4", "{:,}"), ("ff", "FF", "{:,}"),
           ("mult18", "MULT18", "{:,}"), ("dp16kd", "DP16KD", "{:,}"), ("cycles_per_sample", "cycles", "{:,}"),
           ("samples_per_s", "samples/s", "{:,}")]


def _cells(row: dict | None) -> list[str]:
    return [fmt.format(row[key]) if row and row.get(key) is not None else "-" for key, _, fmt in COLUMNS]


def print_table(rows: dict, before: dict) -> None:
    head = ["network", ""] + [label for _, label, _ in COLUMNS]
    lines = [head]
    for name, row in rows.items():
        lines.append([name, "before"] + _cells(before.get(name)))
        lines.append(["", "after"] + _cells(row))
        old = before.get(name) or {}
        ratio = row["fmax_mhz"] / old["fmax_mhz"] if old.get("fmax_mhz") else None
        lines.append(["", "after / before"] + ([f"{ratio:.2f}x"] if ratio else ["-"]) + [""] * (len(COLUMNS) - 1))
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    for line in lines:
        print("  ".join(cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths))))
    for name in rows:
        if (before.get(name) or {}).get("note"):
            print(f"{name} before: {before[name]['note']}")
    missed = [name for name, row in rows.items() if row["fmax_mhz"] < CLOCK_MHZ]
    print(f"target {CLOCK_MHZ:g} MHz: " + (f"missed by {', '.join(missed)}" if missed else "met by every network"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", action="append", choices=sorted(NETWORKS), help="default: all of them")
    parser.add_argument("--record", action="store_true", help="store the figures as 'after' in the results file")
    args = parser.parse_args()
    recorded = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {"before": {}, "after": {}}
    rows = {}
    with tempfile.TemporaryDirectory(prefix="axgen_fmax_") as work:
        for name in args.network or list(NETWORKS):
            start = time.monotonic()
            rows[name] = place_network(name, Path(work))
            print(f"placed {name} in {time.monotonic() - start:.0f} s: {rows[name]['critical_path']}", flush=True)
    print_table(rows, recorded["before"])
    if args.record:
        recorded["after"].update(rows)
        RESULTS.write_text(json.dumps(recorded, indent=1) + "\n")


if __name__ == "__main__":
    main()
