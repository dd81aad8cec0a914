"""The IP the generated block designs instantiate, as Vivado's catalogue names them: per IP its
interface pins, its plain pins and the CONFIG parameters the scripts may set, with the source that
settles each entry (the product guide, and the scripts FINN and PYNQ ship and run):

- PG082: Zynq-7000 SoC Processing System v5.5 Product Guide, "Port Descriptions" and "Customizing";
- PG201: Zynq UltraScale+ MPSoC Processing System v3.x Product Guide, "Port Descriptions";
- PG021: AXI DMA v7.1 Product Guide, "Port Descriptions" and "Vivado Design Suite: Parameters";
- PG247: SmartConnect v1.0 Product Guide; PG164: Processor System Reset v5.0 Product Guide;
- PG085: AXI4-Stream Infrastructure IP Suite (axis_dwidth_converter) Product Guide;
- PYNQ: Xilinx/PYNQ boards/Pynq-Z2/base/base.tcl (processing_system7, axi_dma, proc_sys_reset,
  axis_dwidth_converter) and boards/ZCU104/base/base.tcl (zynq_ultra_ps_e);
- FINN: Xilinx/finn src/finn/transformation/fpgadataflow/templates.py (the Zynq shells:
  zynq_ultra_ps_e, processing_system7, smartconnect, PSU__OVERRIDE__BASIC_CLOCK).

The accelerator's own IP has the ports of axgen's RTL top (rtl/axgen_top.v's X_INTERFACE_INFO)
and of the Vitis HLS top (`#pragma HLS interface axis` ports keep their C names; ap_ctrl_none).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Ip:
    interfaces: frozenset[str]
    pins: frozenset[str]
    config: frozenset[str]
    source: str


def _ip(interfaces: str, pins: str, config: str, source: str) -> Ip:
    return Ip(frozenset(interfaces.split()), frozenset(pins.split()), frozenset(config.split()), source)


# By the catalogue name: vendor:library:name (any version)
IPS = {
    "xilinx.com:ip:processing_system7": _ip(
        "M_AXI_GP0 M_AXI_GP1 S_AXI_HP0 S_AXI_HP1 S_AXI_HP2 S_AXI_HP3 FIXED_IO DDR",
        "FCLK_CLK0 FCLK_CLK1 FCLK_RESET0_N M_AXI_GP0_ACLK M_AXI_GP1_ACLK S_AXI_HP0_ACLK S_AXI_HP1_ACLK",
        "PCW_USE_M_AXI_GP0 PCW_USE_M_AXI_GP1 PCW_USE_S_AXI_HP0 PCW_S_AXI_HP0_DATA_WIDTH PCW_EN_CLK0_PORT "
        "PCW_EN_RST0_PORT PCW_FPGA0_PERIPHERAL_FREQMHZ",
        "PG082; PYNQ boards/Pynq-Z2/base/base.tcl; FINN templates.py"),
    "xilinx.com:ip:zynq_ultra_ps_e": _ip(
        "M_AXI_HPM0_FPD M_AXI_HPM1_FPD M_AXI_HPM0_LPD S_AXI_HP0_FPD S_AXI_HP1_FPD S_AXI_HPC0_FPD",
        "pl_clk0 pl_clk1 pl_resetn0 maxihpm0_fpd_aclk maxihpm1_fpd_aclk maxihpm0_lpd_aclk saxihp0_fpd_aclk "
        "saxihpc0_fpd_aclk",
        "PSU__USE__M_AXI_GP0 PSU__USE__M_AXI_GP1 PSU__USE__M_AXI_GP2 PSU__USE__S_AXI_GP2 PSU__SAXIGP2__DATA_WIDTH "
        "PSU__FPGA_PL0_ENABLE PSU__OVERRIDE__BASIC_CLOCK PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ",
        "PG201; PYNQ boards/ZCU104/base/base.tcl; FINN templates.py"),
    "xilinx.com:ip:axi_dma": _ip(
        "S_AXI_LITE M_AXI_MM2S M_AXI_S2MM M_AXI_SG M_AXIS_MM2S S_AXIS_S2MM",
        "s_axi_lite_aclk m_axi_mm2s_aclk m_axi_s2mm_aclk m_axi_sg_aclk axi_resetn mm2s_introut s2mm_introut",
        "c_include_sg c_sg_length_width c_addr_width c_include_mm2s c_include_s2mm c_m_axi_mm2s_data_width "
        "c_m_axis_mm2s_tdata_width c_m_axi_s2mm_data_width c_s_axis_s2mm_tdata_width c_mm2s_burst_size "
        "c_s2mm_burst_size c_include_mm2s_dre c_include_s2mm_dre",
        "PG021; PYNQ boards/Pynq-Z2/base/base.tcl"),
    "xilinx.com:ip:smartconnect": _ip(
        "S00_AXI S01_AXI S02_AXI M00_AXI M01_AXI",
        "aclk aclk1 aresetn",
        "NUM_SI NUM_MI NUM_CLKS",
        "PG247; FINN templates.py"),
    "xilinx.com:ip:proc_sys_reset": _ip(
        "",
        "slowest_sync_clk ext_reset_in aux_reset_in mb_debug_sys_rst dcm_locked mb_reset bus_struct_reset "
        "peripheral_reset interconnect_aresetn peripheral_aresetn",
        "C_EXT_RESET_HIGH C_AUX_RESET_HIGH",
        "PG164; PYNQ boards/Pynq-Z2/base/base.tcl"),
    "xilinx.com:ip:axis_dwidth_converter": _ip(
        "S_AXIS M_AXIS",
        "aclk aresetn",
        "S_TDATA_NUM_BYTES M_TDATA_NUM_BYTES HAS_TLAST HAS_TKEEP HAS_TSTRB",
        "PG085; PYNQ boards/Pynq-Z2/base/base.tcl"),
    # the accelerator: axgen's packaged RTL and the Vitis HLS export of hls/axgen_top.cpp
    "axgen:axgen:axgen_top": _ip("s_axis m_axis", "ap_clk ap_rst_n", "", "rtl/axgen_top.v (X_INTERFACE_INFO)"),
    "xilinx.com:hls:axgen_top": _ip("s_axis m_axis", "ap_clk ap_rst_n", "",
                                    "hls/axgen_top.cpp (UG1399: axis ports keep their C names, ap_ctrl_none)"),
}

# apply_bd_automation rules (UG994, "Designer Assistance"; PYNQ and FINN use both)
RULES = {"xilinx.com:bd_rule:processing_system7": "xilinx.com:ip:processing_system7",
         "xilinx.com:bd_rule:zynq_ultra_ps_e": "xilinx.com:ip:zynq_ultra_ps_e"}


def catalogue_name(vlnv: str) -> str:
    """vendor:library:name of a VLNV or a get_ipdefs pattern (its version, or '*', dropped)."""
    return ":".join(vlnv.split(":")[:3])


# Properties the scripts set on Vivado objects, by the command whose result the object is (UG835's
# "Vivado Design Suite Properties Reference" UG912 lists them; the IP-XACT ones are UG1118's IP
# packager properties, and FINN's create_stitched_ip.py and templates.py set the same).
PROPERTIES = {
    "current_project": {"board_part", "ip_repo_paths", "target_language", "BOARD_PART_REPO_PATHS"},  # UG912 project
    "current_fileset": {"top"},  # UG912 fileset
    "ipx::current_core": {"version", "display_name", "description", "ipi_drc", "sdx_kernel", "sdx_kernel_type",
                          "vitis_drc", "core_revision", "supported_families"},  # UG1118, FINN create_stitched_ip.py
    "ipx::add_bus_parameter": {"value", "value_resolve_type"},  # UG1118 bus parameters
    "ipx::get_bus_parameters": {"value", "value_resolve_type"},
    "ipx::add_file": {"type", "used_in"},  # UG1118 file types (verilogSource, mif, ...)
    "ipx::get_files": {"type", "used_in"},
}
