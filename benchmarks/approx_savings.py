"""What approximate multipliers save in the whole accelerator, measured with Yosys.

For each network, folding and multiplier: total LUTs, CARRY4 and FFs of the stitched top (Yosys
`synth_xilinx -family xc7 -nodsp -flatten`), with the weight-side precomputation (split
products: weights stored as sign and magnitude, activation magnitudes shared by the PE lanes,
negation as add-or-subtract in the sum) and without it (the sign-magnitude wrapper per lane).

    .venv/bin/python benchmarks/approx_savings.py [--networks digits4,digits8,tfc] [--jobs 2]

Ratios are printed against the exact design of the same network and folding, measured in the
same run. Yosys results are cached (generator.tools.cache), so a rerun only prints.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "support"))

import models  # noqa: E402  (the tests' networks)
import generator as axgen  # noqa: E402
from generator.hw.matrix import LayerImpl  # noqa: E402
from generator.hw.products import lane  # noqa: E402
from generator.tools.cache import SYNTH, cache_dir, cached, content_key, is_done  # noqa: E402
from generator.tools.yosys import run_stat_json, yosys_version  # noqa: E402

NETWORKS = {
    # name: (model factory, input shape, foldings, approximate multipliers)
    "digits4": ("digits MLP, 4-bit (seeded)", lambda: _digits(4), (64,),
                [{0: {"pe": 8, "simd": 8}, 1: {"pe": 4, "simd": 8}, 2: {"pe": 2, "simd": 4}},
                 {0: {"pe": 4, "simd": 4}, 1: {"pe": 2, "simd": 4}, 2: {"pe": 1, "simd": 4}}],
                ["trunc:k=3", "drum:k=2", "mitchell"]),
    "digits8": ("digits MLP, 8-bit (seeded)", lambda: _digits(8), (64,),
                [{0: {"pe": 8, "simd": 8}, 1: {"pe": 4, "simd": 8}, 2: {"pe": 2, "simd": 4}}],
                ["trunc:k=6", "drum:k=4"]),
    "tfc": ("TFC-w2a2 (random weights)", lambda: models.finn_fc("tfc_2w2a"), (1, 28, 28),
            [{0: {"pe": 16, "simd": 16}, 1: {"pe": 4, "simd": 4}, 2: {"pe": 4, "simd": 4}, 3: {"pe": 2, "simd": 4}},
             {0: {"pe": 8, "simd": 8}, 1: {"pe": 2, "simd": 4}, 2: {"pe": 2, "simd": 2}, 3: {"pe": 1, "simd": 2}}],
            ["trunc:k=1", "drum:k=1", "mitchell"]),
}


def _digits(bits: int):
    """The digits MLP at `bits`-bit weights and activations, seeded and untrained: the same
    weights on every machine and run, so the Yosys results are found in the cache again."""
    import torch
    from generator import digits
    torch.manual_seed(0)
    model = digits.quantized_mlp(weight_bits=bits, act_bits=bits)
    models.randomize_norms(model, 0)
    return model.eval()


def _luts(cells: dict) -> int:
    return sum(v for k, v in cells.items() if k.startswith("LUT"))


def synth_top(rtl: Path, cached_only: bool = False) -> dict | None:
    """LUTs, CARRY4 and FFs of axgen_top in rtl/ (cached by content); with cached_only, None
    when it has not been synthesized yet."""
    files = {p.name: p for p in sorted(rtl.iterdir()) if p.suffix in (".v", ".mem")}
    script = ("read_verilog -defer " + " ".join(n for n in files if n.endswith(".v")) + "\n"
              "synth_xilinx -family xc7 -nodsp -noiopad -flatten -top axgen_top\n"
              "tee -q -o stat.json stat -json\n")
    key = content_key(yosys_version(), script, *(part for n, p in files.items() for part in (n, p.read_bytes())))

    def run(entry: Path) -> None:
        cells = run_stat_json(files, script, "Yosys synthesis of axgen_top")["design"]["num_cells_by_type"]
        result = {"luts": _luts(cells), "carry4": cells.get("CARRY4", 0), "ff": sum(v for k, v in cells.items() if k.startswith("FD"))}
        (entry / "result.json").write_text(json.dumps(result))

    if cached_only and not is_done(cache_dir(SYNTH) / ("top-" + key)):
        return None
    entry, _ = cached(cache_dir(SYNTH), "top-" + key, run)
    return json.loads((entry / "result.json").read_text())


def _build(net, root: Path, folding: dict, spec: str, split: bool) -> tuple[Path, float | None]:
    """The project's rtl/ folder, and the LUTs its product lanes take by the lane table Yosys
    measured (generator/hw/products.py; None without the precomputation: the table has no
    sign-magnitude wrapper around an approximate core)."""
    cfg = {"defaults": {"multiplier": spec}, "layers": folding}
    if split:
        acc = axgen.build(net, root, config=cfg, force=True)
    else:
        with mock.patch.object(LayerImpl, "split_products", property(lambda self: False)):
            acc = axgen.build(net, root, config=cfg, force=True)
    products = None
    if split or spec == "exact":
        products = sum(s.pe * s.simd * lane(s).luts for s in acc.plan.stages if isinstance(s, LayerImpl))
    return acc.root / "rtl", products


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", default=",".join(NETWORKS))
    parser.add_argument("--after-only", default="digits8", help="Networks measured only with the precomputation.")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--cached-only", action="store_true", help="Print what is synthesized already; run nothing.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        jobs = []
        for key in args.networks.split(","):
            title, make, shape, foldings, specs = NETWORKS[key]
            net = axgen.load(make(), input_shape=shape, name=key)
            for f, folding in enumerate(foldings):
                for spec in ["exact", *specs]:
                    for split in ((True,) if spec == "exact" or key in args.after_only.split(",") else (False, True)):
                        root = Path(tmp) / f"{key}-{f}-{spec.replace(':', '_')}-{int(split)}"
                        jobs.append((title, f, spec, split, *_build(net, root, folding, spec, split)))
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            results = list(pool.map(lambda job: synth_top(job[4], args.cached_only), jobs))
    print(f"{'network':28} {'fold':>4} {'multiplier':12} {'precompute':>10} {'LUT':>7} {'CARRY4':>7} {'FF':>6} "
          f"{'LUT/exact':>9} {'products':>9}")
    exact = {}
    for (title, f, spec, split, _, products), r in zip(jobs, results):
        if r is None:
            print(f"{title:28} {f:>4} {spec:12} {'(not synthesized yet)':>30}")
            continue
        if spec == "exact":
            exact[(title, f)] = r["luts"]
        ratio = r["luts"] / exact[(title, f)]
        share = "-" if products is None else f"{products / r['luts']:.1%}"
        print(f"{title:28} {f:>4} {spec:12} {('yes' if split else 'no') if spec != 'exact' else '-':>10} "
              f"{r['luts']:>7} {r['carry4']:>7} {r['ff']:>6} {ratio:>9.3f} "
              f"{share:>9}", flush=True)


if __name__ == "__main__":
    main()
