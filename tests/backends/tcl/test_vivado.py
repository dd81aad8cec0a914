"""Vivado files of a built project for every board, checked without Vivado: each Tcl script runs in
a real Tcl interpreter whose vendor commands are recording stand-ins (tests/support/fake_vivado.py);
the Zynq block designs, IP packaging, out-of-context synthesis, FuseSoC core and README. The Alveo
flow is in test_vivado_alveo.py."""

import json
import os
import shutil
import stat
from pathlib import Path

import pytest
import yaml

from fake_vivado import FakeVivado, TclFailure
from vivado_syntax import VITIS_HLS
from generator import boards
from generator.backends.tcl import vivado, zynq
from generator.backends.tcl.vitis_hls import clock_period_ns
from generator.errors import AxgenError
from generator.hw import shell

# ECP5 boards carry the open flow instead (tests/flows/test_synth_nextpnr.py)
BOARDS = [name for name in boards.available() if boards.load(name).family != boards.ECP5]
ZYNQ = [name for name in BOARDS if boards.load(name).shell == "zynq"]
COMMON = ["tcl/package_ip.tcl", "tcl/synth_ooc.tcl", "tcl/synth_ooc.xdc", "axgen_top.core", "tcl/README.txt"]
SHELL_FILES = {"zynq": ["tcl/block_design.tcl", "tcl/block_design_hls.tcl"],
               "alveo": ["tcl/package_xo.tcl", "tcl/alveo_link.cfg", "tcl/alveo_build.sh", "kernels/axgen_mm2s.cpp",
                         "kernels/axgen_s2mm.cpp"]}


MEM_GROUPS = ("xilinx_anylanguagesynthesis", "xilinx_anylanguagebehavioralsimulation")


def run_script(root: Path, script: str, **options) -> FakeVivado:
    fake = FakeVivado(root, **options)
    fake.source(script)
    assert fake.missing == [] and fake.unwritable == [], (fake.missing, fake.unwritable)
    return fake


def rtl_paths(data: dict, suffix: str) -> list[str]:
    return sorted(f"rtl/{name}" for name in data["rtl"]["files"] if name.endswith(suffix))


def tcl_dict(fake: FakeVivado, text: str) -> dict:
    words = fake.tcl.splitlist(text)
    return dict(zip(words[::2], words[1::2]))


def ip_file_types(fake: FakeVivado) -> dict[tuple[str, str], str]:
    """(file group, file) -> the type the packaging gives each file it adds to the packaged IP's file groups."""
    types = {}
    for args in fake.calls_of("set_property"):
        origin = fake.origin(args[-1]) if args[0] == "type" else None
        if origin and origin[0] == "ipx::add_file":
            path, group = origin[1]
            types[(fake.origin(group)[1][0], path)] = args[1]
    return types


def untyped_mem_files(fake: FakeVivado, data: dict) -> list[tuple[str, str]]:
    """Memory files the packaged IP's synthesis and simulation file groups lack as type mif (the
    IP-XACT name of {Memory Initialization Files}, which Vivado's synthesis reads $readmemh from)."""
    types = ip_file_types(fake)
    wanted = [(group, f"{vivado.IP_SOURCES}/{Path(mem).name}") for group in MEM_GROUPS for mem in rtl_paths(data, ".mem")]
    return [key for key in wanted if types.get(key) != "mif"]


def cell_config(fake: FakeVivado, cell: str) -> dict:
    """Every CONFIG.* the script set on a block-design cell."""
    values = {}
    for args in fake.calls_of("set_property"):
        if args[0] == "-dict" and args[-1] == cell:
            values.update({k.removeprefix("CONFIG."): v for k, v in tcl_dict(fake, args[1]).items()})
    return values


@pytest.mark.parametrize("board", BOARDS)
def test_build_writes_the_scripts_of_its_shell(project, board):
    root, data = project(board)
    target = boards.load(board)
    vendor_files = COMMON + SHELL_FILES[target.shell]
    assert set(vendor_files) <= set(data["tcl"])
    assert data["tcl"][:len(data["hls"]["layers"]) + 2][-1] == "tcl/hls_README.txt"  # the HLS scripts first
    other_shell = SHELL_FILES["alveo" if target.shell == "zynq" else "zynq"]
    assert not any((root / f).exists() for f in other_shell)
    for rel in data["tcl"]:
        text = (root / rel).read_text()
        assert str(root.parent) not in text, rel  # nothing absolute: the project can move
    if target.shell == "alveo":
        assert os.stat(root / "tcl/alveo_build.sh").st_mode & stat.S_IXUSR


