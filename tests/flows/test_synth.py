"""`axgen synth`: Yosys on real projects (the digits MLP here; TFC-w1a1 at FINN's folding, the
small CNN and CNV behind `slow`), Vivado through a fake `vivado` writing sample reports, and the
one resources.json format (capacity, utilization, fits)."""

import json
import os
import shutil
import time

import pytest
from click.testing import CliRunner

import models
import vivado_samples
from generator import api, boards, synth
from generator.synth import format as synth_format, vivado as synth_vivado, yosys as synth_yosys
from generator.cli import main
from generator.errors import AxgenError
from generator.project import FORMAT_VERSION

DIGITS_FOLDING = models.DIGITS_FOLDINGS[1]  # 8x8, 4x8 and 2x4 lanes
# FINN's published folding of TFC-w1a1 (finn-examples' tfc-w1a1 folding config, FINN's end-to-end test)
TFC_FINN_FOLDING = {"layers": {0: {"pe": 16, "simd": 49}, 1: {"pe": 8, "simd": 8}, 2: {"pe": 8, "simd": 8},
                               3: {"pe": 10, "simd": 8}}}
LUT_CELLS = [f"LUT{i}" for i in range(1, 7)] + ["INV"]


@pytest.fixture(scope="module")
def synth_cache(tmp_path_factory):
    """A build cache of this module's own, so the first Yosys run really synthesizes."""
    old = os.environ.get("AXGEN_CACHE")
    os.environ["AXGEN_CACHE"] = str(tmp_path_factory.mktemp("synth_cache"))
    yield
    if old is None:
        os.environ.pop("AXGEN_CACHE", None)
    else:
        os.environ["AXGEN_CACHE"] = old


def synthesize(root, *args):
    started = time.monotonic()
    result = CliRunner().invoke(main, ["synth", str(root), *args])
    seconds = time.monotonic() - started
    print(f"axgen synth {root.name} {' '.join(args)}: {seconds:.1f} s")
    return result, seconds


@pytest.fixture(scope="module")
def digits_project(digits_model, tmp_path_factory):
    root = tmp_path_factory.mktemp("digits") / "digits"
    api.build(digits_model, root, config=DIGITS_FOLDING)
    return root


@pytest.fixture(scope="module")
def digits(digits_project, synth_cache):
    """The digits MLP synthesized once with Yosys (-j 2): (project, CLI result, resources.json bytes)."""
    root = digits_project
    result, _ = synthesize(root, "--tool", "yosys", "-j", "2")
    return root, result, (root / "resources.json").read_bytes()


def check_sums(doc):
    """Per-layer counts are the cells' counts, and the total is the layers plus the stitching."""
    parts = list(doc["layers"].values()) + ([doc["stitching"]] if doc["stitching"] else [])
    for entry in parts:
        assert entry["lut"] == sum(entry["cells"].get(c, 0) for c in LUT_CELLS)
        assert entry["ff"] == sum(entry["cells"].get(c, 0) for c in ("FDRE", "FDSE", "FDCE", "FDPE"))
        assert entry["carry"] == entry["cells"].get("CARRY4", 0) + entry["cells"].get("CARRY8", 0)
        assert entry["bram18"] == sum(entry["cells"].get(c, 0) * n for c, n in
                                      (("RAMB18E1", 1), ("RAMB18E2", 1), ("RAMB36E1", 2), ("RAMB36E2", 2)))
    for key in synth.RESOURCE_KEYS:
        assert doc["total"][key] == sum(e[key] for e in parts), key
    assert doc["total_from"] == "sum"


