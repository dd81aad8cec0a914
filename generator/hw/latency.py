"""Latency model: cycles from a sample's first input beat to its last output beat, in an empty
pipeline, without back-pressure.

The sample moves as rows: a stage sees when each row of its input is complete and works out
when each row of its output is. A fully-connected layer's vector is one row; a convolution's and
a pool's rows are image rows. Each stage kind's rule follows its block's schedule:

- MVAU (fully connected): output fold 0 takes the SF input beats at one per cycle as they come,
  the NF - 1 later folds take SF cycles each, and a result leaves the block's pipeline depth
  (generator.hw.timing.Pipeline.depth) plus MVAU_OUT cycles after its step.
- Convolution (and depthwise convolution, whose VVAU takes NF * SF cycles per pixel too): the
  sliding-window generator's writer completes image row g at
  RE[g] = max(RE[g-1] + ROWB, input row g, WE[m(g)-1] + ROWB) (its ring holds K_H + STRIDE_H
  rows; m(g) is the first output row that still needs a row below g), and output row o is done at
  WE[o] = max(WE[o-1], RE[hi(o)]) + OW * (cycles per output pixel: the window's beats, or the
  MVAU's NF * SF when it is slower), plus the two blocks' pipelines.
- Pools (max and average): one input beat per cycle; output row o leaves once its window's last input row is in.
- Duplicate and add: one beat per cycle; an add's row is complete when both its inputs' are.
- Unrolled layer: its one output beat `depth` cycles (its pipeline) after its one input beat.
- Links: a FIFO adds LINK_FIFO cycles, a width converter LINK_DWC more.

The steady-state cycles per sample are the slowest stage's (`HardwarePlan.estimated_cycles`);
this model gives the latency next to it (project.json `estimated_latency_cycles`).
"""

from __future__ import annotations

from typing import Callable

# Pipeline constants, in cycles, fitted to the latencies measured on the tests' networks (FINN's
# TFC and SFC, the mixed MLP, the small, strided and digits CNNs: all within 3%).
MVAU_OUT = 1  # the output FIFO's read, after the block's pipeline (issue -> output FIFO)
SWG_PIPE = 4  # the sliding-window generator's offset, address, read and write stages (its output FIFO overlaps the MVAU's fold)
SWG_FIFO = 8  # rtl/axgen_swg.v: its output FIFO
SWG_SLACK_BEATS = SWG_FIFO - SWG_PIPE - 1  # beats the FIFO holds beyond those in flight at full rate
POOL_PIPE = 5
LINK_FIFO = 1
LINK_DWC = 2  # a width converter's input and output slices (rtl/axgen_dwc.v)
BRANCH_PIPE = 1  # a duplicate's or an add's output register
UNROLLED_FIFO = 1  # an unrolled layer's output FIFO (generator.hw.unrolled)
Rows = list[float]  # completion time of each row of a stream


def mvau_pipe(stage) -> int:
    """Cycles from a step's issue to its output beat leaving the matrix block."""
    return stage.pipeline.depth(stage.simd) + MVAU_OUT


def _mvau(stage, first: float, rows: Rows) -> tuple[float, Rows]:
    fold0 = max(rows[-1], first + stage.sf)
    return fold0 + mvau_pipe(stage), [fold0 + (stage.nf - 1) * stage.sf + mvau_pipe(stage)]


def _window_rows(g) -> tuple[list[int], list[int]]:
    """For each output row, the first and last image rows its window covers (clipped)."""
    lo, hi = [], []
    for o in range(g.out_h):
        top = o * g.stride[0] - g.pads[0]
        lo.append(min(max(top, 0), g.in_h - 1))
        hi.append(min(max(top + g.kernel[0] - 1, 0), g.in_h - 1))
    return lo, hi


def window_period(g, row_beats: float, pixel: float, images: int = 4, slack: float = 0.0) -> float:
    """Steady-state cycles per image of a sliding-window generator and the unit behind it, images
    back to back with the input keeping up: the rules of `_conv` over global row numbers. The
    ring of K_H + STRIDE_H rows lets the writer run only that far ahead of the window, so at an
    image boundary it may not yet hold the next image's first window (e.g. a stride-2 convolution
    without padding): the reader pauses once per image, on top of OH * OW * pixel cycles. The
    unit behind it works `slack` cycles of the pause away on the beats the generator's output FIFO
    holds beyond its pipeline (SWG_SLACK_BEATS)."""
    lo, hi = _window_rows(g)
    ring, n_out = g.kernel[0] + g.stride[0], g.out_h
    written: list[float] = []  # completion of global row n * in_h + r
    done: list[float] = []  # completion of global output row n * out_h + o

    def finish(before: float) -> None:  # every output row whose ring slots row `before` reuses
        while len(done) < images * n_out:
            n, o = divmod(len(done), n_out)
            if n * g.in_h + lo[o] + ring > before:
                return
            done.append(max(done[-1] if done else 0.0, written[n * g.in_h + hi[o]] - slack) + g.out_w * pixel)

    for r in range(images * g.in_h):
        finish(r)
        written.append(max(written[-1] if written else 0.0, done[-1] if done else 0.0) + row_beats)
    finish(float("inf"))
    return done[-1] - done[-1 - n_out]


