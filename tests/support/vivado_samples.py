# ruff: noqa: E501  (the samples keep the width of the reports they stand for)
"""Vivado report samples (modelled on Vivado 2022.2's report_utilization [-hierarchical] and
report_timing_summary) for a three-layer project (fc0, fc1, fc2), and a fake `vivado` that
writes them where the project's scripts would."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

HEADER = """\
Copyright 1986-2022 Xilinx, Inc. All Rights Reserved. Copyright 2022-2022 Advanced Micro Devices, Inc. All Rights Reserved.
---------------------------------------------------------------------------------------------------------------------------------------------
| Tool Version : Vivado v.2022.2 (lin64) Build 3671981 Fri Oct 14 04:59:54 MDT 2022
| Date         : Tue Mar 14 10:21:07 2023
| Host         : build-host running 64-bit Ubuntu 20.04.5 LTS
| Command      : {command}
| Design       : {design}
| Device       : {device}
| Speed File   : -1
| Design State : {state}
---------------------------------------------------------------------------------------------------------------------------------------------
"""

# Out of context on a Zynq-7020: 7-series columns (DSP48 Blocks, no URAM); see ooc_hier().
_OOC_HIER = HEADER.format(command="report_utilization -hierarchical -file build/vivado_ooc/utilization_hier.rpt",
                         design="axgen_top", device="xc7z020clg400-1", state="Synthesized") + """
Utilization Design Information

Table of Contents
-----------------
1. Utilization by Hierarchy

1. Utilization by Hierarchy
---------------------------

+------------------+------------------------------+------------+------------+---------+------+------+--------+--------+--------------+
|     Instance     |            Module            | Total LUTs | Logic LUTs | LUTRAMs | SRLs |  FFs | RAMB36 | RAMB18 | DSP48 Blocks |
+------------------+------------------------------+------------+------------+---------+------+------+--------+--------+--------------+
| axgen_top        |                        (top) | {top_total:>10} | {top_logic:>10} |     136 |    8 | 1290 |      1 |      2 |           40 |
|   u_e0_fifo      |                   axgen_fifo |         22 |         10 |      12 |    0 |   10 |      0 |      0 |            0 |
|   u_e1_fifo      |   axgen_fifo__parameterized0 |         18 |         10 |       8 |    0 |    9 |      0 |      0 |            0 |
|   u_l0           |                 axgen_L0_fc0 |       2950 |       2890 |      56 |    4 |  700 |      1 |      0 |           32 |
|     u_mvau       |                   axgen_mvau |       2950 |       2890 |      56 |    4 |  700 |      1 |      0 |           32 |
|       u_out_fifo |   axgen_fifo__parameterized1 |         30 |         10 |      20 |    0 |   12 |      0 |      0 |            0 |
|   u_l1           |                 axgen_L1_fc1 |       1100 |       1060 |      36 |    4 |  420 |      0 |      2 |            8 |
|     u_mvau       |   axgen_mvau__parameterized0 |       1100 |       1060 |      36 |    4 |  420 |      0 |      2 |            8 |
|   u_l2           |                 axgen_L2_fc2 |        231 |        207 |      24 |    0 |  151 |      0 |      0 |            0 |
|     u_mvau       |   axgen_mvau__parameterized1 |        231 |        207 |      24 |    0 |  151 |      0 |      0 |            0 |
+------------------+------------------------------+------------+------------+---------+------+------+--------+--------+--------------+
* Note: The sum of lower-level cells may be larger than their parent cells total, due to cross-hierarchy LUT combining


"""

OOC_UTIL = HEADER.format(command="report_utilization -file build/vivado_ooc/utilization.rpt", design="axgen_top",
                         device="xc7z020clg400-1", state="Synthesized") + """
Utilization Design Information

Table of Contents
-----------------
1. Slice Logic
1.1 Summary of Registers by Type
2. Memory
3. DSP
4. IO and GT Specific
5. Clocking
6. Specific Feature
7. Primitives
8. Black Boxes
9. Instantiated Netlists

1. Slice Logic
--------------

