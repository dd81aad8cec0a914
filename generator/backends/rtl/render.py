"""Verilog backend: renders the hardware plan as one module per stage (the hand-written MVAU,
behind a sliding-window generator for a convolution, or the max-pool block), a stitched top,
the weight/threshold memory files, and a copy of the hand-written blocks they instantiate.

Every number and name comes from the plan (generator.hw); the templates in templates/rtl only
place them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from generator.backends.rtl.memfiles import mem_lines, mem_text, table_lines
from generator.backends.rtl.cores import render_cores
from generator.backends.rtl.unrolled import render_unrolled
from generator.backends.rtl.users import render_users
from generator.hw import HardwarePlan, Impl, memories
from generator.hw.encoding import FAMILY_CODES
from generator.hw.layout import threshold_words, weight_words
from generator.hw.names import PACKET_PARAMETER
from generator.hw.params import add_params, duplicate_params, layer_params, pool_output, pool_params, pool_thresholds, swg_params
from generator.multipliers import LUT
from generator.resources import folder
from generator.templating import environment

# axgen_mul and everything it instantiates (one unsigned core per approximate family).
MUL_FILES = ["axgen_mul.v", "axgen_mul_lut.v", "axgen_fmul.v", "axgen_addtree.v", "axgen_umul.v", "axgen_umul_lod.v",
             "axgen_umul_fit.v", "axgen_umul_bam.v", "axgen_umul_trunc.v", "axgen_umul_perf.v", "axgen_umul_drum_operand.v",
             "axgen_umul_drum.v", "axgen_umul_mitchell.v", "axgen_umul_etm.v", "axgen_umul_roba.v"]
LIB_FILES = MUL_FILES + ["axgen_fifo.v", "axgen_dwc.v", "axgen_delay.v", "axgen_dot.v", "axgen_rom.v", "axgen_walk.v", "axgen_credits.v",
                         "axgen_mvau.v",
                         "axgen_thresholds.v", "axgen_tlast.v"]
# blocks only some kinds need
KIND_FILES = {"conv": ["axgen_swg.v"], "dwconv": ["axgen_swg.v", "axgen_vvau.v"], "maxpool": ["axgen_maxpool.v"],
              "avgpool": ["axgen_maxpool.v"], "duplicate": ["axgen_dup.v"], "add": ["axgen_add.v"]}


# Vivado IP packager interface definitions of the top's ports (X_INTERFACE_INFO attributes).
AXIS, CLOCK, RESET = "xilinx.com:interface:axis:1.0", "xilinx.com:signal:clock:1.0", "xilinx.com:signal:reset:1.0"


def clock_hz(plan: HardwarePlan) -> int | None:
    """The board clock in Hz (FREQ_HZ of ap_clk); None for blocks rendered without a board, whose
    top then leaves FREQ_HZ out (Vivado takes it from the clock it is connected to)."""
    return None if plan.board is None else round(plan.board.clock_mhz * 1_000_000)


def _port(direction: str, name: str, info: str, width: int | None = None, parameter: str | None = None,
          note: str | None = None, unused: bool = False) -> dict:
    return {"direction": direction.ljust(6), "name": name, "range": f"[{width - 1}:0] " if width else "",
            "info": info, "parameter": parameter, "note": note, "unused": unused}


def top_ports(plan: HardwarePlan) -> list[dict]:
    """The top's ports with their interface attributes: ap_clk (associated with both streams and
    the reset, at the board clock), ap_rst_n (active low), s_axis and m_axis (AXI-Stream with
    TLAST). s_axis_tlast is accepted so a DMA's TLAST has a port to connect to, and ignored: the
    accelerator counts the beats of a sample itself."""
    in_bits, in_width = plan.first.in_stream_bits, plan.in_tdata_bits
    hz = clock_hz(plan)
    clock = "ASSOCIATED_BUSIF s_axis:m_axis, ASSOCIATED_RESET ap_rst_n" + (f", FREQ_HZ {hz}" if hz else "")
    pad = in_width > in_bits
    return [
        _port("input", "ap_clk", f"{CLOCK} ap_clk CLK", parameter=clock),
        _port("input", "ap_rst_n", f"{RESET} ap_rst_n RST", parameter="POLARITY ACTIVE_LOW"),
        _port("input", "s_axis_tdata", f"{AXIS} s_axis TDATA", in_width, unused=pad,
              note=f"Bits {in_width - 1}:{in_bits} are padding and ignored." if pad else None),
        _port("input", "s_axis_tvalid", f"{AXIS} s_axis TVALID"),
        _port("output", "s_axis_tready", f"{AXIS} s_axis TREADY"),
        _port("input", "s_axis_tlast", f"{AXIS} s_axis TLAST", unused=True,
              note="Ignored: the accelerator counts the beats of a sample itself."),
        _port("output", "m_axis_tdata", f"{AXIS} m_axis TDATA", plan.out_tdata_bits),
        _port("output", "m_axis_tvalid", f"{AXIS} m_axis TVALID"),
        _port("input", "m_axis_tready", f"{AXIS} m_axis TREADY"),
        _port("output", "m_axis_tlast", f"{AXIS} m_axis TLAST",
              note=f"High on the last of the {plan.out_beats} beats of every {PACKET_PARAMETER}-th sample."),
    ]


def _block(module: str, instance: str, params: dict, src: str, dst: str) -> dict:
    """A block with one input port s_axis on stream `src` and one output m_axis on `dst`."""
    return {"module": module, "instance": instance, "params": list(params.items()),
            "ports": [("s_axis", src), ("m_axis", dst)]}


def _write_mems(impl, params: dict, out_dir: Path, user: dict | None) -> list[str]:
    module = impl.module
    lines = mem_lines(weight_words(impl), params["W_LANE_BITS"])
    bank = params["W_BANK"]
    if bank:  # a ROM of block-RAM banks (rtl/axgen_rom.v): one file per bank
        files = [f"{module}_weights_b{b:03d}.mem" for b in range(-(-len(lines) // bank))]
        for b, name in enumerate(files):
            (out_dir / name).write_text(mem_text(lines[b * bank:(b + 1) * bank]))
    else:
        files = [f"{module}_weights.mem"]
        (out_dir / files[0]).write_text(mem_text(lines))
    if params["N_THRES"]:
        files.append(f"{module}_thresholds.mem")
        (out_dir / files[-1]).write_text(mem_text(mem_lines(threshold_words(impl, params["T_BITS"]), params["T_BITS"])))
    if params["MUL_FAMILY"] == FAMILY_CODES[LUT] and user is None:
        # Products wrap to the accumulator width like every other product (see axgen_mul.v).
        files.append(f"{module}_mul_table.mem")
        (out_dir / files[-1]).write_text(mem_text(table_lines(impl.multiplier.table(), params["ACC_BITS"])))
    return files


def _matrix_stage(impl, out_dir: Path, user: dict | None) -> tuple[dict, list, list, list, list[str]]:
    """Parameters, description, inner streams, blocks and memory files of a matrix layer."""
    params = layer_params(impl, user)
    files = _write_mems(impl, params, out_dir, user)
    layer = impl.layer
    description = [
        f"MW={layer.mw} MH={layer.mh} PE={impl.pe} SIMD={impl.simd}: {impl.nf * impl.sf} cycles per vector",
        f"input {impl.in_dtype.name}, weights {layer.weight_dtype.name}, multiplier {impl.multiplier.spec}",
        f"accumulator {impl.acc_dtype.name}, output {impl.out_dtype.name}"
        + (f" ({params['N_THRES']} thresholds, bias {params['OUT_BIAS']})" if params["N_THRES"] else ""),
    ]
    if layer.conv is None:
        return params, description, [], [_block("axgen_mvau", "u_mvau", params, "s_axis", "m_axis")], files
    description.insert(0, _window_line(impl, impl.unit, "one window vector per output pixel"))
    unit = impl.unit  # the MVAU, or a depthwise convolution's VVAU (same parameters)
    swg, streams, blocks = _windows(impl, _block(f"axgen_{unit}", f"u_{unit}", params, "win", "m_axis"))
    return {**swg, **params}, description, streams, blocks, files


def _windows(impl, unit_block: dict) -> tuple[dict, list, list]:
    """A convolution's sliding-window generator feeding `unit_block` (which reads stream `win`):
    its parameters (SWG_ prefixed), the inner stream and both blocks."""
    swg = swg_params(impl)
    streams = [{"name": "win", "width": impl.window_stream_bits}]
    return ({f"SWG_{k}": v for k, v in swg.items()}, streams,
            [_block("axgen_swg", "u_swg", swg, "s_axis", "win"), unit_block])


def _pool_stage(impl, out_dir: Path, user: dict | None) -> tuple[dict, list, list, list, list[str]]:
    p = impl.layer
    params = pool_params(impl)
    description = [f"{p.kind} {p.in_h}x{p.in_w}x{p.channels} -> {p.out_h}x{p.out_w}x{p.channels}, kernel "
                   f"{p.kernel[0]}x{p.kernel[1]}, stride {p.stride[0]}x{p.stride[1]}, PE={impl.pe}, "
                   f"{impl.in_dtype.name} -> {impl.out_dtype.name} ({pool_output(p)})"]
    files = []
    if pool_output(p) == "thresholds":
        files = [f"{impl.module}_thresholds.mem"]
        words = pool_thresholds(impl).reshape(p.channels // impl.pe, -1)
        codes = (words & ((1 << params["T_BITS"]) - 1)).astype(np.uint64)
        (out_dir / files[0]).write_text(mem_text(mem_lines(codes, params["T_BITS"])))
    return params, description, [], [_block("axgen_maxpool", "u_pool", params, "s_axis", "m_axis")], files


def _duplicate_stage(impl, out_dir: Path, user: dict | None) -> tuple[dict, list, list, list, list[str]]:
    params = duplicate_params(impl)
    description = [f"duplicate {impl.layer.shape} {impl.in_dtype.name}, PE={impl.pe}: one stream to two"]
    block = {"module": "axgen_dup", "instance": "u_dup", "params": list(params.items()),
             "ports": [(port, port) for port in STAGE_PORTS["duplicate"][0] + STAGE_PORTS["duplicate"][1]]}
    return params, description, [], [block], []


def _add_stage(impl, out_dir: Path, user: dict | None) -> tuple[dict, list, list, list, list[str]]:
    params = add_params(impl)
    files = []
    if params["N_THRES"]:
        files.append(f"{impl.module}_thresholds.mem")
        (out_dir / files[0]).write_text(mem_text(mem_lines(threshold_words(impl, params["T_BITS"]), params["T_BITS"])))
    layer = impl.layer
    description = [f"add {layer.shape}: {layer.in_dtypes[0].name} << {layer.shifts[0]} + {layer.in_dtypes[1].name} << "
                   f"{layer.shifts[1]} -> {impl.acc_dtype.name}, output {impl.out_dtype.name}"
                   + (f" ({params['N_THRES']} thresholds, bias {params['OUT_BIAS']})" if params["N_THRES"] else "")
                   + f", PE={impl.pe}"]
    block = {"module": "axgen_add", "instance": "u_add", "params": list(params.items()),
             "ports": [(port, port) for port in STAGE_PORTS["add"][0] + STAGE_PORTS["add"][1]]}
    return params, description, [], [block], files


def _unrolled_stage(impl, out_dir: Path, user: dict | None) -> tuple[dict, list, list, list, list[str]]:
    """An unrolled layer: its own generated module (generator.backends.rtl.unrolled)."""
    layer, graph = impl.layer, impl.graph
    name = f"{impl.module}_graph"
    (out_dir / f"{name}.v").write_text(render_unrolled(environment("rtl"), impl, name))
    description = [f"unrolled MW={layer.mw} MH={layer.mh}: {graph.adders} adders, {impl.segments} segments of "
                   f"{impl.levels} adder levels, one vector per cycle, {impl.depth} cycles deep",
                   f"input {impl.in_dtype.name}, weights {layer.weight_dtype.name} (constants), accumulator "
                   f"{impl.acc_dtype.name}, output {impl.out_dtype.name}"]
    params = {"ADDERS": graph.adders, "SEGMENTS": impl.segments, "DEPTH": impl.depth}
    if layer.conv is None:
        return params, description, [], [_block(name, "u_graph", {}, "s_axis", "m_axis")], [f"{name}.v"]
    description.insert(0, _window_line(impl, "unrolled", "one whole window per beat"))
    swg, streams, blocks = _windows(impl, _block(name, "u_graph", {}, "win", "m_axis"))
    return {**swg, **params}, description, streams, blocks, [f"{name}.v"]


def _window_line(impl, unit: str, what: str) -> str:
    g, layer = impl.layer.conv, impl.layer
    return (f"convolution ({unit}) {g.in_h}x{g.in_w}x{g.channels} -> {g.out_h}x{g.out_w}x{layer.mh}, kernel "
            f"{g.kernel[0]}x{g.kernel[1]}, stride {g.stride[0]}x{g.stride[1]}, pads (t, l, b, r) {g.pads}: {what}")


# stage kind -> its renderer: (stage, out_dir, user module proof) -> params, description, streams, blocks, files
RENDERERS = {"fc": _matrix_stage, "conv": _matrix_stage, "dwconv": _matrix_stage, "maxpool": _pool_stage,
             "avgpool": _pool_stage, "duplicate": _duplicate_stage, "add": _add_stage, "unrolled": _unrolled_stage}
# stage kind -> its module's (input ports, output ports), where not one of each
STAGE_PORTS = {"duplicate": (["s_axis"], ["m0_axis", "m1_axis"]), "add": (["s0_axis", "s1_axis"], ["m_axis"])}
ONE_PORT = (["s_axis"], ["m_axis"])


def stage_ports(impl: Impl) -> tuple[list[str], list[str]]:
    """The names of a stage module's input and output ports, in port order."""
    return STAGE_PORTS.get(impl.kind, ONE_PORT)


