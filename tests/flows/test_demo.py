"""`axgen demo` end to end (the README's first command runs exactly this), and `axgen demo --cnn`."""

import json
import re

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.demo import CLOCK_MHZ


def project_layer(tmp_path, name: str) -> dict:
    project = json.loads((tmp_path / "demo" / "cnn_project" / "project.json").read_text())
    return next(layer for layer in project["layers"] if layer["name"] == name)


def _flat(text: str) -> str:
    """The demo's table as one line of words (rich wraps long cells over several rows)."""
    return " ".join(text.replace("│", " ").split())


def test_demo_runs_and_verifies(tmp_path):
    """The README's first command: the search picks the cheapest multipliers within 1% of exact
    accuracy, both accelerators are bit-exact in RTL, and the open flow (Yosys synth_ecp5, nextpnr) places
    the approximate one in fewer logic cells (LUT4 sites) and gives both their clock."""
    result = CliRunner().invoke(main, ["demo", "-o", str(tmp_path / "demo"), "--samples", "6"])
    assert result.exit_code == 0, result.output
    out = _flat(result.output)
    assert "accuracy, golden model, exact" in out and "within 0.5% of exact accuracy on the 1,347 training digits" in out
    assert "MISMATCHING" not in out and "DIFFERENT" not in out
    for label in ("RTL vs golden, approximate, 6 random", "logic cells (whole top, nextpnr, LFE5U-85F)",
                  "cycles/sample: target / est. / measured"):  # whole on one line at 80 columns
        assert any(label in line for line in result.output.splitlines()), label
    # the choice holds on the digits held out from it (chosen on the training digits)
    held_out = re.search(r"\(([+-]\d+\.\d+)% against exact on the 450 held-out digits\)", out)
    assert held_out and float(held_out.group(1)) >= -1.0, out
    assert out.count("bit-exact") == 2
    assert (tmp_path / "demo" / "model.onnx").is_file()
    assert (tmp_path / "demo" / "project" / "verify.json").is_file()
    # the open flow's logic cells and clock of both whole tops: every generated design goes through synth_ecp5
    docs = [json.loads((tmp_path / "demo" / name / "resources.json").read_text()) for name in ("project", "project_approx")]
    assert [doc["tool"] for doc in docs] == ["nextpnr", "nextpnr"]
    exact, approx = (doc["placement"]["TRELLIS_COMB"]["used"] for doc in docs)
    assert approx < exact and f"exact {exact:,}, approximate {approx:,}" in out
    assert "Fmax (nextpnr, LFE5U-85F)" in out and "not measured" not in out
    for doc, label in zip(docs, ("exact", "approximate")):
        assert f"{label}: {doc['timing']['fmax_mhz']:.1f} MHz, {doc['total']['lut']:,} LUT4, " \
               f"{doc['total']['carry']:,} CCU2C" in out
        assert doc["timing"]["fmax_mhz"] >= CLOCK_MHZ, (label, doc["timing"])  # pipelined for its clock: met
    layers = json.loads((tmp_path / "demo" / "project_approx" / "project.json").read_text())["layers"]
    assert any(layer["multiplier"]["spec"] != "exact" for layer in layers)
    report = json.loads((tmp_path / "demo" / "project" / "verify.json").read_text())
    assert report["cycles_per_sample"] <= 64  # the demo's target, measured
    assert f"64 / {report['estimated_cycles_per_sample']} / {report['cycles_per_sample']:g}" in out


@pytest.mark.slow  # training and tuning again; the default demo runs in test_demo_runs_and_verifies
def test_demo_with_one_multiplier_everywhere(tmp_path):
    result = CliRunner().invoke(main, ["demo", "-o", str(tmp_path / "demo"), "--samples", "4",
                                       "--multiplier", "drum:k=2", "--no-synth", "--json"])
    assert result.exit_code == 0, result.output
    assert "drum:k=2 in every layer, weights tuned" in _flat(result.stderr)  # the table: on stderr with --json
    assert result.stderr.count("bit-exact") == 2 and "logic cells (" not in result.stderr
    assert "Fmax (nextpnr" not in result.stderr
    summary = json.loads(result.stdout)  # stdout: the summary alone
    assert summary["approx_config"] == "drum:k=2 + tuning" and summary["fmax"] is None
    assert summary["rtl_mismatches"] == summary["approx_rtl_mismatches"] == 0
    layers = json.loads((tmp_path / "demo" / "project_approx" / "project.json").read_text())["layers"]
    assert {layer["multiplier"]["spec"] for layer in layers} == {"drum:k=2"}


