# %% [markdown]
# # To a board
#
# `axgen build --board` writes, next to the RTL and the HLS C++, everything a board needs: the
# Vivado / Vitis scripts that make a bitstream (a Zynq board) or an `xclbin` (an Alveo card), and a
# PYNQ driver that runs the accelerator from Python on the board. This tutorial builds one network
# for a PYNQ-Z2 and for an Alveo U250, reads what each project asks you to run, and runs the
# driver against the stand-in `pynq` the tests use, whose DMA feeds the project's RTL on Verilator
# (no board, no Vivado here).

# %%
import numpy as np
import torch
from brevitas.export import export_qonnx

from generator import digits

torch.manual_seed(0)
torch.set_num_threads(1)
data = digits.load_digits_split(0)
model = digits.train(digits.quantized_mlp(), data, epochs=5)
export_qonnx(model, torch.zeros(1, 64), "mlp.onnx", dynamo=False)
np.save("x.npy", data.x_test[:16])

# %% [markdown]
# ## A Zynq board and an Alveo card
#
# The board sets the part, the clock the pipelining meets (and the scripts constrain), the
# resources the estimate is checked against (`--strict` refuses a design that does not fit) and
# the shell: on a Zynq the processing system and an AXI DMA, on an Alveo card Vitis data-mover
# kernels on an XRT platform. The [boards reference](../reference/boards.md) lists every board and
# what Vivado needs installed for it.

#
# On a Zynq the driver receives the outputs in packets: `m_axis_tlast` closes every P-th sample
# and each S2MM transfer of the DMA ends at a TLAST. By default P is the driver's default batch
# (about 10 ms of the accelerator), so a default batch is one transfer each way; a
# call with fewer samples is padded to a whole packet. `--packet-samples 4` builds packets of 4,
# which keeps the simulated board below short.

# %%
# !axgen build mlp.onnx -o zynq --board pynq-z2 --target-cycles 64 --packet-samples 4
# !axgen build mlp.onnx -o alveo --board u250 --target-cycles 64

# %% [markdown]
# Each project's `tcl/README.txt` says what to run, in order, for its board:

# %%
# !ls zynq/tcl
# !cat zynq/tcl/README.txt

# %%
# !ls alveo/tcl alveo/kernels
# !cat alveo/tcl/README.txt

# %% [markdown]
# ## What to expect from the vendor tools
#
# The scripts are written for Vivado / Vitis 2020.2 or later. On a Zynq board
# `vivado -mode batch -source tcl/block_design.tcl` packages the accelerator as an IP, builds the
# block design (processing system, AXI DMA, the accelerator), synthesises, places and routes it and
# writes `build/overlay/axgen.bit` and `axgen.hwh`, with utilisation per layer and the timing
# report; this takes tens of minutes, most of it in Vivado's implementation. The HLS variant runs
# Vitis HLS on every layer first (`tcl/hls_*.tcl`). On an Alveo card `bash tcl/alveo_build.sh`
# packages the kernel, compiles the data movers and links them with `v++` against the platform,
# which takes longer still. axgen's tests run every script in a Tcl interpreter with stand-ins for
# the vendor commands, checked against the references' syntax (UG835, UG1393, UG1399), so a script
# that reaches Vivado has the right commands, parts, pins and parameters; what only the vendor tools
# can tell is whether the design meets timing on the part (`axgen synth --tool vivado` runs
# out-of-context synthesis when `vivado` is on `PATH`).
#
# ## The PYNQ driver
#
# `zynq/driver/` is what goes on the board, next to the bitstream: `axgen_driver.py` (the
# `Accelerator` class: `predict`, `run_integers`, `throughput_test`), the host-side head and tail of
# the network, and a README.

# %%
# !ls zynq/driver

# %% [markdown]
# On the board: `pip3 install -r requirements.txt`, then `python3 axgen_driver.py x.npy -o y.npy`,
# or `Accelerator().predict(x)` in Python. Here the stand-in `pynq` from this checkout's
# `tests/support/fake_pynq` plays the board: its overlay's DMA streams every byte through the
# project's RTL on Verilator, so the driver's packing, transfers and TLAST handling run as they
# would on the board.

# %%
import importlib
import json
import sys
from pathlib import Path

import generator

checkout = Path(generator.__file__).resolve().parents[1]
sys.path[:0] = [str(checkout / "tests" / "support" / "fake_pynq"), str(Path("zynq/driver").resolve())]
import pynq

pynq.attach("zynq", "zynq/build/pynq_sim")
bitfile = json.load(open("zynq/project.json"))["driver"]["bitfile"]
Path("zynq/driver", bitfile).write_bytes(b"")  # the stand-in only needs the file to exist
driver = importlib.import_module("axgen_driver")

x = np.load("x.npy")
with driver.Accelerator(batch_size=8) as accel:
    y_board = accel.predict(x)
    print("samples the accelerator processed:", accel.overlay.accelerator.samples)
    print("receive transfers (one per packet of", driver.PACKET_SAMPLES, "samples):",
          accel.dma.recvchannel.transfers)

# %% [markdown]
# The driver returns what `axgen predict` returns:

# %%
# !axgen predict zynq x.npy -o y.npy

# %%
y = np.load("y.npy")
print("driver == axgen predict:", np.array_equal(y_board, y), "| accuracy on these 16 digits:",
      f"{np.mean(y.argmax(1) == data.y_test[:16]):.0%}")
