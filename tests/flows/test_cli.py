"""The command-line contracts of DESIGN.md: inspect, build (deterministic, refusing), predict."""

import hashlib
import json

import numpy as np
from click.testing import CliRunner

import models
from generator.cli import main


def run_cli(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result


def tree_digest(root):
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def test_inspect_lists_layers(finn_model):
    result = run_cli("inspect", finn_model("tfc_2w2a"), "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["name"] for r in rows] == ["fc0", "fc1", "fc2", "fc3"]
    assert [r["macs"] for r in rows] == [784 * 64, 64 * 64, 64 * 64, 64 * 10]
    assert rows[0]["in_shape"] == [784] and rows[3]["out_shape"] == [10]
    assert rows[0]["in_dtype"] == "INT2" and rows[3]["out_dtype"] == "accumulator"
    table = run_cli("inspect", finn_model("tfc_2w2a"))
    assert table.exit_code == 0 and "fc3" in table.output and "MACs" in table.output


def test_build_is_deterministic_and_complete(finn_model, tmp_path):
    cfg = tmp_path / "fold.yaml"
    cfg.write_text("defaults: {pe: 2, simd: 4}\nlayers:\n  fc0: {pe: 16, simd: 16}\n")
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        result = run_cli("build", finn_model("tfc_1w1a"), "-o", out, "--config", cfg)
        assert result.exit_code == 0, result.output
    assert tree_digest(a) == tree_digest(b)
    data = json.loads((a / "project.json").read_text())
    layer = data["layers"][0]
    for key in ("name", "kind", "in_shape", "out_shape", "in_dtype", "weight_dtype", "out_dtype", "pe", "simd",
                "multiplier", "estimated_cycles", "in_stream_bits", "out_stream_bits"):
        assert key in layer
    assert (layer["pe"], layer["simd"], layer["estimated_cycles"]) == (16, 16, 4 * 49)
    assert data["estimated_cycles_per_sample"] == max(layer["estimated_cycles"] for layer in data["layers"])
    assert (a / "rtl" / "axgen_top.v").is_file()
    # --force replaces; without it the folder is refused (see test_errors)
    assert run_cli("build", finn_model("tfc_1w1a"), "-o", a, "--force").exit_code == 0
    assert json.loads((a / "project.json").read_text())["layers"][0]["pe"] == 1


def test_predict_golden_equals_qonnx(finn_model, tmp_path):
    path = finn_model("tfc_1w2a")
    assert run_cli("build", path, "-o", tmp_path / "p").exit_code == 0
    x = np.random.default_rng(5).uniform(0, 1, size=(20, 1, 28, 28)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    result = run_cli("predict", tmp_path / "p", tmp_path / "x.npy", "-o", tmp_path / "y.npy")
    assert result.exit_code == 0, result.output
    assert np.array_equal(np.load(tmp_path / "y.npy"), models.onnx_reference(path, x))
    np.save(tmp_path / "bad.npy", x[:, :, :20])
    bad = run_cli("predict", tmp_path / "p", tmp_path / "bad.npy")
    assert bad.exit_code == 2 and "do not fit the model" in bad.output


def test_verify_and_predict_rtl_and_hls(digits_model, tmp_path):
    """`axgen verify --backend all` exits 0 on a correct project and writes verify.json; predict
    --backend rtl and --backend hls give the same float outputs as the golden backend."""
    from generator import digits
    cfg = tmp_path / "fold.yaml"
    cfg.write_text("defaults: {pe: 4, simd: 8}\nlayers: {2: {pe: 2, simd: 8}}\n")
    assert run_cli("build", digits_model, "-o", tmp_path / "p", "--config", cfg).exit_code == 0
    result = run_cli("verify", tmp_path / "p", "--samples", "8", "--seed", "3", "--backend", "all")
    assert result.exit_code == 0, result.output
    assert "PASS rtl vs golden" in result.output and "PASS hls vs golden" in result.output
    report = json.loads((tmp_path / "p" / "verify.json").read_text())
    for key in ("backend", "samples", "mismatches", "cycles_per_sample", "latency_cycles"):
        assert key in report
    assert report["samples"] == 8 and report["mismatches"] == 0
    x = digits.load_digits_split(0).x_test[:6]
    np.save(tmp_path / "x.npy", x)
    outs = {}
    for backend in ("golden", "rtl", "hls"):
        r = run_cli("predict", tmp_path / "p", tmp_path / "x.npy", "--backend", backend, "-o", tmp_path / f"{backend}.npy")
        assert r.exit_code == 0, r.output
        outs[backend] = np.load(tmp_path / f"{backend}.npy")
    assert np.array_equal(outs["golden"], outs["rtl"]) and np.array_equal(outs["golden"], outs["hls"])


def test_cache_shows_and_clears(tmp_path, monkeypatch):
    monkeypatch.setenv("AXGEN_CACHE", str(tmp_path / "cache"))
    entry = tmp_path / "cache" / "hls" / "prog-abc"
    entry.mkdir(parents=True)
    (entry / "prog").write_bytes(b"x" * 4096)
    shown = json.loads(run_cli("cache", "--json").output)
    assert shown["root"] == str(tmp_path / "cache") and shown["kinds"]["hls"] >= 4096
    cleared = json.loads(run_cli("cache", "--clear", "--json").output)
    assert cleared["freed"] >= 4096 and cleared["kinds"]["hls"] == 0 and not entry.exists()