def test_yosys_digits_per_layer_and_total(digits):
    root, result, _ = digits
    assert result.exit_code == 0, result.output
    for text in ["fc0", "fc1", "fc2", "(stitching)", "total", "capacity", "utilization", "fits pynq-z2"]:
        assert text in result.output, result.output
    doc = json.loads((root / "resources.json").read_text())
    assert doc["tool"] == "yosys" and doc["tool_version"].startswith("Yosys ") and doc["board"] == "pynq-z2"
    assert doc["options"] == {"family": "xc7", "no_dsp": False}
    assert [(n, e["index"], e["module"]) for n, e in sorted(doc["layers"].items())] == [
        ("fc0", 0, "axgen_L0_fc0"), ("fc1", 1, "axgen_L1_fc1"), ("fc2", 2, "axgen_L2_fc2")]
    for name, entry in doc["layers"].items():
        assert entry["lut"] > 0 and entry["ff"] > 0 and entry["uram"] == 0, (name, entry)
    check_sums(doc)
    # 64 product lanes cost more than 8; the FIFOs between layers are LUT RAM
    assert doc["layers"]["fc0"]["lut"] + 64 * doc["layers"]["fc0"]["dsp"] > doc["layers"]["fc2"]["lut"]
    assert doc["stitching"]["module"] == "axgen_top" and doc["stitching"]["lutram"] > 0
    assert doc["complete"] is True
    assert doc["capacity"] == boards.load("pynq-z2").resources
    total = doc["total"]
    assert doc["utilization"]["lut"] == round((total["lut"] + total["lutram"]) / 53200, 4)
    assert doc["utilization"]["dsp"] == round(total["dsp"] / 220, 4) and "uram" not in doc["utilization"]
    assert doc["fits"] is True


def test_yosys_cached_second_run_is_fast_and_identical(digits):
    root, _, first = digits
    events = []
    started = time.monotonic()
    api.synth(root, "yosys", jobs=1, progress=lambda unit, event: events.append((unit, event)))
    assert time.monotonic() - started < 15
    assert sorted(events) == sorted([(m, e) for m in ("axgen_L0_fc0", "axgen_L1_fc1", "axgen_L2_fc2", "axgen_top")
                                     for e in ("start", "cached")])
    assert (root / "resources.json").read_bytes() == first


def test_yosys_one_layer_without_dsp(digits):
    root, _, first = digits
    with_dsp = json.loads(first)["layers"]["fc2"]
    doc = api.synth(root, "yosys", layers=["fc2"], no_dsp=True)
    fc2 = doc["layers"]["fc2"]
    assert list(doc["layers"]) == ["fc2"] and doc["stitching"] is None and doc["complete"] is False
    assert fc2["dsp"] == 0 and not any(c.startswith("DSP") for c in fc2["cells"])
    # fc2's 4-bit products are in logic already (the timing model's choice, rtl/axgen_fmul.v), so
    # --no-dsp changes only the script: the LUTs stay within ABC's run-to-run noise
    assert with_dsp["dsp"] == 0 and abs(fc2["lut"] - with_dsp["lut"]) <= 0.02 * with_dsp["lut"]
    assert {k: doc["total"][k] for k in synth.RESOURCE_KEYS} == {k: fc2[k] for k in synth.RESOURCE_KEYS}
    assert doc["options"]["no_dsp"] is True
    result, seconds = synthesize(root, "--layer", "2", "--layer", "top")  # both cached by the first run
    assert result.exit_code == 0, result.output
    assert "partial" in result.output and seconds < 15
    doc = json.loads((root / "resources.json").read_text())
    assert list(doc["layers"]) == ["fc2"] and doc["stitching"] is not None and doc["layers"]["fc2"] == with_dsp


def test_yosys_does_not_fit_a_small_board(digits, tmp_path):
    """Same RTL (so every run is cached) on a board with 1,000 LUTs: fits false, exit 0, a clear line."""
    root, _, first = digits
    small = tmp_path / "small"
    shutil.copytree(root, small)
    data = json.loads((small / "project.json").read_text())
    data["board"]["name"] = "tiny"
    data["board"]["resources"]["lut"] = 1000
    (small / "project.json").write_text(json.dumps(data))
    result, _ = synthesize(small)
    assert result.exit_code == 0, result.output
    doc = json.loads((small / "resources.json").read_text())
    total = json.loads(first)["total"]
    assert doc["fits"] is False and doc["utilization"]["lut"] > 1
    assert f"does not fit tiny: LUT {total['lut'] + total['lutram']:,} of 1,000" in result.output


