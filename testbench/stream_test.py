"""cocotb test for any axgen stream block (a layer wrapper or axgen_top).

The DUT has ap_clk, ap_rst_n, s_axis_{tdata,tvalid,tready} and m_axis_{tdata,tvalid,tready};
a network top also has m_axis_tlast, checked on every output beat (high on the last beat of every
packet_samples-th sample since the last reset, low elsewhere), and s_axis_tlast, which the DUT
ignores (driven on the last beat of every sample in phase "stream", random in phase "random").
The job is a JSON file named by $AXGEN_JOB:

    {"samples":   [["<hex beat>", ...], ...],   # input beats, beats_in per sample
     "expected":  [["<hex beat>", ...], ...] | null,   # output beats, beats_out per sample
     "beats_in": int, "beats_out": int,
     "in_data_bits": int,           # low bits of an input beat that carry data; the rest is padding
     "packet_samples": int,         # m_axis_tlast closes every this many samples (default 1)
     "seed": int,
     "modes": ["stream", "random"], # which phases to run, in order (and any of FAULT_MODES)
     "idle_cycles": int,            # most cycles the DUT may go without an output beat
     "stall_cycles": int,           # the stalls of mode "stall" (default 10,000)
     "result": "<path of the result JSON>"}

Phase "stream" sends every sample back to back with m_axis_tready held high and measures
cycles_per_sample (steady-state cycles between consecutive samples' last output beats),
latency_cycles (first input beat of sample 0 accepted -> its last output beat) and busy_cycles
(first input beat accepted -> the last sample's last output beat, both cycles counted). Phase "random"
sends the samples again with random gaps on s_axis_tvalid, random junk in the padding bits and
random m_axis_tready. A sample mismatches when a phase's output beats differ from `expected`
(or, without `expected`, from the first phase's), or when m_axis_tlast (where the DUT has it) is
not as the packets call for: the DUT counts output samples from reset, across phases, so a phase
may begin inside a packet, and a sample count that is not a multiple of packet_samples leaves the
last packet open. The result JSON holds "outputs" (hex beats of the first phase),
"tlast_beats" (the first phase's output beats with m_axis_tlast high, counted over the phase; null
without the port), "cycles_per_sample", "latency_cycles", "busy_cycles", "mismatches",
"mismatched_samples", "tlast_errors" (one message per sample with a wrong TLAST, the first few of
each phase) and "cycles" (simulated cycles), or "error" when the DUT stalls for idle_cycles or emits
more beats than expected.

The fault modes (issue 21), each on every sample and checked as the others: "stall" sends
back to back as "stream" while the consumer holds m_axis_tready low for stall_cycles in the middle
of sample 1's output and the producer holds s_axis_tvalid low as long in the middle of sample 2's
input ("stall_cycles_per_sample" is then measured as cycles_per_sample); "reset_input",
"reset_output" and "reset_pipeline" send under random back-pressure until ap_rst_n is pulsed in
the middle of sample 2's input, of sample 1's output, or while samples 0..2 are inside the design
(input done, m_axis_tready low for half the latency), then send every sample again: no beat from
before the reset may come out.

Python wakes per beat and per stalled valid cycle, never per idle cycle: waits on the
handshake signals' edges and on ClockCycles.
"""

from __future__ import annotations

import json
import os
import random

import cocotb
from cocotb.clock import Clock
from cocotb.simtime import get_sim_time
from cocotb.triggers import ClockCycles, ReadOnly, RisingEdge, SimTimeoutError, with_timeout

PERIOD_NS = 10
GAP_PROBABILITY = 0.3
MAX_GAP = 6
READY_PROBABILITY = 0.6
TLAST_ERRORS_KEPT = 5  # messages per phase
FAULT_MODES = ("stall", "reset_input", "reset_output", "reset_pipeline")
STALL_CYCLES = 10_000
RESET_CYCLES = 4


def _cycle() -> int:
    return int(get_sim_time("ns")) // PERIOD_NS


def _high(signal) -> bool:
    return str(signal.value) == "1"


def _port(dut, name: str):
    """The DUT's port `name`, or None when it has none (a layer module has no TLAST)."""
    try:
        return getattr(dut, name)
    except AttributeError:
        return None


async def _send(dut, beats: list[int], lasts: list[int], cycles: list[int], rng: random.Random | None,
                junk_from: int, stall: tuple[int, int] | None = None) -> None:
    """Drive beats on s_axis (and s_axis_tlast, where the DUT has it, from `lasts`); with rng,
    random idle gaps, random padding bits and a random s_axis_tlast, which the DUT must ignore.
    `stall` = (beat index, cycles): s_axis_tvalid low that long before that beat."""
    clk, tdata, tvalid, tready = dut.ap_clk, dut.s_axis_tdata, dut.s_axis_tvalid, dut.s_axis_tready
    tlast = _port(dut, "s_axis_tlast")
    width = len(tdata)
    for index, (beat, last) in enumerate(zip(beats, lasts)):
        if stall is not None and index == stall[0]:
            tvalid.value = 0
            await ClockCycles(clk, stall[1])
        if rng is not None:
            if rng.random() < GAP_PROBABILITY:
                tvalid.value = 0
                await ClockCycles(clk, rng.randint(1, MAX_GAP))
            if width > junk_from:
                beat |= rng.getrandbits(width - junk_from) << junk_from
            if tlast is not None:
                last = rng.getrandbits(1)
        tdata.value = beat
        if tlast is not None:
            tlast.value = last
        tvalid.value = 1
        await ReadOnly()
        while not _high(tready):
            await RisingEdge(tready)
            await ReadOnly()
        cycles.append(_cycle())
        await RisingEdge(clk)
    tvalid.value = 0


