"""The hardware plan: every stage's implementation (found through one registry of layer kinds)
and the stitching graph. Both backends, the simulations and project.json read it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, NamedTuple

import numpy as np

from generator.boards import Board
from generator.config import Config
from generator.hw.branch import AddImpl, DuplicateImpl, annotate_add, annotate_duplicate, reopen_add, reopen_duplicate
from generator.hw.dwconv import annotate_dwconv, reopen_dwconv
from generator.hw.latency import estimated_latency
from generator.hw.layout import pad8
from generator.hw.matrix import LayerImpl, annotate_matrix, reopen_matrix
from generator.hw.names import TOP
from generator.hw.pool import PoolImpl, annotate_pool, reopen_pool
from generator.hw import shell
from generator.hw.resources import fit_problems, plan_resources
from generator.hw.stitch import Link, graph_links
from generator.ir import Network, chain_sources

Impl = LayerImpl | PoolImpl | DuplicateImpl | AddImpl


class StageKind(NamedTuple):
    annotate: Callable  # (index, IR layer, config, producer stage or None) -> stage
    reopen: Callable  # (index, IR layer, project.json entry, settings, stored weights or None) -> stage
    fold_keys: tuple[str, ...] = ("pe", "simd")  # the folding keys its config entry takes


# layer kind -> how it becomes a stage
STAGE_KINDS = {
    "fc": StageKind(annotate_matrix, reopen_matrix),
    "conv": StageKind(annotate_matrix, reopen_matrix),
    "dwconv": StageKind(annotate_dwconv, reopen_dwconv),
    "maxpool": StageKind(annotate_pool, reopen_pool, ("pe",)),
    "avgpool": StageKind(annotate_pool, reopen_pool, ("pe",)),
    "duplicate": StageKind(annotate_duplicate, reopen_duplicate, ("pe",)),
    "add": StageKind(annotate_add, reopen_add, ("pe",)),
}


@dataclass(frozen=True)
class HardwarePlan:
    network: Network | None  # None: stages tested alone, outside a network
    stages: tuple[Impl, ...]
    links: tuple[Link, ...]
    board: Board | None = None  # the target (clock, capacity); None for blocks rendered alone
    top: str = TOP
    packet_request: int | None = None  # samples per packet asked for (build's --packet-samples, or as recorded)

    @property
    def first(self) -> Impl:
        """The stage behind the accelerator's input port."""
        return self.stages[0]

    @property
    def last(self) -> Impl:
        """The stage in front of the accelerator's output port."""
        return self.stages[-1]

    @property
    def estimated_cycles(self) -> int:
        return max(stage.cycles for stage in self.stages)

    @property
    def estimated_latency(self) -> int:
        """Cycles from a sample's first input beat to its last output beat (generator.hw.latency)."""
        return estimated_latency(self)

    @property
    def estimated_fmax_mhz(self) -> float | None:
        """The slowest matrix block's estimated Fmax (generator.hw.timing); None without one."""
        values = [stage.estimated_fmax_mhz for stage in self.stages if hasattr(stage, "estimated_fmax_mhz")]
        return min(values) if values else None

    @property
    def bottleneck(self) -> Impl:
        return max(self.stages, key=lambda stage: stage.cycles)

    @property
    def in_tdata_bits(self) -> int:
        return pad8(self.first.in_stream_bits)

    @property
    def out_tdata_bits(self) -> int:
        return pad8(self.last.out_stream_bits)

    @property
    def in_beats(self) -> int:
        """Beats of one input sample on s_axis."""
        return self.first.in_elems // self.first.in_per_beat

    @property
    def out_beats(self) -> int:
        """Beats of one output sample on m_axis."""
        return self.last.out_elems // self.last.out_per_beat

    @property
    def sample_bytes(self) -> tuple[int, int]:
        """Bytes of memory one input and one output sample take on the board's shell (generator.hw.shell)."""
        name = None if self.board is None else self.board.shell
        return (shell.sample_bytes(name, self.in_tdata_bits, self.in_beats),
                shell.sample_bytes(name, self.out_tdata_bits, self.out_beats))

    @property
    def packet_samples(self) -> int:
        """Samples per packet: the top's m_axis_tlast is high on the last beat of every
        packet_samples-th sample (generator.hw.shell.packet_samples: the request, checked, or the
        board's default)."""
        return shell.packet_samples(self.board, self.estimated_cycles, *self.sample_bytes, self.packet_request)

    def outgoing(self, index: int) -> list[Link]:
        return [link for link in self.links if link.src == index]

    def incoming(self, index: int) -> list[Link]:
        """The links into stage `index`, in its input ports' order."""
        return sorted((link for link in self.links if link.dst == index), key=lambda link: link.dst_port)

    @property
    def sources(self) -> tuple[tuple[int, ...], ...]:
        """The stages feeding each stage (-1: the input); () for a chain."""
        return self.network.sources if self.network is not None else ()

    def resources(self) -> dict:
        """Estimated resources: {"layers": {name: {...}}, "stitching": {...}, "total": {...}}, each
        with lut, ff, carry, lutram, bram18, uram, dsp (generator.hw.resources)."""
        return plan_resources(self)

    def with_fifo_depths(self, depths: dict[str, int]) -> "HardwarePlan":
        """The plan with these link FIFO depths ({link name: beats}; links not named keep theirs)."""
        return replace(self, links=tuple(replace(link, depth=depths.get(link.name, link.depth)) for link in self.links))

    def fit_problems(self) -> list[str]:
        """One line per resource whose estimated total exceeds the board's capacity."""
        return fit_problems(self.resources()["total"], self.board)


