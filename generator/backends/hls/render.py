"""HLS C++ backend: renders the hardware plan as one Vitis HLS IP per stage (a top function
calling the hand-written blocks of hls_lib/ with the stage's constants), a DATAFLOW top for the
whole network, and a C simulation test bench. Every number comes from the plan, as the RTL's
do, so both backends compute the same bits.

Layout of DIR/hls/: <module>_params.h (weights, thresholds, multiplier class), <module>.cpp (the
layer's top function), axgen_top.cpp (includes the layer files: one translation unit), and
axgen_top_tb.cpp, plus a copy of the hls_lib headers so the folder is complete for Vitis HLS.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from generator.backends.hls.unrolled import render_unrolled_hls
from generator.hw import HardwarePlan, Impl
from generator.hw.encoding import FAMILY_CODES
from generator.hw.layout import threshold_array, weight_array, wrapped_table
from generator.hw.names import PACKET_MACRO
from generator.hw.params import add_params, layer_params, pool_output, pool_params, pool_thresholds, swg_params
from generator.multipliers import LUT, VERILOG
from generator.resources import folder
from generator.templating import environment

KIND_NAMES = {0: "AXGEN_UNSIGNED", 1: "AXGEN_SIGNED", 2: "AXGEN_BIPOLAR"}
MUL_BINDINGS = {"auto": "AXGEN_MUL_AUTO", "fabric": "AXGEN_MUL_FABRIC", "dsp": "AXGEN_MUL_DSP"}
MVAU_ARGS = ("MW", "MH", "PE", "SIMD", "IN_BITS", "IN_KIND", "W_LANE_BITS", "W_KIND", "ACC_BITS", "N_THRES", "T_BITS",
             "OUT_BITS", "OUT_BIAS")
SWG_ARGS = ("IFM_H", "IFM_W", "CH", "K_H", "K_W", "STRIDE_H", "STRIDE_W", "PAD_T", "PAD_L", "PAD_B", "PAD_R", "SIMD",
            "ELEM_BITS", "PAD_CODE", "P", "KW_STEP", "KH_STEP")
POOL_ARGS = ("IFM_H", "IFM_W", "CH", "K_H", "K_W", "STRIDE_H", "STRIDE_W", "PE", "ELEM_BITS", "SIGNED", "OP_SUM",
             "ACC_BITS", "OUT_BITS", "OUT_MODE", "SHIFT", "ROUND", "OUT_MIN", "OUT_MAX", "N_THRES", "T_BITS", "OUT_BIAS")
INNER_FIFO = 2  # beats between the window generator and the MVAU inside a convolution layer


def testbench_name(top: str) -> str:
    return f"{top}_tb.cpp"


def axis_type(width: int) -> str:
    """The element type of a top's AXI-Stream port of `width` data bits, with TLAST (hls_lib/axgen_axis.h)."""
    return f"ap_axiu<{width}, 0, 0, 0>"


def c_array(values: np.ndarray) -> str:
    """A nested C initializer of an integer array, row-major: {{1, 2}, {3, 4}}."""
    values = np.asarray(values, dtype=np.int64)
    if values.ndim == 1:
        return "{" + ", ".join(map(str, values.tolist())) + "}"
    return "{" + ", ".join(c_array(row) for row in values) + "}"


def _call(function: str, targs: list, args: list[str]) -> dict:
    return {"function": function, "targs": [str(t) for t in targs], "args": args}


