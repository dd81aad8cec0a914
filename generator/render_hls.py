"""HLS C++ backend: one Vitis HLS IP per layer (a top function calling the hand-written blocks of
hls_lib/ with the layer's constants), a DATAFLOW top for the whole network, and a C simulation
test bench; every number comes from the same parameters as the RTL (render_rtl), so both
backends compute the same bits.

Layout of DIR/hls/: <module>_params.h (weights, thresholds, multiplier class), <module>.cpp (the
layer's top function), axgen_top.cpp (includes the layer files: one translation unit), and
axgen_top_tb.cpp, plus a copy of the hls_lib headers so the folder is complete for Vitis HLS.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import numpy as np

from generator.folding import Impl, LayerImpl, PoolImpl
from generator.hls_headers import HLS_LIB_DIR
from generator.render_rtl import (RTL_FAMILIES, TOP, layer_params, module_name, pad8, pool_params,
                                  swg_params, weight_words)
from generator.resources import resource_dir

TEMPLATES = resource_dir("templates") / "hls"
TESTBENCH = f"{TOP}_tb.cpp"
KIND_NAMES = {0: "AXGEN_UNSIGNED", 1: "AXGEN_SIGNED", 2: "AXGEN_BIPOLAR"}
MUL_BINDINGS = {"auto": "AXGEN_MUL_AUTO", "fabric": "AXGEN_MUL_FABRIC", "dsp": "AXGEN_MUL_DSP"}
MVAU_ARGS = ("MW", "MH", "PE", "SIMD", "IN_BITS", "IN_KIND", "W_BITS", "W_KIND", "ACC_BITS", "N_THRES", "T_BITS",
             "OUT_BITS", "OUT_BIAS")
SWG_ARGS = ("IFM_H", "IFM_W", "CH", "K_H", "K_W", "STRIDE_H", "STRIDE_W", "PAD_T", "PAD_L", "PAD_B", "PAD_R", "SIMD",
            "ELEM_BITS", "PAD_CODE")
POOL_ARGS = ("IFM_H", "IFM_W", "CH", "K_H", "K_W", "STRIDE_H", "STRIDE_W", "PE", "ELEM_BITS", "SIGNED")
INNER_FIFO = 2  # beats between the window generator and the MVAU inside a convolution layer


def c_array(values: np.ndarray) -> str:
    """A nested C initializer of an integer array, row-major: {{1, 2}, {3, 4}}."""
    values = np.asarray(values, dtype=np.int64)
    if values.ndim == 1:
        return "{" + ", ".join(map(str, values.tolist())) + "}"
    return "{" + ", ".join(c_array(row) for row in values) + "}"


def weight_array(impl: LayerImpl) -> np.ndarray:
    """(PE, SIMD, NF*SF) codes: [p][s][nf*SF+sf] = code of W[nf*PE+p][sf*SIMD+s]."""
    words = weight_words(impl)  # (NF*SF, PE*SIMD), lane p*SIMD+s
    return words.T.reshape(impl.pe, impl.simd, -1)


def threshold_array(impl: LayerImpl) -> np.ndarray:
    """(PE, NF, N) thresholds: [p][nf][i] = T[nf*PE+p][i]; (PE, NF, 1) zeros without thresholds."""
    if impl.thresholds is None:
        return np.zeros((impl.pe, impl.nf, 1), dtype=np.int64)
    t = np.asarray(impl.thresholds, dtype=np.int64)
    return t.reshape(impl.nf, impl.pe, t.shape[1]).transpose(1, 0, 2)


def wrapped_table(impl: LayerImpl, acc_bits: int) -> np.ndarray:
    """The lut: table's products wrapped to ACC_BITS two's complement, as the RTL's table file."""
    table = np.asarray(impl.multiplier.table(), dtype=np.int64).reshape(-1)
    half = 1 << (acc_bits - 1)
    return ((table + half) & ((1 << acc_bits) - 1)) - half


def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), trim_blocks=True,
                              lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)


def _call(function: str, targs: list, args: list[str]) -> dict:
    return {"function": function, "targs": [str(t) for t in targs], "args": args}


def _params_header(env: jinja2.Environment, impl: LayerImpl, module: str, params: dict) -> str:
    lut = params["MUL_FAMILY"] == RTL_FAMILIES["lut"]
    thresholds = threshold_array(impl)
    return env.get_template("params.h.j2").render(
        module=module, index=impl.index, layer_name=impl.name, guard=f"{module.upper()}_PARAMS_H",
        w_bits=params["W_BITS"], t_bits=params["T_BITS"], acc_bits=params["ACC_BITS"], in_bits=params["IN_BITS"],
        pe=impl.pe, simd=impl.simd, nf=impl.nf, words=impl.nf * impl.sf, t_cols=thresholds.shape[2],
        weights=c_array(weight_array(impl)), thresholds=c_array(thresholds),
        a_kind=KIND_NAMES[params["IN_KIND"]], w_kind=KIND_NAMES[params["W_KIND"]], mul_spec=impl.multiplier.spec,
        family=params["MUL_FAMILY"], k1=params["MUL_K1"], k2=params["MUL_K2"], binding=MUL_BINDINGS[impl.hls_mul],
        table=c_array(wrapped_table(impl, params["ACC_BITS"])) if lut else None,
        table_size=1 << (params["IN_BITS"] + params["W_BITS"]))


