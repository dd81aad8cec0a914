"""A built project folder: write it atomically (`build`), read it back (`open_project`)."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from generator import __version__, boards, config as config_mod
from generator.errors import AxgenError
from generator.folding import Impl, PoolImpl, annotate, threshold_dtype
from generator.ir import Network
from generator.multipliers.metrics import error_metrics
from generator.render_hls import render_hls
from generator.render_rtl import render_rtl
from generator.serialize import load_network, save_network
from generator.user_multiplier import prove
from generator.vitis_hls import write_scripts

PROJECT_FILE = "project.json"
TABLES = "params/tables"  # lut: tables copied into the project, named by content hash


@dataclass
class Project:
    root: Path
    network: Network
    impls: list[Impl]
    data: dict  # project.json

    @property
    def estimated_cycles(self) -> int:
        return max(impl.cycles for impl in self.impls)


def layer_entry(impl: Impl) -> dict:
    layer = impl.layer
    common = {
        "index": impl.index, "name": layer.name, "kind": layer.kind, "source": layer.source,
        "in_shape": list(layer.in_shape), "out_shape": list(layer.out_shape), "macs": layer.macs,
        "in_elems": impl.in_elems, "out_elems": impl.out_elems,
        "in_per_beat": impl.in_per_beat, "out_per_beat": impl.out_per_beat,
        "in_stream_bits": impl.in_stream_bits, "out_stream_bits": impl.out_stream_bits,
        "estimated_cycles": impl.cycles, "stage_cycles": impl.stage_cycles,
    }
    if isinstance(impl, PoolImpl):
        return {**common, "dtype": layer.dtype.name, "pe": impl.pe, "kernel": list(layer.kernel),
                "stride": list(layer.stride)}
    geometry = {}
    if layer.conv is not None:
        g = layer.conv
        geometry = {"conv": {"kernel": list(g.kernel), "stride": list(g.stride), "pads": list(g.pads),
                             "channels": g.channels, "out_pixels": g.pixels}}
    return {
        **common, **geometry,
        "mw": layer.mw, "mh": layer.mh,
        "in_dtype": layer.in_dtype.name, "weight_dtype": layer.weight_dtype.name,
        "acc_dtype": impl.acc_dtype.name, "out_dtype": impl.out_dtype.name,
        "thresholds_per_channel": 0 if impl.thresholds is None else int(impl.thresholds.shape[1]),
        "threshold_dtype": None if impl.thresholds is None else threshold_dtype(impl).name,
        "pe": impl.pe, "simd": impl.simd,
        "multiplier": {"spec": impl.multiplier.spec,
                       **error_metrics(impl.multiplier, layer.in_dtype, layer.weight_dtype)},
        "tuned_weights": impl.tuned_weights,
    }


def _copy_tables(cfg: config_mod.Config, root: Path) -> config_mod.Config:
    """Copy every lut: table into the project; the returned config names the copies (relative
    to the project root), so the project still works from any folder or after a move."""
    def copy(spec: str) -> str:
        family, _, path = spec.partition(":")
        if family != "lut":
            return spec
        source = Path(path)
        digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
        target = root / TABLES / f"{digest}{source.suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return f"lut:{TABLES}/{target.name}"
    return cfg.map_multipliers(copy)


def _resolve_tables(cfg: config_mod.Config, root: Path) -> config_mod.Config:
    return cfg.map_multipliers(lambda spec: f"lut:{root / spec[4:]}" if spec.startswith(f"lut:{TABLES}/") else spec)


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def build(net: Network, out_dir: Path, cfg: config_mod.Config, board: str | None = None, force: bool = False) -> Project:
    """Write the whole project into out_dir, or nothing at all."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise AxgenError(f"{out_dir} exists and is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not force:
        raise AxgenError(f"{out_dir} is not empty; choose another folder or pass --force to replace it")
    cfg.check_layers([layer.name for layer in net.layers])
    board_data = boards.load(board)
    impls = annotate(net.layers, cfg)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        ir_desc = save_network(net, staging / "params", staging / "host")
        stored_cfg = _copy_tables(cfg, staging)
        users = {impl.index: prove(impl) for impl in impls if impl.lut_verilog}
        rtl = render_rtl(impls, staging / "rtl", users)
        data = {
            "axgen_version": __version__, "name": net.name, "board": board_data,
            "config": stored_cfg.to_dict(), "network": ir_desc,
            "layers": [{**layer_entry(impl), **({"lut_verilog": users[impl.index]} if impl.index in users else {})}
                       for impl in impls],
            "estimated_cycles_per_sample": max(impl.cycles for impl in impls),
            "bottleneck": max(impls, key=lambda i: i.cycles).name,
            "rtl": rtl,
            "hls": render_hls(impls, staging / "hls"),
        }
        data["tcl"] = write_scripts(staging, data)
        _write_json(staging / PROJECT_FILE, data)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Project(out_dir, net, impls, data)


def open_project(root: str | Path) -> Project:
    root = Path(root)
    path = root / PROJECT_FILE
    if not path.is_file():
        raise AxgenError(f"{root} is not an axgen project (no {PROJECT_FILE}); create one with `axgen build`")
    try:
        data = json.loads(path.read_text())
        net = load_network(root, data["network"])
    except (ValueError, KeyError, OSError) as exc:
        raise AxgenError(f"{path} is damaged ({type(exc).__name__}: {exc}); rebuild the project") from None
    impls = annotate(net.layers, _resolve_tables(config_mod.from_dict(data["config"]), root))
    return Project(root, net, impls, data)
