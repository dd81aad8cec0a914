"""A pool stage (max or average) as hardware: PE channels per beat on both sides, one input beat per cycle."""

from __future__ import annotations

from dataclasses import dataclass

from generator.config import Config
from generator.datatypes import DataType
from generator.hw.folding import channel_pe, fifo_depth
from generator.hw.stage import ChannelStage
from generator.ir import AvgPoolLayer, PoolLayer


@dataclass(frozen=True)
class PoolImpl(ChannelStage):
    index: int
    layer: PoolLayer | AvgPoolLayer
    pe: int

    @property
    def in_dtype(self) -> DataType:
        return self.layer.in_dtype

    @property
    def out_dtype(self) -> DataType:
        return self.layer.out_dtype

    @property
    def in_elems(self) -> int:
        return self.layer.in_h * self.layer.in_w * self.layer.channels

    @property
    def out_elems(self) -> int:
        return self.layer.out_h * self.layer.out_w * self.layer.channels

    @property
    def edge_fifo_depth(self) -> int:
        return fifo_depth(self.layer.channels // self.pe)

    def entry(self) -> dict:
        """This stage in project.json."""
        return {"dtype": self.in_dtype.name, "out_dtype": self.out_dtype.name, "pe": self.pe, "kernel": list(self.layer.kernel),
                "stride": list(self.layer.stride)}


def annotate_pool(index: int, layer: PoolLayer | AvgPoolLayer, config: Config, producer=None) -> PoolImpl:
    """A pool stage's PE is set per layer; by default it follows the producer's PE (no width
    converter) when that divides the channels, else 1. `defaults` do not apply to it."""
    pe = channel_pe(index, layer, config, producer, layer.channels)
    return PoolImpl(index, layer, pe)


def reopen_pool(index: int, layer: PoolLayer | AvgPoolLayer, entry: dict, settings: dict, weights=None) -> PoolImpl:
    """The stage as `build` planned it, from its project.json entry."""
    return PoolImpl(index, layer, entry["pe"])
