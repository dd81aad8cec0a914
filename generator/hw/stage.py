"""What every stage of the plan has, whatever its kind: a name and module name from its index and
IR layer, its cycles per sample (the slowest of its inner stages), its stream widths and its
estimated resources."""

from __future__ import annotations

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
