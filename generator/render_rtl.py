"""Verilog backend: one module per layer (the hand-written MVAU, behind a sliding-window
generator for a convolution, or the max-pool block), a stitched top, the weight/threshold memory
files, and a copy of the hand-written blocks they instantiate.

Every number and name is computed here; the templates in templates/rtl only place them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import jinja2
import numpy as np

from generator.datatypes import DataType, to_codes
from generator.errors import AxgenError
from generator.folding import Impl, LayerImpl, PoolImpl
from generator.multipliers import Multiplier
from generator.resources import resource_dir
from generator.tools import ensure_verilator

TEMPLATES = resource_dir("templates") / "rtl"
RTL_LIB = resource_dir("rtl")
TOP = "axgen_top"
# axgen_mul and everything it instantiates (one unsigned core per approximate family).
MUL_FILES = ["axgen_mul.v", "axgen_mul_lut.v", "axgen_umul_lod.v", "axgen_umul_fit.v", "axgen_umul_bam.v",
             "axgen_umul_trunc.v", "axgen_umul_perf.v", "axgen_umul_drum_operand.v", "axgen_umul_drum.v", "axgen_umul_mitchell.v",
             "axgen_umul_etm.v", "axgen_umul_roba.v"]
LIB_FILES = MUL_FILES + ["axgen_fifo.v", "axgen_dwc.v", "axgen_mvau.v"]
CONV_FILES = ["axgen_swg.v"]
POOL_FILES = ["axgen_maxpool.v"]
# Multiplier family -> FAMILY parameter of rtl/axgen_mul.v, and the knobs passed as K1, K2.
RTL_FAMILIES = {"exact": 0, "trunc": 1, "bam": 2, "perf": 3, "drum": 4, "mitchell": 5, "etm": 6, "roba": 7,
                "lut": 8}
USER_FAMILY = 9  # a lut: layer whose user module was proven equal to the table (K1 = its ID)
USER_DISPATCH = "axgen_mul_user.v"
RTL_KNOBS = {"trunc": ("k",), "bam": ("h", "v"), "perf": ("j", "k"), "drum": ("k",), "mitchell": ("w",),
             "etm": ("m",)}
NO_KNOB = -1  # an optional knob that is absent (mitchell without w)

_KINDS = {"unsigned": 0, "signed": 1, "bipolar": 2}


def kind(dt: DataType) -> int:
    """Operand encoding of axgen_mvau/axgen_mul: 0 unsigned, 1 two's complement, 2 bipolar."""
    if dt == DataType["BIPOLAR"]:
        return _KINDS["bipolar"]
    return _KINDS["signed"] if dt.signed() else _KINDS["unsigned"]


def signed_bits(lo: int, hi: int) -> int:
    """Width of the narrowest two's-complement type holding [lo, hi] (at least 2 bits)."""
    n = max(int(hi).bit_length(), int(-min(lo, 0) - 1).bit_length()) + 1
    return max(2, n)


def module_name(impl: Impl) -> str:
    clean = re.sub(r"[^A-Za-z0-9_]+", "_", impl.name).strip("_")
    return f"axgen_L{impl.index}_{clean}" if clean else f"axgen_L{impl.index}"