+----------------------------+------+-------+------------+-----------+-------+
|          Site Type         | Used | Fixed | Prohibited | Available | Util% |
+----------------------------+------+-------+------------+-----------+-------+
| Slice LUTs*                | 4321 |     0 |          0 |     53200 |  8.12 |
|   LUT as Logic             | 4177 |     0 |          0 |     53200 |  7.85 |
|   LUT as Memory            |  144 |     0 |          0 |     17400 |  0.83 |
|     LUT as Distributed RAM |  136 |     0 |            |           |       |
|     LUT as Shift Register  |    8 |     0 |            |           |       |
| Slice Registers            | 1290 |     0 |          0 |    106400 |  1.21 |
|   Register as Flip Flop    | 1290 |     0 |          0 |    106400 |  1.21 |
|   Register as Latch        |    0 |     0 |          0 |    106400 |  0.00 |
| F7 Muxes                   |   25 |     0 |          0 |     26600 |  0.09 |
| F8 Muxes                   |    0 |     0 |          0 |     13300 |  0.00 |
+----------------------------+------+-------+------------+-----------+-------+
* Warning! The Final LUT count, after physical optimizations and full implementation, is typically lower.


7. Primitives
-------------

+----------+------+---------------------+
| Ref Name | Used | Functional Category |
+----------+------+---------------------+
| LUT2     | 1490 |                 LUT |
| FDRE     | 1270 |        Flop & Latch |
| LUT6     |  960 |                 LUT |
| CARRY4   |  412 |          CarryLogic |
| RAMD32   |  204 |  Distributed Memory |
| RAMS32   |   68 |  Distributed Memory |
| DSP48E1  |   40 |    Block Arithmetic |
| FDSE     |   20 |        Flop & Latch |
| SRL16E   |    8 |  Distributed Memory |
| RAMB18E1 |    2 |        Block Memory |
| RAMB36E1 |    1 |        Block Memory |
+----------+------+---------------------+


8. Black Boxes
--------------

+----------+------+
| Ref Name | Used |
+----------+------+
"""

TIMING = """\
------------------------------------------------------------------------------------------------
| Design Timing Summary
| ---------------------
------------------------------------------------------------------------------------------------

    WNS(ns)      TNS(ns)  TNS Failing Endpoints  TNS Total Endpoints      WHS(ns)      THS(ns)  THS Failing Endpoints  \
THS Total Endpoints     WPWS(ns)     TPWS(ns)  TPWS Failing Endpoints  TPWS Total Endpoints
    -------      -------  ---------------------  -------------------      -------      -------  ---------------------  \
-------------------     --------     --------  ----------------------  --------------------
      2.913        0.000                      0                 3105        0.112        0.000                      0  \
               3105        4.020        0.000                       0                  1480


All user specified timing constraints are met.
"""

# The whole block design on a KV260 (UltraScale+ columns: URAM, DSP Blocks), implemented.
BD_HIER = HEADER.format(command="report_utilization -hierarchical -hierarchical_depth 8 -file "
                        "build/vivado/utilization_hier.rpt", design="axgen_bd_wrapper",
                        device="xck26-sfvc784-2LV-c", state="Routed") + """
1. Utilization by Hierarchy
---------------------------