@pytest.mark.parametrize("board", BOARDS)
def test_scripts_are_deterministic(project, board):
    (a, data_a), (b, data_b) = project(board), project(board, again=True)
    assert data_a["tcl"] == data_b["tcl"]
    assert {f: (a / f).read_bytes() for f in data_a["tcl"]} == {f: (b / f).read_bytes() for f in data_b["tcl"]}


@pytest.mark.parametrize("board", BOARDS)
def test_package_ip(project, board):
    root, data = project(board)
    target = boards.load(board)
    fake = run_script(root, "tcl/package_ip.tcl")
    assert fake.projects == [("axgen_ip", "build/ip_project")]
    assert fake.calls_of("create_project")[0][-2:] == ("-part", target.part)
    added = sorted(p for args in fake.calls_of("add_files") for p in fake.tcl.splitlist(args[-1]))
    assert added == sorted(rtl_paths(data, ".v") + rtl_paths(data, ".mem"))
    assert any("Memory Initialization Files" in args for args in fake.calls_of("set_property"))
    package = fake.calls_of("ipx::package_project")[0]
    assert package[package.index("-root_dir") + 1] == "build/ip" and "-import_files" in package
    assert "-force" in package  # a rerun packages over build/ip
    assert rtl_paths(data, ".mem") and untyped_mem_files(fake, data) == []
    assert ("top", "axgen_top") in [a[:2] for a in fake.calls_of("set_property")]
    assert ("xilinx.com:interface:axis_rtl:1.0",) == fake.calls_of("ipx::infer_bus_interfaces")[0][:1]
    top = (root / "rtl/axgen_top.v").read_text()  # the names the RTL's X_INTERFACE_INFO gives
    for interface in ("axis:1.0 s_axis", "axis:1.0 m_axis", "clock:1.0 ap_clk", "reset:1.0 ap_rst_n"):
        assert f"xilinx.com:{'interface' if 'axis' in interface else 'signal'}:{interface} " in top
    associated = fake.calls_of("ipx::associate_bus_interfaces")
    for busif in ("s_axis", "m_axis"):
        assert ("-busif", busif, "-clock", "ap_clk") == associated[["s_axis", "m_axis"].index(busif)][:4]
    assert ("-clock", "ap_clk", "-reset", "ap_rst_n") == associated[2][:4]
    values = {}
    for args in fake.calls_of("set_property"):
        if args[0] == "value":  # set_property value V [ipx::add_bus_parameter NAME [ipx::get_bus_interfaces BUSIF ...]]
            added, (name, interface) = fake.origin(args[2])
            assert added == "ipx::add_bus_parameter"
            values[name] = (args[1], fake.origin(interface)[1][0])
    assert values == {"FREQ_HZ": (str(round(target.clock_mhz * 1e6)), "ap_clk"), "POLARITY": ("ACTIVE_LOW", "ap_rst_n")}
    kernel = [args for args in fake.calls_of("set_property") if args[0] in ("sdx_kernel", "sdx_kernel_type", "vitis_drc")]
    assert len(kernel) == (3 if target.shell == "alveo" else 0)
    assert fake.calls_of("ipx::save_core") and fake.calls[-1][0] == "close_project"


