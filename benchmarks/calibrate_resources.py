"""Calibrate the resource model (generator/hw/resources.py) against Yosys.

    .venv/bin/python benchmarks/calibrate_resources.py collect [-j 2] [--work DIR]
        builds every design of benchmarks/calibration_cases.py into DIR (default
        /tmp/axgen-calibration), synthesizes each with `axgen synth --tool yosys --no-dsp` (every
        layer module and the top's own logic; Yosys `synth_xilinx -family xc7 -nodsp -flatten`,
        cached by content) and the stitching blocks (FIFOs, width converters) over a grid, and
        writes benchmarks/resource_calibration.json
    .venv/bin/python benchmarks/calibrate_resources.py fit [--work DIR]
        fits the model's coefficients to those measurements (non-negative least squares on the
        model's features, per resource and block) and writes generator/hw/resource_coefficients.json
    .venv/bin/python benchmarks/calibrate_resources.py report [--work DIR]
        the model's error per layer and per design, and the LUT ranking of the digits MLP
    .venv/bin/python benchmarks/calibrate_resources.py crossval [--work DIR]
        held-out errors: each network estimated by coefficients fitted without its designs
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import calibration_cases as cc  # noqa: E402
from yosys_cells import summary, synth_modules  # noqa: E402

from generator import api  # noqa: E402
from generator.resources import folder  # noqa: E402
from generator.templating import environment  # noqa: E402

MEASUREMENTS = HERE / "resource_calibration.json"
WORK = Path("/tmp/axgen-calibration")
BLOCK_TOP = "axgen_blocks_top"
BLOCK_BATCH = 24  # blocks per Yosys run


def build_all(work: Path) -> dict:
    """Build every case into work/<case> (again each time: fast, deterministic); returns the accelerators."""
    work.mkdir(parents=True, exist_ok=True)
    np.save(work / cc.LUT_TABLE, cc.lut_table())
    nets, accs = {}, {}
    cwd = os.getcwd()
    os.chdir(work)  # the lut: table path is relative
    try:
        for case, (network, config) in cc.cases().items():
            if network not in nets:
                model, shape = cc.NETWORKS[network]()
                nets[network] = api.load(model, input_shape=shape)
            accs[case] = api.build(nets[network], work / case, config, force=True)
    finally:
        os.chdir(cwd)
    return accs


def block_jobs() -> list[tuple[str, dict]]:
    jobs = [("fifo", {"WIDTH": w, "DEPTH": d}) for w in cc.FIFO_WIDTHS for d in cc.FIFO_DEPTHS]
    jobs += [("dwc", {"IN_ELEMS": i, "OUT_ELEMS": o, "ELEM_BITS": b}) for i, o, b in cc.DWC_CASES]
    jobs += [("swg", params) for params in cc.SWG_CASES] + [("pool", params) for params in cc.POOL_CASES]
    return jobs


BLOCK_MODULES = {"fifo": "axgen_fifo", "dwc": "axgen_dwc", "swg": "axgen_swg", "pool": "axgen_maxpool"}


def _block(kind: str, params: dict, name: str) -> dict:
    if kind == "fifo":
        in_bits = out_bits = params["WIDTH"]
    elif kind == "dwc":
        in_bits, out_bits = params["IN_ELEMS"] * params["ELEM_BITS"], params["OUT_ELEMS"] * params["ELEM_BITS"]
    else:
        in_bits = out_bits = params["SIMD" if kind == "swg" else "PE"] * params["ELEM_BITS"]
    return {"name": name, "module": BLOCK_MODULES[kind], "params": list(params.items()),
            "in_bits": in_bits, "out_bits": out_bits}


def synth_blocks(batch: list[tuple[str, dict]]) -> list[dict]:
    """The blocks of `batch` synthesized in one Yosys run, each in its own kept module."""
    blocks = [_block(kind, params, f"block_{i}") for i, (kind, params) in enumerate(batch)]
    wrapper = environment("yosys").get_template("blocks_top.v.j2").render(top=BLOCK_TOP, blocks=blocks)
    files = {f"{module}.v": folder("rtl") / f"{module}.v" for module in BLOCK_MODULES.values()}
    modules = synth_modules({**files, f"{BLOCK_TOP}.v": wrapper}, BLOCK_TOP, "stitching blocks")
    return [{"kind": kind, "params": params, "measured": summary(modules[b["name"]])}
            for (kind, params), b in zip(batch, blocks)]


def _measured(entry: dict) -> dict:
    return {key: entry.get(key) or 0 for key in ("lut", "lutram", "ff", "carry", "bram18", "dsp")}


def collect(work: Path, jobs: int, blocks_only: bool = False) -> None:
    """Each design through `axgen synth --tool yosys --no-dsp` (every layer module and the top's own
    logic), the blocks (stitching, window generators, pools) in batches; all of it into MEASUREMENTS."""
    start = time.time()
    accs = {} if blocks_only else build_all(work)
    print(f"built {len(accs)} designs in {time.time() - start:.0f} s", flush=True)
    data = {"designs": json.loads(MEASUREMENTS.read_text())["designs"] if blocks_only else {}, "blocks": []}
    for i, (case, acc) in enumerate(accs.items()):
        t0 = time.time()
        doc = api.synth(acc.root, tool="yosys", jobs=jobs, no_dsp=True)
        data["designs"][case] = {"layers": {name: _measured(e) for name, e in doc["layers"].items()},
                                 "stitching": _measured(doc["stitching"])}
        total = sum(e["lut"] for e in doc["layers"].values()) + doc["stitching"]["lut"]
        print(f"[{i + 1}/{len(accs)}] {case}: {total} LUTs ({time.time() - t0:.0f} s)", flush=True)
    jobs_list = block_jobs()
    batches = [jobs_list[i:i + BLOCK_BATCH] for i in range(0, len(jobs_list), BLOCK_BATCH)]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for result in pool.map(synth_blocks, batches):
            data["blocks"] += result
    MEASUREMENTS.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"{len(data['designs'])} designs and {len(jobs_list)} blocks in {time.time() - start:.0f} s -> {MEASUREMENTS}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["collect", "fit", "report", "crossval"])
    parser.add_argument("-j", "--jobs", type=int, default=1)
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--blocks-only", action="store_true", help="collect: only the blocks, keep the designs measured before")
    args = parser.parse_args()
    if args.step == "collect":
        collect(args.work, args.jobs, blocks_only=args.blocks_only)
    else:
        import calibration_fit
        accs = build_all(args.work)
        data = json.loads(MEASUREMENTS.read_text())
        getattr(calibration_fit, args.step)(accs, data)


if __name__ == "__main__":
    main()
