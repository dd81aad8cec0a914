"""Depths of the FIFOs in front of a join (the add of two branches), so that the join never
deadlocks: the duplicate at the branch point sends every beat to both branches at once, so while
the join waits for output pixel o of one branch, the other branch's outputs that the input sent
so far produced must fit in that branch's FIFO.

In pixels (a vector is one pixel): output pixel o of a branch needs the input up to pixel L(o),
the last pixel of its receptive field (each convolution or pool reads its window's last pixel,
a fully-connected layer the whole input; a convolution the whole last row of its windows, as its
sliding-window generator starts an output row once that row is in); the other branch's outputs up to q(L(o)), the last one
its own receptive fields allow, are then made, and q(L(o)) - o + 1 of them wait. A FIFO holds
the largest such backlog, plus SLACK_PIXELS so the branches keep streaming at their rate.
"""

from __future__ import annotations

import numpy as np

from generator.hw.latency import RULES, height_of, regroup


SLACK_PIXELS = 2
JOIN_KINDS = ("add",)


def _window(layer):
    """(in_h, in_w, out_h, out_w, kernel, stride, pads) of a stage that slides a window, or None."""
    g = getattr(layer, "conv", None)
    if g is not None:
        return g.in_h, g.in_w, g.out_h, g.out_w, g.kernel, g.stride, g.pads
    if hasattr(layer, "kernel") and hasattr(layer, "in_h"):
        return layer.in_h, layer.in_w, layer.out_h, layer.out_w, layer.kernel, layer.stride, (0, 0, 0, 0)
    return None


def _pixels(shape: tuple[int, ...]) -> int:
    return int(np.prod(shape[:-1])) if len(shape) == 3 else 1


def last_input(layer, out: np.ndarray) -> np.ndarray:
    """For output pixels `out` of a stage, the last input pixel each needs (raster order). A
    convolution's sliding-window generator starts an output row once the last image row its
    windows cover is complete; a pool emits a pixel once its window's last pixel is in."""
    window = _window(layer)
    if window is not None:
        in_h, in_w, _, out_w, (kh, kw), (sh, sw), (top, left, _, _) = window
        r, c = np.divmod(out, out_w)
        row = np.clip(r * sh + kh - 1 - top, 0, in_h - 1)
        col = np.clip(c * sw + kw - 1 - left, 0, in_w - 1)
        if getattr(layer, "conv", None) is not None:
            col = np.full_like(col, in_w - 1)
        return row * in_w + col
    if len(layer.in_shape) == 3 and len(layer.out_shape) == 3:  # elementwise over pixels
        return out
    return np.full_like(out, _pixels(layer.in_shape) - 1)  # a vector: all of the input


def _path(stages, sources, start: int) -> list[int]:
    """The stages from `start` back to (not including) the duplicate it branches from."""
    path, i = [], start
    while i >= 0 and stages[i].kind != "duplicate":
        path.append(i)
        i = sources[i][0]
    return path


def _needs(stages, path: list[int], pixels: int) -> np.ndarray:
    """L(o) for every output pixel o at the end of `path`: the last branch-point pixel needed."""
    need = np.arange(pixels)
    for i in path:  # outputs leave in order: pixel o waits for what every earlier one needed too
        need = np.maximum.accumulate(last_input(stages[i].layer, need))
    return need


def _row_times(stages, path: list[int], join, cycles: int) -> list[float]:
    """When each row of the path's output is complete, in steady state: the branch point's rows
    arrive at the slowest stage's rate (`cycles` per sample), each path stage as the latency
    model has it (generator.hw.latency)."""
    height = height_of(stages[path[-1]] if path else join)
    rows = [(r + 1) * cycles / height for r in range(height)]
    first = 0.0
    for i in reversed(path):
        stage = stages[i]
        first, rows = RULES[stage.kind](stage, first, regroup(rows, stage))
    return rows


def _backlog(own: np.ndarray, other: np.ndarray) -> int:
    """The most of `own`'s items (pixels or rows, in order, each at its `own` mark) made by the
    time `other`'s item o is, less the o that have left: what waits in own's FIFO."""
    made = np.searchsorted(own, other, side="right")
    return int(max(0, (made - np.arange(len(other))).max()))


def join_depths(stages, sources) -> dict[tuple[int, int], int]:
    """{(join stage, input port): FIFO beats} for every join: the larger of the backlog that
    would deadlock (in pixels) and the backlog at the slowest stage's rate (in rows, from the
    latency model), plus SLACK_PIXELS."""
    depths = {}
    cycles = max(stage.cycles for stage in stages)
    for j, stage in enumerate(stages):
        if stage.kind not in JOIN_KINDS:
            continue
        pixels = _pixels(stage.layer.shape)
        paths = [_path(stages, sources, src) for src in sources[j]]
        needs = [_needs(stages, path, pixels) for path in paths]
        times = [np.asarray(_row_times(stages, path, stage, cycles)) for path in paths]
        beats_per_pixel = stage.layer.channels // stage.in_per_beat
        pixels_per_row = pixels // len(times[0])
        for port in (0, 1):
            deadlock = _backlog(needs[port], needs[1 - port])
            rate = _backlog(times[port], times[1 - port]) * pixels_per_row
            backlog = max(deadlock, rate)
            bypass = (backlog + SLACK_PIXELS) * beats_per_pixel if backlog else 0
            depths[(j, port)] = max(stage.edge_fifo_depth, bypass)
    return depths