def pad8(bits: int) -> int:
    return -(-bits // 8) * 8


def hw_widths(impl: LayerImpl) -> dict:
    """Accumulator and threshold widths as the hardware holds them (signed)."""
    lo, hi = int(impl.acc_dtype.min()), int(impl.acc_dtype.max())
    return {"acc_bits": signed_bits(lo, hi), "t_bits": signed_bits(lo, hi + 1)}


def mem_lines(codes: np.ndarray, bits: int) -> list[str]:
    """$readmemh lines for words of lanes: codes (words, lanes) of `bits` each, lane l in bits
    [l*bits, (l+1)*bits) of its word."""
    codes = np.asarray(codes, dtype=np.uint64)
    words, lanes = codes.shape
    width = lanes * bits
    digits = -(-width // 4)
    shifts = np.arange(bits, dtype=np.uint64)
    flat = ((codes[:, :, None] >> shifts) & np.uint64(1)).reshape(words, width).astype(np.uint8)
    flat = np.concatenate([flat, np.zeros((words, digits * 4 - width), dtype=np.uint8)], axis=1)
    nibbles = flat.reshape(words, digits, 4) @ np.array([1, 2, 4, 8], dtype=np.uint8)
    chars = np.array(list("0123456789abcdef"))[nibbles[:, ::-1]]
    return ["".join(row) for row in chars]


def weight_words(impl: LayerImpl) -> np.ndarray:
    """(NF*SF, PE*SIMD) weight codes: word nf*SF+sf, lane p*SIMD+s = W[nf*PE+p][sf*SIMD+s]."""
    layer = impl.layer
    codes = to_codes(layer.weights, layer.weight_dtype).reshape(impl.nf, impl.pe, impl.sf, impl.simd)
    return codes.transpose(0, 2, 1, 3).reshape(impl.nf * impl.sf, impl.pe * impl.simd)


def threshold_words(impl: LayerImpl, t_bits: int) -> np.ndarray:
    """(NF, PE*N) threshold codes: word nf, lane p*N+i = T[nf*PE+p][i] in two's complement."""
    t = np.asarray(impl.thresholds, dtype=np.int64)
    codes = (t & ((1 << t_bits) - 1)).astype(np.uint64)
    return codes.reshape(impl.nf, impl.pe * t.shape[1])


def mul_params(mul: Multiplier, a_dt: DataType, b_dt: DataType, where: str = "multiplier") -> dict:
    """FAMILY, K1, K2 of rtl/axgen_mul.v for `mul` on a_dt x b_dt operands. A product with a
    bipolar operand is exact whatever the multiplier (as in Multiplier.__call__): FAMILY 0."""
    family = mul.family
    if family not in RTL_FAMILIES:
        raise AxgenError(f"{where}: multiplier {mul.spec} has no RTL implementation; "
                         f"the RTL backend supports: {', '.join(sorted(RTL_FAMILIES))}")
    if DataType["BIPOLAR"] in (a_dt, b_dt):
        return {"FAMILY": 0, "K1": 0, "K2": 0}
    knobs = [int(mul.knobs.get(name, NO_KNOB)) for name in RTL_KNOBS.get(family, ())]
    knobs += [0] * (2 - len(knobs))
    return {"FAMILY": RTL_FAMILIES[family], "K1": knobs[0], "K2": knobs[1]}


def table_lines(table: np.ndarray, p_bits: int) -> list[str]:
    """$readmemh lines of a `lut:` table for rtl/axgen_mul_lut.v: entry {a_code, b_code}
    (activation code high) in p_bits two's complement."""
    table = np.asarray(table, dtype=np.int64)
    codes = (table.reshape(-1, 1) & ((1 << p_bits) - 1)).astype(np.uint64)
    return mem_lines(codes, p_bits)


def layer_params(impl: LayerImpl, module: str, user: dict | None = None) -> dict:
    layer = impl.layer
    mul = mul_params(impl.multiplier, impl.in_dtype, layer.weight_dtype, f"layer {impl.name}")
    if user is not None:
        mul = {"FAMILY": USER_FAMILY, "K1": user["id"], "K2": 0}
    widths = hw_widths(impl)
    n_thres = 0 if impl.thresholds is None else int(impl.thresholds.shape[1])
    return {
        "MW": layer.mw, "MH": layer.mh, "PE": impl.pe, "SIMD": impl.simd,
        "IN_BITS": impl.in_dtype.bitwidth(), "IN_KIND": kind(impl.in_dtype),
        "W_BITS": layer.weight_dtype.bitwidth(), "W_KIND": kind(layer.weight_dtype),
        "ACC_BITS": widths["acc_bits"], "N_THRES": n_thres, "T_BITS": widths["t_bits"],
        "OUT_BITS": impl.out_dtype.bitwidth(), "OUT_BIAS": int(layer.out_bias) if n_thres else 0,
        "MUL_FAMILY": mul["FAMILY"], "MUL_K1": mul["K1"], "MUL_K2": mul["K2"],
        "MUL_TABLE_FILE": f'"{module}_mul_table.mem"' if mul["FAMILY"] == RTL_FAMILIES["lut"] else '""',
        "WEIGHTS_FILE": f'"{module}_weights.mem"',
        "THRESH_FILE": f'"{module}_thresholds.mem"' if n_thres else '""',
    }


def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), trim_blocks=True,
                              lstrip_blocks=True, keep_trailing_newline=True,
                              undefined=jinja2.StrictUndefined)


