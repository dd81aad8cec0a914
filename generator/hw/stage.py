"""What every stage of the plan has, whatever its kind: a name and module name from its index and
IR layer, its cycles per sample (the slowest of its inner stages), its stream widths and its
estimated resources."""

from __future__ import annotations

from generator.hw.folding import divisors
from generator.hw.names import module_name
from generator.hw.resources import stage_resources


class Stage:
    """Base of the stage classes; each defines `index`, `layer`, `in_per_beat`, `out_per_beat`,
    `in_dtype`, `out_dtype` and `stage_cycles` (cycles per sample of each inner stage)."""

    @property
    def name(self) -> str:
        return self.layer.name

    @property
    def kind(self) -> str:
        return self.layer.kind

    @property
    def module(self) -> str:
        return module_name(self.index, self.name)

    def folding_valid(self) -> bool:
        """Whether this combination of fold_choices' values is one the stage's blocks take (the
        automatic folding tries only those); every combination, unless a kind says otherwise."""
        return True

    @property
    def cycles(self) -> int:
        return max(self.stage_cycles.values())

    def in_dtype_at(self, port: int):
        """The datatype of input `port` (a join has two inputs)."""
        return self.in_dtype

    @property
    def in_stream_bits(self) -> int:
        return self.in_per_beat * self.in_dtype.bitwidth()

    @property
    def out_stream_bits(self) -> int:
        return self.out_per_beat * self.out_dtype.bitwidth()

    @property
    def resources(self) -> dict:
        """Estimated LUT, FF, CARRY, LUTRAM, BRAM18, URAM, DSP of the stage (generator.hw.resources)."""
        return stage_resources(self)


class MatrixStage(Stage):
    """A matrix layer's streams, folded or unrolled: a convolution takes a whole image and gives
    a vector per output pixel; its window generator's beats are swg_simd elements wide."""

    @property
    def window_stream_bits(self) -> int:
        """Width of a convolution's window stream (from its sliding-window generator): swg_simd elements."""
        return self.swg_simd * self.in_dtype.bitwidth()

    @property
    def in_elems(self) -> int:
        """Elements per sample on the input stream (a whole image for a convolution)."""
        g = self.layer.conv
        return g.in_h * g.in_w * g.channels if g else self.layer.mw

    @property
    def out_elems(self) -> int:
        return self.layer.mh * (self.layer.conv.pixels if self.layer.conv else 1)

    def geometry(self) -> dict:
        """A convolution's geometry as project.json records it ({} for a fully-connected layer)."""
        g = self.layer.conv
        if g is None:
            return {}
        return {"conv": {"kernel": list(g.kernel), "stride": list(g.stride), "pads": list(g.pads),
                         "channels": g.channels, "out_pixels": g.pixels}}


class ChannelStage(Stage):
    """A stage that moves channels without products (pools, duplicates, adds): PE channels per
    beat on every port (PE a divisor of the channels), one input beat per cycle."""

    multiplier = None  # no products
    lut_verilog = None

    @property
    def folding(self) -> str:
        return str(self.pe)

    @property
    def lanes(self) -> int:
        return self.pe

    def fold_choices(self) -> dict[str, list[int]]:
        """Every value each folding key may take (the automatic folding's options)."""
        return {"pe": divisors(self.layer.channels)}

    @property
    def in_per_beat(self) -> int:
        return self.pe

    @property
    def out_per_beat(self) -> int:
        return self.pe

    @property
    def stage_cycles(self) -> dict[str, int]:
        return {self.kind: self.in_elems // self.pe}
