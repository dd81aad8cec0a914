"""Measure the LUTs and CARRY4s of one lane's product as the MVAU builds it, for the resource
model's table generator/hw/product_luts.json (read by generator/hw/products.py).

- split lanes (an approximate family on integer operands, rtl/axgen_mvau.v MUL_SPLIT=1): one
  `axgen_umul` on the magnitudes, a_bits x b_bits, for every family at the knob grid of
  generator.multipliers.catalog.grid for those widths;
- whole lanes (exact, and every product with a bipolar operand): one `axgen_mul` exact on the
  operand kinds u (unsigned), s (signed), b (bipolar).

Each lane is its own module, kept through flattening, so one Yosys `synth_xilinx -family xc7
-nodsp` run per width pair counts all of them (cached by content, so a rerun only synthesizes
what changed). ABC's mapping of a lane this small varies by a few LUTs with the order of the
netlist, so each batch runs in three lane orders and each figure is the mean; the table the model
reads is then made monotone along each family's knobs where the hardware only shrinks (or grows)
with the knob (split_measured keeps the means):

    .venv/bin/python benchmarks/measure_product_luts.py [-j 2] [--out generator/hw/product_luts.json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from generator.backends.rtl.render import MUL_FILES
from generator.datatypes import DataType
from generator.errors import AxgenError
from generator.hw.encoding import kind, mul_params
from generator.multipliers import FAMILIES, parse
from generator.multipliers.catalog import grid
from generator.resources import folder
from generator.templating import environment
from generator.tools.yosys import yosys_version

sys.path.insert(0, str(Path(__file__).resolve().parent))
from yosys_cells import summary, synth_modules  # noqa: E402

TOP = "axgen_lane_top"
SPLIT_WIDTHS = (1, 2, 3, 4, 6, 8)  # magnitudes of approximate lanes
WHOLE_WIDTHS = range(1, 9)  # operands of exact lanes
ORDERS = 3  # each batch is synthesized with its lanes in this many orders; a lane's figure is the mean
OUT = Path(__file__).resolve().parents[1] / "generator" / "hw" / "product_luts.json"
KINDS = {"u": "UINT", "s": "INT"}


def split_specs(a: int, b: int) -> list[str]:
    """Every approximate setting of the knob grids of both widths that is valid for a x b."""
    specs = []
    for n in sorted({a, b, max(a, b)}):
        for spec in grid(n):
            mul = parse(spec)
            if mul.family != "exact" and FAMILIES[mul.family].check(mul.knobs, a, b) is None and mul.spec not in specs:
                specs.append(mul.spec)
    return specs


def _rtl_files() -> dict:
    return {name: folder("rtl") / name for name in MUL_FILES}


def split_lane(spec: str, a: int, b: int) -> dict:
    mul = parse(spec)
    params = mul_params(mul, DataType[f"UINT{a}"], DataType[f"UINT{b}"])
    return {"module": "axgen_umul", "a_bits": a, "b_bits": b, "p_bits": a + b,
            "params": [("A_BITS", a), ("B_BITS", b), ("FAMILY", params["FAMILY"]), ("K1", params["K1"]),
                       ("K2", params["K2"])]}


def operand(key: str) -> DataType:
    """u4 -> UINT4, s4 -> INT4, b1 -> BIPOLAR."""
    return DataType["BIPOLAR"] if key[0] == "b" else DataType[f"{KINDS[key[0]]}{key[1:]}"]


def whole_lane(a_key: str, b_key: str) -> dict:
    a_dt, b_dt = operand(a_key), operand(b_key)
    a, b = a_dt.bitwidth(), b_dt.bitwidth()
    p_bits = a + b + 2
    return {"module": "axgen_mul", "a_bits": a, "b_bits": b, "p_bits": p_bits,
            "params": [("A_BITS", a), ("A_KIND", kind(a_dt)), ("B_BITS", b), ("B_KIND", kind(b_dt)),
                       ("P_BITS", p_bits), ("FAMILY", 0), ("K1", 0), ("K2", 0)]}


def whole_keys() -> list[tuple[str, str]]:
    ints = [f"{k}{n}" for k in "us" for n in WHOLE_WIDTHS if not (k == "s" and n == 1)]
    pairs = [(x, y) for x in ints for y in ints]
    pairs += [("b1", "b1")] + [(x, "b1") for x in ints] + [("b1", y) for y in ints]
    return pairs


def measure(batch: list[tuple[str, dict]], where: str) -> dict:
    """{label: summary} of lanes synthesized together, each in its own kept module; a batch Yosys
    refuses is split until the lanes it cannot build are found (and left out)."""
    lanes = [{**lane, "name": f"lane_{i}"} for i, (_, lane) in enumerate(batch)]
    wrapper = environment("yosys").get_template("lanes_top.v.j2").render(top=TOP, lanes=lanes)
    try:
        modules = synth_modules({**_rtl_files(), f"{TOP}.v": wrapper}, TOP, where)
    except AxgenError as exc:
        if len(batch) == 1:
            print(f"failed: {batch[0][0]}: {str(exc).splitlines()[0]}", file=sys.stderr)
            return {}
        half = len(batch) // 2
        return {**measure(batch[:half], where), **measure(batch[half:], where)}
    return {label: summary(modules.get(lane["name"], {})) for (label, _), lane in zip(batch, lanes)}


# Knobs along which a family's hardware only shrinks (+1: only grows): truncating more partial
# products, breaking more of the array, perforating more rows, keeping fewer DRUM or Mitchell bits.
MONOTONE = {"trunc": {"k": -1}, "bam": {"h": -1, "v": -1}, "perf": {"k": -1}, "drum": {"k": +1}, "mitchell": {"w": +1}}
MITCHELL_FULL = 99  # `mitchell` without w keeps every fraction bit: the end of the w axis


def _isotonic(values: list[float], direction: int) -> list[float]:
    """Pool-adjacent-violators: the closest (least squares) sequence that never decreases
    (direction +1) or never increases (-1)."""
    blocks = []  # [sum, count]
    for v in (values if direction > 0 else [-x for x in values]):
        blocks.append([v, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    out = [s / c for s, c in blocks for _ in range(c)]
    return out if direction > 0 else [-x for x in out]


def smooth(measured: dict) -> dict:
    """One width pair's lanes {spec: [luts, carry4]} made monotone along each family's knobs:
    ABC's mapping of lanes this small varies by a few LUTs, enough to invert neighbours."""
    out = {spec: list(v) for spec, v in measured.items()}
    for family, knobs in MONOTONE.items():
        for knob, direction in knobs.items():
            groups = {}
            for spec in out:
                mul = parse(spec)
                if mul.family != family:
                    continue
                values = dict(mul.knobs)
                position = values.pop(knob, MITCHELL_FULL if family == "mitchell" else None)
                if position is not None:
                    groups.setdefault(tuple(sorted(values.items())), []).append((position, spec))
            for members in groups.values():
                members.sort()
                for i in range(2):
                    fitted = _isotonic([out[spec][i] for _, spec in members], direction)
                    for (_, spec), value in zip(members, fitted):
                        out[spec][i] = round(value, 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-j", "--jobs", type=int, default=1)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    batches = []
    for a_key in sorted({x for x, _ in whole_keys()}):
        batches.append(([((("whole", f"{x}x{y}")), whole_lane(x, y)) for x, y in whole_keys() if x == a_key],
                        f"exact lanes {a_key} x ..."))
    for a in SPLIT_WIDTHS:
        for b in SPLIT_WIDTHS:
            batches.append(([(("split", f"{a}x{b}", spec), split_lane(spec, a, b)) for spec in split_specs(a, b)],
                            f"approximate lanes on {a}x{b} magnitudes"))
    start = time.time()
    done = [0]

    def run(batch):
        lanes, where = batch
        samples = []
        for order in range(ORDERS):  # ABC's mapping of a small lane varies with the netlist's order
            ordered = list(lanes)
            if order:
                random.Random(order).shuffle(ordered)
            samples.append(measure(ordered, where))
        result = {}
        for label in samples[0]:
            got = [s[label] for s in samples if label in s]
            result[label] = {key: sum(g[key] for g in got) / len(got) for key in ("lut", "carry")}
        done[0] += 1
        print(f"[{done[0]}/{len(batches)}] {batch[1]}: {len(result)} lanes, {time.time() - start:.0f} s", file=sys.stderr)
        return result

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(run, batches))
    table = {"about": "LUTs and CARRY4s of one lane's product after Yosys synth_xilinx -family xc7 -nodsp "
                      "(benchmarks/measure_product_luts.py): split[AxB][spec] for axgen_umul on A- and B-bit "
                      "magnitudes, whole[<kind><bits>x<kind><bits>] for axgen_mul exact (u unsigned, s signed, "
                      "b bipolar); each value is [luts, carry4], the mean over three lane orders; split holds them made "
                      "monotone along each family's knobs (pool-adjacent-violators), split_measured the means",
             "yosys": yosys_version(), "split": {}, "whole": {}}
    count = 0
    for result in results:
        for label, cells in result.items():
            value = [round(cells["lut"], 2), round(cells["carry"], 2)]
            count += 1
            if label[0] == "whole":
                table["whole"][label[1]] = value
            else:
                table["split"].setdefault(label[1], {})[label[2]] = value
    table["split_measured"] = table["split"]
    table["split"] = {pair: smooth(lanes) for pair, lanes in table["split_measured"].items()}
    args.out.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
    print(f"{count} lanes in {len(batches)} Yosys runs, {time.time() - start:.0f} s -> {args.out}")


if __name__ == "__main__":
    main()