@pytest.mark.parametrize("board", BOARDS)
def test_synth_ooc(project, board):
    root, data = project(board)
    target = boards.load(board)
    fake = run_script(root, "tcl/synth_ooc.tcl")
    assert [fake.tcl.splitlist(a[-1]) for a in fake.calls_of("read_verilog")] == [tuple(rtl_paths(data, ".v"))]
    assert [fake.tcl.splitlist(a[-1]) for a in fake.calls_of("read_mem")] == [tuple(rtl_paths(data, ".mem"))]
    assert fake.calls_of("read_xdc") == [("-mode", "out_of_context", "tcl/synth_ooc.xdc")]
    clock = fake.calls_of("create_clock")
    assert clock == [("-period", clock_period_ns(target.clock_mhz), "-name", "ap_clk", "ap_clk")]
    assert fake.calls_of("get_ports") == [("ap_clk",)]
    assert fake.calls_of("synth_design") == [("-mode", "out_of_context", "-top", "axgen_top", "-part", target.part)]
    # The paths `axgen synth --tool vivado` reads, exactly.
    assert fake.calls_of("report_utilization") == [("-hierarchical", "-file", "build/vivado_ooc/utilization_hier.rpt"),
                                                   ("-file", "build/vivado_ooc/utilization.rpt")]
    assert fake.calls_of("report_timing_summary") == [("-file", "build/vivado_ooc/timing.rpt")]
    names = [name for name, _ in fake.calls]
    assert names.index("synth_design") < names.index("report_utilization")


def stream_path(fake: FakeVivado, start: str, cells: dict) -> list[str]:
    """Follow interface connections from `start`, through width converters, to the end."""
    links = {}
    for a, b in fake.calls_of("connect_bd_intf_net"):
        links[a], links[b] = b, a
    path, pin = [start], start
    while pin in links:
        pin = links[pin]
        path.append(pin)
        cell = pin.split("/")[0]
        if cells.get(cell, "").startswith("xilinx.com:ip:axis_dwidth_converter") and pin.endswith("/S_AXIS"):
            pin = f"{cell}/M_AXIS"
            path.append(pin)
        elif pin in path[:-1] or not pin.endswith(("/S_AXIS", "/M_AXIS")):
            break
    return path