def window_cycles(g, in_per_beat: int, swg_simd: int, pixel: int, unit: str) -> dict[str, int]:
    """Cycles per sample of a convolution's sliding-window generator and the unit behind it
    (`pixel` cycles per output pixel): the generator moves one beat per cycle on each side,
    max(input beats, window beats), where an input beat is in_per_beat channels of a pixel and a
    window beat swg_simd elements, and at least the period of the generator and its unit
    together, with the generator's pause at image boundaries (window_period)."""
    in_beats = g.in_h * g.in_w * g.channels // in_per_beat
    window_beats = g.kernel[0] * g.kernel[1] * g.channels // swg_simd
    slowest = max(window_beats, pixel)
    slack = SWG_SLACK_BEATS * slowest / window_beats  # cycles of the unit on the beats buffered
    period = window_period(g, g.in_w * g.channels / in_per_beat, slowest, slack=slack)
    return {"swg": max(in_beats, g.pixels * window_beats, round(period)), unit: g.pixels * pixel}


def _conv(stage, first: float, rows: Rows) -> tuple[float, Rows]:
    # a window is SF beats; the MVAU takes NF * SF cycles per pixel
    return _windows(stage, first, rows, stage.nf * stage.sf, stage.sf, mvau_pipe(stage))


def _windows(stage, first: float, rows: Rows, pixel: int, fill: int, pipe: int) -> tuple[float, Rows]:
    """A sliding-window generator and the unit behind it, taking `pixel` cycles per output pixel,
    `fill` to take its first window and `pipe` from then to the pixel's output beat."""
    g = stage.layer.conv
    ring = g.kernel[0] + g.stride[0]
    row_beats = g.in_w * g.channels / stage.in_per_beat
    lo, hi = _window_rows(g)
    written: list[float] = []
    done: list[float] = []
    o = 0
    for r in range(g.in_h):
        while o < g.out_h and lo[o] + ring <= r:  # output rows that must finish before row r may be written
            done.append(max(done[-1] if done else 0.0, written[hi[o]]) + g.out_w * pixel)
            o += 1
        start = max(written[-1] if written else first, done[-1] if done else 0.0)
        written.append(max(start + row_beats, rows[r]))
    for o in range(o, g.out_h):
        done.append(max(done[-1] if done else 0.0, written[hi[o]]) + g.out_w * pixel)
    out_first = written[hi[0]] + SWG_PIPE + fill + pipe
    return out_first, [t + SWG_PIPE + pipe for t in done]


def _pool(stage, first: float, rows: Rows) -> tuple[float, Rows]:
    p = stage.layer
    row_beats = p.in_w * p.channels / stage.pe
    taken, t = [], first
    for r in range(p.in_h):
        t = max(t + row_beats, rows[r])
        taken.append(t)
    out = [taken[min(o * p.stride[0] + p.kernel[0] - 1, p.in_h - 1)] + POOL_PIPE for o in range(p.out_h)]
    return out[0], out


def _streaming(stage, first: float, rows: Rows) -> tuple[float, Rows]:
    """A duplicate or an add: a beat per cycle, each row out BRANCH_PIPE cycles after its last beat."""
    row_beats = stage.in_elems / stage.in_per_beat / len(rows)
    out, t = [], first
    for r in rows:
        t = max(t + row_beats, r)
        out.append(t + BRANCH_PIPE)
    return first + BRANCH_PIPE, out


def _unrolled(stage, first: float, rows: Rows) -> tuple[float, Rows]:
    """An unrolled layer: the vector's one beat in, its one beat out `depth` cycles later and
    through its output FIFO; a convolution's window vector from its sliding-window generator,
    one per cycle."""
    if stage.layer.conv is not None:
        return _windows(stage, first, rows, 1, 1, stage.depth + UNROLLED_FIFO)
    done = max(rows[-1], first) + stage.depth + UNROLLED_FIFO
    return done, [done]


RULES: dict[str, Callable] = {"fc": _mvau, "conv": _conv, "dwconv": _conv, "maxpool": _pool, "avgpool": _pool,
                              "duplicate": _streaming, "add": _streaming, "unrolled": _unrolled}


def height_of(stage) -> int:
    """Rows of a stage's input: a vector is one."""
    layer = stage.layer
    if getattr(layer, "conv", None) is not None:
        return layer.conv.in_h
    return layer.in_shape[0] if len(layer.in_shape) == 3 else 1


def _input_rows(stage) -> Rows:
    """The accelerator's input, one beat per cycle from cycle 0, as rows of the first stage."""
    h = height_of(stage)
    per_row = stage.in_elems // stage.in_per_beat // h
    return [float((r + 1) * per_row) for r in range(h)]


def regroup(rows: Rows, consumer) -> Rows:
    """A producer's rows as the consumer's: a fully-connected layer takes the whole vector as one."""
    vector = consumer.kind == "fc" or (consumer.kind == "unrolled" and consumer.layer.conv is None)
    return [rows[-1]] if vector else rows


def _arrival(plan, stage, done: dict) -> tuple[float, Rows]:
    """When the stage's input starts and each of its rows is complete: the accelerator's input,
    or its producers' outputs through their links (a join waits for both)."""
    links = plan.incoming(stage.index)
    if not links:
        return 0.0, _input_rows(stage)
    inputs = []
    for link in links:
        delay = LINK_FIFO + (LINK_DWC if link.width_converter else 0)
        first, rows = done[link.src]
        inputs.append((first + delay, [t + delay for t in regroup(rows, stage)]))
    return max(f for f, _ in inputs), [max(ts) for ts in zip(*(rows for _, rows in inputs))]


def estimated_latency(plan) -> int:
    """Cycles from the first input beat of a sample to its last output beat, pipeline empty."""
    done = {}
    for stage in plan.stages:
        done[stage.index] = RULES[stage.kind](stage, *_arrival(plan, stage, done))
    return round(done[plan.last.index][1][-1])
