"""HLS C simulation speed on FINN's CNV-w1a1 (random weights and batch-norm, FINN's folding):
samples per second and the g++ build time, three ways:
  - before:  the ap_int code synthesis sees (AXGEN_CSIM_AP_INT), no precompiled header -- as
             axgen built its C simulation until now;
  - native:  the MVAUs' arithmetic on native integers (hls_lib/axgen_csim.h), no precompiled header;
  - after:   native, with the precompiled HLS headers (generator.tools.hls_pch) -- as axgen builds it
             now; the headers' one-time precompilation is timed apart.

    .venv/bin/python benchmarks/csim_speed.py [--samples 2 22] [--ap-int-samples 1 3]

Every build is cold (a fresh cache folder). The program then runs N1 and N2 random samples and
the speed is the marginal one, (N2 - N1) / (t2 - t1), in wall-clock time and in the program's CPU
time (the machine may be shared). Every run's outputs are checked against the golden model.
Writes benchmarks/results/csim_speed.json."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "support"))

import models  # noqa: E402  (the tests' networks and foldings)
from generator import config  # noqa: E402
from generator.execute import golden_outputs  # noqa: E402
from generator.frontend import load_network  # noqa: E402
from generator.project import build  # noqa: E402
from generator.sim import csim  # noqa: E402
from generator.tools import gxx  # noqa: E402
from generator.verify import random_inputs  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "csim_speed.json"
NETWORK = "cnv_1w1a"


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(project, values: np.ndarray, ap_int: bool) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one C simulation run of `values` (the program is built)."""
    first, last = project.plan.first, project.plan.last
    hls = project.data["hls"]
    cpu = _child_cpu()
    result = csim.simulate(project.root / "hls", hls["testbench"], values, first.in_dtype, last.out_dtype,
                           last.out_elems, ap_int=ap_int)
    cpu = _child_cpu() - cpu
    assert result.cached, "the program was built before"
    if not np.array_equal(result.outputs, golden_outputs(project, values)):
        raise SystemExit(f"C simulation (ap_int={ap_int}) differs from the golden model")
    return result.run_seconds, cpu


@contextlib.contextmanager
def _no_precompiled_header():
    """compile_cached without the precompiled HLS headers, as before them."""
    saved = gxx.precompile
    gxx.precompile = lambda: []
    try:
        yield
    finally:
        gxx.precompile = saved


def measure(project, label: str, ap_int: bool, pch: bool, samples: tuple[int, int], cache: Path) -> dict:
    os.environ["AXGEN_CACHE"] = str(cache)  # a cold build
    row = {"code": label, "ap_int": ap_int, "precompiled_header": pch}
    if pch:
        start = time.monotonic()
        assert gxx.precompile(), "g++ precompiles the HLS headers"
        row["precompile_seconds"] = round(time.monotonic() - start, 2)
    cpu, start = _child_cpu(), time.monotonic()
    with contextlib.nullcontext() if pch else _no_precompiled_header():
        _, cached = csim.build(project.root / "hls", project.data["hls"]["testbench"], ap_int=ap_int)
    build_wall, build_cpu = time.monotonic() - start, _child_cpu() - cpu
    assert not cached, "a cold build"
    n1, n2 = samples
    values = random_inputs(project, n2, seed=0)
    wall1, cpu1 = _run(project, values[:n1], ap_int)
    wall2, cpu2 = _run(project, values, ap_int)
    return {**row, "build_seconds": round(build_wall, 2), "build_cpu_seconds": round(build_cpu, 2),
            "samples": [n1, n2], "run_seconds": [round(wall1, 3), round(wall2, 3)],
            "run_cpu_seconds": [round(cpu1, 3), round(cpu2, 3)],
            "samples_per_second": round((n2 - n1) / (wall2 - wall1), 2),
            "samples_per_cpu_second": round((n2 - n1) / (cpu2 - cpu1), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, nargs=2, default=(2, 22), metavar=("N1", "N2"))
    parser.add_argument("--ap-int-samples", type=int, nargs=2, default=(1, 3), metavar=("N1", "N2"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path = models.export(models.finn_fc(NETWORK), (3, 32, 32), tmp / f"{NETWORK}.onnx")
        project = build(load_network(path), tmp / "project", config.from_dict(models.CNV_FOLDING))
        rows = [measure(project, "before (ap_int)", True, False, tuple(args.ap_int_samples), tmp / "c0"),
                measure(project, "native", False, False, tuple(args.samples), tmp / "c1"),
                measure(project, "after (native+pch)", False, True, tuple(args.samples), tmp / "c2")]
    header = (f"{'C simulation':19} {'build s':>8} {'build cpu':>9} {'samples':>8} {'samples/s':>9} "
              f"{'per cpu s':>9}")
    print(f"{NETWORK} (random), FINN's folding\n{header}\n{'-' * len(header)}")
    for r in rows:
        print(f"{r['code']:19} {r['build_seconds']:>8.1f} {r['build_cpu_seconds']:>9.1f} "
              f"{'%d-%d' % tuple(r['samples']):>8} {r['samples_per_second']:>9.1f} {r['samples_per_cpu_second']:>9.1f}")
    print(f"precompiling the HLS headers (once per compiler and flags): {rows[-1]['precompile_seconds']:.1f} s")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"network": NETWORK, "folding": "tests/support/models.py CNV_FOLDING",
                                   "cpus": os.cpu_count(), "load_average": [round(v, 2) for v in os.getloadavg()],
                                   "results": rows}, indent=2) + "\n")
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