def _render_stage(env, impl: Impl, out_dir: Path, user: dict | None) -> dict:
    params, description, streams, blocks, files = RENDERERS[impl.kind](impl, out_dir, user)
    description.append("cycles per sample: " + ", ".join(f"{k} {v}" for k, v in impl.stage_cycles.items()))
    ins, outs = stage_ports(impl)
    text = env.get_template("layer.v.j2").render(
        module=impl.module, index=impl.index, layer_name=impl.name, description=description,
        inputs=[{"name": name, "width": impl.in_dtype_at(port).bitwidth() * impl.in_per_beat}
                for port, name in enumerate(ins)],
        outputs=[{"name": name, "width": impl.out_stream_bits} for name in outs], streams=streams, blocks=blocks)
    (out_dir / f"{impl.module}.v").write_text(text)
    return {"index": impl.index, "name": impl.name, "kind": impl.kind, "module": impl.module,
            "files": [f"{impl.module}.v", *files],
            "in_per_beat": impl.in_per_beat, "out_per_beat": impl.out_per_beat,
            "in_stream_bits": impl.in_stream_bits, "out_stream_bits": impl.out_stream_bits,
            "cycles": impl.cycles, "stage_cycles": impl.stage_cycles,
            "params": {k: v for k, v in params.items() if not k.endswith("_FILE")}}