def swg_params(impl: LayerImpl) -> dict:
    """Parameters of rtl/axgen_swg.v for a convolution layer; padding is the code of 0."""
    g = impl.layer.conv
    return {
        "IFM_H": g.in_h, "IFM_W": g.in_w, "CH": g.channels, "K_H": g.kernel[0], "K_W": g.kernel[1],
        "STRIDE_H": g.stride[0], "STRIDE_W": g.stride[1],
        "PAD_T": g.pads[0], "PAD_L": g.pads[1], "PAD_B": g.pads[2], "PAD_R": g.pads[3],
        "SIMD": impl.simd, "ELEM_BITS": impl.in_dtype.bitwidth(),
        "PAD_CODE": int(to_codes(np.zeros(1, dtype=np.int64), impl.in_dtype)[0]) if any(g.pads) else 0,
    }


def pool_params(impl: PoolImpl) -> dict:
    """Parameters of rtl/axgen_maxpool.v."""
    p = impl.layer
    return {
        "IFM_H": p.in_h, "IFM_W": p.in_w, "CH": p.channels, "K_H": p.kernel[0], "K_W": p.kernel[1],
        "STRIDE_H": p.stride[0], "STRIDE_W": p.stride[1], "PE": impl.pe, "ELEM_BITS": p.dtype.bitwidth(),
        "SIGNED": int(p.dtype.signed() and p.dtype != DataType["BIPOLAR"]),
    }


def _block(module: str, instance: str, params: dict, src: str, dst: str) -> dict:
    return {"module": module, "instance": instance, "params": list(params.items()), "src": src, "dst": dst}


def _write_mems(impl: LayerImpl, params: dict, module: str, out_dir: Path, user: dict | None) -> list[str]:
    layer = impl.layer
    files = [f"{module}_weights.mem"]
    (out_dir / files[0]).write_text("\n".join(mem_lines(weight_words(impl), layer.weight_dtype.bitwidth())) + "\n")
    if params["N_THRES"]:
        files.append(f"{module}_thresholds.mem")
        words = threshold_words(impl, params["T_BITS"])
        (out_dir / files[-1]).write_text("\n".join(mem_lines(words, params["T_BITS"])) + "\n")
    if params["MUL_FAMILY"] == RTL_FAMILIES["lut"] and user is None:
        # Products wrap to the accumulator width like every other product (see axgen_mul.v).
        files.append(f"{module}_mul_table.mem")
        lines = table_lines(impl.multiplier.table(), params["ACC_BITS"])
        (out_dir / files[-1]).write_text("\n".join(lines) + "\n")
    return files


def _matrix_layer(impl: LayerImpl, module: str, user: dict | None) -> tuple[dict, list, list, list]:
    """Parameters, description, streams and blocks of a fully-connected or convolution layer."""
    params = layer_params(impl, module, user)
    layer = impl.layer
    description = [
        f"MW={layer.mw} MH={layer.mh} PE={impl.pe} SIMD={impl.simd}: {impl.nf * impl.sf} cycles per vector",
        f"input {impl.in_dtype.name}, weights {layer.weight_dtype.name}, multiplier {impl.multiplier.spec}",
        f"accumulator {impl.acc_dtype.name}, output {impl.out_dtype.name}"
        + (f" ({params['N_THRES']} thresholds, bias {params['OUT_BIAS']})" if params["N_THRES"] else ""),
    ]
    if layer.conv is None:
        return params, description, [], [_block("axgen_mvau", "u_mvau", params, "s_axis", "m_axis")]
    g = layer.conv
    swg = swg_params(impl)
    description.insert(0, f"convolution {g.in_h}x{g.in_w}x{g.channels} -> {g.out_h}x{g.out_w}x{layer.mh}, "
                          f"kernel {g.kernel[0]}x{g.kernel[1]}, stride {g.stride[0]}x{g.stride[1]}, "
                          f"pads (t, l, b, r) {g.pads}: one window vector per output pixel")
    streams = [{"name": "win", "width": impl.in_stream_bits}]
    blocks = [_block("axgen_swg", "u_swg", swg, "s_axis", "win"), _block("axgen_mvau", "u_mvau", params, "win", "m_axis")]
    return {**{f"SWG_{k}": v for k, v in swg.items()}, **params}, description, streams, blocks


