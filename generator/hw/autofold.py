"""Automatic folding: PE and SIMD of every stage chosen so that the slowest stage meets a target
of cycles per sample at the lowest estimated resources.

Every stage's options are the foldings its kind accepts (`fold_choices` of its implementation;
keys the config fixes for that layer keep their values) whose cycles per sample meet the
target. Each option costs its estimated resources (generator.hw.resources: the multiplier
counted at its measured LUTs) and each link between two options the width converter and FIFO
they need. The cheapest assignment of a chain is found exactly by dynamic programming over the
stages. The cost is (lanes, LUT sites, BRAM18, URAM, DSP, flip-flops), compared in that order:
lanes (PE * SIMD; PE of a pool) first, as every lane is a product, an adder and its share of the
memory ports, so no layer is folded faster than the target needs; among the foldings with the
fewest lanes (shapes PE x SIMD, and the width converters and FIFOs between neighbours) the
resource model chooses. Ordering LUTs first instead would at times buy a 0.2% saving by the model
(inside its error) with 25% more lanes (benchmarks/autofold_baseline.py).
"""

from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import replace
from functools import lru_cache

from generator.boards import Board
from generator.config import Config
from generator.errors import AxgenError
from generator.hw.layout import pad8
from generator.hw.plan import STAGE_KINDS, HardwarePlan, Impl, annotate, at_clock
from generator.hw.resources import KEYS, fit_problems, link_resources, stage_resources, used
from generator.hw.shell import stream_bits_limit
from generator.hw.stitch import Link, graph_links, link_between
from generator.hw.unrolled import check_impl, unrolled_impl
from generator.ir import Network, chain_sources

FOLD_KEYS = ("pe", "simd")
# The largest matrix (MW * MH weights) the folder weighs unrolled: solving its adder graph takes
# seconds at 64 x 64 and grows faster than the weights (a CNV convolution's 256 x 2304 would take hours)
UNROLL_MAX_WEIGHTS = 16384


def check_clock(clock_mhz) -> float:
    if isinstance(clock_mhz, bool) or not (isinstance(clock_mhz, (int, float)) and clock_mhz > 0 and math.isfinite(clock_mhz)):
        raise AxgenError(f"--clock must be a positive number of MHz, got {clock_mhz!r}")
    return float(clock_mhz)


def target_from_fps(fps: float, clock_mhz: float) -> int:
    """Cycles per sample that give `fps` samples per second at `clock_mhz`."""
    if not (isinstance(fps, (int, float)) and fps > 0 and math.isfinite(fps)):
        raise AxgenError(f"--target-fps must be a positive number, got {fps!r}")
    check_clock(clock_mhz)
    cycles = math.floor(clock_mhz * 1e6 / fps)
    if cycles < 1:
        raise AxgenError(f"--target-fps {fps:g} at {clock_mhz:g} MHz leaves less than one cycle per sample")
    return cycles


def check_target(target) -> int:
    if not isinstance(target, int) or isinstance(target, bool) or target < 1:
        raise AxgenError(f"--target-cycles must be a positive integer, got {target!r}")
    return target


def _cost(resources: dict, lanes: int) -> tuple:
    return (lanes, used(resources, "lut"), resources["bram18"], resources["uram"], resources["dsp"], resources["ff"])


def _add(a: tuple, b: tuple) -> tuple:
    return tuple(x + y for x, y in zip(a, b))


class Options:
    """The foldings of one stage: every one its kind accepts, with the config's fixed keys kept;
    for a matrix layer whose config leaves `impl` and the folding free (of at most
    UNROLL_MAX_WEIGHTS weights, integer inputs), also the layer unrolled
    (generator.hw.unrolled), weighed where a target needs the fully parallel folding (same
    lanes, one vector per cycle: the resource model chooses between them)."""

    def __init__(self, stage: Impl, fixed: dict, settings: dict | None = None, clock_mhz: float | None = None):
        self.stage = stage
        choices = stage.fold_choices()
        self.fixed = {key: fixed[key] for key in choices if key in fixed}
        keys = sorted(choices)
        values = [[self.fixed[key]] if key in self.fixed else choices[key] for key in keys]
        combos = (replace(stage, **dict(zip(keys, combo))) for combo in itertools.product(*values))
        self.all = [s for s in combos if s.folding_valid()]
        self.settings, self.clock_mhz = settings, clock_mhz
        self.may_unroll = (settings is not None and stage.kind in ("fc", "conv") and "impl" not in settings
                           and not self.fixed and stage.layer.mw * stage.layer.mh <= UNROLL_MAX_WEIGHTS)
        self._unrolled: list = []

    def fastest(self) -> Impl:
        return min(self.all, key=lambda s: (s.cycles, s.lanes))

    def meeting(self, target: int) -> list[Impl]:
        out = [s for s in self.all if s.cycles <= target]
        if self.may_unroll and any(s.lanes == self.stage.layer.mw * self.stage.layer.mh for s in out):
            out += [s for s in self.unrolled() if s.cycles <= target]
        return out

    def unrolled(self) -> list[Impl]:
        """The layer unrolled, once (none if its settings cannot be: a multiplier family on wide inputs)."""
        if self.may_unroll and not self._unrolled:
            try:
                check_impl(self.stage.layer, {**self.settings, "impl": "unrolled"})
                self._unrolled = [at_clock(unrolled_impl(self.stage.index, self.stage.layer, self.settings), self.clock_mhz)]
            except AxgenError:
                self.may_unroll = False
        return self._unrolled


