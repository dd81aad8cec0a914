"""Estimated FPGA resources of the hardware plan, per stage, per link and in total, without
running a synthesis tool: LUT, FF, CARRY4, LUTRAM (LUT sites used as memory), BRAM18, URAM and
DSP for 7-series / UltraScale+ fabric, as Yosys `synth_xilinx -nodsp` builds the generated RTL.

Each block's features (generator.hw.resource_features: the products from the measured
multiplier table, adder trees, accumulators, comparators, ROMs kept in logic, control) are
weighted by coefficients fitted to Yosys runs (benchmarks/calibrate_resources.py wrote
generator/hw/resource_coefficients.json); memories follow Yosys' mapping rules
(generator.hw.memories). The model is meant to rank designs as Yosys does (folding, multipliers)
for the automatic folding and the design-space exploration, and to warn when a design does not
fit its board. DSPs are 0: the fabric build is the reference (Vivado may move wide exact products
into DSPs).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from generator.hw import resource_features as rf

COEFFICIENTS = Path(__file__).with_name("resource_coefficients.json")
FITTED = ("lut", "ff", "carry")
KEYS = ("lut", "ff", "carry", "lutram", "bram18", "uram", "dsp")
CAPACITY_KEYS = ("lut", "ff", "bram18", "uram", "dsp")  # what a board lists
NAMES = {"lut": "LUTs", "ff": "flip-flops", "bram18": "BRAM18s", "uram": "URAMs", "dsp": "DSPs"}


@lru_cache(maxsize=1)
def coefficients() -> dict:
    """{block: {resource: {feature: coefficient}}}."""
    return json.loads(COEFFICIENTS.read_text())["blocks"]


# block name -> its features; stage kind -> the blocks it instantiates, each with the block whose
# coefficients estimate it (a depthwise convolution's VVAU holds the MVAU's lanes, adder trees,
# weight and threshold memories, and is estimated as one)
FEATURES = {"mvau": rf.mvau_features, "swg": rf.swg_features, "pool": rf.pool_features, "dup": rf.duplicate_features,
            "add": rf.add_features}
STAGE_BLOCKS = {"fc": ("mvau",), "conv": ("swg", "mvau"), "dwconv": ("swg", "mvau"), "maxpool": ("pool",),
                "avgpool": ("pool",), "duplicate": ("dup",), "add": ("add",)}


def stage_blocks(stage) -> dict:
    """The features of the fitted blocks a stage instantiates, by block name (an unrolled layer's
    graph is counted, generator.hw.unrolled; its convolution's window generator is fitted)."""
    names = STAGE_BLOCKS[stage.kind] if stage.kind != "unrolled" else ("swg",) if stage.layer.conv is not None else ()
    return {name: FEATURES[name](stage) for name in names}


def link_blocks(link) -> dict:
    blocks = {"fifo": rf.fifo_features(link.dst_bits, link.depth)}
    if link.width_converter:
        blocks = {"dwc": rf.dwc_features(link.src_per_beat, link.dst_per_beat, link.elem_bits), **blocks}
    return blocks


def _coefficient(coefs: dict, feature: str) -> float:
    """A feature's coefficient; the products of a family no calibration design used take lanes_default."""
    if feature in coefs:
        return coefs[feature]
    return coefs.get("lanes_default", 1.0) if feature.startswith("lanes_") else 0.0


def evaluate(name: str, block: dict) -> dict:
    """One block's resources: the fitted ones from its features, the memories as counted."""
    coefs = coefficients()[name]
    out = {key: 0 for key in KEYS}
    for key in FITTED:
        value = sum(_coefficient(coefs[key], feature) * x for feature, x in block[key].items())
        out[key] = max(0, round(value))
    out["lutram"], out["bram18"] = int(block["lutram"]), int(block["bram18"])
    return out


def add(*entries: dict) -> dict:
    return {key: sum(e[key] for e in entries) for key in KEYS}


def stage_resources(stage) -> dict:
    fitted = [evaluate(name, block) for name, block in stage_blocks(stage).items()]
    if stage.kind == "unrolled":  # its adders are counted (generator.hw.unrolled)
        return add(stage.counted_resources(), *fitted)
    return add(*fitted)


def link_resources(link) -> dict:
    return add(*(evaluate(name, block) for name, block in link_blocks(link).items()))


def plan_resources(plan) -> dict:
    """{"layers": {name: resources}, "stitching": resources of the FIFOs, width converters and
    the TLAST counter, "total": resources}."""
    layers = {stage.name: stage_resources(stage) for stage in plan.stages}
    tlast = rf.tlast_features(plan.out_beats, plan.packet_samples)
    stitching = add(evaluate("tlast", tlast), *(link_resources(link) for link in plan.links))
    return {"layers": layers, "stitching": stitching, "total": add(*layers.values(), stitching)}


def used(total: dict, key: str) -> int:
    """What a resource takes of the board's capacity: LUTs as logic and as memory share the LUT sites."""
    return total["lut"] + total["lutram"] if key == "lut" else total[key]


def fit_problems(total: dict, board) -> list[str]:
    """One line per resource whose estimate exceeds the capacity of `board` (None: no board, no
    problem), e.g. "estimated LUTs 61250 (logic 60100 + LUTRAM 1150) exceed the board's 53200"."""
    if board is None:
        return []
    problems = []
    for key in CAPACITY_KEYS:
        capacity = int(board.resources.get(key, 0))
        need = used(total, key)
        if need > capacity:
            detail = f" (logic {total['lut']} + LUTRAM {total['lutram']})" if key == "lut" else ""
            problems.append(f"estimated {NAMES[key]} {need}{detail} exceed the board's {capacity}")
    return problems


def summary(plan) -> dict:
    """project.json's "estimated_resources": the estimate, the board's capacity, utilization and fit."""
    estimate = plan_resources(plan)
    out = {"model": "yosys synth_xilinx -nodsp (generator/hw/resources.py)", **estimate}
    if plan.board is not None:
        capacity = {key: int(plan.board.resources.get(key, 0)) for key in CAPACITY_KEYS}
        out["capacity"] = capacity
        out["utilization"] = {key: round(used(estimate["total"], key) / capacity[key], 4) if capacity[key] else None
                              for key in CAPACITY_KEYS}
        out["fits"] = not fit_problems(estimate["total"], plan.board)
    return out