def check_block_design(fake: FakeVivado, target, accel_vlnv: str, repo: str, outputs: dict, data: dict) -> None:
    assert fake.calls_of("create_project")[-1][-2:] == ("-part", target.part)
    assert [a[1] for a in fake.calls_of("set_property") if a[0] == "board_part"] == [target.board_part]
    repo_paths = [a[1] for a in fake.calls_of("set_property") if a[0] == "ip_repo_paths"]
    assert repo_paths == [str(fake.root / repo)]
    cells = {args[-1]: args[args.index("-vlnv") + 1] for args in fake.calls_of("create_bd_cell")}
    ps_ip = "processing_system7" if target.family == "zynq7" else "zynq_ultra_ps_e"
    assert cells["ps"] == f"xilinx.com:ip:{ps_ip}:*" and cells["axgen"] == accel_vlnv
    assert cells["dma"] == "xilinx.com:ip:axi_dma:*" and shell.ZYNQ_DMA == "dma"
    rule, config_text = fake.calls_of("apply_bd_automation")[0][1], fake.calls_of("apply_bd_automation")[0][3]
    assert rule.endswith(ps_ip) and 'apply_board_preset "1"' in config_text
    ps = cell_config(fake, "ps")
    clock_key = "PCW_FPGA0_PERIPHERAL_FREQMHZ" if target.family == "zynq7" else "PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ"
    width_key = "PCW_S_AXI_HP0_DATA_WIDTH" if target.family == "zynq7" else "PSU__SAXIGP2__DATA_WIDTH"
    assert float(ps[clock_key]) == target.clock_mhz and int(ps[width_key]) == target.dma_width
    dma = cell_config(fake, "dma")
    assert dma["c_include_sg"] == "0" and int(dma["c_sg_length_width"]) == shell.BUFFER_LENGTH_BITS
    assert int(dma["c_m_axi_mm2s_data_width"]) == int(dma["c_m_axi_s2mm_data_width"]) == target.dma_width
    # The data path: DMA MM2S -> (width converter) -> s_axis, m_axis -> (width converter) -> DMA S2MM.
    to_accel = stream_path(fake, "dma/M_AXIS_MM2S", cells)
    from_accel = stream_path(fake, "axgen/m_axis", cells)
    assert to_accel[-1] == "axgen/s_axis" and from_accel[-1] == "dma/S_AXIS_S2MM", (to_accel, from_accel)
    in_bytes, out_bytes = data["rtl"]["in_tdata_bits"] // 8, data["rtl"]["out_tdata_bits"] // 8
    if len(to_accel) > 2:
        assert int(cell_config(fake, to_accel[1].split("/")[0])["M_TDATA_NUM_BYTES"]) == in_bytes
    else:
        assert int(dma["c_m_axis_mm2s_tdata_width"]) == 8 * in_bytes
    if len(from_accel) > 2:
        assert int(cell_config(fake, from_accel[1].split("/")[0])["M_TDATA_NUM_BYTES"]) == target.dma_width // 8
    else:
        assert int(dma["c_s_axis_s2mm_tdata_width"]) == 8 * out_bytes
    hp = "ps/S_AXI_HP0" if target.family == "zynq7" else "ps/S_AXI_HP0_FPD"
    gp = "ps/M_AXI_GP0" if target.family == "zynq7" else "ps/M_AXI_HPM0_FPD"
    intf = fake.calls_of("connect_bd_intf_net")
    assert {("dma/M_AXI_MM2S", "mem/S00_AXI"), ("dma/M_AXI_S2MM", "mem/S01_AXI"), ("mem/M00_AXI", hp),
            (gp, "ctrl/S00_AXI"), ("ctrl/M00_AXI", "dma/S_AXI_LITE")} <= set(intf)
    # Every pin belongs to a cell the script created; every cell is clocked by the PS clock.
    nets = {args[0]: args[1:] for args in fake.calls_of("connect_bd_net")}
    pins = [p for pair in intf for p in pair] + [p for src, sinks in nets.items() for p in (src, *sinks)]
    assert {p.split("/")[0] for p in pins} <= set(cells)
    clock = "ps/FCLK_CLK0" if target.family == "zynq7" else "ps/pl_clk0"
    assert {c for c in cells if c != "ps"} <= {p.split("/")[0] for p in nets[clock]}
    assert "axgen/ap_clk" in nets[clock] and "axgen/ap_rst_n" in nets["reset/peripheral_aresetn"]
    names = [name for name, _ in fake.calls]
    order = [names.index(n) for n in ("assign_bd_address", "validate_bd_design", "make_wrapper", "launch_runs",
                                      "wait_on_run", "open_run", "write_bitstream")]
    assert order == sorted(order)
    bit, hwh = Path(outputs["bit"]), Path(outputs["hwh"])
    assert bit.parent == hwh.parent and bit.stem == hwh.stem and bit.name == shell.BITFILES["zynq"]
    assert (fake.root / bit).is_file() and (fake.root / hwh).read_text() == "<hwh/>\n"
    assert fake.calls_of("report_utilization")[0][:2] == ("-hierarchical", "-hierarchical_depth")
    reports = [a[-1] for a in fake.calls_of("report_utilization") + fake.calls_of("report_timing_summary")]
    assert reports == [outputs["reports"][k] for k in ("utilization_hier", "utilization", "timing")]


@pytest.mark.parametrize("board", ZYNQ)
def test_zynq_block_design_from_the_rtl(project, board):
    root, data = project(board)
    fake = run_script(root, "tcl/block_design.tcl")
    assert fake.calls_of("source")[:2] == [("tcl/block_design.tcl",), ("tcl/package_ip.tcl",)]  # no IP yet: packaged
    outputs = vivado.overlay("rtl")
    assert outputs["reports"]["utilization_hier"] == "build/vivado/utilization_hier.rpt"
    check_block_design(fake, boards.load(board), "axgen:axgen:axgen_top:*", "build/ip", outputs, data)


@pytest.mark.parametrize("board", ZYNQ)
def test_zynq_block_design_from_the_hls_ip(project, board):
    root, data = project(board)
    assert "export_design -format ip_catalog" in (root / "tcl/hls_axgen_top.tcl").read_text().splitlines()
    repo = "build/vitis_hls/axgen_top/solution1/impl/ip"
    shutil.rmtree(root / repo, ignore_errors=True)
    with pytest.raises(TclFailure, match="vitis_hls -f tcl/hls_axgen_top.tcl"):
        FakeVivado(root).source("tcl/block_design_hls.tcl")
    (root / repo).mkdir(parents=True)
    (root / repo / "component.xml").write_text("<component/>\n")  # what Vitis HLS's export leaves
    fake = run_script(root, "tcl/block_design_hls.tcl")
    assert fake.calls_of("source") == [("tcl/block_design_hls.tcl",)]
    check_block_design(fake, boards.load(board), "xilinx.com:hls:axgen_top:*", repo, vivado.overlay("hls"), data)