def mul_class(impl, name: str, params: dict) -> dict:
    """Values of the layer's multiplier class `name` for templates/hls/mul_class.h.j2: a lut:
    table wrapped to ACC_BITS in `name`_table, else axgen_mul_family with the layer's hls_mul
    binding. `params` are the layer's parameters (generator.hw.params.layer_params)."""
    lut = params["MUL_FAMILY"] == FAMILY_CODES[LUT]
    core = params["MUL_FAMILY"] == FAMILY_CODES[VERILOG]
    na, nb = params["IN_BITS"], params["W_BITS"]
    return {"name": name, "spec": impl.multiplier.spec, "in_bits": params["IN_BITS"], "w_bits": params["W_BITS"],
            "acc_bits": params["ACC_BITS"], "a_kind": KIND_NAMES[params["IN_KIND"]],
            "w_kind": KIND_NAMES[params["W_KIND"]], "family": params["MUL_FAMILY"], "k1": params["MUL_K1"],
            "k2": params["MUL_K2"], "binding": MUL_BINDINGS[impl.hls_mul], "split": bool(params["MUL_SPLIT"]),
            "table": c_array(wrapped_table(impl.multiplier.table(), params["ACC_BITS"])) if lut else None,
            "table_size": 1 << (na + nb), "lane_bits": params["W_LANE_BITS"],
            "core_table": c_array(impl.multiplier.core().table[:1 << na, :1 << nb].reshape(-1)) if core else None}


def _params_header(env, impl, params: dict) -> str:
    module = impl.module
    thresholds = threshold_array(impl)
    return env.get_template("params.h.j2").render(
        module=module, index=impl.index, layer_name=impl.name, guard=f"{module.upper()}_PARAMS_H",
        w_bits=params["W_LANE_BITS"], t_bits=params["T_BITS"], pe=impl.pe, simd=impl.simd, nf=impl.nf,
        words=impl.nf * impl.sf, t_cols=thresholds.shape[2], weights=c_array(weight_array(impl)),
        thresholds=c_array(thresholds), mul=mul_class(impl, f"{module}_mul", params))


def _matrix_stage(env, impl, out_dir: Path) -> tuple[list, list, list[str], list[str]]:
    """Inner streams, calls, includes and extra files of a matrix layer."""
    module = impl.module
    params = layer_params(impl)
    header = f"{module}_params.h"
    (out_dir / header).write_text(_params_header(env, impl, params))
    mvau_targs = [params[k] for k in MVAU_ARGS] + [f"{module}_mul"]
    consts = [f"{module}_weights", f"{module}_thresholds"]
    g = impl.layer.conv
    if g is None:
        return [], [_call("axgen_mvau", mvau_targs, ["s_axis", "m_axis", *consts, "1"])], ["axgen_mvau.h", header], [header]
    unit = f"axgen_{impl.unit}"  # the MVAU, or a depthwise convolution's VVAU (same arguments)
    streams, calls = _windows(impl, _call(unit, mvau_targs, ["win", "m_axis", *consts, str(g.pixels)]))
    return streams, calls, ["axgen_swg.h", f"{unit}.h", header], [header]


def _windows(impl, unit_call: dict) -> tuple[list, list]:
    """A convolution's sliding-window generator feeding `unit_call` (which reads stream `win`)."""
    swg = swg_params(impl)
    streams = [{"name": "win", "width": impl.window_stream_bits, "depth": INNER_FIFO}]
    return streams, [_call("axgen_swg", [swg[k] for k in SWG_ARGS], ["s_axis", "win", "1"]), unit_call]


def _pool_stage(env, impl, out_dir: Path) -> tuple[list, list, list[str], list[str]]:
    """A pool (max or average) and, for thresholds, its params header."""
    params = pool_params(impl)
    targs = [params[k] for k in POOL_ARGS]
    if pool_output(impl.layer) != "thresholds":
        return [], [_call("axgen_pool_no_thresholds", targs, ["s_axis", "m_axis", "1"])], ["axgen_maxpool.h"], []
    module = impl.module
    thresholds = pool_thresholds(impl)
    header = f"{module}_params.h"
    (out_dir / header).write_text(env.get_template("pool_params.h.j2").render(
        module=module, index=impl.index, layer_name=impl.name, guard=f"{module.upper()}_PARAMS_H",
        t_bits=params["T_BITS"], shape=thresholds.shape, thresholds=c_array(thresholds)))
    call = _call("axgen_pool", targs, ["s_axis", "m_axis", f"{module}_thresholds", "1"])
    return [], [call], ["axgen_maxpool.h", header], [header]


def _duplicate_stage(env, impl, out_dir: Path) -> tuple[list, list, list[str], list[str]]:
    beats = impl.in_elems // impl.in_per_beat
    return [], [_call("axgen_dup", [beats, impl.in_stream_bits], ["s_axis", "m0_axis", "m1_axis", "1"])], \
        ["axgen_branch.h"], []