class Stalled(Exception):
    pass


async def _receive(dut, count: int, beats: list[int], lasts: list[int], cycles: list[int],
                   rng: random.Random | None, idle_cycles: int, stall: tuple[int, int] | None = None) -> None:
    """Take `count` beats from m_axis, and m_axis_tlast of each where the DUT has it; with rng,
    m_axis_tready is random on valid cycles. `stall` = (beat index, cycles): m_axis_tready low
    that long before that beat."""
    clk, tdata, tvalid, tready = dut.ap_clk, dut.m_axis_tdata, dut.m_axis_tvalid, dut.m_axis_tready
    tlast = _port(dut, "m_axis_tlast")
    ready = True
    tready.value = 1
    while len(beats) < count:
        if stall is not None and len(beats) == stall[0]:
            tready.value = 0
            await ClockCycles(clk, stall[1])
            tready.value = int(ready)
            stall = None
        await ReadOnly()
        if not _high(tvalid):
            try:
                await with_timeout(RisingEdge(tvalid), idle_cycles * PERIOD_NS, "ns")
            except SimTimeoutError:
                raise Stalled(f"no output beat for {idle_cycles} cycles after {len(beats)} of {count}") from None
            continue
        if ready:
            beats.append(tdata.value.to_unsigned())
            if tlast is not None:
                lasts.append(int(_high(tlast)))
            cycles.append(_cycle())
        await RisingEdge(clk)
        if rng is not None:
            ready = rng.random() < READY_PROBABILITY
            tready.value = int(ready)


def _flat(samples: list[list[int]]) -> tuple[list[int], list[int]]:
    """Every sample's beats in a row, and the TLAST of each (high on a sample's last beat)."""
    return ([beat for sample in samples for beat in sample],
            [int(b == len(sample) - 1) for sample in samples for b in range(len(sample))])