def _out_stream(impl: Impl, port: int) -> str:
    """The top's stream on output `port` of a stage: l<i>_out, or l<i>_out<port> for a duplicate."""
    return f"l{impl.index}_out" if len(stage_ports(impl)[1]) == 1 else f"l{impl.index}_out{port}"


def _stitch(plan: HardwarePlan) -> tuple[list[dict], list[dict]]:
    """Streams and blocks of the top, as the plan's links say: stage -> (width converter) ->
    FIFO -> the consumer's input port; the first stage takes the top's input stream l0_in."""
    streams, blocks = [], []

    def stream(name: str, width: int) -> str:
        streams.append({"name": name, "width": width})
        return name

    feeds = {}  # (stage, input port) -> the stream in front of it
    stream("l0_in", plan.first.in_stream_bits)
    feeds[(plan.first.index, 0)] = "l0_in"
    for impl in plan.stages:
        i = impl.index
        ins, outs = stage_ports(impl)
        outputs = [stream(_out_stream(impl, port), impl.out_stream_bits) for port in range(len(outs))]
        blocks.append({"module": impl.module, "instance": f"u_l{i}", "params": [],
                       "ports": [*((name, feeds[(i, port)]) for port, name in enumerate(ins)), *zip(outs, outputs)]})
        for link in plan.outgoing(i):
            src = outputs[link.src_port]
            if link.width_converter:
                dst = stream(f"{link.name}_dwc", link.dst_bits)
                blocks.append(_block("axgen_dwc", f"u_{link.name}_dwc", {"IN_ELEMS": link.src_per_beat,
                              "OUT_ELEMS": link.dst_per_beat, "ELEM_BITS": link.elem_bits}, src, dst))
                src = dst
            dst = stream(f"{link.name}_fifo", link.dst_bits)
            blocks.append(_block("axgen_fifo", f"u_{link.name}_fifo", {"WIDTH": link.dst_bits, "DEPTH": link.depth,
                                 "DISTRIBUTED": int(memories.distributed(link.depth, link.dst_bits)),
                                 "LANE_BITS": memories.FIFO_LANE_BITS}, src, dst))
            feeds[(link.dst, link.dst_port)] = dst
    return streams, blocks


