# %% [markdown]
# # Your own multiplier
#
# Besides the built-in families, a layer can multiply with a table of your own (`lut:FILE`) or with
# a Verilog circuit of your own (`verilog:FILE.v[:module]`), such as the approximate multipliers
# EvoApproxLib publishes. Either is proven and used exactly like a family: the golden model, the RTL
# and the HLS C++ compute the same products, and `axgen verify` checks them bit for bit.
#
# ## A network
#
# The digits MLP of `axgen demo`, 4-bit unsigned activations and 4-bit signed weights, briefly
# trained.

# %%
import numpy as np
import torch
from brevitas.export import export_qonnx

from generator import digits

torch.manual_seed(0)
torch.set_num_threads(1)
model = digits.train(digits.quantized_mlp(), digits.load_digits_split(0), epochs=5)
export_qonnx(model, torch.zeros(1, 64), "mlp.onnx", dynamo=False);

# %%
# !axgen inspect mlp.onnx

# %% [markdown]
# ## A `verilog:` core
#
# An EvoApproxLib-style core: a combinational module with two unsigned operand inputs and one
# product output, here 4 × 4 bits. This one drops the partial products of the two lowest columns
# (a truncated multiplier, the `trunc:k=2` family, written as a circuit). axgen finds its ports by
# direction and width (the first input takes the activation's magnitude), derives its Python model
# by simulating every input pair once (Yosys elaborates it, Verilator runs it), and puts it inside
# the same sign-magnitude wrapper as the families.

# %%
core = """// mul4u_tr: 4x4 unsigned multiplier without the partial products of columns 0 and 1
module mul4u_tr (A, B, O);
  input [3:0] A;
  input [3:0] B;
  output [7:0] O;
  wire [7:0] full = A * B;
  wire [7:0] low = (A[0] & B[0]) + ((A[1] & B[0]) << 1) + ((A[0] & B[1]) << 1);
  assign O = full - low;
endmodule
"""
with open("mul4u_tr.v", "w") as f:
    f.write(core)

# %% [markdown]
# `axgen multipliers --spec` measures any multiplier: the core's error metrics equal those of the
# family it implements.

# %%
# !axgen multipliers --bits 4 --spec verilog:mul4u_tr.v --spec trunc:k=2

# %% [markdown]
# ## A `lut:` table
#
# A table defines the whole signed product directly: a `.npy` integer array of 2^na × 2^nb
# entries, indexed by the raw operand codes `[activation code][weight code]` (a weight's code is its
# two's complement bits). This one rounds every product of a 4-bit unsigned activation and a 4-bit
# signed weight down to an even number.

# %%
activation = np.arange(16)[:, None]
weight = np.arange(16)[None, :]
weight = np.where(weight >= 8, weight - 16, weight)  # code -> signed value
table = (activation * weight) // 2 * 2
np.save("even.npy", table.astype(np.int64))
print(table[:4, :])

# %% [markdown]
# ## Used in a network
#
# The core in the first layer, the table in the second; the third stays exact. The project keeps a
# copy of both files (and records the core's ports, widths and SHA-256 in `project.json`), so it
# still builds and verifies after a move.

# %%
with open("own.yaml", "w") as f:
    f.write("defaults: {pe: 2, simd: 8}\n"
            "layers:\n"
            "  fc0: {multiplier: 'verilog:mul4u_tr.v'}\n"
            "  fc1: {multiplier: 'lut:even.npy'}\n")

# %%
# !axgen build mlp.onnx -o own --config own.yaml
# !axgen verify own --backend all --samples 32

# %%
import json

plan = json.load(open("own/project.json"))
for layer in plan["layers"]:
    print(layer["name"], layer["multiplier"]["spec"])
print(json.dumps(plan["layers"][0]["verilog_core"], indent=1))

# %% [markdown]
# A table in the RTL is a ROM of the layer's products in logic. If you have a circuit that computes
# the table, name it with `lut_verilog: FILE.v[:module]` next to the `lut:` multiplier: axgen proves
# it equal to the table on every operand pair and uses it instead of the ROM. `axgen dse --library
# DIR` makes every `*.v` core in a folder a candidate of the search (see
# [approximate multipliers](approximate_multipliers.md)).
