"""Property-based tests: random networks (1-3 layers, fully-connected and convolutional, max-pool
optional; datatypes of 1-8 bits, signed, unsigned and bipolar), random valid foldings and every
multiplier family across its knob range (tests/support/fuzz_networks.py). Each design's golden model
must equal its RTL in the C++ harness (both phases, random back-pressure included) and its HLS C
simulation, every output exactly. A hypothesis example is a batch of designs sharing one Verilator
and one g++ build (tests/support/fuzz_batch.py); a failure names the design, its problems and the
QONNX model + config that reproduce it with `axgen build` and `axgen verify --backend all`.

The default run checks a few batches; `make fuzz` runs the campaign (marker `fuzz`: 2 shards of
$AXGEN_FUZZ_BATCHES batches of $AXGEN_FUZZ_K designs, tallied in $AXGEN_FUZZ_OUT).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from fuzz_batch import Design, DesignResult, check_batch, cpu_seconds, record_tally, reproduce
from fuzz_networks import LayerSpec, NetSpec, Quantizer, config_strategy, net_specs, to_qonnx
from generator.frontend import load_network

ROOT = Path(__file__).resolve().parents[2]
FAILURES = Path(os.environ.get("AXGEN_FUZZ_FAILURES", ROOT / "build" / "fuzz-failures"))
CAMPAIGN_OUT = Path(os.environ.get("AXGEN_FUZZ_OUT", ROOT / "build" / "fuzz"))
CAMPAIGN_BATCHES = int(os.environ.get("AXGEN_FUZZ_BATCHES", "32"))  # per shard; 2 shards x 32 x 16 = 1024 designs
CAMPAIGN_K = int(os.environ.get("AXGEN_FUZZ_K", "16"))


def draw_designs(data, root: Path, k_min: int, k_max: int) -> list[Design]:
    """A batch: random networks written as QONNX files, each with a random valid config."""
    specs = data.draw(st.lists(net_specs(), min_size=k_min, max_size=k_max), label="networks")
    designs = []
    for k, spec in enumerate(specs):
        design = Design(to_qonnx(spec), {}, spec.describe())
        model, _ = design.write(root / f"d{k}")
        design.network = load_network(str(model), None, "fuzz")
        design.config = data.draw(config_strategy(design.network), label=f"config of design {k}")
        designs.append(design)
    return designs


def run_batch(designs: list[Design], root: Path, tally: Path | None = None) -> list[str]:
    """Check a batch; returns one message per failing design (its model and config kept)."""
    start, cpu = time.monotonic(), cpu_seconds()
    try:
        results, times = check_batch(designs, root)
    except Exception as exc:  # the batch's Verilator or g++ build: keep every design to find the culprit
        # not a mismatch: no design was compared; each is kept to find the one the tools choke on
        verdict = "was not checked: its batch's build failed"
        kept = [reproduce(DesignResult(k, d, 0, 0, [f"batch: {type(exc).__name__}: {exc}"]), FAILURES, verdict)
                for k, d in enumerate(designs)]
        raise AssertionError(f"the batch's build failed ({type(exc).__name__}: {exc}); no design was compared\n\n"
                             + "\n\n".join(kept)) from exc
    failed = [r for r in results if not r.ok]
    print(f"fuzz batch: {len(results)} designs, {len(failed)} mismatched; seconds: axgen build {times.build:.1f}, "
          f"verilator {times.rtl_build:.1f}, g++ {times.hls_build:.1f}, runs {times.runs:.1f}")
    if tally is not None:
        record_tally(tally, len(results) - len(failed), len(failed), time.monotonic() - start, cpu_seconds() - cpu)
    messages = [reproduce(r, FAILURES) for r in failed]
    if not messages:
        shutil.rmtree(root, ignore_errors=True)
    return messages


@settings(max_examples=3, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_random_designs_agree(data):
    """Default run: 3 batches of 2-5 random designs."""
    root = Path(tempfile.mkdtemp(prefix="axgen-fuzz-"))
    failures = run_batch(draw_designs(data, root, 2, 5), root)
    assert not failures, "\n\n".join(failures)


@pytest.mark.fuzz
@pytest.mark.parametrize("shard", [0, 1])
def test_fuzz_campaign(shard):
    """`make fuzz`: many batches; a failing design is kept and reported at the end, the campaign
    goes on (shrinking off: a failure already names its single design)."""
    tally = CAMPAIGN_OUT / f"tally-{shard}.json"
    failures = []

    @settings(max_examples=CAMPAIGN_BATCHES, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.data())
    def campaign(data):
        root = Path(tempfile.mkdtemp(prefix=f"axgen-fuzz{shard}-"))
        failures.extend(run_batch(draw_designs(data, root, CAMPAIGN_K, CAMPAIGN_K), root, tally))

    campaign()
    assert not failures, f"{len(failures)} designs disagree with their golden models:\n\n" + "\n\n".join(failures)


def _fc_design(seed: int, multiplier: str, in_q=Quantizer(4, True), w_q=Quantizer(3, True)) -> Design:
    """A fully-connected layer streaming its accumulators: any wrong product or weight shows."""
    spec = NetSpec((6,), in_q, (LayerSpec("fc", 4, w_q, None),), seed)
    return Design(to_qonnx(spec), {"layers": {0: {"pe": 2, "simd": 3, "multiplier": multiplier}}}, spec.describe())


def test_broken_designs_are_reported(tmp_path):
    """The check can fail, and names the design: in one batch, design 0's RTL multiplier gets the
    wrong knob (trunc k=3 instead of 2), design 1's RTL weight memory a changed digit, design 2's
    HLS weights a changed code, design 3 stays intact."""
    designs = [_fc_design(1, "trunc:k=2"), _fc_design(2, "exact"), _fc_design(3, "drum:k=2"), _fc_design(4, "mitchell")]

    def corrupt(rtl_dir: Path, hls_dir: Path) -> None:
        layer = rtl_dir / "fz0_axgen_L0_fc0.v"
        text = layer.read_text()
        assert ".MUL_K1(2)" in text
        layer.write_text(text.replace(".MUL_K1(2)", ".MUL_K1(3)"))
        mem = rtl_dir / "fz1_axgen_L0_fc0_weights.mem"
        lines = mem.read_text().splitlines()
        lines[0] = lines[0][:-1] + ("1" if lines[0][-1] != "1" else "2")
        mem.write_text("\n".join(lines) + "\n")
        params = hls_dir / "fz2_axgen_L0_fc0_params.h"
        text = params.read_text()
        head, sep, tail = text.partition("fz2_axgen_L0_fc0_weights[2][3][4] = {{{")
        assert sep
        first, rest = tail.split(",", 1)
        params.write_text(head + sep + str((int(first) + 1) % 8) + "," + rest)

    results, _ = check_batch(designs, tmp_path, corrupt=corrupt)
    problems = [[p.split(":")[0] for p in r.problems] for r in results]
    assert problems == [["rtl"], ["rtl"], ["hls"], []], [r.problems for r in results]
    message = reproduce(results[1], tmp_path / "failures")
    assert "axgen build" in message and "--backend all" in message
    assert len(list((tmp_path / "failures").glob("*/model.onnx"))) == 1


KNOWN = Path(__file__).parent / "data"


def test_known_failure_conv_extra_beats(tmp_path):
    """A design the campaign found failing, kept as found (QONNX model + config): its second
    convolution reads a 1 x 9 image of 6 channels one beat at a time, and the window generator's
    column counter (sized without the row's 54 beats) overflowed and emitted extra windows."""
    import onnx
    import yaml
    folder = KNOWN / "fuzz_conv_extra_beats"
    design = Design(onnx.load(str(folder / "model.onnx")), yaml.safe_load((folder / "config.yaml").read_text()),
                    "fuzz_conv_extra_beats")
    results, _ = check_batch([design], tmp_path)
    assert results[0].ok, results[0].problems
