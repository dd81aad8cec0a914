"""`axgen verify` with the C++ harness: verify.json's passes (cocotb on the first 32 samples, the
harness on all), `--trace` of a broken design's first mismatching sample (found again in the VCD),
and one clear message for bad input."""

import json
import math
import struct
import subprocess
import shutil

import numpy as np
import pytest
from click.testing import CliRunner

import models
import waves
from generator import config, streams
from generator.cli import main
from generator.digits import INPUT_SHAPE
from generator.frontend import load_network
from generator.project import build, open_project
from generator.sim.packets import SIMULATED_PACKET


@pytest.fixture(scope="module")
def digits_project(digits_model, tmp_path_factory):
    root = tmp_path_factory.mktemp("verify_harness") / "digits"
    build(load_network(digits_model), root, config.from_dict(models.DIGITS_FOLDINGS[0]))
    return root


def run_cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _broken_copy(root, tmp_path):
    """A copy of the project whose last layer has the low bit of lane 0 flipped in every weight
    word (one flipped weight alone meets an input that may be 0 in every sample: trained weights
    differ between runs)."""
    shutil.copytree(root, tmp_path / "p")
    mem = sorted((tmp_path / "p" / "rtl").glob("*weights.mem"))[-1]
    lines = [format(int(line, 16) ^ 1, f"0{len(line)}x") for line in mem.read_text().splitlines()]
    mem.write_text("\n".join(lines) + "\n")
    return tmp_path / "p"


def test_verify_json_lists_both_passes(digits_project):
    result = run_cli("verify", digits_project, "--samples", 40, "--seed", 2)
    assert result.exit_code == 0, result.output
    report = json.loads((digits_project / "verify.json").read_text())
    assert report["samples"] == 40 and report["mismatches"] == 0
    rtl = report["backends"][0]
    assert rtl["samples"] == 40 and rtl["mismatches"] == 0
    cocotb, harness = rtl["passes"]
    assert (cocotb["name"], cocotb["samples"], harness["name"], harness["samples"]) == ("cocotb", 32, "harness", 40)
    for p in (cocotb, harness):
        assert p["mismatches"] == 0 and p["cycles"] > 40 * 10 and p["seconds"] > 0
        assert abs(p["sample_cycles_per_second"] / (p["cycles"] / p["seconds"]) - 1) < 0.05  # seconds are rounded
    assert harness["cycles"] > cocotb["cycles"]  # 8 more samples in the random phase
    assert report["cycles_per_sample"] == rtl["cycles_per_sample"] and report["latency_cycles"] > 0
    assert report["packet_samples"] == open_project(digits_project).plan.packet_samples > 1000
    assert report["simulated_packet_samples"] == SIMULATED_PACKET
    assert 0.9 <= report["cycles_over_estimate"] <= 1.1
    assert "harness: 40 samples, 0 mismatching" in result.output


def test_verify_hls_lists_the_c_simulation_pass(digits_project):
    result = run_cli("verify", digits_project, "--backend", "hls", "--samples", 5)
    assert result.exit_code == 0, result.output
    hls = json.loads((digits_project / "verify.json").read_text())["backends"][0]
    (csim,) = hls["passes"]
    assert (csim["name"], csim["samples"], csim["mismatches"], csim["cycles"]) == ("csim", 5, 0, None)


@pytest.mark.parametrize("count", [1, 37])
def test_predict_rtl_runs_the_harness(digits_project, count):
    from generator.predict import predict
    project = open_project(digits_project)
    x = np.random.default_rng(count).uniform(0, 16, size=(count, *INPUT_SHAPE)).astype(np.float32)
    assert np.array_equal(predict(project, x, "rtl"), predict(project, x, "golden"))
    assert (digits_project / "build" / "harness").is_dir()


def test_trace_writes_the_first_mismatching_sample(digits_project, tmp_path):
    root = _broken_copy(digits_project, tmp_path)
    vcd = tmp_path / "wave.vcd"
    result = run_cli("verify", root, "--samples", 6, "--trace", vcd)
    assert result.exit_code == 1, result.output
    report = json.loads((root / "verify.json").read_text())
    trace, first = report["trace"], report["backends"][0]["first_mismatch"]
    assert trace["file"] == str(vcd) and trace["sample"] == first["sample"] and trace["phase"] == "stream"
    assert f"traced sample {trace['sample']}" in result.output
    assert first["got"] != first["expected"]
    last = open_project(root).plan.last
    per_sample = last.out_elems // last.out_per_beat
    beats = waves.vcd_output_beats(vcd)
    assert len(beats) >= per_sample
    mine = beats[-per_sample:]  # the window ends with the traced sample's last output beat
    closes = (trace["sample"] + 1) % SIMULATED_PACKET == 0  # phase stream counts its samples from reset
    assert [flag for _, flag in mine] == [0] * (per_sample - 1) + [int(closes)]
    nbytes = streams.beat_bytes(last.out_dtype.name, last.out_per_beat)
    data = np.array([[b for value, _ in mine for b in value.to_bytes(nbytes, "little")]], dtype=np.uint8)
    assert streams.unpack(data, last.out_dtype.name, last.out_per_beat)[0].tolist() == first["got"]


