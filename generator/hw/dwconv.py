"""A depthwise convolution as hardware: the sliding-window generator feeding a vector-vector unit
(VVAU) that folds PE channels x SIMD kernel taps per beat."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from generator.config import Config
from generator.errors import AxgenError
from generator.hw.folding import check_choice, divisors
from generator.hw.matrix import LayerImpl, matrix_impl, reopen_matrix, window_choices
from generator.hw.unrolled import check_impl
from generator.ir import MatrixLayer


@dataclass(frozen=True)
class DwLayerImpl(LayerImpl):
    """Weights (C, KH*KW) as a matrix layer's: MH = C channels folded by PE, MW = KH*KW taps by
    SIMD. A window beat holds SIMD taps x PE channels (element s*PE + p): with SIMD = 1 the
    sliding-window generator moves PE channels of one tap (its SIMD = PE), with SIMD > 1 it moves
    SIMD whole kernel positions of all C channels (PE = C; window parallelism P = SIMD). Beats come
    tap fold major, sf*NF + nf; the weight and threshold memories are the MVAU's (word nf*SF+sf,
    lane p*SIMD+s)."""

    unit = "vvau"

    def fold_choices(self) -> dict[str, list[int]]:
        return {"pe": divisors(self.layer.mh), "simd": simd_choices(self.layer)}

    def folding_valid(self) -> bool:
        return self.simd == 1 or self.pe == self.layer.mh

    @property
    def swg_simd(self) -> int:
        return self.pe * self.simd


def simd_choices(layer: MatrixLayer) -> list[int]:
    """SIMD of a depthwise convolution: 1, or P whole kernel positions (window_choices)."""
    return [1] + window_choices(layer)


def annotate_dwconv(index: int, layer: MatrixLayer, config: Config, producer=None) -> DwLayerImpl:
    settings = config.for_layer(index, layer.name)
    check_impl(layer, settings)
    pe = check_choice(layer, "pe", settings.get("pe", 1), divisors(layer.mh), f"the channels ({layer.mh})")
    k_h, k_w = layer.conv.kernel
    simd = check_choice(layer, "simd", settings.get("simd", 1), simd_choices(layer),
                        f"the taps of the {k_h}x{k_w} window (1, or whole kernel positions of a kernel row or of whole "
                        "kernel rows)")
    if simd > 1 and pe != layer.mh:
        raise AxgenError(f"layer {layer.name}: simd={simd} (several kernel positions per beat) needs pe={layer.mh} "
                         f"(every channel); supported are simd=1 with pe a divisor of {layer.mh}, or pe={layer.mh}")
    return matrix_impl(DwLayerImpl, index, layer, pe, simd, settings)


reopen_dwconv = partial(reopen_matrix, cls=DwLayerImpl)
