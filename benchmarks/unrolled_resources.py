"""The resource model of unrolled layers against Yosys (issue 22): the jet tagger (hls4ml's shape,
FIXED<16,6> input, QKeras' quantizers) and the digits MLP of `axgen demo` (Brevitas, batch norm),
every layer unrolled, each layer module synthesized by `axgen synth --tool yosys --no-dsp`
(synth_xilinx); prints per layer the model's LUTs (logic) and flip-flops (counted: generator.hw.unrolled),
Yosys', and their ratio, measured in this one run.

    python benchmarks/unrolled_resources.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))

import models  # noqa: E402

from generator import config  # noqa: E402
from generator.digits import load_digits_split, quantized_mlp, trained  # noqa: E402
from generator.frontend import load_network  # noqa: E402
from generator.frontend.loading import export_brevitas  # noqa: E402
from generator.project import build  # noqa: E402
from generator.synth import run as synth  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "unrolled_resources.json"


def networks(tmp: Path) -> dict:
    jet = load_network(models.qkeras_jet_tagger(tmp / "jet.onnx"), input_type="FIXED<16,6>")
    model = trained(quantized_mlp, load_digits_split(0), 0)
    path = tmp / "mlp.onnx"
    path.write_bytes(export_brevitas(model, model.input_shape).SerializeToString())
    return {"jet": jet, "digits_mlp": load_network(path, name="digits_mlp")}


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, net in networks(Path(tmp)).items():
            project = build(net, Path(tmp) / name, config.from_dict({"defaults": {"impl": "unrolled"}}))
            measured = synth(project.root, tool="yosys", no_dsp=True, jobs=2)["layers"]
            for layer in project.data["layers"]:
                est, got = layer["estimated_resources"], measured[layer["name"]]
                row = {"network": name, "layer": layer["name"], **{f"{side}_{key}": res[key] for side, res in
                       (("model", est), ("yosys", got)) for key in ("lut", "ff", "lutram", "carry")}}
                rows.append(row)
                print(row, flush=True)
    keys = ("lut", "ff", "lutram", "carry")
    print(f"\n{'network':11} {'layer':6} " + " ".join(f"{k.upper() + ' model':>13} {'Yosys':>7} {'ratio':>6}" for k in keys))
    total = {f"{side}_{k}": sum(r[f"{side}_{k}"] for r in rows) for side in ("model", "yosys") for k in keys}
    for r in [*rows, {"network": "all", "layer": "", **total}]:
        print(f"{r['network']:11} {r['layer']:6} " + " ".join(
            f"{r['model_' + k]:13,} {r['yosys_' + k]:7,} {r['model_' + k] / max(r['yosys_' + k], 1):6.3f}" for k in keys))
    RESULTS.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
