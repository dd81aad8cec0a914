"""The stitching graph: links between stages, each with its width converter (where the
producer's and consumer's elements per beat differ) and the depth of the FIFO in front of the
consumer. Computed once here; both backends render it as it is."""

from __future__ import annotations

from dataclasses import dataclass

from generator.errors import AxgenError
from generator.hw.bypass import join_depths
from generator.ir import chain_sources


@dataclass(frozen=True)
class Link:
    """A stream from stage `src` to stage `dst` (indices into the plan's stages). The FIFO sits on
    the consumer's side, in the consumer's beats, and holds what the consumer must find ready to
    run at full rate (its `edge_fifo_depth`): one input vector of a fully-connected layer (it
    takes a beat per cycle in its first output fold, however slowly the producer, or a width
    converter moving min(IN, OUT) elements per cycle, delivered them); one pixel of a convolution
    or pool stage."""

    name: str
    src: int
    dst: int
    elem_bits: int
    elems: int  # elements per sample
    src_per_beat: int
    dst_per_beat: int
    depth: int  # FIFO beats, in the consumer's beats
    src_port: int = 0  # which output of the producer (a duplicate has two)
    dst_port: int = 0  # which input of the consumer (an add has two)

    @property
    def width_converter(self) -> bool:
        return self.src_per_beat != self.dst_per_beat

    @property
    def src_bits(self) -> int:
        return self.src_per_beat * self.elem_bits

    @property
    def dst_bits(self) -> int:
        return self.dst_per_beat * self.elem_bits


def link_between(i: int, a, b, src_port: int = 0, dst_port: int = 0, depth: int | None = None) -> Link:
    """Link `e<i>` from output `src_port` of stage a to input `dst_port` of stage b."""
    in_dtype = b.in_dtype_at(dst_port)
    if a.out_elems != b.in_elems or a.out_dtype != in_dtype:
        raise AxgenError(f"layers {a.name} -> {b.name} do not chain: {a.out_elems} x {a.out_dtype.name} "
                         f"outputs feed {b.in_elems} x {in_dtype.name} inputs")
    return Link(f"e{i}", a.index, b.index, a.out_dtype.bitwidth(), a.out_elems, a.out_per_beat,
                b.in_per_beat, b.edge_fifo_depth if depth is None else depth, src_port, dst_port)


def chain_links(stages) -> tuple[Link, ...]:
    """The links of a chain of stages: stage i feeds stage i+1 over link `e<i>`."""
    return graph_links(stages)


def graph_links(stages, sources: tuple = ()) -> tuple[Link, ...]:
    """The links of the stages' graph (`sources`: the stages feeding each, Network.sources; empty
    for a chain), numbered in the order of their consumers and ports: in a chain stage i feeds
    stage i+1 over `e<i>`. A link into a join is deep enough for the join never to wait on a
    full FIFO of the other branch (generator.hw.bypass)."""
    if not stages:
        raise AxgenError("the network has no compute layers to render")
    sources = chain_sources(len(stages), sources)
    depths = join_depths(stages, sources)
    links, used = [], {}
    for dst, srcs in enumerate(sources):
        for port, src in enumerate(srcs):
            if src < 0:
                continue
            src_port = used.get(src, 0)
            used[src] = src_port + 1
            links.append(link_between(len(links), stages[src], stages[dst], src_port, port, depths.get((dst, port))))
    return tuple(links)
