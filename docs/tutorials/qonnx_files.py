# %% [markdown]
# # QONNX files other tools wrote
#
# axgen reads any QONNX graph built of the layers its frontend knows (see the
# [data flow](../concepts/data-flow.md#what-the-frontend-accepts)), not only Brevitas' exports. This
# tutorial takes the test files of qonnx's own QKeras converter (copied unchanged into this
# checkout's `tests/frontend/data/qkeras/`, under qonnx's Apache-2.0 license): networks with no
# input quantizer, two matrix layers with no quantizer between them, Keras' channels-last
# convolutions, and one file axgen refuses.

# %%
import shutil
from pathlib import Path

import generator

data = Path(generator.__file__).resolve().parents[1] / "tests" / "frontend" / "data" / "qkeras"
for name in ("qdense_0", "qdense2_0", "qconv2d_conversion", "qactivation_0"):
    shutil.copy(data / f"model_test_qkeras_{name}.onnx", f"{name}.onnx")

# %% [markdown]
# ## A network without an input quantizer
#
# QKeras quantizes no input: the first layer takes floats. axgen stops and says what it needs:

# %% tags=["raises-exception"]
# !axgen inspect qdense_0.onnx

# %% [markdown]
# `--input-type` declares what the input carries: here hls4ml's default, 16-bit fixed point with 6
# integer bits. The host quantizes each float input to that grid (rounding half to even,
# saturating), the same in the golden model, `axgen predict` and the PYNQ driver; the hardware sees
# the 16-bit codes.

# %%
# !axgen inspect qdense_0.onnx --input-type "FIXED<16,6>"
# !axgen build qdense_0.onnx -o qdense --input-type "FIXED<16,6>"
# !axgen verify qdense --backend all --samples 32

# %% [markdown]
# `axgen predict` returns what the QONNX model computes, run by qonnx itself, once the inputs are on
# the fixed-point grid:

# %%
import numpy as np
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.core.onnx_exec import execute_onnx

import generator as axgen

model = ModelWrapper("qdense_0.onnx")
name = model.graph.input[0].name
shape = [d.dim_value or 1 for d in model.graph.input[0].type.tensor_type.shape.dim]
x = np.random.default_rng(0).uniform(-8, 8, size=(16, *shape[1:])).astype(np.float32)
x = np.round(x * 2**10) / 2**10  # on the FIXED<16,6> grid: 10 fraction bits
ours = axgen.open_project("qdense").predict(x, backend="rtl")
theirs = np.concatenate([execute_onnx(model, {name: x[i:i + 1]})[model.graph.output[0].name] for i in range(len(x))])
print("largest difference between axgen's RTL and qonnx:", float(np.abs(ours - theirs).max()))

# %% [markdown]
# ## Two matrix layers with no quantizer between them
#
# qonnx's converter writes QKeras' `QDense` followed by another as `MatMul`, `Add`, `MatMul`. axgen
# carries the first layer's integer accumulator into the second as its input type (`INT…
# accumulator` below) instead of merging the layers, so each keeps its own folding and multiplier.

# %%
# !axgen inspect qdense2_0.onnx

# %% [markdown]
# ## Keras' channels-last convolutions
#
# Keras' images are NHWC; the converter leaves transposes around the convolutions, which axgen
# absorbs (its streams are channels-last already).

# %%
# !axgen inspect qconv2d_conversion.onnx --input-type "FIXED<16,6>"

# %% [markdown]
# ## What axgen refuses, and why
#
# A graph of one activation has nothing for an accelerator to do; the message says so, names the
# construct, and exits non-zero, without a traceback.

# %% tags=["raises-exception"]
# !axgen inspect qactivation_0.onnx