+----------------------+---------------------------------+------------+------------+---------+------+-------+--------+--------+------+------------+
|       Instance       |              Module             | Total LUTs | Logic LUTs | LUTRAMs | SRLs |  FFs  | RAMB36 | RAMB18 | URAM | DSP Blocks |
+----------------------+---------------------------------+------------+------------+---------+------+-------+--------+--------+------+------------+
| axgen_bd_wrapper     |                           (top) |       7641 |       7000 |     541 |  100 |  9100 |      5 |      3 |    1 |         40 |
|   axgen_bd_i         |                        axgen_bd |       7641 |       7000 |     541 |  100 |  9100 |      5 |      3 |    1 |         40 |
|     axgen            |                axgen_bd_axgen_0 |       4200 |       4000 |     150 |   50 |  1300 |      1 |      2 |    1 |         40 |
|       inst           |                       axgen_top |       4200 |       4000 |     150 |   50 |  1300 |      1 |      2 |    1 |         40 |
|         u_l0         |                    axgen_L0_fc0 |       2900 |       2800 |      60 |   40 |   700 |      1 |      0 |    1 |         32 |
|           u_mvau     |                      axgen_mvau |       2900 |       2800 |      60 |   40 |   700 |      1 |      0 |    1 |         32 |
|         u_l1         |                    axgen_L1_fc1 |       1000 |        950 |      40 |   10 |   420 |      0 |      2 |    0 |          8 |
|         u_l2         |                    axgen_L2_fc2 |        250 |        230 |      20 |    0 |   150 |      0 |      0 |    0 |          0 |
|     axi_dma          |              axgen_bd_axi_dma_0 |       2000 |       1800 |     150 |   50 |  3000 |      4 |      1 |    0 |          0 |
|     zynq_ultra_ps_e  | axgen_bd_zynq_ultra_ps_e_0_0    |          0 |          0 |       0 |    0 |     0 |      0 |      0 |    0 |          0 |
|     smartconnect_0   |         axgen_bd_smartconnect_0 |       1441 |       1200 |     241 |    0 |  4800 |      0 |      0 |    0 |          0 |
+----------------------+---------------------------------+------------+------------+---------+------+-------+--------+--------+------+------------+
"""

BD_UTIL = OOC_UTIL.replace("CARRY4   |  412 |", "CARRY8   |   77 |").replace("DSP48E1 ", "DSP48E2 ")

FAKE_VIVADO = r'''
import os, shutil, sys
from pathlib import Path
args = sys.argv[1:]
record = os.environ.get("FAKE_VIVADO_RECORD")
if record:
    with open(record, "a") as f:
        f.write(" ".join(args) + "\n")
def value(flag):
    return args[args.index(flag) + 1] if flag in args else None
if value("-mode") != "batch" or value("-source") is None:
    print("ERROR: [Common 17-69] Command failed: usage: vivado -mode batch -source FILE")
    sys.exit(1)
script = Path(value("-source"))
print("****** Vivado v2022.2 (64-bit)")
print("source " + str(script))
if not Path("project.json").is_file() or not script.is_file():
    print("ERROR: [Common 17-165] Too many positional options when parsing '" + str(script) + "'")
    sys.exit(1)
if os.environ.get("FAKE_VIVADO_FAIL"):
    print("ERROR: [Synth 8-439] module 'axgen_oops' not found [rtl/axgen_top.v:12]")
    sys.exit(1)
flow = "bd" if script.name == "block_design.tcl" else "ooc"
out = Path("build/vivado" if flow == "bd" else "build/vivado_ooc")
out.mkdir(parents=True, exist_ok=True)
samples = Path(os.environ["FAKE_VIVADO_SAMPLES"])
for name in ("utilization_hier.rpt", "utilization.rpt", "timing.rpt"):
    sample = samples / (flow + "_" + name)
    if sample.is_file():
        shutil.copyfile(sample, out / name)
Path(value("-log")).write_text("fake vivado log\n")
sys.exit(0)
'''


def ooc_hier(top_logic: int = 4177) -> str:
    """The out-of-context hierarchical report; `top_logic` sets the top row's logic LUTs (and
    its Total LUTs with it), e.g. beyond a board's capacity."""
    return _OOC_HIER.format(top_logic=top_logic, top_total=top_logic + 144)


def write_samples(folder: Path, top_logic: int = 4177) -> Path:
    """The sample reports as the fake copies them (<flow>_<report>)."""
    folder.mkdir(parents=True, exist_ok=True)
    hier = ooc_hier(top_logic)
    for name, text in {"ooc_utilization_hier.rpt": hier, "ooc_utilization.rpt": OOC_UTIL, "ooc_timing.rpt": TIMING,
                       "bd_utilization_hier.rpt": BD_HIER, "bd_utilization.rpt": BD_UTIL,
                       "bd_timing.rpt": TIMING}.items():
        (folder / name).write_text(text)
    return folder


def install_fake_vivado(bin_dir: Path) -> Path:
    bin_dir.mkdir(parents=True, exist_ok=True)
    exe = bin_dir / "vivado"
    exe.write_text(f"#!{sys.executable}\n{FAKE_VIVADO}")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return exe


