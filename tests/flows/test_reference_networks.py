"""FINN's ResNet-18 for CIFAR-10 (brevitas_examples.bnn_pynq resnet18_4w4a: residual blocks with
identity and strided 1x1 convolution shortcuts, TruncAvgPool2d) and Brevitas' 4-bit MobileNet-v1
at 224x224 (depthwise convolutions with per-channel input scales, TruncAvgPool2d), both with
random weights and without an input quantizer, taken as UINT8 (`--input-type UINT8`).

The golden model is checked against execute_onnx and Brevitas on integer inputs: the codes
entering the classifier are identical, and the float outputs equal to float32 rounding (their
scales are not powers of two, so the classifier's float32 sums may round differently). The
builds run behind `slow`: ResNet-18 unfolded in C simulation, and both in C simulation and RTL at
an automatic folding of about a million cycles per sample on a U250."""

import numpy as np
import pytest
import torch
from qonnx.core.onnx_exec import execute_onnx

import models
from generator import boards, config
from generator.frontend import load_network
from generator.frontend.loading import clean, read_onnx
from generator.golden import head_values, run_layers, tail_output
from generator.hw.autofold import fold_to_target
from generator.project import build, open_project
from generator.verify import verify

NETWORKS = {"resnet18": (models.resnet18_4w4a, (3, 32, 32)), "mobilenet_v1": (models.mobilenet_v1_4b, (3, 224, 224))}
TARGET_CYCLES = 1_000_000


@pytest.fixture(scope="module", params=sorted(NETWORKS))
def reference(request, model_dir):
    make, shape = NETWORKS[request.param]
    module = make()
    path = models.export(module, shape, model_dir / f"{request.param}.onnx")
    return request.param, module, path, shape


def _classifier_input(path, x, node_name: str) -> np.ndarray:
    """execute_onnx's value of the input of node `node_name` (a name in the cleaned-up model the
    frontend reads), one row per sample."""
    model = clean(read_onnx(path))
    node = next(n for n in model.graph.node if n.name == node_name)
    rows = []
    for sample in x:  # the exported model takes one sample
        context = execute_onnx(model, {model.graph.input[0].name: sample[None]}, return_full_exec_context=True)
        rows.append(np.asarray(context[node.input[0]], dtype=np.float64).reshape(-1))
    return np.stack(rows)


def test_golden_equals_execute_onnx_and_brevitas(reference):
    name, module, path, shape = reference
    net = load_network(path, input_type="UINT8")
    kinds = [layer.kind for layer in net.layers]
    if name == "resnet18":
        assert kinds.count("add") == 8 and kinds.count("duplicate") == 8 and kinds.count("avgpool") == 1
    else:
        assert kinds.count("dwconv") == 13 and kinds.count("avgpool") == 1
    x = np.random.default_rng(0).integers(0, 256, size=(2, *shape)).astype(np.float32)
    values = head_values(net.head, x)
    pooled = run_layers(values, net.layers[:-1], None, net.sources[:-1] if net.sources else ())
    # the classifier's input, as execute_onnx computes it: the same codes at one scale
    onnx_in = _classifier_input(path, x, net.layers[-1].source)
    ref = np.unravel_index(np.argmax(np.abs(onnx_in)), onnx_in.shape)
    scale = onnx_in[ref] / pooled.reshape(onnx_in.shape)[ref]
    assert np.array_equal(np.rint(onnx_in / scale).astype(np.int64), pooled.reshape(onnx_in.shape))
    assert len(np.unique(pooled)) > 4  # the random network is not saturated
    out = tail_output(net.tail, run_layers(pooled, net.layers[-1:]))
    want = models.onnx_reference(path, x)
    assert np.allclose(out, want, rtol=1e-5, atol=1e-6) and np.array_equal(out.argmax(1), want.argmax(1))
    with torch.no_grad():
        assert np.allclose(out, module(torch.from_numpy(x)).numpy(), rtol=1e-5, atol=1e-6)


def _build(reference, tmp_path, folded: bool):
    name, _, path, _ = reference
    net = load_network(path, input_type="UINT8")
    cfg = config.from_dict({})
    if folded:
        cfg, _ = fold_to_target(net, cfg, boards.load("u250"), TARGET_CYCLES)
    build(net, tmp_path / name, cfg, board="u250")
    return open_project(tmp_path / name)


@pytest.mark.slow
def test_resnet18_builds_and_runs_in_c_simulation(reference, tmp_path):
    if reference[0] != "resnet18":
        pytest.skip("MobileNet-v1's C simulation is in the slow run")
    report = verify(_build(reference, tmp_path, folded=False), "hls", samples=2, seed=0)
    assert report["mismatches"] == 0 and report["samples"] == 2


@pytest.mark.slow
def test_rtl_and_hls_bit_exact_at_a_million_cycles(reference, tmp_path):
    """Automatic folding for 1,000,000 cycles per sample on a U250: bit-exact in HLS C simulation
    and in RTL under back-pressure, with the measured cycles and latency the models' estimates."""
    project = _build(reference, tmp_path, folded=True)
    assert project.plan.estimated_cycles <= TARGET_CYCLES
    report = verify(project, "all", samples=2, seed=1)
    assert report["mismatches"] == 0
    assert abs(report["cycles_over_estimate"] - 1) <= 0.03 and abs(report["latency_over_estimate"] - 1) <= 0.10
