"""Vivado and Vitis scripts of a built project: IP packaging, out-of-context synthesis, the board's shell, a FuseSoC core."""

from __future__ import annotations

import re
from pathlib import Path

from generator.backends.tcl import alveo, zynq
from generator.backends.tcl.vitis_hls import BUILD_DIR as HLS_BUILD_DIR, SOLUTION, board_part, clock_period_ns, \
    script_name as hls_script
from generator.errors import AxgenError
from generator.hw import shell
from generator.templating import environment

TCL_DIR = "tcl"
IP_DIR = "build/ip"  # the packaged RTL accelerator (component.xml), an IP repository
IP_PROJECT_DIR = "build/ip_project"
HLS_PROCESS_SUFFIX = "_U0"  # Vitis HLS names a dataflow process's instance <function>_U0 (UG1399)
HLS_LAYER_INSTANCE = f"axgen_L<i>_<name>{HLS_PROCESS_SUFFIX}"
IP_SOURCES = "src"  # where ipx::package_project -import_files copies the sources, relative to IP_DIR
IP_VENDOR, IP_LIBRARY, IP_VERSION = "axgen", "axgen", "1.0"
OOC_DIR = "build/vivado_ooc"
OOC_REPORTS = {"utilization_hier": f"{OOC_DIR}/utilization_hier.rpt", "utilization": f"{OOC_DIR}/utilization.rpt",
               "timing": f"{OOC_DIR}/timing.rpt"}  # read by `axgen synth --tool vivado`
OVERLAY_STEM = Path(shell.BITFILES["zynq"]).stem  # <stem>.bit next to <stem>.hwh, as a PYNQ Overlay wants them
RUN_JOBS = 4  # parallel runs of launch_runs
SCRIPTS = {
    "package_ip": f"{TCL_DIR}/package_ip.tcl", "synth_ooc": f"{TCL_DIR}/synth_ooc.tcl",
    "ooc_xdc": f"{TCL_DIR}/synth_ooc.xdc", "block_design": f"{TCL_DIR}/block_design.tcl",
    "block_design_hls": f"{TCL_DIR}/block_design_hls.tcl", "package_xo": f"{TCL_DIR}/package_xo.tcl",
    "alveo_link": f"{TCL_DIR}/alveo_link.cfg", "alveo_build": f"{TCL_DIR}/alveo_build.sh",
    "readme": f"{TCL_DIR}/README.txt",
}
SOURCE_KINDS = {".v": "verilog", ".sv": "systemverilog", ".mem": "mem"}
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.+-]+$")  # a file name with no spaces or Tcl specials
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def rtl_sources(data: dict) -> dict[str, list[str]]:
    """project.json["rtl"]["files"] by kind, as paths relative to DIR: {"verilog", "systemverilog", "mem"}."""
    rtl = data.get("rtl")
    if not isinstance(rtl, dict) or not rtl.get("files"):
        raise AxgenError("the project has no RTL sources (project.json has no \"rtl\" files); rebuild it with `axgen build`")
    sources: dict[str, list[str]] = {kind: [] for kind in SOURCE_KINDS.values()}
    for name in sorted(rtl["files"]):
        kind = SOURCE_KINDS.get(Path(str(name)).suffix)
        if not isinstance(name, str) or not _SAFE_NAME.match(name) or kind is None:
            raise AxgenError(f"project.json: RTL file {name!r} is not a plain .v, .sv or .mem file name; rebuild the project")
        sources[kind].append(f"rtl/{name}")
    return sources


