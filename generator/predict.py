"""`axgen predict`: float inputs through host head, accelerator (golden model, RTL in the C++
streaming harness on Verilator, or HLS C simulation) and host tail, giving what the QONNX model computes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from generator.errors import AxgenError
from generator.golden import head_values, tail_output
from generator.project import Project
from generator.execute import golden_outputs, run_harness, run_hls, unpack_outputs

BACKENDS = ("golden", "rtl", "hls")


def load_inputs(path: str | Path) -> np.ndarray:
    path = Path(path)
    if not path.is_file():
        raise AxgenError(f"input file {path} does not exist")
    try:
        x = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise AxgenError(f"{path} is not a readable .npy array ({exc})") from None
    if not np.issubdtype(x.dtype, np.number):
        raise AxgenError(f"{path} holds {x.dtype} data; a numeric array is needed")
    return x


def predict(project: Project, x: np.ndarray, backend: str = "golden", seed: int = 0) -> np.ndarray:
    if backend not in BACKENDS:
        raise AxgenError(f"unknown backend {backend!r}; supported: {', '.join(BACKENDS)}")
    shape = tuple(project.network.head.input_shape)
    if x.shape == shape:
        x = x[None]
    if x.shape[1:] != shape:
        raise AxgenError(f"inputs of shape {x.shape} do not fit the model: it takes (N, {', '.join(map(str, shape))})")
    values = head_values(project.network.head, x)
    if backend == "golden" or len(values) == 0:
        out = golden_outputs(project, values)
    elif backend == "hls":
        out = run_hls(project, values).outputs
    else:  # every sample back to back, no back-pressure: outputs only
        out = unpack_outputs(project, run_harness(project, values, seed, len(values), random=False).outputs())
    return tail_output(project.network.tail, out)
