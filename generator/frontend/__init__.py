"""Frontend: a QONNX file or Brevitas module becomes the integer IR (generator.ir.Network)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from generator.errors import AxgenError
from generator.frontend.chain import build_network
from generator.frontend.loading import clean, export_brevitas, read_onnx
from generator.ir import Network


def load_network(source, input_shape: tuple[int, ...] | None = None, name: str | None = None,
                 input_type: str | None = None) -> Network:
    """`source` is a path to a .onnx file or a Brevitas nn.Module (then `input_shape`, the
    per-sample input shape, is required). `input_type` (e.g. "UINT8") declares that a model
    without an input quantizer takes integers of that type."""
    if isinstance(source, (str, Path)):
        proto = read_onnx(source)
        name = name or Path(source).stem
    else:
        if input_shape is None:
            raise AxgenError("a Brevitas module needs its per-sample input_shape, e.g. (1, 28, 28)")
        proto = export_brevitas(source, tuple(input_shape))
        name = name or type(source).__name__
    # numpy's floating-point notices (a malformed model's zero or huge scale inside qonnx's folding)
    # are not for the user: what is wrong is checked and reported as one AxgenError
    with np.errstate(all="ignore"):
        return _convert(clean(proto), name, input_type)


def _convert(model, name: str, input_type: str | None) -> Network:
    try:
        return build_network(model, name, input_type)
    except AxgenError:
        raise
    except Exception as exc:  # a malformed graph that got past the cleanup breaks a library or a lookup
        detail = (str(exc).strip().splitlines() or [""])[0][:300]
        raise AxgenError(f"model {name} could not be converted ({type(exc).__name__}: {detail}); it is malformed or "
                         "outside what the frontend accepts (README: What the frontend accepts)") from None
