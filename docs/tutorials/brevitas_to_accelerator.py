# %% [markdown]
# # From Brevitas to a verified accelerator
#
# This tutorial trains a small quantized network with Brevitas, exports it to QONNX, and takes it
# through every step axgen has: `inspect`, `build` for a board and a throughput target, `verify`
# (bit-exact, RTL and HLS), `predict` and `synth` (Yosys, then nextpnr for the clock; no vendor tool needed).
#
# ## Train a quantized network
#
# Any Brevitas network of the layers the frontend accepts will do (see the
# [configuration](../reference/config.md) and the [data flow](../concepts/data-flow.md)). This one
# takes the 8×8 scikit-learn digits: a 4-bit input quantizer, two 4-bit fully-connected layers of 16
# neurons with batch-norm and ReLU, and an output layer.

# %%
import numpy as np
import torch
import torch.nn as nn
import brevitas.nn as qnn
from brevitas.quant import Int8WeightPerTensorFixedPoint, Uint8ActPerTensorFixedPoint
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
torch.set_num_threads(1)
digits = load_digits()
x_train, x_test, y_train, y_test = train_test_split(
    (digits.data / 16).astype(np.float32), digits.target, test_size=0.25, random_state=0, stratify=digits.target)


def act(bits, max_val):
    return qnn.QuantReLU(act_quant=Uint8ActPerTensorFixedPoint, bit_width=bits, max_val=max_val)


weights = dict(weight_quant=Int8WeightPerTensorFixedPoint, weight_bit_width=4)
model = nn.Sequential(
    qnn.QuantIdentity(act_quant=Uint8ActPerTensorFixedPoint, bit_width=4, max_val=1.0),
    qnn.QuantLinear(64, 16, bias=True, **weights), nn.BatchNorm1d(16), act(4, 2.0),
    qnn.QuantLinear(16, 16, bias=True, **weights), nn.BatchNorm1d(16), act(4, 2.0),
    qnn.QuantLinear(16, 10, bias=True, **weights))

optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
for epoch in range(20):
    model.train()
    for batch in torch.randperm(len(xt)).split(64):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(xt[batch]), yt[batch]).backward()
        optimizer.step()
model.eval()
with torch.no_grad():
    brevitas_logits = model(torch.from_numpy(x_test)).numpy()
print(f"Brevitas accuracy on {len(x_test)} held-out digits: {np.mean(brevitas_logits.argmax(1) == y_test):.2%}")

# %% [markdown]
# ## Export to QONNX
#
# Brevitas' QONNX exporter writes the quantizers as `Quant` nodes; axgen reads that file (or the
# module itself: `axgen.load(model, input_shape=(64,))`).

# %%
from brevitas.export import export_qonnx

export_qonnx(model, torch.zeros(1, 64), "mlp.onnx", dynamo=False)
np.save("x_test.npy", x_test)

# %% [markdown]
# ## Inspect
#
# `axgen inspect` lists what the frontend found: every layer with its shapes, datatypes and
# multiply-accumulates. Batch-norm, biases, scales and the activation quantizers are folded into
# integer thresholds; the input quantizer runs on the host.

# %%
# !axgen inspect mlp.onnx

# %% [markdown]
# ## Build
#
# `axgen build` writes the project. Here it targets the PYNQ-Z2 board and lets axgen fold every
# layer for 64 cycles per sample (`--target-cycles`): the fewest multiplier lanes that reach it,
# and FIFO depths sized from a simulation. A configuration file (`--config`) can fix a layer's
# folding or put an approximate multiplier in it instead.

# %%
# !axgen build mlp.onnx -o project --board pynq-z2 --target-cycles 64

# %% [markdown]
# `project.json` records the plan; the [file formats](../reference/formats.md) page lists its keys.

# %%
import json

plan = json.load(open("project/project.json"))
for layer in plan["layers"]:
    print(f"{layer['name']}: {layer['kind']}, PE {layer['pe']} x SIMD {layer['simd']}, "
          f"{layer['estimated_cycles']} cycles, multiplier {layer['multiplier']['spec']}")
print("estimated LUTs:", plan["estimated_resources"]["total"]["lut"],
      "| fits the board:", plan["estimated_resources"]["fits"])

# %% [markdown]
# ## Verify
#
# `axgen verify` draws random inputs, runs the golden model, simulates the Verilog on Verilator
# (cocotb for the first samples, then a C++ streaming harness with random input gaps and output
# back-pressure) and compiles the HLS C++ with g++, and compares every output exactly. It exits 0
# only if nothing differs, and measures cycles per sample and latency.

# %%
# !axgen verify project --backend all --samples 64

# %% [markdown]
# ## Predict
#
# `axgen predict` takes float inputs shaped as the model takes them, runs the host-side
# pre-processing, the accelerator (here its RTL on Verilator) and the host-side tail, and returns
# what the QONNX model computes. On this network that is what Brevitas computes:

# %%
# !axgen predict project x_test.npy -o y_rtl.npy --backend rtl

# %%
y_rtl = np.load("y_rtl.npy")
print(f"RTL accuracy: {np.mean(y_rtl.argmax(1) == y_test):.2%}")
print("largest difference from Brevitas' logits:", float(np.abs(y_rtl - brevitas_logits).max()))

# %% [markdown]
# ## Synthesise
#
# `axgen synth` measures LUTs, flip-flops, carry chains, DSPs and block RAMs per layer with Yosys
# (`synth_xilinx` for the board's family; no vendor tool needed) and writes `resources.json`. On an
# ECP5 board (`--board ulx3s`) it places and routes with nextpnr instead and reports the clock each
# layer and the whole top reach; with Vivado on `PATH`, `--tool vivado` runs the vendor's
# out-of-context synthesis.

# %%
# !axgen synth project --tool yosys -j 2

# %%
resources = json.load(open("project/resources.json"))
estimate = plan["estimated_resources"]["total"]
print(f"LUTs: Yosys {resources['total']['lut']}, the resource model {estimate['lut']}")

# %% [markdown]
# ## Place and route: the clock it reaches
#
# On an ECP5 board `axgen synth` runs Yosys `synth_ecp5` and nextpnr (both from PyPI, nothing to
# install) and reports the clock the design reaches after real placement and routing. Built for the
# ULX3S (an LFE5U-85F, pipelined for its 125 MHz clock), with `--layer top` placing only the whole
# accelerator:

# %%
# !axgen build mlp.onnx -o ecp5 --board ulx3s --target-cycles 64
# !axgen synth ecp5 --layer top

# %%
timing = json.load(open("ecp5/resources.json"))["timing"]
print(f"Fmax {timing['fmax_mhz']:.1f} MHz at a {timing['target_mhz']:.0f} MHz target; critical path in "
      f"{timing['critical_path']['layer']}: {timing['critical_path']['logic_ns']:.2f} ns logic + "
      f"{timing['critical_path']['routing_ns']:.2f} ns routing")