@pytest.mark.slow  # training, search and four verifications: about 90 s
def test_demo_with_the_unrolled_variant(tmp_path):
    """`axgen demo --unrolled`: the exact MLP unrolled too, bit-exact, one sample per cycle measured,
    its latency in nanoseconds next to the folded one's."""
    result = CliRunner().invoke(main, ["demo", "-o", str(tmp_path / "demo"), "--samples", "4", "--no-synth",
                                       "--unrolled", "--json"])
    assert result.exit_code == 0, result.output
    assert result.stderr.count("bit-exact") == 3 and "folded vs unrolled, exact" in result.stderr
    side = json.loads(result.stdout)["unrolled"]
    assert side["unrolled"]["cycles_per_sample"] == 1 and side["folded"]["cycles_per_sample"] <= 64
    assert side["unrolled"]["latency_ns"] < side["folded"]["latency_ns"]
    layers = json.loads((tmp_path / "demo" / "project_unrolled" / "project.json").read_text())["layers"]
    assert {layer["impl"] for layer in layers} == {"unrolled"}
    hls = CliRunner().invoke(main, ["verify", str(tmp_path / "demo" / "project_unrolled"), "--backend", "hls",
                                    "--samples", "8"])
    assert hls.exit_code == 0 and "PASS hls vs golden: 8 samples, 0 mismatching" in hls.output, hls.output


def test_demo_rejects_a_bad_multiplier(tmp_path):
    result = CliRunner().invoke(main, ["demo", "-o", str(tmp_path / "d"), "--multiplier", "fancy:k=2"])
    assert result.exit_code == 2 and "unknown multiplier" in result.output


@pytest.mark.slow  # CNN training, search and two CNN verifications: about 3 minutes
def test_cnn_demo_runs_and_verifies(tmp_path):
    """`axgen demo --cnn`: the quantized CNN on 1x8x8 digits; golden logits equal Brevitas's, the RTL
    equals golden (random inputs and digits, exact and tuned approximate), throughput as estimated."""
    import io

    from rich.console import Console

    from generator.demo import run_demo
    buf = io.StringIO()
    s = run_demo(tmp_path / "demo", samples=4, console=Console(file=buf, width=120), kind="cnn", synth=False)
    assert s["kind"] == "cnn" and "CNN" in s["architecture"]
    assert s["golden_equals_brevitas_logits"] and s["golden_accuracy"] == s["brevitas_accuracy"] >= 0.9
    assert s["float_accuracy"] >= 0.9 and s["search"]["val_accuracy"] >= s["search"]["exact_val_accuracy"] - 0.01
    assert s["search"]["model_luts"] <= s["search"]["exact_model_luts"] and s["logic_cells"] is None
    assert s["rtl_mismatches"] == 0 and s["approx_rtl_mismatches"] == 0 and s["rtl_equals_golden_on_digits"]
    # folded for 64 cycles per sample (576 was the best without window parallelism), measured at it
    assert s["target_cycles_per_sample"] == 64 and s["estimated_cycles_per_sample"] <= 64
    assert s["cycles_per_sample"] == s["estimated_cycles_per_sample"]
    assert project_layer(tmp_path, "conv0")["simd"] == 9
    out = buf.getvalue()
    assert "digits CNN" in out and "CNN, input 1x8x8" in out and "logits identical to Brevitas" in out
    assert out.count("bit-exact") == 2 and "DIFFERENT" not in out
    for path in ("cnn_model.onnx", "cnn_project/verify.json", "cnn_project_approx/verify.json"):
        assert (tmp_path / "demo" / path).is_file()
    project = json.loads((tmp_path / "demo" / "cnn_project" / "project.json").read_text())
    assert [layer["kind"] for layer in project["layers"]] == ["conv", "maxpool", "conv", "fc"]
