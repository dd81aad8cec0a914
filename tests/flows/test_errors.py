"""Bad input gets one clear message naming the problem and what is supported, exit 2, no traceback,
and no half-written output."""

import numpy as np
import pytest
from click.testing import CliRunner

import models
from generator import config
from generator.cli import main
from generator.errors import AxgenError
from generator.hw import annotate
from generator.frontend import load_network
from generator.frontend.thresholds import derive_thresholds
from generator.ir import affine


def run_cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_user_error(result, *fragments):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


def test_missing_and_broken_model_files(tmp_path):
    assert_user_error(run_cli("inspect", tmp_path / "nope.onnx"), "does not exist")
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"\x08\x07garbage that is not protobuf")
    assert_user_error(run_cli("inspect", broken), "broken.onnx", "not a readable ONNX")


def test_unsupported_node_is_named(tmp_path):
    import torch.nn as nn
    import brevitas.nn as qnn
    model = nn.Sequential(qnn.QuantIdentity(bit_width=4), qnn.QuantLinear(8, 8, bias=False, weight_bit_width=4),
                          nn.Sigmoid(), qnn.QuantIdentity(bit_width=4), qnn.QuantLinear(8, 2, bias=False))
    path = models.export(model.eval(), (8,), tmp_path / "sig.onnx")
    assert_user_error(run_cli("inspect", path), "Sigmoid", "not supported", "supported are")


def test_float_first_layer_is_refused(tmp_path):
    import torch.nn as nn
    import brevitas.nn as qnn
    model = nn.Sequential(nn.Linear(8, 8), qnn.QuantIdentity(bit_width=4), qnn.QuantLinear(8, 2, bias=False))
    path = models.export(model.eval(), (8,), tmp_path / "float_first.onnx")
    assert_user_error(run_cli("inspect", path), "consumes the float input", "quantize the input", "--input-type")


@pytest.fixture(scope="module")
def tfc(finn_model):
    return finn_model("tfc_2w2a")


def test_bad_folding_names_layer_and_valid_values(tfc, tmp_path):
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("layers:\n  fc1: {pe: 5}\n")
    out = tmp_path / "out"
    assert_user_error(run_cli("build", tfc, "-o", out, "--config", cfg), "fc1", "pe=5", "valid values: 1, 2, 4, 8, 16, 32, 64")
    assert not out.exists()
    assert not list(tmp_path.glob(".out.*"))  # no staging folder left behind
    cfg.write_text("layers:\n  0: {simd: 3}\n")
    assert_user_error(run_cli("build", tfc, "-o", out, "--config", cfg), "fc0", "simd=3", "784")


def test_bad_config_keys(tfc, tmp_path):
    cfg = tmp_path / "cfg.yaml"
    for text, fragment in [("layers:\n  fc9: {pe: 2}\n", "no layer named 'fc9'"),
                           ("layers:\n  7: {pe: 2}\n", "out of range"),
                           ("defaults: {pee: 2}\n", "unknown key"),
                           ("defaults: {multiplier: 'wallace'}\n", "unknown multiplier"),
                           ("foo: 1\n", "unknown top-level"),
                           ("layers: [1, 2\n", "not valid YAML")]:
        cfg.write_text(text)
        assert_user_error(run_cli("build", tfc, "-o", tmp_path / "o", "--config", cfg), fragment)


def test_build_refuses_non_empty_folder(tfc, tmp_path):
    out = tmp_path / "busy"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert_user_error(run_cli("build", tfc, "-o", out), "not empty", "--force")
    assert (out / "keep.txt").read_text() == "mine"


def test_not_a_project(tmp_path):
    assert_user_error(run_cli("verify", tmp_path), "not an axgen project")
    assert_user_error(run_cli("predict", tmp_path, tmp_path / "x.npy"), "not an axgen project")


def test_unknown_board(tfc, tmp_path):
    assert_user_error(run_cli("build", tfc, "-o", tmp_path / "o", "--board", "vcu9000"), "unknown board", "pynq-z2")


def test_derive_thresholds_on_known_function():
    """g(acc) = clip(round(0.3 * acc - 1.2), -2, 1) on INT2 output; decreasing for a negative gain."""
    gains = np.array([0.3, -0.3])

    def evaluate(f):
        return np.clip(np.round(f.astype(np.float64) - 1.2), -2, 1).astype(np.int64)

    lo, hi = np.array([-40, -40]), np.array([40, 40])
    t, negate = derive_thresholds(evaluate, gains, np.zeros(2), lo, hi, [-2, -1, 0, 1])
    assert negate.tolist() == [False, True]
    for c in range(2):
        sign = -1 if negate[c] else 1
        for acc in range(-40, 41):
            want = evaluate(affine(np.array([[acc, acc]]), gains, np.zeros(2)))[0, c]
            assert -2 + int(np.sum(sign * acc >= t[c])) == want


def test_pe_simd_annotation(tfc):
    net = load_network(tfc)
    impls = annotate(net.layers, config.from_dict({"defaults": {"pe": 2, "simd": 4}, "layers": {"fc3": {"pe": 5}}}))
    assert [(i.pe, i.simd) for i in impls] == [(2, 4), (2, 4), (2, 4), (5, 4)]
    assert [i.cycles for i in impls] == [32 * 196, 32 * 16, 32 * 16, 2 * 16]
    with pytest.raises(AxgenError, match="fc3: pe=4 does not fold"):
        annotate(net.layers, config.from_dict({"layers": {3: {"pe": 4}}}))
