"""The Python API (generator.api, re-exported by the package): load, inspect, build, open a
project, verify, predict, as the API reference shows it."""

import numpy as np
import pytest

import generator as axgen
import models


def test_notebook_flow(mixed_model, finn_model, tmp_path):
    net = axgen.load(mixed_model)
    rows = axgen.inspect(net)
    assert [r["name"] for r in rows] == [layer.name for layer in net.layers] and rows[0]["macs"] == 24 * 16
    acc = axgen.build(net, tmp_path / "out", config={"defaults": {"pe": 1, "simd": 4},
                                                      "layers": {"fc0": {"multiplier": "trunc:k=2", "pe": 4}}})
    assert acc.plan.stages[0].multiplier.spec == "trunc:k=2" and acc.estimated_cycles == 12 * 4
    report = acc.verify(backend="hls", samples=4)
    assert report["mismatches"] == 0 and (tmp_path / "out" / "verify.json").is_file()
    x = np.random.default_rng(0).normal(0, 1, size=(5, 24)).astype(np.float32)
    again = axgen.open_project(tmp_path / "out")
    assert np.array_equal(again.predict(x), acc.predict(x))
    tfc = finn_model("tfc_1w2a")  # power-of-two scales: what the QONNX model computes, exactly
    images = np.random.default_rng(1).uniform(0, 1, size=(4, 1, 28, 28)).astype(np.float32)
    exact = axgen.build(tfc, tmp_path / "exact", config={"defaults": {"simd": 16, "pe": 2}})
    assert np.array_equal(exact.predict(images), models.onnx_reference(tfc, images))


def test_config_from_a_file_and_clear_errors(mixed_model, tmp_path):
    cfg = tmp_path / "fold.yaml"
    cfg.write_text("defaults: {simd: 2}\n")
    acc = axgen.build(mixed_model, tmp_path / "out", config=cfg)
    assert {stage.simd for stage in acc.plan.stages} == {2}
    with pytest.raises(axgen.AxgenError, match="config must be a dict"):
        axgen.build(mixed_model, tmp_path / "bad", config=42)
    with pytest.raises(axgen.AxgenError, match="needs its per-sample input_shape"):
        axgen.load(models.mixed_mlp())
    with pytest.raises(axgen.AxgenError, match="unknown synthesis tool"):
        acc.synth(tool="quartus")
    assert not (tmp_path / "bad").exists()
