"""`--input-type`: a model without an input quantizer whose float input carries integers of a
declared type (Brevitas' ResNet-18 and MobileNet-v1 take 8-bit RGB). The host head becomes one
qonnx Quant node of that type at scale 1 (integers pass unchanged; anything else is rounded and
clipped to the type), and the stream starts at the model's input."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper

from generator.datatypes import DataType, dtype
from generator.errors import AxgenError
from generator.frontend.quantizers import MAX_BITS, QuantInfo

QONNX_DOMAIN = "qonnx.custom_op.general"


def input_dtype(name: str) -> DataType:
    """The declared input type: UINTn or INTn, n up to MAX_BITS."""
    dt = dtype(str(name).upper())
    if dt == DataType["BIPOLAR"] or dt.bitwidth() > MAX_BITS or (dt.signed() and dt.bitwidth() < 2):
        raise AxgenError(f"input type {name} is not supported: supported are UINT1..UINT{MAX_BITS} and "
                         f"INT2..INT{MAX_BITS}")
    return dt


def head_model(model, dt: DataType) -> onnx.ModelProto:
    """input -> Quant(scale 1, zero point 0, the type's bits and sign): the integer codes as floats."""
    name = model.graph.input[0].name
    out = f"{name}_as_{dt.name.lower()}"
    consts = [helper.make_tensor(f"axgen_{k}", TensorProto.FLOAT, [], [v])
              for k, v in (("scale", 1.0), ("zero_point", 0.0), ("bit_width", float(dt.bitwidth())))]
    node = helper.make_node("Quant", [name, *(c.name for c in consts)], [out], name="axgen_input_type",
                            domain=QONNX_DOMAIN, signed=int(dt.signed()), narrow=0, rounding_mode="ROUND")
    source = model.get_tensor_valueinfo(name)
    shape = [d.dim_value for d in source.type.tensor_type.shape.dim]
    graph = helper.make_graph([node], "axgen_head", [source], [helper.make_tensor_value_info(out, TensorProto.FLOAT, shape)],
                              consts)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11), helper.make_opsetid(QONNX_DOMAIN, 1)])
    proto.ir_version = model.model.ir_version
    return proto


def declared_quant(name: str, dt: DataType) -> QuantInfo:
    """What the declared type means as a quantizer: scale 1, zero point 0."""
    return QuantInfo(name, dt, np.array(1.0), 0.0, int(dt.min()), int(dt.max()))
