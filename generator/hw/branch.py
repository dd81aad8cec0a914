"""The branch blocks as hardware: the duplicate (one stream to two, a beat when both take it)
and the add (two streams of PE elements per beat joined into one, then its thresholds). Both
move one beat per cycle; PE channels per beat, PE a divisor of the channels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generator.config import Config
from generator.datatypes import DataType, smallest_int_type
from generator.hw.folding import channel_pe, fifo_depth
from generator.hw.thresholds import clamped_thresholds
from generator.hw.stage import ChannelStage
from generator.ir import AddLayer, DuplicateLayer


class _Streaming(ChannelStage):
    """One beat per cycle, the input's shape on every port."""

    @property
    def in_elems(self) -> int:
        return int(np.prod(self.layer.shape))

    @property
    def out_elems(self) -> int:
        return self.in_elems

    @property
    def nf(self) -> int:
        """Beats per pixel (or per vector)."""
        return self.layer.channels // self.pe

    @property
    def edge_fifo_depth(self) -> int:
        return fifo_depth(2)


@dataclass(frozen=True)
class DuplicateImpl(_Streaming):
    index: int
    layer: DuplicateLayer
    pe: int

    @property
    def in_dtype(self) -> DataType:
        return self.layer.dtype

    @property
    def out_dtype(self) -> DataType:
        return self.layer.dtype

    def entry(self) -> dict:
        """This stage in project.json."""
        return {"dtype": self.layer.dtype.name, "pe": self.pe, "shape": list(self.layer.shape)}


@dataclass(frozen=True)
class AddImpl(_Streaming):
    index: int
    layer: AddLayer
    pe: int
    acc_dtype: DataType  # the sum's type
    thresholds: np.ndarray | None  # clamped to [acc_min, acc_max + 1], sorted per channel

    @property
    def in_dtype(self) -> DataType:
        return self.layer.in_dtypes[0]

    def in_dtype_at(self, port: int) -> DataType:
        return self.layer.in_dtypes[port]

    @property
    def out_dtype(self) -> DataType:
        return self.layer.out_dtype if self.layer.has_thresholds else self.acc_dtype

    def entry(self) -> dict:
        """This stage in project.json."""
        return {"in_dtypes": [dt.name for dt in self.layer.in_dtypes], "shifts": list(self.layer.shifts),
                "acc_dtype": self.acc_dtype.name, "out_dtype": self.out_dtype.name, "pe": self.pe,
                "thresholds_per_channel": 0 if self.thresholds is None else int(self.thresholds.shape[1]),
                "shape": list(self.layer.shape)}


def annotate_duplicate(index: int, layer: DuplicateLayer, config: Config, producer=None) -> DuplicateImpl:
    return DuplicateImpl(index, layer, channel_pe(index, layer, config, producer, layer.channels))


def _add_impl(index: int, layer: AddLayer, pe: int) -> AddImpl:
    lo, hi = layer.acc_range
    acc = smallest_int_type(min(lo, 0), hi)
    return AddImpl(index, layer, pe, acc, clamped_thresholds(layer, acc))


def annotate_add(index: int, layer: AddLayer, config: Config, producer=None) -> AddImpl:
    return _add_impl(index, layer, channel_pe(index, layer, config, producer, layer.channels))


def reopen_duplicate(index: int, layer: DuplicateLayer, entry: dict, settings: dict, weights=None) -> DuplicateImpl:
    return DuplicateImpl(index, layer, entry["pe"])


def reopen_add(index: int, layer: AddLayer, entry: dict, settings: dict, weights=None) -> AddImpl:
    return _add_impl(index, layer, entry["pe"])