def annotate(layers, config: Config, sources: tuple = (), clock_mhz: float | None = None) -> tuple[Impl, ...]:
    """Every layer's stage; a stage's producer (whose PE a pool's follows) is its first input's.
    The matrix stages' pipelines meet `clock_mhz` (None: generator.hw.timing.DEFAULT_CLOCK_MHZ)."""
    stages: list[Impl] = []
    for index, (layer, srcs) in enumerate(zip(layers, chain_sources(len(layers), sources))):
        producer = stages[srcs[0]] if srcs[0] >= 0 else None
        stages.append(at_clock(STAGE_KINDS[layer.kind].annotate(index, layer, config, producer), clock_mhz))
    return tuple(stages)


def at_clock(stage: Impl, clock_mhz: float | None) -> Impl:
    """The stage with its pipeline chosen for `clock_mhz` (stages without one are unchanged)."""
    return replace(stage, clock_mhz=clock_mhz) if clock_mhz is not None and hasattr(stage, "clock_mhz") else stage


def make_plan(net: Network, config: Config, board: Board | None = None) -> HardwarePlan:
    """Choose every stage's implementation from the config and stitch them, for `board`."""
    config.check_layers([layer.name for layer in net.layers])
    stages = annotate(net.layers, config, net.sources, board.clock_mhz if board is not None else None)
    return HardwarePlan(net, stages, graph_links(stages, net.sources), board)


def plan_of(stages) -> HardwarePlan:
    """A plan of stages already annotated, outside a network (blocks rendered alone)."""
    stages = tuple(stages)
    return HardwarePlan(None, stages, graph_links(stages))


def reopen_plan(net: Network, entries: list[dict], config: Config, weights: dict[int, np.ndarray],
                board: Board | None = None, fifo_depths: dict[str, int] | None = None,
                packet_samples: int | None = None) -> HardwarePlan:
    """The plan `build` wrote: each stage from its project.json entry, the FIFO depths and the
    samples per packet it chose (no choice made again)."""
    stages = tuple(STAGE_KINDS[layer.kind].reopen(i, layer, entry, config.for_layer(i, layer.name), weights.get(i))
                   for i, (layer, entry) in enumerate(zip(net.layers, entries)))
    plan = HardwarePlan(net, stages, graph_links(stages, net.sources), board, packet_request=packet_samples)
    return plan.with_fifo_depths(fifo_depths or {})