def test_verify_reports_a_packet_closed_on_the_wrong_sample(digits_project, tmp_path):
    """A top whose TLAST closes every sample: its data are right, yet verify fails and names the
    first sample whose TLAST is wrong, its packet, and what was expected."""
    shutil.copytree(digits_project, tmp_path / "p")
    top = tmp_path / "p" / "rtl" / "axgen_top.v"
    top.write_text(top.read_text().replace(".PACKET_SAMPLES(PACKET_SAMPLES)", ".PACKET_SAMPLES(1)"))
    result = run_cli("verify", tmp_path / "p", "--samples", 6)
    assert result.exit_code == 1, result.output
    report = json.loads((tmp_path / "p" / "verify.json").read_text())
    rtl = report["backends"][0]
    cocotb, harness = rtl["passes"]
    # packets of 3: samples 2 and 5 close one in phase stream, and in phase random too (it goes on from sample 6)
    per_sample = open_project(tmp_path / "p").plan.out_beats
    assert cocotb["mismatches"] == harness["mismatches"] == 4 and rtl["first_mismatch"]["samples"] == [0, 1, 3, 4]
    assert rtl["first_mismatch"]["tlast"] == (f"phase stream, sample 0 (sample 0 of packet 0, 3 per packet): m_axis_tlast "
                                              f"high on beat(s) [{per_sample - 1}] of 0..{per_sample - 1}, expected on "
                                              f"no beat")


def test_trace_of_a_passing_design_writes_nothing(digits_project, tmp_path):
    vcd = tmp_path / "wave.vcd"
    result = run_cli("verify", digits_project, "--samples", 2, "--trace", vcd)
    assert result.exit_code == 0, result.output
    assert "no mismatch: nothing traced" in result.output
    assert not vcd.exists()
    assert json.loads((digits_project / "verify.json").read_text())["trace"] is None


@pytest.mark.parametrize("samples", [0, -3])
def test_a_sample_count_below_two_is_one_line(digits_project, samples):
    result = run_cli("verify", digits_project, "--samples", samples)
    assert result.exit_code == 2
    assert result.output.strip() == f"axgen: error: --samples {samples}: at least 2 are needed " \
                                    "(throughput is measured between samples)"


def test_trace_of_hls_is_one_line(digits_project, tmp_path):
    result = run_cli("verify", digits_project, "--backend", "hls", "--trace", tmp_path / "w.vcd")
    assert result.exit_code == 2 and "use it with --backend rtl or all" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_harness_that_fails_to_build_shows_the_log(digits_project, tmp_path):
    shutil.copytree(digits_project, tmp_path / "p")
    top = tmp_path / "p" / "rtl" / "axgen_top.v"
    top.write_text(top.read_text().replace("endmodule", "wire broken = ;\nendmodule"))
    np.save(tmp_path / "x.npy", np.zeros((2, *INPUT_SHAPE), dtype=np.float32))
    result = run_cli("predict", tmp_path / "p", tmp_path / "x.npy", "--backend", "rtl")
    assert result.exit_code == 2
    assert result.output.startswith("axgen: error: Verilator build of the axgen_top harness failed")
    assert "axgen_top.v" in result.output and "syntax error" in result.output  # the log's tail
    assert "Traceback" not in result.output


def _fst_libraries_present() -> bool:
    """Whether the C++ compiler finds the headers Verilator's FST writer includes."""
    probe = subprocess.run(["c++", "-fsyntax-only", "-x", "c++", "-"], input="#include <lz4.h>\n#include <zlib.h>\n",
                           capture_output=True, text=True)
    return probe.returncode == 0


def test_trace_writes_an_fst_or_names_the_missing_libraries(digits_project, tmp_path):
    root = _broken_copy(digits_project, tmp_path)
    fst = tmp_path / "wave.fst"
    result = run_cli("verify", root, "--samples", 4, "--trace", fst)
    if _fst_libraries_present():
        assert result.exit_code == 1, result.output
        assert f"-> {fst}" in result.output
        data = fst.read_bytes()
        # FST's header block: type 0, a big-endian section length of 329, start and end time, then
        # the double e in the writer's byte order (the reader's endianness test)
        assert data[0] == 0 and int.from_bytes(data[1:9], "big") == 329
        assert struct.unpack("<d", data[25:33])[0] == math.e
        assert len(data) > 329
        report = json.loads((root / "verify.json").read_text())
        assert report["trace"]["file"] == str(fst) and report["trace"]["to_cycle"] > report["trace"]["from_cycle"]
    else:
        assert result.exit_code == 2
        message = result.output.strip()
        assert message.startswith("axgen: error: an FST waveform needs the lz4 and zlib development headers")
        assert "apt install liblz4-dev zlib1g-dev" in message and "A .vcd trace needs neither." in message
        assert len(message.splitlines()) == 1 and not fst.exists()


def test_trace_with_another_suffix_names_the_supported_ones(digits_project, tmp_path):
    result = run_cli("verify", digits_project, "--samples", 2, "--trace", tmp_path / "wave.txt")
    assert result.exit_code == 2
    assert result.output.strip() == (f"axgen: error: --trace {tmp_path / 'wave.txt'}: the waveform format comes "
                                     "from the file's suffix; supported: .vcd, .fst")
