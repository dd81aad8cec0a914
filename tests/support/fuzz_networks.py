"""Random quantized networks for the property-based tests (tests/sim/test_fuzz_designs.py): hypothesis
strategies that draw a network description (`NetSpec`: 1-3 layers, fully-connected or convolutional,
max-pool optional; datatypes of 1-8 bits, signed, unsigned and bipolar) and turn it into a QONNX
graph the way Brevitas exports one (Quant / BipolarQuant on the input and on every weight tensor;
MatMul or Conv; a per-channel Mul and Add; the next activation's quantizer), written with
onnx.helper in milliseconds instead of a Brevitas export per network.

The hardware settings of a network (`config_strategy`) are drawn only among the values the
hardware plan accepts: each layer's candidate PE / SIMD values are the divisors of its sizes,
kept when generator.hw's own annotate_matrix / annotate_pool accepts them, and each multiplier
family's knob settings are kept when Multiplier.check_operands accepts them for the layer's
operand types.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import onnx
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper

from generator.config import from_dict
from generator.errors import AxgenError
from generator.hw.folding import divisors
from generator.hw.matrix import annotate_matrix
from generator.hw.pool import annotate_pool
from generator.ir import Network, out_size
from generator.multipliers import FAMILIES, parse

QONNX_DOMAIN = "qonnx.custom_op.general"
KNOB_MAX = 16
# PE x SIMD of a layer at most this: every lane is a multiplier instance the Verilator model
# compiles, and compile time is what bounds a campaign (any larger folding is as valid)
MAX_LANES = 32  # knob values tried per family: 0..KNOB_MAX, kept where the operands allow them


@dataclass(frozen=True)
class Quantizer:
    """An activation or weight quantizer: bits 1..8; bits == 1 and signed is BIPOLAR."""

    bits: int
    signed: bool
    narrow: bool = False

    @property
    def bipolar(self) -> bool:
        return self.bits == 1 and self.signed

    @property
    def lo(self) -> int:
        if self.bipolar:
            return -1
        if not self.signed:
            return 0
        return -(1 << (self.bits - 1)) + int(self.narrow)

    @property
    def hi(self) -> int:
        if self.bipolar:
            return 1
        return (1 << self.bits) - 1 if not self.signed else (1 << (self.bits - 1)) - 1

    def values(self, rng: np.random.Generator, shape) -> np.ndarray:
        if self.bipolar:
            return rng.choice([-1, 1], size=shape)
        return rng.integers(self.lo, self.hi + 1, size=shape)


@dataclass(frozen=True)
class LayerSpec:
    kind: str  # "fc" | "conv" | "maxpool"
    out: int = 0  # fc: MH; conv: output channels
    weight: Quantizer | None = None
    act: Quantizer | None = None  # the quantizer after the layer; None: the network ends with the accumulators
    kernel: tuple[int, int] = (1, 1)
    stride: tuple[int, int] = (1, 1)
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)


@dataclass(frozen=True)
class NetSpec:
    in_shape: tuple[int, ...]  # (K,) or (C, H, W)
    in_quant: Quantizer
    layers: tuple[LayerSpec, ...]
    seed: int  # weights, gains, biases

    def describe(self) -> str:
        parts = [f"in {self.in_shape} {_qname(self.in_quant)}"]
        for layer in self.layers:
            if layer.kind == "maxpool":
                parts.append(f"maxpool k{layer.kernel} s{layer.stride}")
            else:
                geo = f" k{layer.kernel} s{layer.stride} p{layer.pads}" if layer.kind == "conv" else ""
                parts.append(f"{layer.kind} {layer.out}{geo} w {_qname(layer.weight)} -> "
                             f"{_qname(layer.act) if layer.act else 'acc'}")
        return " | ".join(parts)


def _qname(q: Quantizer) -> str:
    return "BIPOLAR" if q.bipolar else f"{'INT' if q.signed else 'UINT'}{q.bits}{'n' if q.narrow else ''}"


# ---------------------------------------------------------------------------------------------
# strategies


def quantizers(bipolar: bool = True) -> st.SearchStrategy[Quantizer]:
    """1-8 bits, signed or unsigned (1-bit signed is BIPOLAR), narrow range sometimes."""
    def make(bits, signed, narrow):
        if bits == 1 and signed and not bipolar:
            signed = False
        return Quantizer(bits, signed, narrow and signed and bits > 2)
    return st.builds(make, st.integers(1, 8), st.booleans(), st.booleans())


@st.composite
def net_specs(draw, max_layers: int = 3, conv: bool | None = None) -> NetSpec:
    """A chain of 1..max_layers matrix layers (convolutions first, then fully-connected ones), a
    max-pool optional after a convolution. `conv`: force (True) or forbid (False) a convolution."""
    n = draw(st.integers(1, max_layers))
    with_conv = draw(st.booleans()) if conv is None else conv
    n_conv = draw(st.integers(1, n)) if with_conv else 0
    in_quant = draw(quantizers())
    layers: list[LayerSpec] = []
    if n_conv:
        c, h, w = draw(st.integers(1, 4)), draw(st.integers(2, 7)), draw(st.integers(2, 7))
        in_shape = (c, h, w)
        q = in_quant
        for i in range(n_conv):
            kh, kw = draw(st.integers(1, min(3, h))), draw(st.integers(1, min(3, w)))
            sh, sw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
            pads = (0, 0, 0, 0) if q.bipolar else tuple(draw(st.lists(st.integers(0, 1), min_size=4, max_size=4)))
            oh, ow = out_size(h, kh, sh, pads[0], pads[2]), out_size(w, kw, sw, pads[1], pads[3])
            oc = draw(st.integers(1, 6))
            act = draw(quantizers())
            layers.append(LayerSpec("conv", oc, draw(quantizers()), act, (kh, kw), (sh, sw), pads))
            h, w, q = oh, ow, act
            # not last: a network ending in a max-pool stops the frontend (an AttributeError in
            # generator/frontend/chain.py's _tail, reported separately)
            if min(h, w) >= 2 and (i + 1 < n_conv or n_conv < n) and draw(st.booleans()):
                pk = (draw(st.integers(1, min(3, h))), draw(st.integers(1, min(3, w))))
                ps = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
                layers.append(LayerSpec("maxpool", kernel=pk, stride=ps))
                h, w = out_size(h, pk[0], ps[0]), out_size(w, pk[1], ps[1])
    else:
        in_shape = (draw(st.integers(1, 24)),)
    matrices = sum(layer.kind != "maxpool" for layer in layers)
    for i in range(n - matrices):
        last = i == n - matrices - 1
        act = None if last and draw(st.booleans()) else draw(quantizers())
        layers.append(LayerSpec("fc", draw(st.integers(1, 12)), draw(quantizers()), act))
    return NetSpec(in_shape, in_quant, tuple(layers), draw(st.integers(0, 2**32 - 1)))


# ---------------------------------------------------------------------------------------------
# QONNX graph


class _Graph:
    def __init__(self):
        self.nodes, self.inits, self.count = [], [], itertools.count()

    def name(self, stem: str) -> str:
        return f"{stem}_{next(self.count)}"

    def const(self, stem: str, value) -> str:
        name = self.name(stem)
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype=np.float32), name))
        return name

    def node(self, op: str, inputs: list[str], domain: str = "", **attrs) -> str:
        out = self.name(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [out], name=self.name(op), domain=domain, **attrs))
        return out

    def quant(self, x: str, q: Quantizer, scale) -> str:
        if q.bipolar:
            return self.node("BipolarQuant", [x, self.const("scale", scale)], QONNX_DOMAIN)
        return self.node("Quant", [x, self.const("scale", scale), self.const("zp", 0.0), self.const("bits", float(q.bits))],
                         QONNX_DOMAIN, signed=int(q.signed), narrow=int(q.narrow), rounding_mode="ROUND")


def _rms(q: Quantizer) -> float:
    v = np.arange(q.lo, q.hi + 1) if not q.bipolar else np.array([-1, 1])
    return float(np.sqrt(np.mean(v.astype(np.float64) ** 2))) or 1.0


def to_qonnx(spec: NetSpec) -> onnx.ModelProto:
    """The QONNX graph of `spec`: integer weights with power-of-two scales, random per-channel gains
    (about a quarter negative) and biases chosen so that the thresholds fall inside the range the
    accumulators reach, activation scales that spread them over the output levels."""
    rng = np.random.default_rng(spec.seed)
    g = _Graph()
    x = "x"
    t = g.quant(x, spec.in_quant, 1.0)
    q, scale = spec.in_quant, 1.0
    shape = spec.in_shape
    for layer in spec.layers:
        if layer.kind == "maxpool":
            t = g.node("MaxPool", [t], kernel_shape=list(layer.kernel), strides=list(layer.stride))
            shape = (shape[0], out_size(shape[1], layer.kernel[0], layer.stride[0]),
                     out_size(shape[2], layer.kernel[1], layer.stride[1]))
            continue
        wq = layer.weight
        w_scale = 2.0 ** int(rng.integers(-3, 2))
        if layer.kind == "conv":
            c = shape[0]
            kh, kw = layer.kernel
            values = wq.values(rng, (layer.out, c, kh, kw))
            wt = g.quant(g.const("w", values * w_scale), wq, w_scale)
            pads = [layer.pads[0], layer.pads[1], layer.pads[2], layer.pads[3]]
            t = g.node("Conv", [t, wt], kernel_shape=[kh, kw], strides=list(layer.stride), pads=pads)
            shape = (layer.out, out_size(shape[1], kh, layer.stride[0], pads[0], pads[2]),
                     out_size(shape[2], kw, layer.stride[1], pads[1], pads[3]))
            fan_in, channel_shape = c * kh * kw, (1, layer.out, 1, 1)
        else:
            if len(shape) == 3:
                t = g.node("Flatten", [t], axis=1)
                shape = (int(np.prod(shape)),)
            values = wq.values(rng, (shape[0], layer.out))
            wt = g.quant(g.const("w", values * w_scale), wq, w_scale)
            t = g.node("MatMul", [t, wt])
            shape = (layer.out,)
            fan_in, channel_shape = values.shape[0], (1, layer.out)
        spread = scale * w_scale * np.sqrt(fan_in) * _rms(q) * _rms(wq)  # of the float accumulator
        gain = np.where(rng.random(layer.out) < 0.25, -1.0, 1.0) * rng.uniform(0.5, 1.5, layer.out)
        bias = rng.normal(0.0, 0.5, layer.out) * spread
        t = g.node("Mul", [t, g.const("gain", gain.reshape(channel_shape))])
        t = g.node("Add", [t, g.const("bias", bias.reshape(channel_shape))])
        if layer.act is None:
            break
        q = layer.act
        levels = q.hi - q.lo
        scale = float(2.0 * spread / max(levels, 1)) if not q.bipolar else 1.0
        t = g.quant(t, q, scale)
    out_shape = [1, *shape]
    graph = helper.make_graph(
        g.nodes, "fuzz", [helper.make_tensor_value_info(x, TensorProto.FLOAT, [1, *spec.in_shape])],
        [helper.make_tensor_value_info(t, TensorProto.FLOAT, out_shape)], g.inits)
    model = helper.make_model(graph, producer_name="axgen-fuzz",
                              opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid(QONNX_DOMAIN, 1)])
    model.ir_version = 8
    return model


# ---------------------------------------------------------------------------------------------
# hardware settings


def valid_folds(index: int, layer) -> dict[str, list[int]]:
    """The PE (and SIMD) values the hardware plan accepts for `layer`: divisors of its sizes,
    each tried through generator.hw's own annotation."""
    if layer.kind == "maxpool":
        return {"pe": [d for d in divisors(layer.channels) if _accepts(annotate_pool, index, layer, {"pe": d})]}
    return {"pe": [d for d in divisors(layer.mh) if _accepts(annotate_matrix, index, layer, {"pe": d})],
            "simd": [d for d in divisors(layer.mw) if _accepts(annotate_matrix, index, layer, {"simd": d})]}


