"""The fitting and reporting half of benchmarks/calibrate_resources.py: non-negative least squares
of the resource model's features against the Yosys measurements, and the model's errors."""

from __future__ import annotations

import json
from pathlib import Path
from collections import defaultdict

import numpy as np
from scipy.optimize import nnls

import calibration_cases as cc
from generator.hw import resource_features as rf
from generator.hw import resources
from generator.hw.params import POOL_OUT_MODES
from generator.multipliers import FAMILIES
from generator.tools.yosys import yosys_version

FITTED = resources.FITTED


def _stages(accs: dict) -> dict:
    """(case, layer name) -> stage."""
    return {(case, stage.name): stage for case, acc in accs.items() for stage in acc.plan.stages}


def _merge(into: dict, block: dict) -> None:
    """Add a block's features and memories to another of the same kind."""
    for key in FITTED:
        for feature, value in block[key].items():
            into.setdefault(key, {})[feature] = into.get(key, {}).get(feature, 0.0) + value
    for key in ("lutram", "bram18"):
        into[key] = into.get(key, 0) + block[key]


def stitching_blocks(plan) -> dict:
    """The features of a design's stitching: its FIFOs, width converters and TLAST counter, summed per kind."""
    out: dict = {}
    _merge(out.setdefault("tlast", {}), rf.tlast_features(plan.out_beats, plan.packet_samples))
    for link in plan.links:
        for name, block in resources.link_blocks(link).items():
            _merge(out.setdefault(name, {}), block)
    return out


def _block_features(record: dict) -> dict:
    p, kind = record["params"], record["kind"]
    if kind == "fifo":
        return {"fifo": rf.fifo_features(p["WIDTH"], p["DEPTH"])}
    if kind == "swg":
        return {"swg": rf.swg_block(p)}
    if kind == "pool":  # blocks measured before average pools: max pools, elements passed through raw
        return {"pool": rf.pool_block({"ACC_BITS": p["ELEM_BITS"], "OUT_MODE": POOL_OUT_MODES["raw"], **p})}
    return {"dwc": rf.dwc_features(p["IN_ELEMS"], p["OUT_ELEMS"], p["ELEM_BITS"])}


def rows(accs: dict, data: dict) -> list[tuple[str, dict, dict]]:
    """(label, {block: features}, measured) for every layer, every design's stitching and every block measured."""
    stages = _stages(accs)
    out = []
    for case, design in data["designs"].items():
        if case not in accs:
            continue
        out += [(f"{case}/{name}", resources.stage_blocks(stages[case, name]), m) for name, m in design["layers"].items()]
        out.append((f"{case}/stitching", stitching_blocks(accs[case].plan), design["stitching"]))
    out += [(f"{r['kind']} {r['params']}", _block_features(r), r["measured"]) for r in data["blocks"]]
    return out


# Prior values of coefficients with a physical meaning (a measured lane counts once, a ROM column
# of a shallow ROM is one LUT, a register bit one flip-flop); the fit is pulled towards them by
# PRIOR_WEIGHT of each column's data, which keeps correlated features from trading places.
PRIORS = {("mvau", "lut"): {"lanes_exact": 1.0, "lanes_bipolar": 1.0, "lanes_table": 1.0, "lanes_const": 0.5,
                            "rom": 1.0, "rom6": 1.0, "rom_deep": 1.5, "rom_t": 1.0, "rom_t_deep": 1.5, "acc": 1.0,
                            "cmp": 0.5, "count": 1.0},
          ("mvau", "ff"): {"regs": 1.0}}
SPLIT_PRIOR = 1.0
PRIOR_WEIGHT = 0.05


def _prior(block: str, key: str, feature: str) -> float:
    if block == "mvau" and key == "lut" and feature.startswith("lanes_") and feature not in PRIORS[block, key]:
        return SPLIT_PRIOR
    return PRIORS.get((block, key), {}).get(feature, 0.0)


def _distinct(samples: list[tuple[str, dict, dict]], key: str) -> list[tuple[str, dict, dict]]:
    """Samples with the same features and measurement counted once (the stitching of one folding
    with other multipliers, an unchanged layer): repeats would weigh as if they were evidence."""
    seen, out = set(), []
    for sample in samples:
        _, blocks, measured = sample
        signature = (json.dumps({b: f[key] for b, f in blocks.items()}, sort_keys=True), measured[key])
        if signature not in seen:
            seen.add(signature)
            out.append(sample)
    return out