def _render_layer(env: jinja2.Environment, impl: Impl, out_dir: Path, user: dict | None) -> dict:
    module = module_name(impl)
    if isinstance(impl, PoolImpl):
        p = impl.layer
        params = pool_params(impl)
        description = [f"max pool {p.in_h}x{p.in_w}x{p.channels} -> {p.out_h}x{p.out_w}x{p.channels}, kernel "
                       f"{p.kernel[0]}x{p.kernel[1]}, stride {p.stride[0]}x{p.stride[1]}, PE={impl.pe}, {p.dtype.name}"]
        streams, blocks, files = [], [_block("axgen_maxpool", "u_pool", params, "s_axis", "m_axis")], []
    else:
        params, description, streams, blocks = _matrix_layer(impl, module, user)
        files = _write_mems(impl, params, module, out_dir, user)
    description.append("cycles per sample: " + ", ".join(f"{k} {v}" for k, v in impl.stage_cycles.items()))
    text = env.get_template("layer.v.j2").render(
        module=module, index=impl.index, layer_name=impl.name, description=description,
        in_width=impl.in_stream_bits, out_width=impl.out_stream_bits, streams=streams, blocks=blocks)
    (out_dir / f"{module}.v").write_text(text)
    return {"index": impl.index, "name": impl.name, "kind": impl.layer.kind, "module": module,
            "files": [f"{module}.v", *files],
            "in_per_beat": impl.in_per_beat, "out_per_beat": impl.out_per_beat,
            "in_stream_bits": impl.in_stream_bits, "out_stream_bits": impl.out_stream_bits,
            "cycles": impl.cycles, "stage_cycles": impl.stage_cycles,
            "params": {k: v for k, v in params.items() if not k.endswith("_FILE")}}


def _stitch(impls: list[Impl], modules: list[str]) -> tuple[list[dict], list[dict]]:
    """Streams and blocks of the top: layer -> (width converter) -> FIFO -> next layer.

    The FIFO sits on the consumer's side, in the consumer's beats, and holds what the consumer
    must find ready to run at full rate (`edge_fifo_depth`): one input vector of a
    fully-connected layer (it takes a beat per cycle in its first output fold, however slowly
    the producer, or a width converter moving min(IN, OUT) elements per cycle, delivered them);
    one pixel of a convolution or pool stage."""
    streams, blocks = [], []

    def stream(name: str, width: int) -> str:
        streams.append({"name": name, "width": width})
        return name

    src = stream("l0_in", impls[0].in_stream_bits)
    for i, impl in enumerate(impls):
        dst = stream(f"l{i}_out", impl.out_stream_bits)
        blocks.append({"module": modules[i], "instance": f"u_l{i}", "params": [], "src": src, "dst": dst})
        if i + 1 == len(impls):
            break
        nxt = impls[i + 1]
        if impl.out_per_beat != nxt.in_per_beat:
            src, dst = dst, stream(f"e{i}_dwc", nxt.in_stream_bits)
            blocks.append({"module": "axgen_dwc", "instance": f"u_e{i}_dwc", "src": src, "dst": dst,
                           "params": [("IN_ELEMS", impl.out_per_beat), ("OUT_ELEMS", nxt.in_per_beat),
                                      ("ELEM_BITS", impl.out_dtype.bitwidth())]})
        src = stream(f"e{i}_fifo", nxt.in_stream_bits)
        blocks.append({"module": "axgen_fifo", "instance": f"u_e{i}_fifo", "src": dst, "dst": src,
                       "params": [("WIDTH", nxt.in_stream_bits), ("DEPTH", nxt.edge_fifo_depth)]})
    return streams, blocks


def _check_chain(impls: list[Impl]) -> None:
    if not impls:
        raise AxgenError("the network has no compute layers to render")
    for a, b in zip(impls, impls[1:]):
        if a.out_elems != b.in_elems or a.out_dtype != b.in_dtype:
            raise AxgenError(f"layers {a.name} -> {b.name} do not chain: {a.out_elems} x {a.out_dtype.name} "
                             f"outputs feed {b.in_elems} x {b.in_dtype.name} inputs")