def test_zynq_width_converters_only_where_needed():
    board = boards.load("pynq-z2").to_dict()
    design = zynq.block_design(board, 64, 32)  # both widths the DMA streams take: no converter
    assert [c["name"] for c in design["cells"]] == ["dma", "ctrl", "mem", "reset"]
    assert (design["mm2s_bits"], design["s2mm_bits"]) == (64, 32)
    design = zynq.block_design(board, 24, 128)  # 24 is no DMA width, 128 is wider than the DMA
    assert [c["name"] for c in design["cells"]] == ["dma", "to_accel", "from_accel", "ctrl", "mem", "reset"]
    assert (design["mm2s_bits"], design["s2mm_bits"]) == (64, 64)
    converters = {c["name"]: dict(c["config"]) for c in design["cells"] if c["ip"] == "axis_dwidth_converter"}
    assert converters == {"to_accel": {"S_TDATA_NUM_BYTES": 8, "M_TDATA_NUM_BYTES": 3},  # both sides set
                          "from_accel": {"S_TDATA_NUM_BYTES": 16, "M_TDATA_NUM_BYTES": 8}}
    with pytest.raises(AxgenError, match="dma_width 128 does not fit the zynq7 HP port; expected one of 32, 64"):
        zynq.block_design({**board, "dma_width": 128}, 64, 64)


@pytest.mark.parametrize("board", ["pynq-z2", "u50"])
def test_fusesoc_core_lists_every_rtl_file(project, board):
    root, data = project(board)
    core_text = (root / "axgen_top.core").read_text()
    assert core_text.startswith("CAPI=2:\n")
    core = yaml.safe_load(core_text)
    assert core["name"] == "axgen:project:mixed:1.0.0"
    files = core["filesets"]["rtl"]["files"]
    plain = [f for f in files if isinstance(f, str)]
    mems = {k: v for f in files if isinstance(f, dict) for k, v in f.items()}
    assert plain == rtl_paths(data, ".v") and sorted(mems) == rtl_paths(data, ".mem")
    assert all(v == {"file_type": "user", "copyto": Path(k).name} for k, v in mems.items())
    assert all((root / f).is_file() for f in [*plain, *mems])
    assert core["targets"]["default"] == {"filesets": ["rtl"], "toplevel": "axgen_top"}
    assert core["targets"]["synth"]["tools"]["vivado"]["part"] == boards.load(board).part


@pytest.mark.parametrize("board", ["pynq-z2", "u50"])
def test_readme_says_what_to_run(project, board):
    root, data = project(board)
    readme = (root / "tcl/README.txt").read_text()
    target = boards.load(board)
    for rel in COMMON[:2] + SHELL_FILES[target.shell][:1] + ["tcl/hls_README.txt"]:
        assert rel in readme, rel
    if target.shell == "zynq":
        assert readme.index("tcl/hls_axgen_top.tcl") < readme.index("tcl/block_design_hls.tcl")
        assert "build/overlay/axgen.bit" in readme and "build/overlay/axgen.hwh" in readme
    else:
        for kernel in (shell.MM2S_KERNEL, shell.S2MM_KERNEL):
            assert f"kernel {kernel}({', '.join(shell.KERNEL_ARGS[kernel])}," in readme


def test_a_missing_file_or_folder_is_caught(project, tmp_path):
    """The checks above can fail: a script naming a file the project lacks, or writing into a
    folder nobody made, is reported."""
    source, data = project("pynq-z2")
    root = tmp_path / "p"
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("build"))
    gone = rtl_paths(data, ".v")[0]
    (root / gone).unlink()
    fake = FakeVivado(root)
    fake.source("tcl/synth_ooc.tcl")
    assert fake.missing == [("read_verilog", gone)] and fake.unwritable == []
    script = root / "tcl/synth_ooc.tcl"
    script.write_text(script.read_text().replace("file mkdir build/vivado_ooc\n", ""))
    shutil.rmtree(root / "build")
    fake = FakeVivado(root)
    fake.source("tcl/synth_ooc.tcl")
    assert [path for _, path in fake.unwritable] == list(vivado.OOC_REPORTS.values()) + ["build/vivado_ooc/axgen_top.dcp"]
    with pytest.raises(TclFailure, match="couldn't read file"):
        FakeVivado(root).source("tcl/no_such_script.tcl")


