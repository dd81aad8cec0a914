"""The HLS C++ backend as a whole: project layout (one IP per layer, a dataflow top, a test bench,
Vitis scripts), `axgen verify --backend all` on a CNN, and mutations the C simulation must catch.
Every network of test_networks_rtl / _conv / _approx is also C-simulated there (backend "all")."""

import re

import numpy as np
import pytest
from click.testing import CliRunner

import models
from generator import config
from generator.cli import main
from generator.errors import AxgenError
from generator.frontend import load_network
from generator.project import build, open_project
from generator.verify import verify


@pytest.fixture(scope="module")
def small_cnn(model_dir):
    return models.export(models.small_cnn(), (3, 12, 10), model_dir / "small_cnn_hls.onnx")


@pytest.fixture(scope="module")
def cnn_project(small_cnn, tmp_path_factory):
    path = small_cnn
    out = tmp_path_factory.mktemp("hls") / "p"
    build(load_network(path), out, config.from_dict(models.SMALL_CNN_FOLDINGS[1]))
    return out


def test_layout_one_ip_per_layer(cnn_project):
    project = open_project(cnn_project)
    hls = project.data["hls"]
    modules = [entry["module"] for entry in hls["layers"]]
    assert modules == [entry["module"] for entry in project.data["rtl"]["layers"]]
    top = (cnn_project / "hls" / "axgen_top.cpp").read_text()
    assert "#pragma HLS DATAFLOW" in top
    for module in modules:
        text = (cnn_project / "hls" / f"{module}.cpp").read_text()
        assert re.search(rf"void {module}\(hls::stream<ap_uint<\d+> >& s_axis, hls::stream<ap_uint<\d+> >& m_axis\)", text)
        assert "#pragma HLS INTERFACE axis port=s_axis" in text
        assert f'#include "{module}.cpp"' in top
        assert (cnn_project / "tcl" / f"hls_{module}.tcl").is_file()
    for header in ("axgen_mvau.h", "axgen_swg.h", "axgen_maxpool.h", "axgen_dwc.h", "axgen_mul.h", "axgen_stream.h"):
        assert (cnn_project / "hls" / header).is_file()  # the folder is complete for Vitis HLS
    assert sorted(hls["files"]) == sorted(p.name for p in (cnn_project / "hls").iterdir())


def test_verify_all_on_a_cnn(cnn_project):
    result = CliRunner().invoke(main, ["verify", str(cnn_project), "--backend", "all", "--samples", "6"])
    assert result.exit_code == 0, result.output
    assert "PASS rtl vs golden" in result.output and "PASS hls vs golden" in result.output


def test_a_wrong_weight_in_the_cpp_is_caught(cnn_project, tmp_path):
    """Change one weight code of the classifier in the C++ header: the C simulation must disagree."""
    import shutil
    copy = tmp_path / "p"
    shutil.copytree(cnn_project, copy)
    header = copy / "hls" / "axgen_L3_fc3_params.h"
    text = header.read_text()
    start = text.index("_weights[")
    start = text.index("{{{", start) + 3
    end = text.index(",", start)
    old = int(text[start:end])
    header.write_text(text[:start] + str(old ^ 1) + text[end:])
    report = verify(open_project(copy), "hls", samples=8)
    assert report["mismatches"] > 0 and report["backends"][0]["first_mismatch"] is not None


def test_lost_beat_is_reported(cnn_project, tmp_path):
    """A top that drops the last output beat: the test bench reports it, verify says so."""
    import shutil
    copy = tmp_path / "p"
    shutil.copytree(cnn_project, copy)
    top = copy / "hls" / "axgen_top.cpp"
    text = top.read_text()
    beats = re.search(r"axgen_to_axis<\d+, AXGEN_PACKET_SAMPLES>\(l\d+_out, m_axis, (\d+)\)", text)
    top.write_text(text.replace(beats.group(0), beats.group(0).replace(f", {beats.group(1)})", f", {int(beats.group(1)) - 1})")))
    with pytest.raises(AxgenError, match="HLS C simulation .* failed"):
        verify(open_project(copy), "hls", samples=2)


def test_hls_build_is_cached(cnn_project):
    from generator.sim.csim import build as build_csim
    project = open_project(cnn_project)
    build_csim(cnn_project / "hls", project.data["hls"]["testbench"])
    _, cached = build_csim(cnn_project / "hls", project.data["hls"]["testbench"])
    assert cached


def test_predict_hls_equals_qonnx(cnn_project, model_dir):
    from generator.predict import predict
    x = np.random.default_rng(4).normal(0, 1, size=(5, 3, 12, 10)).astype(np.float32)
    want = models.onnx_reference(model_dir / "small_cnn_hls.onnx", x)
    assert np.array_equal(predict(open_project(cnn_project), x, "hls"), want)


def test_hls_mul_binding(small_cnn, tmp_path):
    """`hls_mul` picks the BIND_OP implementation of exact products; the bits do not change."""
    path = small_cnn
    cfg = {"defaults": {"hls_mul": "dsp"}, "layers": {"fc3": {"hls_mul": "fabric"}}}
    build(load_network(path), tmp_path / "p", config.from_dict(cfg))
    assert "AXGEN_MUL_DSP> axgen_L0_conv0_mul;" in (tmp_path / "p" / "hls" / "axgen_L0_conv0_params.h").read_text()
    assert "AXGEN_MUL_FABRIC> axgen_L3_fc3_mul;" in (tmp_path / "p" / "hls" / "axgen_L3_fc3_params.h").read_text()
    assert verify(open_project(tmp_path / "p"), "hls", samples=4)["mismatches"] == 0
    with pytest.raises(AxgenError, match="layer conv0: hls_mul='bram'; supported: auto, fabric, dsp"):
        build(load_network(path), tmp_path / "q", config.from_dict({"defaults": {"hls_mul": "bram"}}))
