"""Read a QONNX file or export a Brevitas module, then clean it up with qonnx's transforms."""

from __future__ import annotations

import contextlib
import random
import tempfile
from pathlib import Path

import onnx
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.transformation.general import GiveUniqueNodeNames
from qonnx.transformation.infer_datatypes import InferDataTypes
from qonnx.transformation.infer_shapes import InferShapes
from qonnx.util.cleanup import cleanup_model

from generator.brevitas_quiet import quiet_import
from generator.errors import AxgenError
from generator.frontend.lower_gemm import LowerGemm

# qonnx's execute_onnx runs nodes with onnxruntime, which rejects newer IR versions.
MAX_IR_VERSION = 10


def read_onnx(path: str | Path) -> onnx.ModelProto:
    path = Path(path)
    if not path.is_file():
        raise AxgenError(f"model file {path} does not exist")
    try:
        return onnx.load(str(path))
    except Exception as exc:  # onnx raises DecodeError, ValueError, ... on a broken file
        raise AxgenError(f"{path} is not a readable ONNX/QONNX file ({type(exc).__name__}: {exc})") from None


def export_brevitas(module, input_shape: tuple[int, ...]) -> onnx.ModelProto:
    """Export a Brevitas nn.Module (in eval mode) to QONNX in memory, with the TorchScript exporter
    (torch's default dynamo exporter fails on Brevitas' residual adds of QuantTensors)."""
    import torch
    with quiet_import():
        from brevitas.export import export_qonnx

    module = module.eval()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.onnx"
        export_qonnx(module, torch.zeros((1, *input_shape)), str(path), dynamo=False)
        return onnx.load(str(path))


@contextlib.contextmanager
def _seeded_names():
    """qonnx names new tensors with `random` (make_new_valueinfo_name): seed it for the block,
    so the same model always gets the same names (and a project the same bytes)."""
    state = random.getstate()
    random.seed(0)
    try:
        yield
    finally:
        random.setstate(state)


def _strip_debug_info(proto: onnx.ModelProto) -> None:
    """Drop the exporter's debug notes (stack traces with the file paths of the exporting code,
    doc strings): they change nothing computed, and would make a project's bytes depend on
    where the exporting code lives."""
    del proto.metadata_props[:]
    proto.doc_string = ""
    for node in proto.graph.node:
        del node.metadata_props[:]
        node.doc_string = ""


def _vector_bias_quant_params(model: ModelWrapper) -> None:
    """A Conv bias from a Quant node with a scalar (shape ()) scale or zero point, as qonnx's
    QKeras converter writes it: give those parameters shape (1,), the same values. qonnx's
    ExtractBiasFromConv reshapes every parameter but a (1,)-shaped one to the bias's broadcast
    shape and fails on a scalar ("cannot reshape array of size 1 into shape (1,32,1,1)")."""
    for node in model.graph.node:
        if node.op_type not in ("Conv", "ConvTranspose") or len(node.input) < 3:
            continue
        producer = model.find_producer(node.input[2])
        if producer is None or producer.op_type != "Quant":
            continue
        for name in producer.input[1:3]:
            value = model.get_initializer(name)
            if value is not None and value.shape == ():
                model.set_initializer(name, value.reshape(1))


def _failed_step(exc: BaseException) -> str:
    """The qonnx transformation (and the node it was at) where `exc` was raised, from the traceback."""
    step = node = None
    tb = exc.__traceback__
    while tb is not None:
        local = tb.tb_frame.f_locals
        owner = local.get("self")
        if owner is not None and type(owner).__module__.startswith("qonnx."):
            step = type(owner).__name__
            node = next((v for v in local.values() if isinstance(v, onnx.NodeProto)), node)
        tb = tb.tb_next
    if step is None:
        return "qonnx's cleanup"
    return f"qonnx's {step}" + (f" at node {node.name or node.op_type} ({node.op_type})" if node is not None else "")


def clean(proto: onnx.ModelProto) -> ModelWrapper:
    proto.ir_version = min(proto.ir_version, MAX_IR_VERSION)
    _strip_debug_info(proto)
    try:
        with _seeded_names():
            model = ModelWrapper(proto)
            _vector_bias_quant_params(model)
            model = cleanup_model(model, extract_conv_bias=True)
            model = model.transform(LowerGemm())
            model = model.transform(InferShapes()).transform(GiveUniqueNodeNames()).transform(InferDataTypes())
    except AxgenError:
        raise
    except Exception as exc:
        detail = (str(exc).strip().splitlines() or [""])[0][:300]
        raise AxgenError(f"{_failed_step(exc)} failed on the model ({type(exc).__name__}: {detail}); the model is "
                         "malformed or outside what qonnx's cleanup takes") from None
    return model