async def _phase(dut, job: dict, samples: list[list[int]], rng: random.Random | None, stalls: bool = False) -> dict:
    flat, in_lasts = _flat(samples)
    total_out = len(samples) * job["beats_out"]
    in_cycles, out_cycles, out_beats, out_lasts = [], [], [], []
    per_in, per_out, idle, stall = job["beats_in"], job["beats_out"], job["idle_cycles"], None
    if stalls:  # the consumer's stall, then the producer's (both: the test's, not the design's idle time)
        stall = job.get("stall_cycles", STALL_CYCLES)
        idle += stall
    sender = cocotb.start_soon(_send(dut, flat, in_lasts, in_cycles, rng, job["in_data_bits"],
                                     stall and (2 * per_in + per_in // 2, stall)))
    await _receive(dut, total_out, out_beats, out_lasts, out_cycles, rng, idle, stall and (per_out + per_out // 2, stall))
    await sender
    n, per = len(samples), job["beats_out"]
    outputs = [out_beats[i * per:(i + 1) * per] for i in range(n)]
    lasts = [out_lasts[i * per:(i + 1) * per] for i in range(n)] if out_lasts else None
    last = [out_cycles[(i + 1) * per - 1] for i in range(n)]
    return {"outputs": outputs, "tlast": lasts, "last_cycles": last, "first_in_cycle": in_cycles[0],
            "tlast_beats": [b for b, flag in enumerate(out_lasts) if flag] if out_lasts else None}


def _tlast_errors(mode: str, lasts: list[list[int]] | None, packet: int, since_reset: int) -> dict[int, str]:
    """Sample -> a message, for every sample whose m_axis_tlast is wrong: high on exactly its last
    beat when it closes a packet (`packet` samples, counted from the reset `since_reset` samples
    before the phase's first), low on every beat otherwise."""
    errors = {}
    for i, flags in enumerate(lasts or []):
        number, place = divmod(since_reset + i, packet)
        closes = place == packet - 1
        high = [b for b, flag in enumerate(flags) if flag]
        if high != ([len(flags) - 1] if closes else []):
            seen = f"beat(s) {high}" if high else "no beat"
            want = f"on beat {len(flags) - 1} only" if closes else "on no beat"
            errors[i] = (f"phase {mode}, sample {i} (sample {place} of packet {number}, {packet} per packet): "
                         f"m_axis_tlast high on {seen} of 0..{len(flags) - 1}, expected {want}")
    return errors


def _steady_cycles(last: list[int]) -> float | None:
    """Average spacing of the last output beats over the second half of the stream."""
    if len(last) < 2:
        return None
    start = min(len(last) // 2, len(last) - 2)
    return (last[-1] - last[start]) / (len(last) - 1 - start)


async def _reset(dut) -> None:
    """ap_rst_n low for RESET_CYCLES cycles with both handshakes low, then two cycles."""
    dut.ap_rst_n.value = 0
    dut.s_axis_tvalid.value = 0
    dut.m_axis_tready.value = 0
    if _port(dut, "s_axis_tlast") is not None:
        dut.s_axis_tlast.value = 0
    await ClockCycles(dut.ap_clk, RESET_CYCLES)
    dut.ap_rst_n.value = 1
    await ClockCycles(dut.ap_clk, 2)


async def _reset_in_flight(dut, job: dict, samples: list[list[int]], rng: random.Random, mode: str,
                           latency: int | None) -> None:
    """Samples under random back-pressure until the fault of `mode` (one of FAULT_MODES but
    "stall"), then the reset; what came out before it is dropped."""
    clk, per_in, per_out = dut.ap_clk, job["beats_in"], job["beats_out"]
    flat, lasts = _flat(samples)
    in_cycles, out_cycles, out_beats, out_lasts = [], [], [], []
    if mode == "reset_pipeline":  # samples 0..2 in, none out, for half the latency
        dut.m_axis_tready.value = 0
        await _send(dut, flat[:3 * per_in], lasts[:3 * per_in], in_cycles, rng, job["in_data_bits"])
        await ClockCycles(clk, max(2, (latency or 32) // 2))
    else:
        sender = cocotb.start_soon(_send(dut, flat, lasts, in_cycles, rng, job["in_data_bits"]))
        receiver = cocotb.start_soon(_receive(dut, len(samples) * per_out, out_beats, out_lasts, out_cycles, rng,
                                              job["idle_cycles"]))
        reached, want = (in_cycles, 2 * per_in + per_in // 2) if mode == "reset_input" else (out_beats, per_out + per_out // 2)
        for _ in range(job["idle_cycles"]):
            if len(reached) >= want:
                break
            await RisingEdge(clk)
        else:
            raise Stalled(f"phase {mode}: its reset point never came")
        sender.cancel()
        receiver.cancel()
    await _reset(dut)


@cocotb.test()
async def stream_test(dut):
    with open(os.environ["AXGEN_JOB"]) as f:
        job = json.load(f)
    samples = [[int(b, 16) for b in sample] for sample in job["samples"]]
    expected = job.get("expected")
    expected = None if expected is None else [[int(b, 16) for b in sample] for sample in expected]
    rng = random.Random(job["seed"])

    Clock(dut.ap_clk, PERIOD_NS, "ns").start()
    dut.s_axis_tdata.value = 0
    await _reset(dut)

    result = {"samples": len(samples), "outputs": None, "cycles_per_sample": None, "latency_cycles": None,
              "busy_cycles": None, "tlast_beats": None}
    try:
        await _run(dut, job, samples, expected, rng, result)
    except Stalled as exc:
        result["error"] = f"the design stalled: {exc}"
    result["cycles"] = _cycle()
    with open(job["result"], "w") as f:
        json.dump(result, f)


async def _run(dut, job: dict, samples: list[list[int]], expected, rng: random.Random, result: dict) -> None:
    reference = expected
    bad = set()
    tlast_errors = []
    packet = int(job.get("packet_samples", 1))
    since_reset = 0  # output samples since the last reset: the DUT's packets count from there
    for mode in job["modes"]:
        if mode.startswith("reset_"):
            await _reset_in_flight(dut, job, samples, rng, mode, result["latency_cycles"])
            since_reset = 0
        phase = await _phase(dut, job, samples, None if mode in ("stream", "stall") else rng, stalls=mode == "stall")
        if mode == "stall":
            result["stall_cycles_per_sample"] = _steady_cycles(phase["last_cycles"])
        if result["outputs"] is None:
            result["outputs"] = [[format(b, "x") for b in sample] for sample in phase["outputs"]]
            result["tlast_beats"] = phase["tlast_beats"]
        if mode == "stream":
            result["cycles_per_sample"] = _steady_cycles(phase["last_cycles"])
            result["latency_cycles"] = phase["last_cycles"][0] - phase["first_in_cycle"]
            result["busy_cycles"] = phase["last_cycles"][-1] - phase["first_in_cycle"] + 1
        if reference is None:
            reference = phase["outputs"]
        bad.update(i for i, (got, want) in enumerate(zip(phase["outputs"], reference)) if got != want)
        wrong_last = _tlast_errors(mode, phase["tlast"], packet, since_reset)
        since_reset += len(samples)
        bad.update(wrong_last)
        tlast_errors += list(wrong_last.values())[:TLAST_ERRORS_KEPT]
    result["mismatches"] = len(bad)
    result["mismatched_samples"] = sorted(bad)
    result["tlast_errors"] = tlast_errors
    await ClockCycles(dut.ap_clk, max(16, result["latency_cycles"] or 0))
    await ReadOnly()
    if _high(dut.m_axis_tvalid):
        result["error"] = "the design emitted more output beats than its inputs call for"