def _add_stage(env, impl, out_dir: Path) -> tuple[list, list, list[str], list[str]]:
    module = impl.module
    params = add_params(impl)
    header = f"{module}_params.h"
    thresholds = threshold_array(impl)
    (out_dir / header).write_text(env.get_template("add_params.h.j2").render(
        module=module, index=impl.index, layer_name=impl.name, guard=f"{module.upper()}_PARAMS_H",
        t_bits=params["T_BITS"], pe=impl.pe, nf=impl.nf, t_cols=thresholds.shape[2], thresholds=c_array(thresholds)))
    targs = [params["CH"], params["PE"], impl.in_elems // impl.in_per_beat,
             *(params[k] for k in ("A_BITS", "A_KIND", "A_SHIFT", "B_BITS", "B_KIND", "B_SHIFT", "N_THRES", "OUT_BITS",
                                   "OUT_BIAS")), f"axgen_rom_int<{params['T_BITS']}>::type"]
    call = _call("axgen_add", targs, ["s0_axis", "s1_axis", "m_axis", f"{module}_thresholds", "1"])
    return [], [call], ["axgen_branch.h", header], [header]


def _unrolled_stage(env, impl, out_dir: Path) -> tuple[list, list, list[str], list[str]]:
    """An unrolled layer: its own function (generator.backends.hls.unrolled) in a header."""
    function = f"{impl.module}_graph"
    header = f"{function}.h"
    (out_dir / header).write_text(render_unrolled_hls(env, impl, function))
    g = impl.layer.conv
    if g is None:
        return [], [_call(function, [], ["s_axis", "m_axis", "1"])], [header], [header]
    # a whole window per beat, one output pixel per window
    streams, calls = _windows(impl, _call(function, [], ["win", "m_axis", str(g.pixels)]))
    return streams, calls, ["axgen_swg.h", header], [header]


# stage kind -> its renderer: (env, stage, out_dir) -> inner streams, calls, includes, extra files
RENDERERS = {"fc": _matrix_stage, "conv": _matrix_stage, "dwconv": _matrix_stage, "maxpool": _pool_stage,
             "avgpool": _pool_stage, "duplicate": _duplicate_stage, "add": _add_stage, "unrolled": _unrolled_stage}
# stage kind -> its function's (input ports, output ports), where not one of each
STAGE_PORTS = {"duplicate": (["s_axis"], ["m0_axis", "m1_axis"]), "add": (["s0_axis", "s1_axis"], ["m_axis"])}
ONE_PORT = (["s_axis"], ["m_axis"])


def stage_ports(impl: Impl) -> tuple[list[str], list[str]]:
    """The names of a stage function's input and output streams, in port order."""
    return STAGE_PORTS.get(impl.kind, ONE_PORT)


