"""The type of a model's input when no quantizer on the input path says it: declared with
`--input-type` (Brevitas' ResNet-18 and MobileNet-v1 take 8-bit RGB; hls4ml gives a QKeras model a
fixed-point input) or found in a qonnx datatype annotation on the graph input (FINN's models:
`finn_datatype: BIPOLAR`).

Supported: BIPOLAR, UINT1..UINT16, INT2..INT16 and fixed point as hls4ml writes it, FIXED<W,I> /
UFIXED<W,I> (also ap_fixed<W,I> / ap_ufixed<W,I>): W bits in all, I of them integer bits
(including the sign), so value = code * 2^-(W - I) for a W-bit integer code. The host head is one
qonnx quantizer of that type: a Quant node at scale 2^-(W - I) (1 for integers), rounding half to
even and saturating at the type's ends, or a BipolarQuant (sign) for BIPOLAR; the stream carries
the integer code. Float operations by constants between the input and the first matrix layer (the
`(x + 1) / 2` of a bipolar input, a scale, an offset) join the head when they map the type's values
exactly onto an integer grid: the first layer then takes that grid's integers."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper

from generator.datatypes import DataType, all_values
from generator.errors import AxgenError
from generator.frontend.quantizers import QuantInfo
from generator.onnx_exec import run

QONNX_DOMAIN = "qonnx.custom_op.general"
MAX_INPUT_BITS = 16
SUPPORTED = (f"supported are BIPOLAR, UINT1..UINT{MAX_INPUT_BITS}, INT2..INT{MAX_INPUT_BITS} and fixed point "
             f"FIXED<W,I> / UFIXED<W,I> (also ap_fixed<W,I> / ap_ufixed<W,I>) with W up to {MAX_INPUT_BITS} and "
             "I integer bits, the sign included, at most W")
_FIXED = re.compile(r"^(AP_)?(U?)FIXED<\s*(-?\d+)\s*,\s*(-?\d+)\s*>$")
_INTEGER = re.compile(r"^(U?)INT(\d+)$")


@dataclass(frozen=True)
class InputType:
    """An input type: the integer code's type on the stream and the value of one code step."""

    name: str  # as axgen writes it: "UINT8", "BIPOLAR", "FIXED<16,6>"
    dtype: DataType  # the code's type
    scale: float  # value = scale * code


def parse_input_type(text: str) -> InputType:
    """Parse `--input-type` (case and spaces do not matter); AxgenError naming what is supported."""
    name = re.sub(r"\s+", "", str(text)).upper()
    name = "UINT1" if name == "BINARY" else name  # qonnx's name for it
    fixed = _FIXED.match(name)
    if fixed:
        unsigned, width, integer = fixed.group(2) == "U", int(fixed.group(3)), int(fixed.group(4))
        least = 1 if unsigned else 2
        if not least <= width <= MAX_INPUT_BITS:
            raise AxgenError(f"input type {text}: {width} bits in all; a fixed-point input has {least} to "
                             f"{MAX_INPUT_BITS} bits ({SUPPORTED})")
        if not (0 if unsigned else 1) <= integer <= width:
            raise AxgenError(f"input type {text}: {integer} integer bits of {width} in all; the integer bits "
                             f"(the sign included) are {'0' if unsigned else '1'} to W ({SUPPORTED})")
        dtype = DataType[f"{'U' if unsigned else ''}INT{width}"]
        return InputType(f"{'U' if unsigned else ''}FIXED<{width},{integer}>", dtype, 2.0 ** (integer - width))
    integer = _INTEGER.match(name)
    if name == "BIPOLAR":
        return InputType(name, DataType["BIPOLAR"], 1.0)
    if integer:
        bits = int(integer.group(2))
        if (1 if integer.group(1) else 2) <= bits <= MAX_INPUT_BITS:
            return InputType(name, DataType[name], 1.0)
    raise AxgenError(f"input type {text} is not supported: {SUPPORTED}")


def annotated_type(model, tensor: str) -> InputType | None:
    """The input type a qonnx datatype annotation on `tensor` states, or None without one (or a
    float annotation). An annotation axgen cannot take is an error naming it."""
    dt = model.get_tensor_datatype(tensor)
    if dt is None or not dt.is_integer() and not dt.name.startswith("FIXED<"):
        return None
    try:
        return parse_input_type(dt.name)
    except AxgenError as exc:
        raise AxgenError(f"tensor {tensor} is annotated as {dt.name}: {exc}") from None


