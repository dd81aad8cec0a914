"""The networks issue 19 places whole (nextpnr, LFE5U-85F, out of context) to show they meet the
ECP5 boards' 125 MHz: built for board ulx3s at its clock, then Yosys synth_ecp5 and nextpnr on the
top. Shared by the slow test (tests/flows/test_fmax_networks.py) and the benchmark that prints the
table (benchmarks/fmax_networks.py). The demo's two accelerators are placed by the demo itself
(tests/flows/test_demo.py)."""

from __future__ import annotations

import json
from pathlib import Path

import models

from generator import api
from generator.synth import place

BOARD = "ulx3s"
CLOCK_MHZ = 125.0
# FINN's folding of TFC (finn-examples' tfc-w2a2 folding config)
TFC_FOLDING = {"layers": {0: {"pe": 16, "simd": 49}, 1: {"pe": 8, "simd": 8}, 2: {"pe": 8, "simd": 8},
                          3: {"pe": 10, "simd": 8}}}

# name: (model factory, input shape, folding); CNV is the long one (slow in its own right)
NETWORKS = {
    "small_cnn_folding0": (models.small_cnn, (3, 12, 10), models.SMALL_CNN_FOLDINGS[0]),
    "small_cnn_folding1": (models.small_cnn, (3, 12, 10), models.SMALL_CNN_FOLDINGS[1]),
    "tfc_w2a2_finn": (lambda: models.finn_fc("tfc_2w2a"), (1, 28, 28), TFC_FOLDING),
    "residual_cnn": (models.residual_cnn, (3, 8, 8), models.RESIDUAL_FOLDINGS[0]),
    "cnv_w1a1_finn": (lambda: models.finn_fc("cnv_1w1a"), (3, 32, 32), models.CNV_FOLDING),
}


def place_network(name: str, work: Path) -> dict:
    """Build network `name` into work/name for ulx3s at 125 MHz and place its whole top: the row of
    the issue's table (Fmax, LUT4, FF, MULT18X18D, DP16KD, cycles per sample, samples per second)
    and the critical path."""
    make, shape, folding = NETWORKS[name]
    model = models.export(make(), shape, work / f"{name}.onnx")
    root = work / name
    api.build(str(model), root, config=folding, board=BOARD, force=True, clock_mhz=CLOCK_MHZ)
    project = json.loads((root / "project.json").read_text())
    doc = place(root, BOARD)
    total, fmax = doc["total"], doc["timing"]["fmax_mhz"]
    cycles = project["estimated_cycles_per_sample"]
    return {"network": name, "fmax_mhz": fmax, "lut4": total["lut"], "ff": total["ff"], "mult18": total["dsp"],
            "dp16kd": total["bram18"], "cycles_per_sample": cycles,
            "samples_per_s": round(fmax * 1e6 / cycles), "estimated_fmax_mhz": project.get("estimated_fmax_mhz"),
            "critical_path": doc["timing"]["critical_path"]}