def test_unusable_project_data_is_refused(project):
    _, data = project("pynq-z2")
    broken = json.loads(json.dumps(data))
    broken["rtl"]["files"].append("my mul.v")
    with pytest.raises(AxgenError, match="RTL file 'my mul.v' is not a plain .v, .sv or .mem file name"):
        vivado.vivado_files(broken)
    broken = json.loads(json.dumps(data))
    broken["board"] = {**broken["board"], "dma_width": 256, "family": "zynquplus"}
    with pytest.raises(AxgenError, match="dma_width 256 does not fit the zynquplus HP port"):
        vivado.vivado_files(broken)


def broken_copy(source: Path, tmp_path: Path, script: str, old: str, new: str) -> Path:
    """The project copied, with `old` in `script` replaced by `new` (which must occur)."""
    root = tmp_path / "broken"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("build"))
    path = root / script
    text = path.read_text()
    assert old in text, (script, old)
    path.write_text(text.replace(old, new))
    return root


def test_the_stand_ins_refuse_what_vivado_refuses(project, tmp_path):
    """Each check can fail: a misspelled option, a pin or parameter the IP lacks, a memory file
    without its file type in the packaged IP."""
    source, data = project("pynq-z2")
    root = broken_copy(source, tmp_path, "tcl/package_ip.tcl", "-import_files", "-import_file")
    with pytest.raises(TclFailure, match=r"ipx::package_project: unknown option -import_file \(UG835 \(2023.2\)"):
        FakeVivado(root).source("tcl/package_ip.tcl")
    root = broken_copy(source, tmp_path, "tcl/synth_ooc.tcl", "-mode out_of_context -top", "-mode out_of_context -top_")
    with pytest.raises(TclFailure, match="synth_design: unknown option -top_"):
        FakeVivado(root).source("tcl/synth_ooc.tcl")
    root = broken_copy(source, tmp_path, "tcl/block_design.tcl", "[get_bd_intf_pins dma/S_AXIS_S2MM]",
                       "[get_bd_intf_pins dma/S_AXIS_S2M]")
    with pytest.raises(TclFailure, match=r"get_bd_intf_pins: xilinx.com:ip:axi_dma has no interface S_AXIS_S2M \(PG021"):
        FakeVivado(root).source("tcl/block_design.tcl")
    root = broken_copy(source, tmp_path, "tcl/block_design.tcl", "[get_bd_pins ps/FCLK_CLK0]", "[get_bd_pins ps/FCLK_CLK]")
    with pytest.raises(TclFailure, match="processing_system7 has no pin FCLK_CLK "):
        FakeVivado(root).source("tcl/block_design.tcl")
    root = broken_copy(source, tmp_path, "tcl/block_design.tcl", "CONFIG.c_include_sg ", "CONFIG.c_include_sgs ")
    with pytest.raises(TclFailure, match="axi_dma has no parameter CONFIG.c_include_sgs"):
        FakeVivado(root).source("tcl/block_design.tcl")
    root = broken_copy(source, tmp_path, "tcl/package_ip.tcl", "set_property ipi_drc ", "set_property ipi_drcs ")
    with pytest.raises(TclFailure, match="ipx::current_core objects have no property ipi_drcs"):
        FakeVivado(root).source("tcl/package_ip.tcl")
    root = broken_copy(source, tmp_path, "tcl/package_ip.tcl", "        set_property type mif $file\n", "")
    fake = run_script(root, "tcl/package_ip.tcl")
    assert len(untyped_mem_files(fake, data)) == 2 * len(rtl_paths(data, ".mem"))  # what test_package_ip rejects