def _fit_one(samples: list[tuple[str, dict, dict]], key: str) -> dict:
    samples = _distinct(samples, key)
    columns = sorted({(block, feature) for _, blocks, _ in samples for block, f in blocks.items() for feature in f[key]})
    a = np.array([[blocks.get(block, {}).get(key, {}).get(feature, 0.0) for block, feature in columns]
                  for _, blocks, _ in samples])
    y = np.array([float(m[key]) for _, _, m in samples])
    weight = 1 / np.sqrt(np.maximum(y, 10.0))
    aw, yw = a * weight[:, None], y * weight
    strength = np.sqrt(PRIOR_WEIGHT * (aw ** 2).sum(axis=0))  # the prior row weighs PRIOR_WEIGHT of the column's data
    priors = np.array([_prior(block, key, feature) for block, feature in columns])
    aw = np.vstack([aw, np.diag(strength)])
    yw = np.concatenate([yw, strength * priors])
    scale = np.maximum(np.abs(aw).max(axis=0), 1e-9)  # columns of comparable size for the solver
    solution, _ = nnls(aw / scale, yw, maxiter=50 * len(columns))
    coefs = defaultdict(dict)
    for (block, feature), value in zip(columns, solution / scale):
        coefs[block][feature] = round(float(value), 5)
    if key == "lut":  # a family not among the calibration designs takes the mean of the split families
        split = [v for f, v in coefs["mvau"].items() if f.startswith("lanes_") and f[6:] in FAMILIES and f != "lanes_exact"]
        coefs["mvau"]["lanes_default"] = round(float(np.mean(split)), 5) if split else SPLIT_PRIOR
    return coefs


def _fit_all(samples: list[tuple[str, dict, dict]]) -> dict:
    """{block: {resource: {feature: coefficient}}} fitted to `samples`."""
    blocks = defaultdict(dict)
    for key in FITTED:
        for block, coefs in _fit_one(samples, key).items():
            blocks[block][key] = coefs
    return blocks


def fit(accs: dict, data: dict) -> None:
    samples = rows(accs, data)
    blocks = _fit_all(samples)
    doc = {"about": "Coefficients of the resource model's features (generator/hw/resource_features.py) per block "
                    "and resource, fitted by non-negative least squares to Yosys synth_xilinx -family xc7 -nodsp "
                    "runs of the designs in benchmarks/calibration_cases.py "
                    "(.venv/bin/python benchmarks/calibrate_resources.py fit)",
           "yosys": yosys_version(), "samples": len(samples), "blocks": blocks}
    resources.COEFFICIENTS.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    resources.coefficients.cache_clear()
    print(f"{len(samples)} samples -> {resources.COEFFICIENTS}")
    report(accs, data)


def _err(est: float, meas: float) -> str:
    return f"{100 * (est - meas) / meas:+6.1f}%" if meas else "     -"


def _estimate(blocks: dict) -> dict:
    return resources.add(*(resources.evaluate(name, b) for name, b in blocks.items()))


FOLDED_RESULTS = Path(__file__).resolve().parent / "results" / "resource_model_folded.json"  # written by report


def report(accs: dict, data: dict) -> None:
    print(f"{'layer':52} {'LUT y/est':>13} {'err':>7} {'FF y/est':>13} {'err':>7} {'CARRY y/est':>11} "
          f"{'LUTRAM':>9} {'BRAM18':>7}")
    errors, totals, layers = defaultdict(list), {}, []
    for label, blocks, m in rows(accs, data):
        if label.startswith(("fifo ", "dwc ", "swg ", "pool ")):
            continue
        est = _estimate(blocks)
        if not label.endswith("/stitching"):
            for key in ("lut", "ff", "carry"):
                errors[key].append((est[key] - m[key]) / max(m[key], 1))
            layers.append({"layer": label, **{f"{side}_{key}": int(values[key]) for side, values in (("yosys", m), ("model", est))
                                              for key in ("lut", "ff", "carry")}})
        case = label.split("/")[0]
        y, e = totals.get(case, (resources.add(), resources.add()))
        totals[case] = (resources.add(y, {k: m.get(k, 0) or 0 for k in resources.KEYS}), resources.add(e, est))
        print(f"{label:52} {m['lut']:6d}/{est['lut']:<6d} {_err(est['lut'], m['lut'])} "
              f"{m['ff']:6d}/{est['ff']:<6d} {_err(est['ff'], m['ff'])} {m['carry']:5d}/{est['carry']:<5d} "
              f"{m['lutram']:4d}/{est['lutram']:<4d} {m['bram18']:3d}/{est['bram18']:<3d}")
    summary = {}
    for key in ("lut", "ff", "carry"):
        e = np.abs(np.array(errors[key]))
        summary[key] = {"median": float(np.median(e)), "mean": float(e.mean()), "p90": float(np.percentile(e, 90)),
                        "max": float(e.max())}
        print(f"{'' if key != 'lut' else chr(10)}layers: {len(e)}; {key.upper()} |error| median {100 * np.median(e):.1f}%, "
              f"mean {100 * e.mean():.1f}%, 90th percentile {100 * np.percentile(e, 90):.1f}%, max {100 * e.max():.1f}%")
    FOLDED_RESULTS.write_text(json.dumps({"layers": layers, "summary": summary}, indent=1) + "\n")
    block_errors = defaultdict(list)
    for r in data["blocks"]:
        est = _estimate(_block_features(r))
        block_errors[r["kind"]].append((est["lut"] + est["lutram"], r["measured"]["lut"] + r["measured"]["lutram"]))
    for kind, pairs in block_errors.items():
        rel = [abs(a - b) / max(b, 1) for a, b in pairs]
        print(f"{kind} blocks: {len(pairs)} runs, LUT+LUTRAM |error| median {100 * np.median(rel):.1f}%, "
              f"max {100 * max(rel):.1f}%")
    print(f"\n{'design (layers + stitching)':34} {'LUT y/est':>13} {'err':>7} {'FF y/est':>13} {'err':>7} "
          f"{'LUTRAM y/est':>12} {'BRAM18':>7}")
    for case, (m, est) in totals.items():
        print(f"{case:34} {m['lut']:6d}/{est['lut']:<6d} {_err(est['lut'], m['lut'])} {m['ff']:6d}/{est['ff']:<6d} "
              f"{_err(est['ff'], m['ff'])} {m['lutram']:5d}/{est['lutram']:<6d} {m['bram18']:3d}/{est['bram18']:<3d}")
    ranking = [f"digits_{fold}_{mul}" for fold in cc.DIGITS_RANKING for mul in cc.RANKING_MULTIPLIERS]
    if all(case in totals for case in ranking):
        by_yosys = sorted(ranking, key=lambda c: totals[c][0]["lut"])
        by_model = sorted(ranking, key=lambda c: totals[c][1]["lut"])
        print("\ndigits MLP, total LUTs, ascending:")
        print("  Yosys: " + ", ".join(f"{c[7:]} {totals[c][0]['lut']}" for c in by_yosys))
        print("  model: " + ", ".join(f"{c[7:]} {totals[c][1]['lut']}" for c in by_model))
        print("  same order: " + ("yes" if by_yosys == by_model else "NO"))


