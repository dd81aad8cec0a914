"""Whole networks on Verilator and in HLS C simulation (g++), on the same inputs: bit-exact
against the golden model (RTL under random back-pressure), at two foldings each, with measured
cycles per sample within 3% of the folding bound and the latency within 10% of the model's."""

import json

import checks
import pytest

from models import DIGITS_FOLDINGS, FOLDINGS, MIXED_FOLDING
from generator import config
from generator.frontend import load_network
from generator.project import build
from generator.verify import verify

def check(project_dir, samples=12, seed=0):
    """checks.check (lint, golden = RTL = HLS, cycles and latency), and verify.json says the same."""
    _, report = checks.check(project_dir, samples=samples, seed=seed)
    saved = json.loads((project_dir / "verify.json").read_text())
    assert saved["mismatches"] == 0 and saved["samples"] == samples
    return report


# SFC-w1a2 at its fast folding (1,024 lanes in its first layer) takes minutes to Verilate: slow run
FC_CASES = [pytest.param(name, fold, marks=pytest.mark.slow) if (name, fold) == ("sfc_1w2a", 0) else (name, fold)
            for fold in (0, 1) for name in sorted(FOLDINGS)]


@pytest.mark.parametrize("name, fold", FC_CASES)
def test_finn_fc_bit_exact(finn_model, tmp_path, name, fold):
    net = load_network(finn_model(name))
    build(net, tmp_path / "p", config.from_dict(FOLDINGS[name][fold]))
    check(tmp_path / "p", seed=fold)


@pytest.mark.parametrize("fold", DIGITS_FOLDINGS)
def test_digits_mlp_bit_exact(digits_model, tmp_path, fold):
    net = load_network(digits_model)
    build(net, tmp_path / "p", config.from_dict(fold))
    check(tmp_path / "p", samples=16)


def test_mixed_model_bit_exact(mixed_model, tmp_path):
    """8-bit signed input, per-channel scales, negated rows, INT2/UINT3/INT6 activations."""
    net = load_network(mixed_model)
    build(net, tmp_path / "p", config.from_dict(MIXED_FOLDING))
    check(tmp_path / "p", samples=16)


def test_a_wrong_weight_is_caught(finn_model, tmp_path):
    """Break the hardware on purpose: one flipped weight must make verify report mismatches."""
    from generator.project import open_project
    net = load_network(finn_model("tfc_2w2a"))
    build(net, tmp_path / "p", config.from_dict(FOLDINGS["tfc_2w2a"][0]))
    mem = sorted((tmp_path / "p" / "rtl").glob("*fc3*weights.mem"))[0]
    lines = mem.read_text().splitlines()
    first = int(lines[0], 16)
    lines[0] = format(first ^ 0b11, f"0{len(lines[0])}x")  # flip the two bits of one weight code
    mem.write_text("\n".join(lines) + "\n")
    report = verify(open_project(tmp_path / "p"), "rtl", samples=12, seed=0)
    assert report["mismatches"] > 0


@pytest.mark.slow
@pytest.mark.parametrize("name", ["lfc_1w1a", "lfc_1w2a", "sfc_2w2a", "tfc_1w2a", "sfc_1w1a"])
def test_more_finn_fc_bit_exact(finn_model, tmp_path, name):
    net = load_network(finn_model(name))
    build(net, tmp_path / "p", config.from_dict({"defaults": {"pe": 16, "simd": 16}}))
    check(tmp_path / "p", samples=8)