def _accepts(annotate, index: int, layer, settings: dict) -> bool:
    try:
        annotate(index, layer, from_dict({"layers": {index: settings}}))
    except AxgenError:
        return False
    return True


def valid_multipliers(layer) -> list[str]:
    """Every family at every knob setting in 0..KNOB_MAX that fits the layer's operand types
    (Multiplier.check_operands decides)."""
    specs = []
    for name, family in FAMILIES.items():
        knobs = family.knobs
        optional = [()] + [(k,) for k in family.optional]
        for names in optional:
            keys = knobs + names
            for values in itertools.product(range(KNOB_MAX + 1), repeat=len(keys)):
                spec = name + (":" + ",".join(f"{k}={v}" for k, v in zip(keys, values)) if keys else "")
                try:
                    parse(spec).check_operands(layer.in_dtype, layer.weight_dtype, "fuzz")
                except AxgenError:
                    continue
                specs.append(spec)
    return specs


@st.composite
def config_strategy(draw, net: Network) -> dict:
    """A config (the dict `axgen build --config` reads as YAML) of valid settings for every layer."""
    layers = {}
    for index, layer in enumerate(net.layers):
        folds = valid_folds(index, layer)
        entry = {"pe": draw(st.sampled_from([v for v in folds["pe"] if v <= MAX_LANES]))}
        if "simd" in folds:
            entry["simd"] = draw(st.sampled_from([v for v in folds["simd"] if v * entry["pe"] <= MAX_LANES]))
        if layer.kind != "maxpool":
            specs = valid_multipliers(layer)
            family = draw(st.sampled_from(sorted({s.split(":")[0] for s in specs})))
            entry["multiplier"] = draw(st.sampled_from([s for s in specs if s.split(":")[0] == family]))
        layers[index] = entry
    return {"layers": layers}