def _render_users(env: jinja2.Environment, impls: list[LayerImpl], users: dict, out_dir: Path) -> list[str]:
    """axgen_mul_user.v dispatching to the users' proven modules, and copies of their files."""
    if not users:
        return []
    entries, files = [], {}
    for impl in impls:
        user = users.get(impl.index)
        if user is None:
            continue
        if files.get(user["file"], user["source"]) != user["source"]:
            raise AxgenError(f"two different lut_verilog files are both named {user['file']}; rename one")
        files[user["file"]] = user["source"]
        extend = f"raw[{user['p_bits'] - 1}]" if user["p_signed"] else "1'b0"
        entries.append({**user, "acc_bits": hw_widths(impl)["acc_bits"], "extend": extend})
    (out_dir / USER_DISPATCH).write_text(env.get_template("mul_user.v.j2").render(users=entries))
    for name, source in files.items():
        shutil.copyfile(source, out_dir / name)
    return [USER_DISPATCH, *sorted(files)]


def lib_files(impls: list[Impl]) -> list[str]:
    """The hand-written blocks the project instantiates."""
    kinds = {impl.layer.kind for impl in impls}
    return LIB_FILES + (CONV_FILES if "conv" in kinds else []) + (POOL_FILES if "maxpool" in kinds else [])


def render_rtl(impls: list[Impl], out_dir: Path, users: dict | None = None) -> dict:
    """Write the Verilog project for `impls` into out_dir and return its summary. `users` maps a
    layer index to the proof of its user multiplier module (generator.user_multiplier.prove)."""
    users = users or {}
    _check_chain(impls)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    env = _env()
    layers = [_render_layer(env, impl, out_dir, users.get(impl.index)) for impl in impls]
    user_files = _render_users(env, impls, users, out_dir)
    streams, blocks = _stitch(impls, [entry["module"] for entry in layers])
    first, last = impls[0], impls[-1]
    in_bits, out_bits = first.in_stream_bits, last.out_stream_bits
    top_text = env.get_template("top.v.j2").render(
        top=TOP, streams=streams, blocks=blocks, first=streams[0]["name"], last=blocks[-1]["dst"],
        in_elems=first.in_per_beat, in_bits=in_bits, in_width=pad8(in_bits), in_pad=pad8(in_bits) - in_bits,
        out_elems=last.out_per_beat, out_bits=out_bits, out_width=pad8(out_bits), out_pad=pad8(out_bits) - out_bits)
    (out_dir / f"{TOP}.v").write_text(top_text)
    lib = lib_files(impls)
    for name in lib:
        shutil.copyfile(RTL_LIB / name, out_dir / name)
    files = sorted(lib + [f"{TOP}.v"] + user_files + [f for entry in layers for f in entry["files"]])
    return {
        "top": TOP,
        "layers": layers,
        "in_dtype": first.in_dtype.name, "out_dtype": last.out_dtype.name,
        "in_elems": first.in_elems, "out_elems": last.out_elems,
        "in_per_beat": first.in_per_beat, "out_per_beat": last.out_per_beat,
        "in_tdata_bits": pad8(in_bits), "out_tdata_bits": pad8(out_bits),
        "in_data_bits": in_bits, "out_data_bits": out_bits,
        "files": files,
    }


def lint(rtl_dir: Path, top: str) -> None:
    """`verilator --lint-only -Wall` on every .v in rtl_dir with `top` as the top module."""
    exe = ensure_verilator()
    rtl_dir = Path(rtl_dir)
    sources = sorted(p.name for p in rtl_dir.glob("*.v"))
    if not sources:
        raise AxgenError(f"lint: no Verilog files in {rtl_dir}")
    cmd = [exe, "--lint-only", "-Wall", "--top-module", top, *sources]
    proc = subprocess.run(cmd, cwd=rtl_dir, capture_output=True, text=True)
    if proc.returncode != 0:
        log = (proc.stdout + proc.stderr).strip()
        raise AxgenError(f"lint of {top} in {rtl_dir} failed:\n{log}")