def test_synth_option_errors(digits, tmp_path):
    root = digits[0]
    for args, message in [
        (["--layer", "fc9"], "no layer 'fc9' in this project; choose among: fc0, fc1, fc2, top (or the module names, "
                               "e.g. axgen_L0_fc0)"),
        (["--full"], "--full is the Vivado block-design flow: use it with --tool vivado, not yosys"),
        (["--tool", "vivado", "--no-dsp"], "--no-dsp applies to --tool yosys; vivado follows its scripts' settings"),
    ]:
        result = CliRunner().invoke(main, ["synth", str(root), *args])
        assert result.exit_code == 2 and result.output.strip().splitlines() == [f"axgen: error: {message}"], result.output
    with pytest.raises(AxgenError, match="unknown synthesis tool 'quartus'; supported: yosys, nextpnr, vivado, vitis-hls"):
        api.synth(root, "quartus")
    bare = tmp_path / "bare"
    shutil.copytree(root, bare)
    shutil.rmtree(bare / "rtl")
    with pytest.raises(AxgenError, match="rtl is missing: the project has no RTL; rebuild it"):
        api.synth(bare, "yosys")


def test_vivado_reads_what_the_projects_scripts_write(digits_project):
    """The scripts `axgen build` wrote are where synth runs them and name the reports it reads."""
    root = digits_project
    for script, reports in synth_vivado.FLOWS.values():
        text = (root / script).read_text()
        for path in reports.values():
            assert path in text, (script, path)
    assert "u_l<i> is layer i" in (root / synth_vivado.FLOWS["ooc"][0]).read_text()


def test_yosys_cell_counts_and_module_closure(tmp_path):
    cells = {"LUT2": 3, "INV": 1, "RAM32M": 2, "SRLC32E": 1, "FDRE": 5, "FDCE": 1, "CARRY8": 2, "DSP48E2": 1,
             "RAMB36E2": 2, "RAMB18E2": 1, "URAM288": 1, "MUXF7": 4, "BUFG": 1}
    assert synth_yosys.resources(cells) == {"lut": 4, "lutram": 9, "ff": 6, "carry": 2, "dsp": 1, "bram18": 5,
                                            "uram": 1}
    (tmp_path / "a.v").write_text("module a(input x);\n  b #(.N(1)) u_b (.x(x));\n  c u_c(.x(x));\nendmodule\n")
    (tmp_path / "b.v").write_text('module b #(parameter N = 1, parameter F = "b_w.mem") (input x);\nendmodule\n')
    (tmp_path / "c.v").write_text("module c(input x);\n  d u_d (.x(x));\nendmodule\nmodule e; endmodule\n")
    (tmp_path / "d.v").write_text("module d(input x);\nendmodule\n")
    where, texts = synth_yosys._modules(tmp_path)
    assert where == {"a": "a.v", "b": "b.v", "c": "c.v", "e": "c.v", "d": "d.v"}
    assert sorted(synth_yosys._closure("a", where, texts)) == ["a.v", "b.v", "c.v", "d.v"]
    assert sorted(synth_yosys._closure("a", where, texts, stop=frozenset({"c"}))) == ["a.v", "b.v"]


def test_format_capacity_utilization_fits():
    board = boards.load("pynq-z2").to_dict()
    layers = {"fc0": {"index": 0, "lut": 50000, "lutram": 4000, "ff": 10, "carry": 1, "dsp": 0, "bram18": 0,
                      "uram": 0}}
    doc = synth_format.document("yosys", "Yosys 0.70", board, layers, None, None, True)
    assert doc["fits"] is False and doc["utilization"]["lut"] == round(54000 / 53200, 4)
    assert synth_format.overflows(doc["total"], doc["capacity"]) == ["lut"]
    layers["fc0"].update(lut=1000, uram=1)  # a URAM on a board without any
    doc = synth_format.document("yosys", None, board, layers, None, None, True)
    assert doc["fits"] is False and synth_format.overflows(doc["total"], doc["capacity"]) == ["uram"]
    assert "uram" not in doc["utilization"]


# ---------------------------------------------------------------- Vivado, through a fake `vivado`

VIVADO_LAYERS = [("fc0", "axgen_L0_fc0"), ("fc1", "axgen_L1_fc1"), ("fc2", "axgen_L2_fc2")]


def vivado_project(root, board="pynq-z2"):
    """project.json with the RTL layers and a board, and the two scripts the fake looks for."""
    (root / "tcl").mkdir(parents=True)
    for script in ("synth_ooc.tcl", "block_design.tcl"):
        (root / "tcl" / script).write_text("# a stand-in\n")
    data = {"format_version": FORMAT_VERSION, "name": "fake", "board": boards.load(board).to_dict(),
            "rtl": {"top": "axgen_top", "layers": [{"index": i, "name": n, "module": m, "files": [f"{m}.v"]}
                                                   for i, (n, m) in enumerate(VIVADO_LAYERS)]}}
    (root / "project.json").write_text(json.dumps(data))
    return root


