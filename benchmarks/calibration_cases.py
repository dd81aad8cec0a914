"""The designs the resource model is calibrated on (benchmarks/calibrate_resources.py): networks
of tests/support/models.py and the digits models, each at several foldings and multipliers, and
the AXI-Stream blocks of the stitching (FIFOs, width converters) over a grid of parameters."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))

import models  # noqa: E402

LUT_TABLE = "calibration_table.npy"  # a lut: multiplier for UINT4 x INT4 (written next to the projects)


def digits_mlp():
    import torch
    from generator import digits
    torch.manual_seed(0)
    model = digits.quantized_mlp()
    models.randomize_norms(model, 0)
    return model.eval(), digits.INPUT_SHAPE


def digits_cnn():
    import torch
    from generator import digits
    torch.manual_seed(0)
    model = digits.quantized_cnn()
    models.randomize_norms(model, 0)
    return model.eval(), digits.CNN_INPUT_SHAPE


NETWORKS = {
    "digits": digits_mlp,
    "digits_cnn": digits_cnn,
    "tfc_1w1a": lambda: (models.finn_fc("tfc_1w1a"), (1, 28, 28)),
    "tfc_1w2a": lambda: (models.finn_fc("tfc_1w2a"), (1, 28, 28)),
    "tfc_2w2a": lambda: (models.finn_fc("tfc_2w2a"), (1, 28, 28)),
    "small_cnn": lambda: (models.small_cnn(), (3, 12, 10)),
    "strided_cnn": lambda: (models.strided_cnn(), (2, 11, 9)),
    "mixed_mlp": lambda: (models.mixed_mlp(), (24,)),
}


def _fold(*layers, **defaults) -> dict:
    """Config with per-index (pe, simd) folding ((pe,) for a pool) and `defaults` (e.g. multiplier=...)."""
    return {"defaults": defaults, "layers": {i: dict(zip(("pe", "simd"), fold)) for i, fold in enumerate(layers)}}


# The digits MLP foldings of the ranking check (tests/hw/test_resources.py).
DIGITS_RANKING = {"p2s4": ((2, 4), (2, 4), (2, 4)), "p8s8": ((8, 8), (4, 8), (2, 4)),
                  "p16s16": ((16, 16), (8, 16), (5, 8))}
RANKING_MULTIPLIERS = ("exact", "trunc:k=3")

DIGITS_MULTIPLIERS = ("exact", "trunc:k=3", "trunc:k=2", "drum:k=2", "mitchell", "bam:h=1,v=3", "perf:j=0,k=1",
                      "etm:m=2", "roba", f"lut:{LUT_TABLE}")


def cases() -> dict[str, tuple[str, dict]]:
    """name -> (network, config)."""
    out = {}
    for fold, layers in DIGITS_RANKING.items():
        for mul in RANKING_MULTIPLIERS:
            out[f"digits_{fold}_{mul}"] = ("digits", _fold(*layers, multiplier=mul))
    for mul in DIGITS_MULTIPLIERS[2:]:
        out[f"digits_p8s8_{mul.split(':')[0] if mul.startswith('lut') else mul}"] = (
            "digits", _fold(*DIGITS_RANKING["p8s8"], multiplier=mul))
    for mul in ("exact", "trunc:k=3", "mitchell"):
        out[f"digits_p1s1_{mul}"] = ("digits", _fold((1, 1), (1, 1), (1, 1), multiplier=mul))
        out[f"digits_full_{mul}"] = ("digits", _fold((4, 64), (8, 32), (10, 32), multiplier=mul))
        out[f"digits_p4s16_{mul}"] = ("digits", _fold((4, 16), (4, 4), (1, 8), multiplier=mul))
    out["digits_p32s8_drum:k=2"] = ("digits", _fold((32, 8), (16, 16), (2, 32), multiplier="drum:k=2"))
    out["digits_cnn_a_exact"] = ("digits_cnn", _fold((4, 1), (4,), (8, 8), (2, 16)))
    out["digits_cnn_b_trunc:k=3"] = ("digits_cnn", {"defaults": {"multiplier": "trunc:k=3"},
                                                    "layers": {0: {"pe": 8, "simd": 1}, 2: {"pe": 4, "simd": 4},
                                                               3: {"pe": 5, "simd": 8}}})
    out["tfc_1w1a_finn"] = ("tfc_1w1a", _fold((16, 49), (16, 16), (16, 16), (10, 16)))
    for i, folding in enumerate(models.FOLDINGS["tfc_1w1a"]):
        out[f"tfc_1w1a_{i}"] = ("tfc_1w1a", folding)
    out["tfc_1w2a_0"] = ("tfc_1w2a", models.FOLDINGS["tfc_1w1a"][0])
    for i, folding in enumerate(models.FOLDINGS["tfc_2w2a"]):
        out[f"tfc_2w2a_{i}_exact"] = ("tfc_2w2a", folding)
    out["tfc_2w2a_0_trunc:k=1"] = ("tfc_2w2a", {**models.FOLDINGS["tfc_2w2a"][0], "defaults": {"multiplier": "trunc:k=1"}})
    for i, folding in enumerate(models.SMALL_CNN_FOLDINGS):
        out[f"small_cnn_{i}_exact"] = ("small_cnn", folding)
    out["small_cnn_1_drum:k=2"] = ("small_cnn", {**models.SMALL_CNN_FOLDINGS[1], "defaults": {"multiplier": "drum:k=2"}})
    for i, folding in enumerate(models.STRIDED_CNN_FOLDINGS):
        out[f"strided_cnn_{i}"] = ("strided_cnn", folding)
    out["mixed_mlp_exact"] = ("mixed_mlp", models.MIXED_FOLDING)
    out["mixed_mlp_trunc:k=2"] = ("mixed_mlp", {**models.MIXED_FOLDING, "defaults": {"multiplier": "trunc:k=2"}})
    return out


def lut_table() -> np.ndarray:
    """UINT4 x INT4 products (codes of INT4 are -8..7 in two's complement order), off by one on a
    seeded third of the pairs."""
    a = np.arange(16)
    w = np.where(np.arange(16) < 8, np.arange(16), np.arange(16) - 16)
    rng = np.random.default_rng(3)
    return a[:, None] * w[None, :] + (rng.random((16, 16)) < 0.3).astype(np.int64)


FIFO_WIDTHS = (2, 4, 8, 16, 32, 64, 128)
FIFO_DEPTHS = (2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
DWC_CASES = [(i, o, b) for b in (1, 2, 4, 8) for i, o in ((1, 2), (2, 1), (2, 3), (3, 2), (4, 16), (16, 4), (8, 2),
                                                          (1, 16), (16, 1), (49, 16), (16, 49))]


def _swg(h, w, ch, k, stride, pad, simd, bits) -> dict:
    return {"IFM_H": h, "IFM_W": w, "CH": ch, "K_H": k[0], "K_W": k[1], "STRIDE_H": stride, "STRIDE_W": stride,
            "PAD_T": pad, "PAD_L": pad, "PAD_B": pad, "PAD_R": pad, "SIMD": simd, "ELEM_BITS": bits, "PAD_CODE": 0}


# Sliding-window generators: image, channels, kernel, stride, padding, SIMD, element bits
SWG_CASES = [_swg(h, w, ch, k, s, pad, simd, bits) for h, w, ch, k, s, pad, simd, bits in (
    (8, 8, 1, (3, 3), 1, 1, 1, 4), (8, 8, 8, (3, 3), 1, 1, 8, 4), (8, 8, 8, (3, 3), 1, 1, 2, 4),
    (12, 10, 3, (3, 3), 2, 1, 3, 6), (12, 10, 3, (3, 3), 2, 1, 1, 6), (6, 5, 8, (2, 1), 1, 0, 4, 3),
    (32, 32, 3, (3, 3), 1, 0, 3, 8), (30, 30, 64, (3, 3), 1, 0, 32, 1), (30, 30, 64, (3, 3), 1, 0, 8, 2),
    (14, 14, 64, (3, 3), 1, 0, 16, 2), (16, 16, 16, (5, 5), 1, 2, 4, 4), (16, 16, 16, (1, 1), 2, 0, 16, 4),
    (11, 9, 2, (1, 1), 2, 0, 2, 4), (28, 28, 1, (5, 5), 1, 0, 1, 8), (7, 7, 128, (3, 3), 1, 1, 64, 2),
    (10, 10, 32, (3, 3), 1, 0, 32, 4))]


def _pool(h, w, ch, k, stride, pe, bits, signed) -> dict:
    return {"IFM_H": h, "IFM_W": w, "CH": ch, "K_H": k, "K_W": k, "STRIDE_H": stride, "STRIDE_W": stride,
            "PE": pe, "ELEM_BITS": bits, "SIGNED": signed, "ACC_BITS": bits, "OUT_BITS": bits, "OUT_MODE": 0}


# Max pools: image, channels, kernel, stride, PE, element bits, signed
POOL_CASES = [_pool(*c) for c in (
    (8, 8, 8, 2, 2, 8, 4, 0), (8, 8, 8, 2, 2, 1, 4, 0), (8, 8, 8, 2, 2, 2, 3, 1), (6, 5, 6, 3, 2, 6, 3, 1),
    (28, 28, 64, 2, 2, 16, 1, 0), (28, 28, 64, 2, 2, 4, 2, 0), (10, 10, 128, 2, 2, 32, 2, 0),
    (16, 16, 16, 3, 1, 4, 4, 1), (12, 12, 32, 2, 2, 32, 8, 1), (24, 24, 8, 3, 3, 8, 4, 0))]
