"""Save and load the integer IR inside a project folder (deterministic: .npy files, sorted JSON),
one pair of functions per layer kind."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from generator.datatypes import dtype
from generator.ir import (AddLayer, AvgPoolLayer, ConvGeometry, DuplicateLayer, HostHead, HostTail, MatrixLayer, Network,
                          PoolLayer)


def save_array(path: Path, array: np.ndarray) -> str:
    np.save(path, np.ascontiguousarray(array), allow_pickle=False)
    return path.name


def _save_pool(layer: PoolLayer, params_dir: Path) -> dict:
    return {"name": layer.name, "kind": layer.kind, "source": layer.source, "dtype": layer.dtype.name,
            "channels": layer.channels, "in_h": layer.in_h, "in_w": layer.in_w,
            "kernel": list(layer.kernel), "stride": list(layer.stride),
            "out_h": layer.out_h, "out_w": layer.out_w}


def _save_avgpool(layer: AvgPoolLayer, params_dir: Path) -> dict:
    entry = {"name": layer.name, "kind": layer.kind, "source": layer.source, "in_dtype": layer.in_dtype.name,
             "out_dtype": layer.out_dtype.name, "channels": layer.channels, "in_h": layer.in_h, "in_w": layer.in_w,
             "kernel": list(layer.kernel), "stride": list(layer.stride), "out_h": layer.out_h, "out_w": layer.out_w,
             "shift": layer.shift, "rounding": layer.rounding, "out_bias": int(layer.out_bias), "thresholds": None}
    if layer.thresholds is not None:
        entry["thresholds"] = "params/" + save_array(params_dir / f"{layer.name}_thresholds.npy",
                                                     layer.thresholds.astype(np.int64))
    return entry


def _load_avgpool(e: dict, arr) -> AvgPoolLayer:
    return AvgPoolLayer(e["name"], dtype(e["in_dtype"]), e["channels"], e["in_h"], e["in_w"], tuple(e["kernel"]),
                        tuple(e["stride"]), e["out_h"], e["out_w"], dtype(e["out_dtype"]), e["shift"], e["rounding"],
                        None if e["thresholds"] is None else arr(e["thresholds"]), e["out_bias"], source=e["source"])


def _save_matrix(layer: MatrixLayer, params_dir: Path) -> dict:
    entry = {
        "name": layer.name, "kind": layer.kind, "source": layer.source,
        "in_dtype": layer.in_dtype.name, "weight_dtype": layer.weight_dtype.name,
        "out_dtype": layer.out_dtype.name, "out_bias": int(layer.out_bias),
        "in_shape": list(layer.in_shape), "out_shape": list(layer.out_shape),
        "weights": "params/" + save_array(params_dir / f"{layer.name}_weights.npy", layer.weights.astype(np.int64)),
        "thresholds": None, "carries": layer.carries,
        "conv": None if layer.conv is None else {
            "in_h": layer.conv.in_h, "in_w": layer.conv.in_w, "channels": layer.conv.channels,
            "kernel": list(layer.conv.kernel), "stride": list(layer.conv.stride), "pads": list(layer.conv.pads),
            "out_h": layer.conv.out_h, "out_w": layer.conv.out_w},
    }
    if layer.thresholds is not None:
        entry["thresholds"] = "params/" + save_array(params_dir / f"{layer.name}_thresholds.npy",
                                                     layer.thresholds.astype(np.int64))
    return entry


def _load_pool(e: dict, arr) -> PoolLayer:
    return PoolLayer(e["name"], dtype(e["dtype"]), e["channels"], e["in_h"], e["in_w"], tuple(e["kernel"]),
                     tuple(e["stride"]), e["out_h"], e["out_w"], source=e["source"])


def _load_matrix(e: dict, arr) -> MatrixLayer:
    g = e["conv"]
    conv = None if g is None else ConvGeometry(g["in_h"], g["in_w"], g["channels"], tuple(g["kernel"]),
                                               tuple(g["stride"]), tuple(g["pads"]), g["out_h"], g["out_w"])
    return MatrixLayer(
        name=e["name"], in_dtype=dtype(e["in_dtype"]), weight_dtype=dtype(e["weight_dtype"]),
        weights=arr(e["weights"]), thresholds=None if e["thresholds"] is None else arr(e["thresholds"]),
        out_bias=e["out_bias"], out_dtype=dtype(e["out_dtype"]), in_shape=tuple(e["in_shape"]),
        out_shape=tuple(e["out_shape"]), kind=e["kind"], source=e["source"], conv=conv,
        carries=e.get("carries", False))


def _save_duplicate(layer: DuplicateLayer, params_dir: Path) -> dict:
    return {"name": layer.name, "kind": layer.kind, "source": layer.source, "dtype": layer.dtype.name,
            "shape": list(layer.shape)}


def _load_duplicate(e: dict, arr) -> DuplicateLayer:
    return DuplicateLayer(e["name"], dtype(e["dtype"]), tuple(e["shape"]), source=e["source"])


def _save_add(layer: AddLayer, params_dir: Path) -> dict:
    entry = {"name": layer.name, "kind": layer.kind, "source": layer.source,
             "in_dtypes": [dt.name for dt in layer.in_dtypes], "shifts": list(layer.shifts), "thresholds": None,
             "out_bias": int(layer.out_bias), "out_dtype": layer.out_dtype.name, "shape": list(layer.shape)}
    if layer.thresholds is not None:
        entry["thresholds"] = "params/" + save_array(params_dir / f"{layer.name}_thresholds.npy",
                                                     layer.thresholds.astype(np.int64))
    return entry


def _load_add(e: dict, arr) -> AddLayer:
    return AddLayer(e["name"], tuple(dtype(n) for n in e["in_dtypes"]), tuple(e["shifts"]),
                    None if e["thresholds"] is None else arr(e["thresholds"]), e["out_bias"], dtype(e["out_dtype"]),
                    tuple(e["shape"]), source=e["source"])


# layer kind -> (save, load)
LAYER_IO = {"fc": (_save_matrix, _load_matrix), "conv": (_save_matrix, _load_matrix),
            "dwconv": (_save_matrix, _load_matrix), "maxpool": (_save_pool, _load_pool),
            "avgpool": (_save_avgpool, _load_avgpool), "duplicate": (_save_duplicate, _load_duplicate),
            "add": (_save_add, _load_add)}


def save_network(net: Network, params_dir: Path, host_dir: Path) -> dict:
    """Write arrays and host models; return the JSON-able description that `load_network` reads."""
    params_dir.mkdir(parents=True, exist_ok=True)
    host_dir.mkdir(parents=True, exist_ok=True)
    layers = [LAYER_IO[layer.kind][0](layer, params_dir) for layer in net.layers]
    (host_dir / "head.onnx").write_bytes(net.head.onnx_bytes)
    tail = {"scale": "host/" + save_array(host_dir / "tail_scale.npy", net.tail.scale),
            "offset": "host/" + save_array(host_dir / "tail_offset.npy", net.tail.offset),
            "model": None, "input_name": net.tail.input_name, "output_shape": list(net.tail.output_shape)}
    if net.tail.onnx_bytes is not None:
        (host_dir / "tail.onnx").write_bytes(net.tail.onnx_bytes)
        tail["model"] = "host/tail.onnx"
    head = {"model": "host/head.onnx", "scale": float(net.head.scale), "zero_point": int(net.head.zero_point),
            "input_name": net.head.input_name, "input_shape": list(net.head.input_shape),
            "channels_last": net.head.channels_last, "input_type": net.head.input_type,
            "input_from": net.head.input_from}
    graph = {"sources": [list(s) for s in net.sources]} if net.sources else {}
    return {"name": net.name, "layers": layers, "head": head, "tail": tail, **graph}


def load_network(root: Path, desc: dict) -> Network:
    def arr(rel):
        return np.load(root / rel, allow_pickle=False)

    layers = tuple(LAYER_IO[e["kind"]][1](e, arr) for e in desc["layers"])
    h, t = desc["head"], desc["tail"]
    head = HostHead((root / h["model"]).read_bytes(), h["scale"], h["zero_point"], h["input_name"],
                    tuple(h["input_shape"]), h["channels_last"], h.get("input_type", ""), h.get("input_from", ""))
    tail = HostTail(None if t["model"] is None else (root / t["model"]).read_bytes(), arr(t["scale"]),
                    arr(t["offset"]), t["input_name"], tuple(t["output_shape"]))
    return Network(desc["name"], layers, head, tail, tuple(tuple(s) for s in desc.get("sources", ())))
