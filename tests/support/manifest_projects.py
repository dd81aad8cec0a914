"""The reference projects whose SHA-256 manifests pin axgen's output byte for byte.

Each project is built through the command line from a model with seeded random weights (no
training, so the bytes do not depend on the machine's float arithmetic). `python
tests/support/manifest_projects.py` rewrites the manifests; the test compares a fresh build with them.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent / "manifests"
sys.path.insert(0, str(HERE.parent))

import models  # noqa: E402

VERSION_KEY = "format_version"  # project.json's only key a manifest ignores
TFC_MIX = {"layers": {"fc0": {"pe": 16, "simd": 16, "multiplier": "trunc:k=2"},
                      "fc1": {"pe": 4, "simd": 4, "multiplier": "drum:k=1"},
                      "fc2": {"pe": 8, "simd": 2, "multiplier": "mitchell"},
                      "fc3": {"pe": 2, "simd": 4, "multiplier": "lut:table.npy"}}}


def _digits_mlp():
    import torch
    from generator import digits
    torch.manual_seed(0)
    model = digits.quantized_mlp()
    models.randomize_norms(model, 0)
    return model.eval(), digits.INPUT_SHAPE


def _lut_table() -> np.ndarray:
    """INT2 x INT2 products, off by one on a few seeded pairs."""
    values = np.array([0, 1, -2, -1])  # codes 0..3 of INT2
    table = values[:, None] * values[None, :]
    rng = np.random.default_rng(7)
    return table + (rng.random(table.shape) < 0.3).astype(np.int64)


PROJECTS = {
    "digits_mlp": (_digits_mlp, {"layers": {0: {"pe": 8, "simd": 8}, 1: {"pe": 4, "simd": 8},
                                            2: {"pe": 2, "simd": 4}}}),
    "tfc_2w2a_mix": (lambda: (models.finn_fc("tfc_2w2a"), (1, 28, 28)), TFC_MIX),
    "small_cnn": (lambda: (models.small_cnn(), (3, 12, 10)), models.SMALL_CNN_FOLDINGS[1]),
    "cnv_1w1a": (lambda: (models.finn_fc("cnv_1w1a"), (3, 32, 32)), models.CNV_FOLDING),
}


def digest_file(path: Path) -> str:
    data = path.read_bytes()
    if path.name == "project.json":  # the format version is the one allowed difference
        doc = json.loads(data)
        doc.pop(VERSION_KEY, None)
        data = (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode()
    return hashlib.sha256(data).hexdigest()


def manifest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): digest_file(p) for p in sorted(root.rglob("*")) if p.is_file()}


def build(name: str, work: Path) -> Path:
    """Build project `name` inside `work` (the current folder during the build, so relative
    paths such as the lut: table are the same on every machine); returns the project folder."""
    from click.testing import CliRunner
    from generator.cli import main
    make, config = PROJECTS[name]
    work.mkdir(parents=True, exist_ok=True)
    model, shape = make()
    models.export(model, shape, work / f"{name}.onnx")
    np.save(work / "table.npy", _lut_table())
    (work / f"{name}.yaml").write_text(yaml.safe_dump(config, sort_keys=True))
    cwd = os.getcwd()
    os.chdir(work)
    try:
        result = CliRunner().invoke(main, ["build", f"{name}.onnx", "-o", name, "--config", f"{name}.yaml"])
    finally:
        os.chdir(cwd)
    if result.exit_code != 0:
        raise RuntimeError(f"building {name} failed: {result.output}")
    return work / name


def manifest_path(name: str) -> Path:
    return HERE / f"{name}.json"


if __name__ == "__main__":
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        for project in sys.argv[1:] or PROJECTS:
            root = build(project, Path(tmp) / project)
            manifest_path(project).write_text(json.dumps(manifest(root), indent=1, sort_keys=True) + "\n")
            print(f"{project}: {len(manifest(root))} files")