def accelerator_ports(data: dict) -> dict:
    """The top's name and its streams: tdata bits and beats per sample in and out."""
    rtl = data.get("rtl") or {}
    try:
        top = rtl["top"]
        ports = {"top": top, "in_bits": int(rtl["in_tdata_bits"]), "out_bits": int(rtl["out_tdata_bits"]),
                 "packet_samples": int(rtl.get("packet_samples", 1)),
                 "in_beats": int(rtl["in_elems"]) // int(rtl["in_per_beat"]),
                 "out_beats": int(rtl["out_elems"]) // int(rtl["out_per_beat"])}
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        raise AxgenError("project.json: \"rtl\" lacks the top's stream widths; rebuild the project") from None
    if not isinstance(top, str) or not _IDENT.match(top):
        raise AxgenError(f"project.json: RTL top {top!r} is not a Verilog identifier; rebuild the project")
    if ports["in_bits"] % 8 or ports["out_bits"] % 8:
        raise AxgenError("project.json: the top's tdata widths are not whole bytes; rebuild the project")
    for side in ("in", "out"):
        ports[f"{side}_bytes"] = ports[f"{side}_bits"] // 8
        ports[f"{side}_sample_bytes"] = ports[f"{side}_bytes"] * ports[f"{side}_beats"]
    return ports


def clock(data: dict) -> dict:
    part, mhz = board_part(data)
    return {"part": part, "mhz": zynq.mhz_text(mhz), "period": clock_period_ns(mhz), "freq_hz": round(mhz * 1e6)}


def _render(template: str, **values) -> str:
    return environment("tcl").get_template(template).render(**values)


def _common(data: dict) -> dict:
    board = data["board"]
    return {"board": board, "board_part": board.get("board_part"), **clock(data), **accelerator_ports(data),
            "sources": rtl_sources(data), "scripts": SCRIPTS}


def _package_ip(values: dict, kernel: bool) -> str:
    mem_files = [f"{IP_SOURCES}/{Path(path).name}" for path in values["sources"]["mem"]]
    return _render("package_ip.tcl.j2", **values, kernel=kernel, ip_dir=IP_DIR, ip_project_dir=IP_PROJECT_DIR,
                   vendor=IP_VENDOR, library=IP_LIBRARY, version=IP_VERSION, mem_files=mem_files,
                   vlnv=f"{IP_VENDOR}:{IP_LIBRARY}:{values['top']}:{IP_VERSION}")


def _synth_ooc(values: dict) -> dict[str, str]:
    return {SCRIPTS["synth_ooc"]: _render("synth_ooc.tcl.j2", **values, out_dir=OOC_DIR, reports=OOC_REPORTS),
            SCRIPTS["ooc_xdc"]: _render("synth_ooc.xdc.j2", **values)}


def overlay(flavour: str) -> dict:
    """Where a block design (flavour rtl or hls) keeps its project and writes its bitstream and
    handoff (build/overlay[_hls]/) and its reports (build/vivado[_hls]/, the names of OOC_REPORTS)."""
    suffix = "" if flavour == "rtl" else f"_{flavour}"
    out_dir, report_dir = f"build/overlay{suffix}", f"build/vivado{suffix}"
    return {"project_dir": f"build/vivado_bd{suffix}", "project_name": f"axgen_overlay{suffix}", "out_dir": out_dir,
            "bit": f"{out_dir}/{OVERLAY_STEM}.bit", "hwh": f"{out_dir}/{OVERLAY_STEM}.hwh", "report_dir": report_dir,
            "reports": {key: f"{report_dir}/{Path(path).name}" for key, path in OOC_REPORTS.items()}}


def _accelerator_ip(flavour: str, top: str) -> dict:
    """The accelerator's IP in the block design: the packaged RTL, or the Vitis HLS top's export."""
    if flavour == "rtl":
        return {"what": "the stitched RTL", "repo": IP_DIR, "vlnv": f"{IP_VENDOR}:{IP_LIBRARY}:{top}:*",
                "package_script": SCRIPTS["package_ip"], "missing": "", "layers": "u_l<i> is layer i"}
    repo = f"{HLS_BUILD_DIR}/{top}/{SOLUTION}/impl/ip"
    return {"what": "the Vitis HLS top", "repo": repo, "vlnv": f"xilinx.com:hls:{top}:*", "package_script": None,
            "missing": f"no Vitis HLS IP in {repo}: run `vitis_hls -f {hls_script(top)}` "
                       f"(Vitis 2024.2 and later: `vitis-run --mode hls --tcl {hls_script(top)}`) first",
            "layers": f"{HLS_LAYER_INSTANCE} is layer i, the Vitis HLS instance of its dataflow process"}


def _block_design(values: dict, flavour: str) -> str:
    design = zynq.block_design(values["board"], values["in_bits"], values["out_bits"])
    script = SCRIPTS["block_design" if flavour == "rtl" else f"block_design_{flavour}"]
    return _render("block_design.tcl.j2", **values, script=script, bd=design, ip=_accelerator_ip(flavour, values["top"]),
                   jobs=RUN_JOBS, board_files=zynq.board_files(values["board"]), **overlay(flavour))


def _alveo(values: dict) -> dict[str, str]:
    board = values["board"]
    movers = alveo.data_movers(values)
    link = alveo.link_config(board, values["top"], movers)
    kernel = {"xo": f"{alveo.BUILD_DIR}/{values['top']}.xo", "instance": alveo.ACCEL}
    shared = {**values, "movers": movers, "link": link, "kernel": kernel, "build_dir": alveo.BUILD_DIR,
              "xclbin": alveo.XCLBIN, "platform": board["platform"], "ip_dir": IP_DIR}
    files = {m["file"]: _render(m["template"], **shared, mover=m, peer_kernel=other["kernel"])
             for m, other in zip(movers, movers[::-1])}
    files[SCRIPTS["package_xo"]] = _render("package_xo.tcl.j2", **shared)
    files[SCRIPTS["alveo_link"]] = _render("alveo_link.cfg.j2", **shared)
    files[SCRIPTS["alveo_build"]] = _render("alveo_build.sh.j2", **shared)
    return files


def core_name(data: dict) -> str:
    """The FuseSoC core's VLNV: axgen:project:<network name>:1.0.0."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", str(data.get("name") or "")).strip("_-") or "accelerator"
    return f"axgen:project:{name}:1.0.0"


def packet_words(packet_samples: int) -> dict[str, str]:
    """How the READMEs say where TLAST falls (shell.nth, as the driver's contract says it) and what
    one S2MM transfer returns."""
    if packet_samples == 1:
        return {"tlast": "every sample", "s2mm": "each sample as one S2MM packet"}
    return {"tlast": f"every {shell.nth(packet_samples)}sample (a packet; the top's parameter PACKET_SAMPLES)",
            "s2mm": f"the samples in S2MM packets of {packet_samples}"}


def _readme(values: dict, shell_kind: str) -> str:
    board, zynq_shell = values["board"], shell_kind == "zynq"
    return _render("README.txt.j2", **values, shell=shell_kind, ooc_reports=OOC_REPORTS, ip_dir=IP_DIR,
                   ip_vlnv=f"{IP_VENDOR}:{IP_LIBRARY}:{values['top']}:{IP_VERSION}",
                   hls_top_script=hls_script(values["top"]), overlays={f: overlay(f) for f in ("rtl", "hls")},
                   ps_ip=zynq.processing_system(board).ip if zynq_shell else None, bd_name=zynq.BD_NAME,
                   movers=[] if zynq_shell else alveo.data_movers(values), xclbin=alveo.XCLBIN,
                   accel_instance=zynq.ACCEL if zynq_shell else alveo.ACCEL, dma=zynq.DMA,
                   dma_bytes=board["dma_width"] // 8, bitfile=shell.BITFILES[shell_kind],
                   board_files=zynq.board_files(board) if zynq_shell else None,
                   packets=packet_words(values["packet_samples"]))


def vivado_files(data: dict) -> dict[str, str]:
    """Every Vivado / Vitis file of the project, path relative to DIR -> text (in a fixed order)."""
    values = _common(data)
    shell_kind = values["board"].get("shell")
    files = {SCRIPTS["package_ip"]: _package_ip(values, kernel=shell_kind == "alveo"), **_synth_ooc(values)}
    if shell_kind == "zynq":
        files[SCRIPTS["block_design"]] = _block_design(values, "rtl")
        files[SCRIPTS["block_design_hls"]] = _block_design(values, "hls")
    elif shell_kind == "alveo":
        files.update(_alveo(values))
    else:
        raise AxgenError(f"board {values['board'].get('name')}: shell {shell_kind!r} has no Vivado flow; "
                         "expected zynq or alveo")
    files[f"{values['top']}.core"] = _render("fusesoc.core.j2", **values, core=core_name(data),
                                             mem_copies=[(path, Path(path).name) for path in values["sources"]["mem"]])
    files[SCRIPTS["readme"]] = _readme(values, shell_kind)
    return files


def write_vivado_scripts(project_root: Path, data: dict) -> list[str]:
    """Write the Vivado / Vitis files (see vivado_files) into project_root; returns their paths
    relative to it. Everything is rendered before anything is written."""
    project_root = Path(project_root)
    files = vivado_files(data)
    for rel, text in files.items():
        path = project_root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        if rel.endswith(".sh"):
            path.chmod(0o755)
    return list(files)
