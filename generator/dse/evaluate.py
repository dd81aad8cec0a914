"""Scoring one configuration on the IR: golden-model accuracy on encoded data, modelled LUTs and cycles
(no project is built); picklable, so Dask workers run it too."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np

from generator import config as config_mod
from generator.boards import Board
from generator.golden import run_layers, tail_output
from generator.hw import make_plan
from generator.ir import Network


def accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(np.argmax(logits.reshape(len(logits), -1), axis=1) == labels))


@dataclass(frozen=True)
class Scorer:
    """A network, its board and first-stream values with labels: config dict -> scores."""

    net: Network
    board: Board | None
    values: np.ndarray
    labels: np.ndarray

    def __call__(self, cfg: dict) -> dict:
        plan = make_plan(self.net, config_mod.from_dict(cfg), self.board)
        out = run_layers(self.values, [s.layer for s in plan.stages], [getattr(s, "multiplier", None) for s in plan.stages],
                         plan.sources)
        return {"accuracy": accuracy(tail_output(self.net.tail, out), self.labels),
                "luts": int(plan.resources()["total"]["lut"]), "cycles": int(plan.estimated_cycles)}

    def fingerprint(self, base: dict) -> str:
        """Changes whenever a cached score could: the network's integers and host parts, the data,
        the board and the base configuration."""
        h = hashlib.sha256()
        for layer in self.net.layers:
            h.update(layer.name.encode())
            for name in ("weights", "thresholds"):
                value = getattr(layer, name, None)
                if value is not None:
                    h.update(np.ascontiguousarray(value).tobytes())
        h.update(self.net.head.onnx_bytes)
        h.update(repr(self.net.tail).encode())
        h.update(np.ascontiguousarray(self.values).tobytes())
        h.update(np.ascontiguousarray(self.labels).tobytes())
        h.update(json.dumps(self.board.to_dict() if self.board else None, sort_keys=True, default=str).encode())
        h.update(json.dumps(base, sort_keys=True, default=str).encode())
        return h.hexdigest()


def score_config(scorer: Scorer, cfg: dict) -> dict:
    """Module-level, so Dask ships it by reference."""
    return scorer(cfg)
