"""The Zynq block design as data: processing system, AXI DMA, width converters, SmartConnects, reset and the wiring."""

from __future__ import annotations

from dataclasses import dataclass

from generator.errors import AxgenError
from generator.hw import shell

BD_NAME = "axgen_bd"
ACCEL = "axgen"  # the accelerator's cell in the block design
DMA = shell.ZYNQ_DMA  # the AXI DMA's cell: the PYNQ overlay's attribute the driver uses
DMA_STREAM_BITS = (8, 16, 32, 64, 128, 256, 512, 1024)  # AXI DMA stream widths


@dataclass(frozen=True)
class ProcessingSystem:
    """What differs between the Zynq-7000 and the Zynq UltraScale+ processing system."""
    ip: str
    rule: str  # apply_bd_automation rule with the board preset
    external: str  # interfaces the automation makes external ("" for none)
    master: str  # general-purpose master port: the DMA's control registers
    slave: str  # high-performance slave port: the DMA's memory traffic
    clock: str  # PL clock output
    resetn: str  # PL reset output (active low)
    port_clocks: tuple[str, ...]  # clock inputs of the master and slave ports
    hp_widths: tuple[int, ...]  # data widths the slave port supports
    addr_width: int  # DMA address width (the HP port's reach)
    use_master: str
    unused_masters: tuple[str, ...]
    use_slave: str
    slave_width: str
    clock_enable: tuple[tuple[str, int], ...]
    clock_mhz: str
    clock_unlock: tuple[tuple[str, int], ...] = ()  # set before the PL clock, or the preset's frequency may stay


PROCESSING_SYSTEMS = {
    "zynq7": ProcessingSystem(
        ip="processing_system7", rule="xilinx.com:bd_rule:processing_system7", external="FIXED_IO, DDR",
        master="M_AXI_GP0", slave="S_AXI_HP0", clock="FCLK_CLK0", resetn="FCLK_RESET0_N",
        port_clocks=("M_AXI_GP0_ACLK", "S_AXI_HP0_ACLK"), hp_widths=(32, 64), addr_width=32,
        use_master="PCW_USE_M_AXI_GP0", unused_masters=("PCW_USE_M_AXI_GP1",), use_slave="PCW_USE_S_AXI_HP0",
        slave_width="PCW_S_AXI_HP0_DATA_WIDTH", clock_enable=(("PCW_EN_CLK0_PORT", 1), ("PCW_EN_RST0_PORT", 1)),
        clock_mhz="PCW_FPGA0_PERIPHERAL_FREQMHZ"),
    "zynquplus": ProcessingSystem(
        ip="zynq_ultra_ps_e", rule="xilinx.com:bd_rule:zynq_ultra_ps_e", external="",
        master="M_AXI_HPM0_FPD", slave="S_AXI_HP0_FPD", clock="pl_clk0", resetn="pl_resetn0",
        port_clocks=("maxihpm0_fpd_aclk", "saxihp0_fpd_aclk"), hp_widths=(32, 64, 128), addr_width=64,
        use_master="PSU__USE__M_AXI_GP0", unused_masters=("PSU__USE__M_AXI_GP1", "PSU__USE__M_AXI_GP2"),
        use_slave="PSU__USE__S_AXI_GP2", slave_width="PSU__SAXIGP2__DATA_WIDTH",
        clock_enable=(("PSU__FPGA_PL0_ENABLE", 1),), clock_mhz="PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ",
        clock_unlock=(("PSU__OVERRIDE__BASIC_CLOCK", 0),)),
}


def processing_system(board: dict) -> ProcessingSystem:
    family, width = board.get("family"), board.get("dma_width")
    ps = PROCESSING_SYSTEMS.get(family)
    if ps is None:
        raise AxgenError(f"board {board.get('name')}: family {family!r} has no Zynq processing system; "
                         f"a zynq shell needs one of {', '.join(PROCESSING_SYSTEMS)}")
    if width not in ps.hp_widths:
        raise AxgenError(f"board {board.get('name')}: dma_width {width} does not fit the {family} HP port; "
                         f"expected one of {', '.join(map(str, ps.hp_widths))}")
    return ps


def mhz_text(clock_mhz: float) -> str:
    """A clock in MHz as Vivado takes it: 100 -> '100', 187.5 -> '187.5'."""
    return f"{float(clock_mhz):g}"


def ps_config(ps: ProcessingSystem, board: dict) -> list[tuple[str, object]]:
    """CONFIG.* of the processing system: one master, one HP slave of the board's width, the PL clock."""
    return [(ps.use_master, 1), *((name, 0) for name in ps.unused_masters), (ps.use_slave, 1),
            (ps.slave_width, board["dma_width"]), *ps.clock_enable, (ps.clock_mhz, mhz_text(board["clock_mhz"]))]


BOARD_REPO_ENV = "AXGEN_BOARD_REPO"  # folders of board files outside Vivado's own (dir[:dir...])
SHIPPED = "they ship with Vivado: reinstall Vivado with this board's device family and board files"


def board_files(board: dict) -> dict | None:
    """The board part the block design asks Vivado for: any version of vendor:board:part0 (the
    newest installed; `tested` the one axgen was checked with), and where its files come from."""
    board_part = board.get("board_part")
    if not board_part:
        return None
    vendor, name, component = board_part.split(":")[:3]
    return {"pattern": f"{vendor}:{name}:{component}:*", "tested": board_part, "env": BOARD_REPO_ENV,
            "where": board.get("board_files") or SHIPPED}


def automation_config(ps: ProcessingSystem, board: dict) -> str:
    preset = "1" if board.get("board_part") else "0"
    external = f'make_external "{ps.external}" ' if ps.external else ""
    return f'{external}apply_board_preset "{preset}"'


