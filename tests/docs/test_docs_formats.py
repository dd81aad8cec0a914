"""The key tables the format reference is generated from (PROJECT_KEYS, VERIFY_KEYS, BACKEND_KEYS,
PASS_KEYS, DOCUMENT_KEYS, COUNT_KEYS) name exactly the keys the writers write: a key added to a
writer without its description, or a description left behind, fails here."""

from __future__ import annotations

import json

from generator import api, project, verify
from generator.synth import format as fmt


def test_project_json_and_verify_json_have_exactly_the_documented_keys(tmp_path):
    import torch

    from generator import digits
    torch.manual_seed(0)  # the same weights every run: the C simulation's build is cached by content
    net = api.load(digits.quantized_mlp(), input_shape=digits.INPUT_SHAPE)  # untrained: only the keys matter
    acc = api.build(net, tmp_path / "out", config={"defaults": {"pe": 2, "simd": 8}})
    data = json.loads((tmp_path / "out" / project.PROJECT_FILE).read_text())
    assert set(data) == set(project.PROJECT_KEYS)
    acc.verify(backend="hls", samples=2)
    report = json.loads((tmp_path / "out" / "verify.json").read_text())
    assert set(report) == set(verify.VERIFY_KEYS) - {"trace"}  # trace: only with --trace
    for backend in report["backends"]:
        assert set(backend) == set(verify.BACKEND_KEYS)
        for one in backend["passes"]:
            assert set(one) == set(verify.PASS_KEYS)


def test_resources_json_has_exactly_the_documented_keys():
    board = {"name": "b", "part": "p", "resources": {"lut": 10, "ff": 10, "bram18": 1, "uram": 0, "dsp": 1}}
    layer = {"index": 0, "module": "m", **{k: 1 for k in fmt.RESOURCE_KEYS}}
    doc = fmt.document("yosys", "0", board, {"fc0": layer}, None, None, True)
    assert set(doc) == set(fmt.DOCUMENT_KEYS)
    assert set(doc["total"]) == set(fmt.COUNT_KEYS) == set(fmt.RESOURCE_KEYS)
    extra = fmt.document("nextpnr", "0", board, {"fc0": layer}, None, None, True, {"timing": {}, "tool": "other"})
    assert extra["tool"] == "nextpnr" and set(extra) - set(doc) == {"timing"} <= set(fmt.EXTRA_KEYS)