def _matrix_calls(impl: LayerImpl, module: str, params: dict) -> tuple[list, list, list[str]]:
    mvau_targs = [params[k] for k in MVAU_ARGS] + [f"{module}_mul"]
    consts = [f"{module}_weights", f"{module}_thresholds"]
    g = impl.layer.conv
    if g is None:
        return [], [_call("axgen_mvau", mvau_targs, ["s_axis", "m_axis", *consts, "1"])], ["axgen_mvau.h"]
    swg = swg_params(impl)
    streams = [{"name": "win", "width": impl.in_stream_bits, "depth": INNER_FIFO}]
    calls = [_call("axgen_swg", [swg[k] for k in SWG_ARGS], ["s_axis", "win", "1"]),
             _call("axgen_mvau", mvau_targs, ["win", "m_axis", *consts, str(g.pixels)])]
    return streams, calls, ["axgen_swg.h", "axgen_mvau.h"]


def _render_layer(env: jinja2.Environment, impl: Impl, out_dir: Path) -> dict:
    module = module_name(impl)
    files = [f"{module}.cpp"]
    if isinstance(impl, PoolImpl):
        params = pool_params(impl)
        streams, calls = [], [_call("axgen_maxpool", [params[k] for k in POOL_ARGS], ["s_axis", "m_axis", "1"])]
        includes = ["axgen_maxpool.h"]
    else:
        params = layer_params(impl, module)
        streams, calls, includes = _matrix_calls(impl, module, params)
        files.insert(0, f"{module}_params.h")
        (out_dir / files[0]).write_text(_params_header(env, impl, module, params))
        includes = [*includes, files[0]]
    description = ["cycles per sample: " + ", ".join(f"{k} {v}" for k, v in impl.stage_cycles.items())]
    text = env.get_template("layer.cpp.j2").render(
        module=module, index=impl.index, layer_name=impl.name, description=description,
        guard=f"{module.upper()}_CPP", includes=includes, dataflow=len(calls) > 1, streams=streams, calls=calls,
        in_width=impl.in_stream_bits, out_width=impl.out_stream_bits,
        in_per_beat=impl.in_per_beat, out_per_beat=impl.out_per_beat,
        in_beats=impl.in_elems // impl.in_per_beat, out_beats=impl.out_elems // impl.out_per_beat)
    (out_dir / f"{module}.cpp").write_text(text)
    return {"index": impl.index, "name": impl.name, "module": module, "file": f"{module}.cpp", "files": files,
            "estimated_cycles": impl.cycles}


def _stitch(impls: list[Impl], modules: list[str]) -> tuple[list[dict], list[dict]]:
    """Streams and calls of the top, as the RTL top: pad adapter -> layer -> (width converter)
    -> next layer ... -> pad adapter; each stream's depth is the RTL's edge FIFO depth."""
    first, last = impls[0], impls[-1]
    streams, calls = [], []

    def stream(name: str, width: int, depth: int = 2) -> str:
        streams.append({"name": name, "width": width, "depth": depth})
        return name

    src = stream("l0_in", first.in_stream_bits)
    calls.append(_call("axgen_resize", [pad8(first.in_stream_bits), first.in_stream_bits],
                       ["s_axis", src, str(first.in_elems // first.in_per_beat)]))
    for i, impl in enumerate(impls):
        dst = stream(f"l{i}_out", impl.out_stream_bits)
        calls.append(_call(modules[i], [], [src, dst]))
        if i + 1 == len(impls):
            break
        nxt = impls[i + 1]
        depth = nxt.edge_fifo_depth
        if impl.out_per_beat != nxt.in_per_beat:
            src = stream(f"e{i}_dwc", nxt.in_stream_bits, depth)
            calls.append(_call("axgen_dwc", [impl.out_per_beat, nxt.in_per_beat, impl.out_dtype.bitwidth(),
                                             impl.out_elems], [dst, src, "1"]))
        else:
            streams[-1]["depth"] = depth
            src = dst
    calls.append(_call("axgen_resize", [last.out_stream_bits, pad8(last.out_stream_bits)],
                       [dst, "m_axis", str(last.out_elems // last.out_per_beat)]))
    return streams, calls


def render_hls(impls: list[Impl], out_dir: Path) -> dict:
    """Write the HLS C++ project for `impls` into out_dir and return its summary (project.json's
    "hls")."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    env = _env()
    layers = [_render_layer(env, impl, out_dir) for impl in impls]
    streams, calls = _stitch(impls, [entry["module"] for entry in layers])
    first, last = impls[0], impls[-1]
    ports = {"in_width": pad8(first.in_stream_bits), "out_width": pad8(last.out_stream_bits),
             "in_bits": first.in_stream_bits, "out_bits": last.out_stream_bits,
             "in_per_beat": first.in_per_beat, "out_per_beat": last.out_per_beat}
    (out_dir / f"{TOP}.cpp").write_text(env.get_template("top.cpp.j2").render(
        top=TOP, layer_files=[entry["file"] for entry in layers], streams=streams, calls=calls, **ports))
    (out_dir / TESTBENCH).write_text(env.get_template("testbench.cpp.j2").render(
        top=TOP, in_elems=first.in_elems, out_elems=last.out_elems,
        in_beats=first.in_elems // first.in_per_beat, out_beats=last.out_elems // last.out_per_beat,
        in_elem_bits=first.in_dtype.bitwidth(), out_elem_bits=last.out_dtype.bitwidth(), **ports))
    lib = sorted(p.name for p in HLS_LIB_DIR.glob("*.h"))
    for name in lib:
        shutil.copyfile(HLS_LIB_DIR / name, out_dir / name)
    files = sorted(lib + [f"{TOP}.cpp", TESTBENCH] + [f for entry in layers for f in entry["files"]])
    return {"top": TOP, "testbench": TESTBENCH,
            "layers": [{k: v for k, v in entry.items() if k != "files"} for entry in layers],
            "in_elems": first.in_elems, "out_elems": last.out_elems, **ports, "files": files}