def environment(bin_dir: Path, samples: Path, record: Path) -> dict:
    """Environment variables that put the fake first on PATH."""
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "FAKE_VIVADO_SAMPLES": str(samples),
            "FAKE_VIVADO_RECORD": str(record)}

# The same out-of-context table as Vivado 2018.3 printed it (the older copyright line, the 7-series
# columns), and with -hierarchical_percentages (each count followed by its share of the device).
def hier_2018() -> str:
    return ooc_hier().replace(
        "Copyright 1986-2022 Xilinx, Inc. All Rights Reserved. Copyright 2022-2022 Advanced Micro Devices, Inc. "
        "All Rights Reserved.", "Copyright 1986-2018 Xilinx, Inc. All Rights Reserved.").replace(
        "Vivado v.2022.2 (lin64) Build 3671981 Fri Oct 14 04:59:54 MDT 2022",
        "Vivado v.2018.3 (lin64) Build 2405991 Thu Dec  6 23:36:41 MST 2018")


# The Zynq UltraScale+ block design around the Vitis HLS top (tcl/block_design_hls.tcl): Vitis HLS
# names a dataflow process's instance <function>_U0 and prefixes its modules with the top's name.
BD_HLS_HIER = HEADER.format(command="report_utilization -hierarchical -hierarchical_depth 8 -file "
                            "build/vivado_hls/utilization_hier.rpt", design="axgen_bd_wrapper",
                            device="xck26-sfvc784-2LV-c", state="Routed") + """
1. Utilization by Hierarchy
---------------------------

+--------------------------+---------------------------------+------------+------------+---------+------+-------+--------+--------+------+------------+
|         Instance         |              Module             | Total LUTs | Logic LUTs | LUTRAMs | SRLs |  FFs  | RAMB36 | RAMB18 | URAM | DSP Blocks |
+--------------------------+---------------------------------+------------+------------+---------+------+-------+--------+--------+------+------------+
| axgen_bd_wrapper         |                           (top) |       8641 |       8000 |     541 |  100 |  9900 |      5 |      3 |    0 |         40 |
|   axgen_bd_i             |                        axgen_bd |       8641 |       8000 |     541 |  100 |  9900 |      5 |      3 |    0 |         40 |
|     axgen                |                axgen_bd_axgen_0 |       5200 |       5000 |     150 |   50 |  2100 |      1 |      2 |    0 |         40 |
|       inst               |                       axgen_top |       5200 |       5000 |     150 |   50 |  2100 |      1 |      2 |    0 |         40 |
|         axgen_L0_fc0_U0  |          axgen_top_axgen_L0_fc0 |       3400 |       3300 |      60 |   40 |  1200 |      1 |      0 |    0 |         32 |
|         axgen_L1_fc1_U0  |          axgen_top_axgen_L1_fc1 |       1300 |       1250 |      40 |   10 |   620 |      0 |      2 |    0 |          8 |
|         axgen_L2_fc2_U0  |          axgen_top_axgen_L2_fc2 |        350 |        330 |      20 |    0 |   200 |      0 |      0 |    0 |          0 |
|         l0_out_U         |    axgen_top_fifo_w12_d2_S      |         20 |         20 |       0 |    0 |    10 |      0 |      0 |    0 |          0 |
|     axi_dma              |              axgen_bd_axi_dma_0 |       2000 |       1800 |     150 |   50 |  3000 |      4 |      1 |    0 |          0 |
|     smartconnect_0       |         axgen_bd_smartconnect_0 |       1441 |       1200 |     241 |    0 |  4800 |      0 |      0 |    0 |          0 |
+--------------------------+---------------------------------+------------+------------+---------+------+-------+--------+--------+------+------------+
"""


def with_percentages(report: str) -> str:
    """A hierarchy table as -hierarchical_percentages prints it: every count cell `N(P%)`."""
    def counts(cells: list[str]) -> list[str]:
        return [f" {c.strip()}({int(c) / 1000:.2f}%) " if c.strip().isdigit() else c for c in cells]
    lines = []
    for line in report.splitlines():
        if line.startswith("| ") and "Instance" not in line:
            cells = line.split("|")
            line = "|".join(cells[:3] + counts(cells[3:]))
        lines.append(line)
    return "\n".join(lines) + "\n"