@pytest.fixture
def fake_vivado(tmp_path, monkeypatch):
    """The fake first on PATH; returns (record of its command lines, sample folder)."""
    samples = vivado_samples.write_samples(tmp_path / "samples")
    record = tmp_path / "vivado_calls.txt"
    vivado_samples.install_fake_vivado(tmp_path / "fakebin")
    for key, value in vivado_samples.environment(tmp_path / "fakebin", samples, record).items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("FAKE_VIVADO_FAIL", raising=False)
    return record, samples


def test_vivado_missing_is_one_clean_line(tmp_path, monkeypatch):
    root = vivado_project(tmp_path / "proj")
    monkeypatch.setenv("PATH", str(tmp_path))
    result = CliRunner().invoke(main, ["synth", str(root), "--tool", "vivado"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.strip().splitlines() == [
        f"axgen: error: vivado not found on PATH; install Vivado or source its settings64.sh (or run "
        f"`vivado -mode batch -source tcl/synth_ooc.tcl` in {root} where it is)"]
    assert not (root / "resources.json").exists()


def test_vivado_out_of_context(tmp_path, fake_vivado):
    record, _ = fake_vivado
    root = vivado_project(tmp_path / "proj")
    result = CliRunner().invoke(main, ["synth", str(root), "--tool", "vivado"])
    assert result.exit_code == 0, result.output
    assert record.read_text().split()[:4] == ["-mode", "batch", "-source", "tcl/synth_ooc.tcl"]
    doc = json.loads((root / "resources.json").read_text())
    assert (doc["tool"], doc["tool_version"], doc["options"]) == ("vivado", "Vivado v.2022.2", {"flow": "ooc"})
    assert doc["layers"]["fc0"] == {"index": 0, "module": "axgen_L0_fc0", "instance": "u_l0", "lut": 2890,
                                    "lutram": 60, "ff": 700, "bram18": 2, "dsp": 32, "uram": None, "carry": None}
    assert doc["layers"]["fc1"]["bram18"] == 2 and doc["layers"]["fc2"]["lut"] == 207
    # the top's own logic (two FIFOs) = top row - layers; the total is the top row, carry from the primitives
    assert {k: doc["stitching"][k] for k in ("lut", "lutram", "ff", "bram18", "dsp")} == {
        "lut": 20, "lutram": 20, "ff": 19, "bram18": 0, "dsp": 0}
    assert doc["total"] == {"lut": 4177, "lutram": 144, "ff": 1290, "bram18": 4, "dsp": 40, "uram": None, "carry": 412}
    assert (doc["total_from"], doc["complete"], doc["fits"]) == ("top", True, True)
    assert doc["utilization"]["lut"] == round(4321 / 53200, 4)
    assert doc["timing"] == {"wns_ns": 2.913, "whs_ns": 0.112}
    assert doc["reports"] == ["build/vivado_ooc/timing.rpt", "build/vivado_ooc/utilization.rpt",
                              "build/vivado_ooc/utilization_hier.rpt"]
    for text in ["fc0", "2,890", "(stitching)", "fits pynq-z2", "Vivado v.2022.2"]:
        assert text in result.output, result.output


def test_vivado_full_block_design(tmp_path, fake_vivado):
    record, _ = fake_vivado
    root = vivado_project(tmp_path / "proj", board="kv260")
    doc = api.synth(root, "vivado", full=True)
    assert record.read_text().split()[:4] == ["-mode", "batch", "-source", "tcl/block_design.tcl"]
    assert doc["options"] == {"flow": "full"} and doc["board"] == "kv260"
    # the whole design (processing system, DMA, interconnect) is the total; the accelerator is u_l*'s parent
    assert doc["total"] == {"lut": 7000, "lutram": 641, "ff": 9100, "bram18": 13, "uram": 1, "dsp": 40, "carry": 77}
    assert doc["accelerator"] == {"instance": "inst", "module": "axgen_top", "lut": 4000, "lutram": 200, "ff": 1300,
                                  "bram18": 4, "uram": 1, "dsp": 40, "carry": None}
    assert doc["layers"]["fc0"]["uram"] == 1 and doc["layers"]["fc0"]["instance"] == "u_l0"
    assert {k: doc["stitching"][k] for k in ("lut", "lutram", "ff", "bram18", "uram", "dsp")} == {
        "lut": 20, "lutram": 30, "ff": 30, "bram18": 0, "uram": 0, "dsp": 0}
    assert doc["fits"] is True and doc["utilization"]["uram"] == round(1 / 64, 4)
    assert doc["reports"][0] == "build/vivado/timing.rpt"


def test_vivado_does_not_fit_and_failures(tmp_path, fake_vivado, monkeypatch):
    _, samples = fake_vivado
    vivado_samples.write_samples(samples, top_logic=60000)
    root = vivado_project(tmp_path / "proj")
    result = CliRunner().invoke(main, ["synth", str(root), "--tool", "vivado"])
    assert result.exit_code == 0, result.output
    assert "does not fit pynq-z2: LUT 60,144 of 53,200" in result.output
    assert json.loads((root / "resources.json").read_text())["fits"] is False
    monkeypatch.setenv("FAKE_VIVADO_FAIL", "1")
    result = CliRunner().invoke(main, ["synth", str(root), "--tool", "vivado"])
    errors = [line for line in result.output.splitlines() if line.startswith("axgen: error")]
    assert result.exit_code == 2 and len(errors) == 1 and "Traceback" not in result.output, result.output
    assert (f"axgen: error: vivado failed on tcl/synth_ooc.tcl (exit 1): ERROR: [Synth 8-439] module 'axgen_oops' "
            f"not found [rtl/axgen_top.v:12]; its log: {root / 'build' / 'vivado_ooc' / 'run.log'}") in result.output
    for args, message in [
        (["--layer", "fc0"], "--layer selects Yosys, nextpnr and Vitis HLS runs; Vivado synthesizes the whole top at once"),
    ]:
        result = CliRunner().invoke(main, ["synth", str(root), "--tool", "vivado", *args])
        assert result.exit_code == 2 and message in result.output, result.output
    alveo = vivado_project(tmp_path / "alveo", board="u250")
    with pytest.raises(AxgenError, match="board u250 is an Alveo card: run tcl/alveo_build.sh"):
        api.synth(alveo, "vivado", full=True)
    (root / "tcl" / "synth_ooc.tcl").unlink()
    with pytest.raises(AxgenError, match="synth_ooc.tcl is missing; rebuild the project"):
        api.synth(root, "vivado")


# ---------------------------------------------------------------- bigger networks (CNV: slow)

def build_and_synthesize(model_path, root, config, *args):
    api.build(model_path, root, config=config)
    result, seconds = synthesize(root, *args)
    assert result.exit_code == 0, result.output
    doc = json.loads((root / "resources.json").read_text())
    check_sums(doc)
    return doc, seconds


def test_yosys_tfc_w1a1_at_finn_folding(finn_model, tmp_path, synth_cache):
    doc, _ = build_and_synthesize(finn_model("tfc_1w1a"), tmp_path / "tfc", TFC_FINN_FOLDING, "-j", "2")
    assert sorted(doc["layers"]) == ["fc0", "fc1", "fc2", "fc3"]
    assert doc["total"]["dsp"] == 0  # bipolar products are XNORs
    assert doc["layers"]["fc0"]["lut"] > doc["layers"]["fc1"]["lut"]  # 784 lanes against 64
    assert doc["fits"] is True


def test_yosys_small_cnn(tmp_path, synth_cache):
    path = models.export(models.small_cnn(), (3, 12, 10), tmp_path / "cnn.onnx")
    doc, _ = build_and_synthesize(path, tmp_path / "cnn", models.SMALL_CNN_FOLDINGS[1], "-j", "2")
    assert sorted(doc["layers"]) == ["conv0", "conv2", "fc3", "pool1"]
    assert doc["fits"] is True


@pytest.mark.slow
def test_yosys_cnv_at_finn_folding(finn_model, tmp_path, synth_cache):
    path = models.export(models.finn_fc("cnv_1w1a"), (3, 32, 32), tmp_path / "cnv.onnx")
    doc, _ = build_and_synthesize(path, tmp_path / "cnv", models.CNV_FOLDING, "-j", "2")
    assert doc["total"]["bram18"] > 0  # the deep weight memories of conv6..fc8 are block RAM
    assert doc["complete"] is True