def dma_stream_bits(tdata_bits: int, dma_width: int) -> int:
    """The DMA's stream width for an accelerator port: the port's own width when the DMA can take
    it (a power of two up to the memory width), else the memory width behind a width converter."""
    return tdata_bits if tdata_bits in DMA_STREAM_BITS and tdata_bits <= dma_width else dma_width


def _converter(name: str, s_bits: int, m_bits: int, accel_bits: int) -> dict:
    """An axis_dwidth_converter from s_bits to m_bits; both widths set (parameter propagation from
    the DMA's side is not relied on)."""
    if accel_bits // 8 > shell.ZYNQ_STREAM_MAX_BYTES:
        raise AxgenError(f"the accelerator's stream is {accel_bits} bits wide; the Zynq block design's width "
                         f"converter takes at most {shell.ZYNQ_STREAM_MAX_BYTES * 8}")
    return {"name": name, "ip": "axis_dwidth_converter",
            "comment": f"AXI-Stream width converter from {s_bits} to {m_bits} bits (bytes keep their order)",
            "config": [("S_TDATA_NUM_BYTES", s_bits // 8), ("M_TDATA_NUM_BYTES", m_bits // 8)]}


def _stream_path(src: str, dst: str, converter: dict | None) -> list[tuple[str, str]]:
    if converter is None:
        return [(src, dst)]
    return [(src, f"{converter['name']}/S_AXIS"), (f"{converter['name']}/M_AXIS", dst)]


def block_design(board: dict, in_bits: int, out_bits: int) -> dict:
    """Every cell, interface connection and net of the block design around an accelerator whose
    s_axis is `in_bits` and m_axis `out_bits` wide (bytes)."""
    ps = processing_system(board)
    width = board["dma_width"]
    mm2s_bits, s2mm_bits = dma_stream_bits(in_bits, width), dma_stream_bits(out_bits, width)
    to_accel = _converter("to_accel", mm2s_bits, in_bits, in_bits) if mm2s_bits != in_bits else None
    from_accel = _converter("from_accel", out_bits, s2mm_bits, out_bits) if s2mm_bits != out_bits else None
    dma = {"name": DMA, "ip": "axi_dma", "comment": f"AXI DMA, simple mode: {width}-bit memory side, "
                                                    f"MM2S stream {mm2s_bits} bits, S2MM stream {s2mm_bits} bits",
           "config": [("c_include_sg", 0), ("c_sg_length_width", shell.BUFFER_LENGTH_BITS), ("c_addr_width", ps.addr_width),
                      ("c_include_mm2s", 1), ("c_include_s2mm", 1),
                      ("c_m_axi_mm2s_data_width", width), ("c_m_axis_mm2s_tdata_width", mm2s_bits),
                      ("c_m_axi_s2mm_data_width", width), ("c_s_axis_s2mm_tdata_width", s2mm_bits),
                      ("c_mm2s_burst_size", 16), ("c_s2mm_burst_size", 16)]}
    ctrl = {"name": "ctrl", "ip": "smartconnect", "comment": "the DMA's registers on the PS master port",
            "config": [("NUM_SI", 1), ("NUM_MI", 1)]}
    mem = {"name": "mem", "ip": "smartconnect", "comment": f"both DMA channels to the {width}-bit HP port",
           "config": [("NUM_SI", 2), ("NUM_MI", 1)]}
    reset = {"name": "reset", "ip": "proc_sys_reset", "comment": "resets synchronous to the PL clock", "config": []}
    converters = [c for c in (to_accel, from_accel) if c is not None]
    intf_nets = [(f"ps/{ps.master}", "ctrl/S00_AXI"), ("ctrl/M00_AXI", f"{DMA}/S_AXI_LITE"),
                 (f"{DMA}/M_AXI_MM2S", "mem/S00_AXI"), (f"{DMA}/M_AXI_S2MM", "mem/S01_AXI"),
                 ("mem/M00_AXI", f"ps/{ps.slave}"),
                 *_stream_path(f"{DMA}/M_AXIS_MM2S", f"{ACCEL}/s_axis", to_accel),
                 *_stream_path(f"{ACCEL}/m_axis", f"{DMA}/S_AXIS_S2MM", from_accel)]
    clocked = [*(f"ps/{pin}" for pin in ps.port_clocks), "reset/slowest_sync_clk", "ctrl/aclk", "mem/aclk",
               f"{DMA}/s_axi_lite_aclk", f"{DMA}/m_axi_mm2s_aclk", f"{DMA}/m_axi_s2mm_aclk", f"{ACCEL}/ap_clk",
               *(f"{c['name']}/aclk" for c in converters)]
    nets = [(f"ps/{ps.clock}", clocked), (f"ps/{ps.resetn}", ["reset/ext_reset_in"]),
            ("reset/interconnect_aresetn", ["ctrl/aresetn", "mem/aresetn"]),
            ("reset/peripheral_aresetn", [f"{DMA}/axi_resetn", f"{ACCEL}/ap_rst_n",
                                          *(f"{c['name']}/aresetn" for c in converters)])]
    return {"name": BD_NAME, "ps": {"ip": ps.ip, "rule": ps.rule, "automation": automation_config(ps, board),
                                    "unlock": list(ps.clock_unlock), "config": ps_config(ps, board)},
            "cells": [dma, *converters, ctrl, mem, reset], "accel": ACCEL, "intf_nets": intf_nets, "nets": nets,
            "mm2s_bits": mm2s_bits, "s2mm_bits": s2mm_bits}
