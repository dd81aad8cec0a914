"""The stitching graph: links between stages, each with its width converter (where the
producer's and consumer's elements per beat differ) and the depth of the FIFO in front of the
consumer. Computed once here; both backends render it as it is."""

from __future__ import annotations

from dataclasses import dataclass

from generator.errors import AxgenError


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

    @property
    def width_converter(self) -> bool:
        return self.src_per_beat != self.dst_per_beat

    @property
    def src_bits(self) -> int:
        return self.src_per_beat * self.elem_bits

    @property
    def dst_bits(self) -> int:
        return self.dst_per_beat * self.elem_bits


def link_between(i: int, a, b) -> Link:
    """Link `e<i>` from stage a to stage b."""
    if a.out_elems != b.in_elems or a.out_dtype != b.in_dtype:
        raise AxgenError(f"layers {a.name} -> {b.name} do not chain: {a.out_elems} x {a.out_dtype.name} "
                         f"outputs feed {b.in_elems} x {b.in_dtype.name} inputs")
    return Link(f"e{i}", a.index, b.index, a.out_dtype.bitwidth(), a.out_elems, a.out_per_beat,
                b.in_per_beat, b.edge_fifo_depth)


def chain_links(stages) -> tuple[Link, ...]:
    """The links of a chain of stages: stage i feeds stage i+1 over link `e<i>`."""
    if not stages:
        raise AxgenError("the network has no compute layers to render")
    return tuple(link_between(i, a, b) for i, (a, b) in enumerate(zip(stages, stages[1:])))