@pytest.mark.parametrize("board", ["pynq-z2", "kv260"])
def test_the_board_part_is_whatever_version_vivado_has(project, board):
    root, _ = project(board)
    target = boards.load(board)
    stem = target.board_part.rsplit(":", 1)[0]
    newer = [f"{stem}:1.2", f"{stem}:9.0", f"{stem}:1.10", "other.com:board:part0:1.0"]
    fake = run_script(root, "tcl/block_design.tcl", board_parts=newer)
    assert [a[1] for a in fake.calls_of("set_property") if a[0] == "board_part"] == [f"{stem}:9.0"]
    assert fake.calls_of("get_board_parts") == [("-latest_file_version", f"{stem}:*")]
    assert not fake.calls_of("set_param")  # no AXGEN_BOARD_REPO: Vivado's own board files only


def test_missing_board_files_stop_with_where_to_get_them(project, tmp_path, monkeypatch):
    source, _ = project("pynq-z2")
    with pytest.raises(TclFailure, match=r"Vivado has no board files for pynq-z2 \(board part tul.com.tw:pynq-z2:part0:\*\)"
                                         r"\. Get them from TUL's pynq-z2.zip \(https://.*pynq-z2.zip.*AXGEN_BOARD_REPO"):
        FakeVivado(source, board_parts=[]).source("tcl/block_design.tcl")
    monkeypatch.setenv(zynq.BOARD_REPO_ENV, "/opt/boards:vendor/board_files")
    fake = run_script(source, "tcl/block_design.tcl", params={"board.repoPaths": "/xilinx/boards"})
    repos = ["/xilinx/boards", "/opt/boards", str(fake.root / "vendor/board_files")]
    assert fake.tcl.splitlist(fake.params["board.repoPaths"]) == tuple(repos)
    projects = [a for a in fake.calls_of("set_property") if a[0] == "BOARD_PART_REPO_PATHS"]
    assert [fake.tcl.splitlist(a[1]) for a in projects] == [tuple(repos)]
    names = [name for name, _ in fake.calls]
    assert names.index("set_param") < names.index("get_board_parts")
    text = (source / "tcl/block_design.tcl").read_text()
    assert "(checked with tul.com.tw:pynq-z2:part0:1.0;" in text
    readme = (source / "tcl/README.txt").read_text()
    assert "pynq-z2.zip" in readme and "AXGEN_BOARD_REPO" in readme and "vitis-run --mode hls --tcl" in readme


def test_ultrascale_pl_clock_is_unlocked_before_it_is_set(project):
    for board, unlocked in (("kv260", True), ("pynq-z2", False)):
        root, _ = project(board)
        fake = run_script(root, "tcl/block_design.tcl")
        ps = [tcl_dict(fake, a[1]) for a in fake.calls_of("set_property") if a[0] == "-dict" and a[-1] == "ps"]
        keys = [k for d in ps for k in d]
        assert ("CONFIG.PSU__OVERRIDE__BASIC_CLOCK" in keys) == unlocked
        if unlocked:  # its own set_property, before the one with the frequency (as FINN's templates.py)
            assert ps[0] == {"CONFIG.PSU__OVERRIDE__BASIC_CLOCK": "0"}
            assert "CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ" in ps[1]


@pytest.mark.parametrize("board", ["pynq-z2", "u50"])
def test_vitis_hls_scripts_follow_the_documented_syntax(project, board):
    """Every tcl/hls_*.tcl against Vitis HLS' commands (UG1399), as vitis_hls -f (or vitis-run --mode
    hls --tcl) runs it."""
    root, data = project(board)
    scripts = [s for s in data["tcl"] if s.startswith("tcl/hls_") and s.endswith(".tcl")]
    assert len(scripts) == len(data["hls"]["layers"]) + 1
    for script in scripts:
        fake = run_script(root, script, syntax=VITIS_HLS)
        assert [name for name, _ in fake.calls][-3:] == ["csynth_design", "export_design", "exit"]
    broken = (root / scripts[0]).read_text().replace("-flow_target vivado", "-flowtarget vivado")
    (root / "tcl/hls_broken.tcl").write_text(broken)
    with pytest.raises(TclFailure, match=r"open_solution: unknown option -flowtarget \(UG1399"):
        FakeVivado(root, syntax=VITIS_HLS).source("tcl/hls_broken.tcl")