def _quantizer(name: str, out: str, itype: InputType) -> tuple[onnx.NodeProto, list]:
    """The head's quantizer node of `itype` on tensor `name`, and its constants."""
    if itype.dtype == DataType["BIPOLAR"]:
        consts = [helper.make_tensor("axgen_scale", TensorProto.FLOAT, [], [1.0])]
        node = helper.make_node("BipolarQuant", [name, "axgen_scale"], [out], name="axgen_input_type",
                                domain=QONNX_DOMAIN)
        return node, consts
    consts = [helper.make_tensor(f"axgen_{k}", TensorProto.FLOAT, [], [v])
              for k, v in (("scale", itype.scale), ("zero_point", 0.0), ("bit_width", float(itype.dtype.bitwidth())))]
    node = helper.make_node("Quant", [name, *(c.name for c in consts)], [out], name="axgen_input_type",
                            domain=QONNX_DOMAIN, signed=int(itype.dtype.signed()), narrow=0, rounding_mode="ROUND")
    return node, consts


def head_model(model, itype: InputType, chain: list | None = None, start: str | None = None,
               before: list | tuple = ()) -> onnx.ModelProto:
    """The type's quantizer on tensor `start` (default: the model's input) -> the `chain` of float
    nodes by constants after it (model's nodes, in order): the first stream's values as floats.
    With `before` (the model's nodes from its input to `start`), the graph starts at the model's
    input; else at `start`."""
    name = start or model.graph.input[0].name
    quantized = f"{name}_as_{re.sub(r'[^a-z0-9]+', '_', itype.name.lower()).strip('_')}"
    node, consts = _quantizer(name, quantized, itype)
    nodes, out = [copy.deepcopy(n) for n in before] + [node], quantized
    for original in chain or []:
        step = copy.deepcopy(original)
        step.input[:] = [quantized if i == name else i for i in step.input]
        nodes.append(step)
        out = step.output[0]
    used = {i for n in nodes for i in n.input}
    consts += [copy.deepcopy(t) for t in model.graph.initializer if t.name in used]
    source = model.get_tensor_valueinfo(model.graph.input[0].name if before else name)
    shape = model.get_tensor_shape(out if out != quantized else name)
    graph = helper.make_graph(nodes, "axgen_head", [source], [helper.make_tensor_value_info(out, TensorProto.FLOAT, shape)],
                              consts)
    opsets = [o for o in model.model.opset_import if o.domain in ("", "ai.onnx")] or [helper.make_opsetid("", 11)]
    proto = helper.make_model(graph, opset_imports=[*opsets, helper.make_opsetid(QONNX_DOMAIN, 1)])
    proto.ir_version = model.model.ir_version
    return proto


def head_quant(proto: onnx.ModelProto, itype: InputType, chain: list[str], where: str) -> QuantInfo:
    """What the output of the head `proto` (head_model) is as a quantizer: value = scale * (v -
    zero point) for the type's values v. The `chain` of float nodes after the type's quantizer
    (their op types) must map them exactly and increasingly onto an integer grid; AxgenError
    naming the chain otherwise."""
    values = all_values(itype.dtype)
    if not chain:
        return QuantInfo(where, itype.dtype, np.array(itype.scale), 0.0, int(values[0]), int(values[-1]))
    shape = [d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim[1:]]
    size = int(np.prod(shape)) if shape else 1
    inputs = np.repeat((values * itype.scale).astype(np.float32)[:, None], size, axis=1).reshape(len(values), *shape)
    out = run(proto, inputs).reshape(len(values), -1).astype(np.float64)
    ops = " -> ".join(chain)
    if not np.all(out == out[:, :1]):
        raise AxgenError(f"{where}: the float operations between the input and the first layer ({ops}) differ "
                         "between elements; supported are scalar constants (per-channel scales and offsets "
                         "are not folded into the input)")
    out = out[:, 0]
    step = (out[-1] - out[0]) / (values[-1] - values[0]) if len(values) > 1 else 1.0
    zero_point = values[0] - out[0] / step if step > 0 else np.nan
    exact = step > 0 and np.isclose(zero_point, round(zero_point), atol=1e-9) and \
        np.array_equal(out, (values - round(zero_point)) * step)
    if not exact:
        raise AxgenError(f"{where}: the float operations between the input and the first layer ({ops}) do not "
                         f"map the {itype.name} values onto an increasing integer grid (they give "
                         f"{np.unique(out)[:4].tolist()}...); supported are scales and offsets by constants that do")
    return QuantInfo(where, itype.dtype, np.array(step), float(round(zero_point)), int(values[0]), int(values[-1]))