def _fixed_settings(net: Network, config: Config) -> list[dict]:
    """Per layer, the folding keys its own config entry sets (`defaults` do not fix a folding)."""
    return [{k: v for k, v in config.layer_entry(i, layer.name).items() if k in FOLD_KEYS}
            for i, layer in enumerate(net.layers)]


def _unfolded_config(net: Network, config: Config, fixed: list[dict]) -> Config:
    """The config with every layer at the folding it fixes, or at 1 (checked by `annotate`)."""
    layers = {}  # every key of the config's `layers` names or indexes a layer: all rewritten by name
    for i, layer in enumerate(net.layers):
        unfolded = {key: 1 for key in STAGE_KINDS[layer.kind].fold_keys}
        layers[layer.name] = {**config.layer_entry(i, layer.name), **unfolded, **fixed[i]}
    defaults = {k: v for k, v in config.defaults.items() if k not in FOLD_KEYS}
    return Config(defaults, layers)


class AutoFolder:
    """The stages of `net` under `config` on `board`, ready to be folded to a target."""

    def __init__(self, net: Network, config: Config, board: Board | None):
        config.check_layers([layer.name for layer in net.layers])
        self.net, self.config, self.board = net, config, board
        self.fixed = _fixed_settings(net, config)
        base = annotate(net.layers, _unfolded_config(net, config, self.fixed), net.sources,
                        board.clock_mhz if board is not None else None)
        self.sources = chain_sources(len(net.layers), net.sources)
        clock = board.clock_mhz if board is not None else None
        self.options = [Options(stage, fixed, config.for_layer(i, stage.name), clock)
                        for i, (stage, fixed) in enumerate(zip(base, self.fixed))]
        self._costs: dict[tuple, tuple] = {}
        limit = stream_bits_limit(board)
        if limit is not None:  # the shell's widest stream on the accelerator's ports
            first, last = self.options[0], self.options[-1]
            first.all = [s for s in first.all if pad8(s.in_stream_bits) <= limit] or first.all
            last.all = [s for s in last.all if pad8(s.out_stream_bits) <= limit] or last.all

    def reachable(self) -> int:
        """The fewest cycles per sample any folding reaches."""
        return max(opts.fastest().cycles for opts in self.options)

    def cycle_values(self) -> list[int]:
        """Every bottleneck a folding can have, ascending."""
        floor = self.reachable()
        return sorted({s.cycles for opts in self.options for s in opts.all if s.cycles >= floor})

    def _unreachable(self, target: int) -> AxgenError:
        limiting = max(self.options, key=lambda opts: opts.fastest().cycles)
        fastest = limiting.fastest()
        setting = ", ".join(f"{k}={getattr(fastest, k)}" for k in sorted(fastest.fold_choices()))
        fixed = f" ({', '.join(sorted(limiting.fixed))} fixed in the config)" if limiting.fixed else ""
        return AxgenError(f"target {target} cycles per sample cannot be met: layer {fastest.name} takes at least "
                          f"{fastest.cycles} cycles at its fastest folding ({setting}){fixed}; the best reachable is "
                          f"{self.reachable()} cycles per sample")

    def stage_cost(self, stage: Impl) -> tuple:
        key = (stage.index, tuple(getattr(stage, k) for k in sorted(stage.fold_choices())))
        if key not in self._costs:
            self._costs[key] = _cost(stage_resources(stage), stage.lanes)
        return self._costs[key]

    def cheapest(self, target: int) -> tuple[Impl, ...]:
        """The cheapest stages whose slowest meets `target` (exactly, by the resource model)."""
        candidates = [opts.meeting(target) for opts in self.options]
        if not all(candidates):
            raise self._unreachable(target)
        stage_cost = [[self.stage_cost(s) for s in stage_options] for stage_options in candidates]
        best = list(stage_cost[0])
        back: list[list[int]] = []
        for i in range(1, len(candidates)):
            row, pointers = [], []
            for c, stage in enumerate(candidates[i]):
                if self.sources[i] == (i - 1,):  # fed by the stage before: the link between them costs too
                    totals = [_add(best[p], _link_cost(i - 1, prev, stage)) for p, prev in enumerate(candidates[i - 1])]
                else:  # a branch or a join: its links are not weighed (their FIFOs follow from the graph)
                    totals = list(best)
                p = min(range(len(totals)), key=totals.__getitem__)
                row.append(_add(totals[p], stage_cost[i][c]))
                pointers.append(p)
            best, back = row, back + [pointers]
        choice = min(range(len(best)), key=best.__getitem__)
        picked = [choice]
        for pointers in reversed(back):
            picked.append(pointers[picked[-1]])
        picked.reverse()
        return tuple(candidates[i][c] for i, c in enumerate(picked))

    def plan(self, target: int) -> HardwarePlan:
        """The cheapest plan meeting `target`; one message when it can't be met or the board can't hold it."""
        stages = self.cheapest(check_target(target))
        plan = HardwarePlan(self.net, stages, graph_links(stages, self.net.sources), self.board)
        problems = plan.fit_problems()
        if problems:
            raise self._does_not_fit(target, plan, problems)
        return plan

    def _does_not_fit(self, target: int, plan: HardwarePlan, problems: list[str]) -> AxgenError:
        layers = plan.resources()["layers"]
        largest = max(layers, key=lambda name: used(layers[name], "lut"))
        values = self.cycle_values()
        start = bisect.bisect_left(values, target)
        lo, hi, fits = start, len(values) - 1, None
        while lo <= hi:  # the fastest bottleneck whose cheapest folding fits (fit grows with the target)
            mid = (lo + hi) // 2
            stages = self.cheapest(values[mid])
            if fit_problems(HardwarePlan(self.net, stages, graph_links(stages, self.net.sources), self.board).resources()["total"],
                            self.board):
                lo = mid + 1
            else:
                fits, hi = values[mid], mid - 1
        reach = (f"the fastest folding that fits takes {fits} cycles per sample" if fits is not None
                 else "no folding fits it")
        return AxgenError(f"target {target} cycles per sample: the cheapest folding does not fit board "
                          f"{self.board.name} ({'; '.join(problems)}; the largest layer is {largest} with "
                          f"{used(layers[largest], 'lut')} LUTs); {reach}")

    def folded_config(self, plan: HardwarePlan) -> Config:
        """The user's config with every layer's chosen folding written into its entry."""
        layers = {}  # every key of the config's `layers` names or indexes a layer: all rewritten by name
        for i, stage in enumerate(plan.stages):
            entry = {**self.config.layer_entry(i, stage.name)}
            entry.update({key: getattr(stage, key) for key in stage.fold_choices()})
            if stage.kind == "unrolled":
                entry["impl"] = "unrolled"
            layers[stage.name] = entry
        defaults = {k: v for k, v in self.config.defaults.items() if k not in FOLD_KEYS}
        return Config(defaults, layers)


@lru_cache(maxsize=65536)
def _link_resources(src_per_beat: int, dst_per_beat: int, elem_bits: int, depth: int) -> tuple:
    """A link's resources depend only on these: cached across the links of every option pair."""
    link = Link("e", 0, 1, elem_bits, 0, src_per_beat, dst_per_beat, depth)
    res = link_resources(link)
    return tuple(res[k] for k in KEYS)


def _link_cost(index: int, a: Impl, b: Impl) -> tuple:
    link = link_between(index, a, b)
    res = dict(zip(KEYS, _link_resources(link.src_per_beat, link.dst_per_beat, link.elem_bits, link.depth)))
    return _cost(res, 0)


def fold_to_target(net: Network, config: Config, board: Board | None, target: int) -> tuple[Config, HardwarePlan]:
    """The config with every layer folded for `target` cycles per sample, and its plan."""
    folder = AutoFolder(net, config, board)
    plan = folder.plan(target)
    return folder.folded_config(plan), plan