def lib_files(plan: HardwarePlan) -> list[str]:
    """The hand-written blocks the project instantiates."""
    kinds = {impl.kind for impl in plan.stages} | {"conv" for impl in plan.stages if getattr(impl.layer, "conv", None)}
    return list(dict.fromkeys(LIB_FILES + [f for kind in sorted(KIND_FILES) if kind in kinds for f in KIND_FILES[kind]]))


def render_rtl(plan: HardwarePlan, out_dir: Path, users: dict | None = None) -> dict:
    """Write the Verilog project for `plan` into out_dir and return its summary. `users` maps a
    stage index to the proof of its user multiplier module (generator.sim.user_mul.prove)."""
    users = users or {}
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    env = environment("rtl")
    layers = [_render_stage(env, impl, out_dir, users.get(impl.index)) for impl in plan.stages]
    user_files = render_users(env, plan, users, out_dir) + render_cores(env, plan, out_dir)
    streams, blocks = _stitch(plan)
    first, last = plan.first, plan.last
    in_bits, out_bits = first.in_stream_bits, last.out_stream_bits
    top_text = env.get_template("top.v.j2").render(
        top=plan.top, ports=top_ports(plan), streams=streams, blocks=blocks, first=streams[0]["name"],
        last=_out_stream(last, 0), in_elems=first.in_per_beat, in_bits=in_bits, in_width=plan.in_tdata_bits,
        out_elems=last.out_per_beat, out_bits=out_bits, out_width=plan.out_tdata_bits,
        out_pad=plan.out_tdata_bits - out_bits, out_beats=plan.out_beats,
        packet_parameter=PACKET_PARAMETER, packet_samples=plan.packet_samples)
    (out_dir / f"{plan.top}.v").write_text(top_text)
    lib = lib_files(plan)
    for name in lib:
        shutil.copyfile(folder("rtl") / name, out_dir / name)
    files = sorted(lib + [f"{plan.top}.v"] + user_files + [f for entry in layers for f in entry["files"]])
    return {
        "top": plan.top,
        "layers": layers,
        "in_dtype": first.in_dtype.name, "out_dtype": last.out_dtype.name,
        "in_elems": first.in_elems, "out_elems": last.out_elems,
        "in_per_beat": first.in_per_beat, "out_per_beat": last.out_per_beat,
        "in_tdata_bits": plan.in_tdata_bits, "out_tdata_bits": plan.out_tdata_bits,
        "in_data_bits": in_bits, "out_data_bits": out_bits,
        "packet_samples": plan.packet_samples,  # the top's PACKET_SAMPLES: TLAST closes every this many samples
        "files": files,
    }