def _render_stage(env, impl: Impl, out_dir: Path) -> dict:
    module = impl.module
    streams, calls, includes, extra = RENDERERS[impl.kind](env, impl, out_dir)
    description = ["cycles per sample: " + ", ".join(f"{k} {v}" for k, v in impl.stage_cycles.items())]
    ins, outs = stage_ports(impl)
    ports = [{"name": name, "width": impl.in_dtype_at(port).bitwidth() * impl.in_per_beat}
             for port, name in enumerate(ins)] + [{"name": name, "width": impl.out_stream_bits} for name in outs]
    text = env.get_template("layer.cpp.j2").render(
        module=module, index=impl.index, layer_name=impl.name, description=description,
        guard=f"{module.upper()}_CPP", includes=includes, dataflow=len(calls) > 1, streams=streams, calls=calls,
        ports=ports,
        in_per_beat=impl.in_per_beat, out_per_beat=impl.out_per_beat,
        in_beats=impl.in_elems // impl.in_per_beat, out_beats=impl.out_elems // impl.out_per_beat)
    (out_dir / f"{module}.cpp").write_text(text)
    return {"index": impl.index, "name": impl.name, "module": module, "file": f"{module}.cpp",
            "files": [*extra, f"{module}.cpp"], "estimated_cycles": impl.cycles}


def _stitch(plan: HardwarePlan) -> tuple[list[dict], list[dict]]:
    """Streams and calls of the top, as the plan's links say: AXI-Stream adapter -> stage ->
    (width converter) -> next stage ... -> AXI-Stream adapter (TLAST on the last beat of every
    PACKET_MACRO-th sample); a link's FIFO depth is its stream's depth."""
    first, last = plan.first, plan.last
    streams, calls = [], []

    def stream(name: str, width: int, depth: int = 2) -> str:
        streams.append({"name": name, "width": width, "depth": depth})
        return name

    feeds = {(first.index, 0): stream("l0_in", first.in_stream_bits)}  # (stage, input port) -> its stream
    calls.append(_call("axgen_from_axis", [first.in_stream_bits],
                       ["s_axis", feeds[(first.index, 0)], str(first.in_elems // first.in_per_beat)]))
    for impl in plan.stages:
        ins, outs = stage_ports(impl)
        single = len(outs) == 1
        outputs = [stream(f"l{impl.index}_out" if single else f"l{impl.index}_out{port}", impl.out_stream_bits)
                   for port in range(len(outs))]
        calls.append(_call(impl.module, [], [*(feeds[(impl.index, port)] for port in range(len(ins))), *outputs]))
        for link in plan.outgoing(impl.index):
            src = outputs[link.src_port]
            if link.width_converter:
                dst = stream(f"{link.name}_dwc", link.dst_bits, link.depth)
                calls.append(_call("axgen_dwc", [link.src_per_beat, link.dst_per_beat, link.elem_bits, link.elems],
                                   [src, dst, "1"]))
            else:
                dst = src
                next(s for s in streams if s["name"] == src)["depth"] = link.depth
            feeds[(link.dst, link.dst_port)] = dst
    calls.append(_call("axgen_to_axis", [last.out_stream_bits, PACKET_MACRO],
                       [outputs[0], "m_axis", str(plan.out_beats)]))
    return streams, calls


def render_hls(plan: HardwarePlan, out_dir: Path) -> dict:
    """Write the HLS C++ project for `plan` into out_dir and return its summary (project.json's
    "hls")."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    env = environment("hls")
    layers = [_render_stage(env, impl, out_dir) for impl in plan.stages]
    streams, calls = _stitch(plan)
    first, last = plan.first, plan.last
    ports = {"in_width": plan.in_tdata_bits, "out_width": plan.out_tdata_bits,
             "in_port": axis_type(plan.in_tdata_bits), "out_port": axis_type(plan.out_tdata_bits),
             "in_bits": first.in_stream_bits, "out_bits": last.out_stream_bits,
             "in_per_beat": first.in_per_beat, "out_per_beat": last.out_per_beat,
             "packet_macro": PACKET_MACRO, "packet_samples": plan.packet_samples}
    testbench = testbench_name(plan.top)
    (out_dir / f"{plan.top}.cpp").write_text(env.get_template("top.cpp.j2").render(
        top=plan.top, layer_files=[entry["file"] for entry in layers], streams=streams, calls=calls,
        kernel=plan.board is not None and plan.board.shell == "alveo", **ports))
    (out_dir / testbench).write_text(env.get_template("testbench.cpp.j2").render(
        top=plan.top, in_elems=first.in_elems, out_elems=last.out_elems,
        in_beats=first.in_elems // first.in_per_beat, out_beats=last.out_elems // last.out_per_beat,
        in_elem_bits=first.in_dtype.bitwidth(), out_elem_bits=last.out_dtype.bitwidth(), **ports))
    lib_dir = folder("hls_lib")
    lib = sorted(p.name for p in lib_dir.glob("*.h"))
    for name in lib:
        shutil.copyfile(lib_dir / name, out_dir / name)
    files = sorted(lib + [f"{plan.top}.cpp", testbench] + [f for entry in layers for f in entry["files"]])
    return {"top": plan.top, "testbench": testbench,
            "layers": [{k: v for k, v in entry.items() if k != "files"} for entry in layers],
            "in_elems": first.in_elems, "out_elems": last.out_elems, **ports, "files": files}