def crossval(accs: dict, data: dict) -> None:
    """Held-out errors: for each network, the coefficients fitted without any of its designs
    estimate its layers and designs (what a network the model never saw can expect)."""
    network_of = {case: network for case, (network, _) in cc.cases().items()}
    samples = rows(accs, data)
    errors, designs = defaultdict(list), []
    for network in cc.NETWORKS:
        held = [s for s in samples if network_of.get(s[0].split("/")[0]) == network]
        if not held:
            continue
        kept = [s for s in samples if s not in held]
        blocks = _fit_all(kept)
        with _coefficients(blocks):
            totals = {}
            for label, features, m in held:
                est = _estimate(features)
                if not label.endswith("/stitching"):
                    errors[network].append((est["lut"] - m["lut"]) / max(m["lut"], 1))
                y, e = totals.get(label.split("/")[0], (0, 0))
                totals[label.split("/")[0]] = (y + m["lut"], e + est["lut"])
        designs += [(case, y, e) for case, (y, e) in totals.items()]
    print(f"{'held-out network':16} {'layers':>6} {'LUT |err| median':>17} {'90th pct':>9} {'max':>7}")
    for network, errs in errors.items():
        e = np.abs(np.array(errs))
        print(f"{network:16} {len(e):6d} {100 * np.median(e):16.1f}% {100 * np.percentile(e, 90):8.1f}% "
              f"{100 * e.max():6.1f}%")
    e = np.abs(np.array([x for errs in errors.values() for x in errs]))
    print(f"{'all':16} {len(e):6d} {100 * np.median(e):16.1f}% {100 * np.percentile(e, 90):8.1f}% {100 * e.max():6.1f}%")
    d = np.abs(np.array([(est - y) / y for _, y, est in designs]))
    print(f"designs (layers + stitching), held out: {len(d)}; LUT |error| median {100 * np.median(d):.1f}%, "
          f"max {100 * d.max():.1f}%")
    ranking = [f"digits_{fold}_{mul}" for fold in cc.DIGITS_RANKING for mul in cc.RANKING_MULTIPLIERS]
    by = {case: (y, est) for case, y, est in designs}
    if all(case in by for case in ranking):
        same = sorted(ranking, key=lambda c: by[c][0]) == sorted(ranking, key=lambda c: by[c][1])
        print("digits MLP ranking by LUTs with the digits designs held out: " + ("same as Yosys" if same else "DIFFERS"))


class _coefficients:
    """Within the block, the resource model evaluates with `blocks` instead of its fitted file."""

    def __init__(self, blocks: dict):
        self.blocks = json.loads(json.dumps(blocks))

    def __enter__(self):
        self.saved = resources.coefficients
        resources.coefficients = lambda: self.blocks
        return self

    def __exit__(self, *exc):
        resources.coefficients = self.saved
