"""The stitched RTL top as Vivado's IP integrator sees it: X_INTERFACE attributes on every
AXI-Stream port, the clock (associated with both streams and the reset, at the board's clock) and
the reset (active low); m_axis_tlast on exactly the last beat of every PACKET_SAMPLES-th sample
(the top's parameter, set small for the simulation), checked by the cocotb testbench across its
phases, which catches a TLAST one beat early and a packet closed on the wrong sample."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from generator import boards, config, golden
from generator.backends.rtl import render_rtl
from generator.backends.rtl.lint import lint
from generator.datatypes import DataType
from generator.hw import annotate, plan_of
from generator.ir import MatrixLayer
from generator.sim.rtl import simulate
from block_cases import extreme_inputs, random_values

D = DataType
SAMPLES = 12
IDLE = 5000
AXIS_PORTS = [(bus, signal) for bus in ("s_axis", "m_axis") for signal in ("TDATA", "TVALID", "TREADY", "TLAST")]


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("rtl_build")


def _stage():
    """One layer, MW=8 MH=6 PE=2 SIMD=4, raw accumulator out: 3 output beats per sample."""
    rng = np.random.default_rng(5)
    layer = MatrixLayer("fc0", D["UINT4"], D["INT4"], random_values(rng, D["INT4"], (6, 8)), None, 0, D["INT32"],
                        (8,), (6,))
    impl = annotate([layer], config.from_dict({"defaults": {"pe": 2, "simd": 4}}))[0]
    return rng, layer, impl


def _port_attributes(text: str) -> dict[str, list[str]]:
    """Port name -> the attributes in front of its declaration."""
    header = text[text.index("\nmodule "):text.index("\n);")]
    ports, pending = {}, []
    for line in header.splitlines():
        line = line.strip()
        attribute = re.fullmatch(r"\(\* (X_INTERFACE_\w+ = \"[^\"]*\") \*\)", line)
        declaration = re.fullmatch(r"(input|output)\s+wire\s+(\[\d+:0\]\s+)?(\w+),?", line)
        if attribute:
            pending.append(attribute.group(1))
        elif declaration:
            ports[declaration.group(3)], pending = pending, []
    return ports


@pytest.mark.parametrize("board, hz", [("pynq-z2", 100_000_000), ("zcu104", 200_000_000)])
def test_interface_attributes_with_the_board_clock(tmp_path, board, hz):
    _, _, impl = _stage()
    summary = render_rtl(replace(plan_of([impl]), board=boards.load(board)), tmp_path)
    ports = _port_attributes((tmp_path / f"{summary['top']}.v").read_text())
    assert ports["ap_clk"] == ['X_INTERFACE_INFO = "xilinx.com:signal:clock:1.0 ap_clk CLK"',
                               'X_INTERFACE_PARAMETER = "ASSOCIATED_BUSIF s_axis:m_axis, '
                               f'ASSOCIATED_RESET ap_rst_n, FREQ_HZ {hz}"']
    assert ports["ap_rst_n"] == ['X_INTERFACE_INFO = "xilinx.com:signal:reset:1.0 ap_rst_n RST"',
                                 'X_INTERFACE_PARAMETER = "POLARITY ACTIVE_LOW"']
    for bus, signal in AXIS_PORTS:
        name = f"{bus}_{signal.lower()}"
        assert ports[name] == [f'X_INTERFACE_INFO = "xilinx.com:interface:axis:1.0 {bus} {signal}"'], name
    assert set(ports) == {"ap_clk", "ap_rst_n"} | {f"{bus}_{signal.lower()}" for bus, signal in AXIS_PORTS}
    lint(tmp_path, summary["top"])  # Verilator takes the attributes: -Wall stays clean


def test_without_a_board_freq_hz_is_left_out(tmp_path):
    _, _, impl = _stage()
    summary = render_rtl(plan_of([impl]), tmp_path)
    ports = _port_attributes((tmp_path / f"{summary['top']}.v").read_text())
    assert ports["ap_clk"][1] == 'X_INTERFACE_PARAMETER = "ASSOCIATED_BUSIF s_axis:m_axis, ASSOCIATED_RESET ap_rst_n"'
    assert "axgen_tlast.v" in summary["files"]
    lint(tmp_path, summary["top"])


def _simulate_top(tmp_path, build_dir, packet: int, patch=None, packet_expected: int | None = None):
    """The one-layer top (packets of 1000 samples as rendered) simulated with PACKET_SAMPLES set to
    `packet`, its TLAST checked against packets of `packet_expected` (default `packet`)."""
    rng, layer, impl = _stage()
    summary = render_rtl(replace(plan_of([impl]), packet_request=1000), tmp_path)
    assert summary["out_elems"] // summary["out_per_beat"] == 3 and summary["packet_samples"] == 1000
    assert "parameter integer PACKET_SAMPLES = 1000" in (tmp_path / f"{summary['top']}.v").read_text()
    if patch:
        path = tmp_path / "axgen_tlast.v"
        text = path.read_text()
        for old, new in patch:
            assert old in text
            text = text.replace(old, new)
        path.write_text(text)
    x = extreme_inputs(rng, layer, SAMPLES)
    expected = golden.run_layer(x, layer)
    res = simulate(tmp_path, summary["top"], x, impl.in_dtype, summary["in_per_beat"], impl.out_dtype,
                   summary["out_per_beat"], summary["out_elems"], expected, seed=3, build_dir=build_dir,
                   idle_cycles=IDLE, packet_samples=packet if packet_expected is None else packet_expected,
                   parameters={"PACKET_SAMPLES": packet})
    return res, expected


@pytest.mark.parametrize("packet", [1, 5])
def test_tlast_on_the_last_beat_of_every_packet(tmp_path, build_dir, packet):
    """Every sample, or every 5th: 12 samples per phase leave the stream phase's last packet open
    (samples 10, 11), and the random phase's packets go on from there (closing at its samples 2, 7)."""
    res, expected = _simulate_top(tmp_path, build_dir, packet)
    assert res.mismatches == 0 and res.tlast_errors == [], res.tlast_errors
    assert np.array_equal(res.outputs, expected)
    assert res.tlast_beats == [3 * (k + 1) * packet - 1 for k in range(SAMPLES // packet)]  # phase stream's


def test_tlast_one_beat_early_is_a_mismatch(tmp_path, build_dir):
    """The counter says "last" on beat 1 of 0..2 (of every sample: one-sample packets): every
    sample mismatches, in both phases, though its data are right."""
    early = [("tlast <= SINGLE || (!tlast && beat == PENULT);", "tlast <= beat + 1'b1 == PENULT;"),
             ("beat <= tlast ? {CNT_BITS{1'b0}} : beat + 1'b1;", "beat <= beat == PENULT + 1'b1 ? 0 : beat + 1'b1;")]
    res, expected = _simulate_top(tmp_path, build_dir, 1, patch=early)
    assert np.array_equal(res.outputs, expected)
    assert res.mismatches == SAMPLES and res.mismatched_samples == list(range(SAMPLES))
    assert ("phase stream, sample 0 (sample 0 of packet 0, 1 per packet): m_axis_tlast high on beat(s) [1] of 0..2, "
            "expected on beat 2 only") in res.tlast_errors
    assert any(e.startswith("phase random, sample 0 ") for e in res.tlast_errors), res.tlast_errors


def test_tlast_closing_every_sample_of_a_packet_is_a_mismatch(tmp_path, build_dir):
    """A top closing a packet every 2 samples where packets of 4 are expected: samples 1, 5 and 9
    close one early, in phase stream and in phase random (whose packets count on from 12)."""
    res, expected = _simulate_top(tmp_path, build_dir, 2, packet_expected=4)
    assert np.array_equal(res.outputs, expected)
    assert res.mismatched_samples == [1, 5, 9]
    for phase in ("stream", "random"):
        assert (f"phase {phase}, sample 1 (sample 1 of packet {3 * (phase == 'random')}, 4 per packet): m_axis_tlast "
                "high on beat(s) [2] of 0..2, expected on no beat") in res.tlast_errors
