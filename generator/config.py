"""The build configuration (YAML): `defaults` and per-layer entries under `layers`, keyed by
layer name or by the 0-based index of the compute layer in stream order."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.errors import AxgenError

# Every key a layer's settings may hold (under `defaults` or `layers`), with the values it takes and
# what it does: the documentation's configuration reference is generated from this table.
LAYER_KEY_DOCS = {
    "pe": ("a divisor of the layer's output rows MH (a pool's, a depthwise convolution's: of its channels)",
           "Processing elements: output rows (channels) computed in parallel. Default 1."),
    "simd": ("a divisor of the input columns MW; for a convolution a divisor of its input channels C, or C*P "
             "(P kernel positions per beat: window parallelism)",
             "Input elements consumed per cycle by each PE. Default 1. Pools take no `simd`."),
    "multiplier": ("a spec: `exact`, `family:knob=value,...`, `lut:FILE`, `verilog:FILE.v[:module]`, "
                   "or for unrolled layers `csd:k=K[,drop=D]`",
                   "The product every PE x SIMD lane of the layer uses, in the golden model, the RTL and the HLS "
                   "C++ alike (see the multiplier catalogue). Default `exact`."),
    "tune_weights": ("true or false",
                     "ALWANN-style weight tuning: each weight is replaced by the one whose approximate products "
                     "come closest to the exact ones over the input range. Default false."),
    "lut_verilog": ("FILE.v[:module]",
                    "A user's Verilog module for a `lut:` table: proven equal to the table on every operand pair, "
                    "then used in the RTL instead of the table's ROM."),
    "hls_mul": ("auto, fabric or dsp",
                "BIND_OP of the exact products in the HLS C++: the tool's choice, LUTs or DSP blocks. Default auto."),
    "impl": ("folded or unrolled",
             "folded (the default): weights in memories, PE x SIMD lanes. unrolled: the whole layer in logic, "
             "weights and thresholds as constants (an adder graph), one sample per cycle."),
    "levels": ("an integer >= 1 (unrolled layers)",
               "Adder levels between pipeline registers of an unrolled layer; default: chosen for the clock by the "
               "timing model."),
    "depth_slack": ("an integer >= 0, or any (unrolled layers)",
                    "How many adder levels the unrolled layer's graph may be deeper than the shallowest one "
                    "(default 2; any: the fewest adders however deep)."),
}
LAYER_KEYS = frozenset(LAYER_KEY_DOCS)
TOP_KEY_DOCS = {
    "defaults": "Settings every layer starts from (any of the layer keys).",
    "layers": "Per-layer settings, keyed by layer name or by the 0-based index `axgen inspect` prints "
              "(every layer in stream order, pools included); they override `defaults`.",
}
TOP_KEYS = frozenset(TOP_KEY_DOCS)


@dataclass
class Config:
    defaults: dict = field(default_factory=dict)
    layers: dict = field(default_factory=dict)

    def for_layer(self, index: int, name: str) -> dict:
        merged = dict(self.defaults)
        merged.update(self.layers.get(index, {}))
        merged.update(self.layers.get(name, {}))
        return merged

    def layer_entry(self, index: int, name: str) -> dict:
        """The settings given for this layer under `layers` only (no defaults)."""
        merged = dict(self.layers.get(index, {}))
        merged.update(self.layers.get(name, {}))
        return merged

    def check_layers(self, names: list[str]) -> None:
        """Every key under `layers` must name a layer or index one."""
        for key in self.layers:
            if isinstance(key, int):
                if not 0 <= key < len(names):
                    raise AxgenError(f"config: layer index {key} is out of range; the network has compute layers 0..{len(names) - 1}")
            elif key not in names:
                raise AxgenError(f"config: no layer named {key!r}; layers are: {', '.join(names)}")

    def map_multipliers(self, fn) -> "Config":
        """A copy with every multiplier spec replaced by fn(spec)."""
        def entry(settings: dict) -> dict:
            out = dict(settings)
            if "multiplier" in out:
                out["multiplier"] = fn(str(out["multiplier"]))
            return out
        return Config(entry(self.defaults), {k: entry(v) for k, v in self.layers.items()})

    def to_dict(self) -> dict:
        return {"defaults": dict(self.defaults), "layers": {k: dict(v) for k, v in self.layers.items()}}


def _entry(where: str, value) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise AxgenError(f"config: {where} must be a mapping of {sorted(LAYER_KEYS)}, got {value!r}")
    unknown = set(value) - LAYER_KEYS
    if unknown:
        raise AxgenError(f"config: {where} has unknown key(s) {sorted(unknown)}; supported: {sorted(LAYER_KEYS)}")
    return dict(value)


def from_dict(data) -> Config:
    if data is None:
        return Config()
    if not isinstance(data, dict):
        raise AxgenError("config: the file must be a mapping with `defaults` and/or `layers`")
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise AxgenError(f"config: unknown top-level key(s) {sorted(unknown)}; supported: defaults, layers")
    layers = data.get("layers") or {}
    if not isinstance(layers, dict):
        raise AxgenError("config: `layers` must map a layer name or index to its settings")
    return Config(_entry("defaults", data.get("defaults")),
                  {_key(key): _entry(f"layers.{key}", value) for key, value in layers.items()})


def _key(key):
    """Layer indices stay integers even after a trip through JSON (which makes keys strings)."""
    return int(key) if isinstance(key, str) and key.isdigit() else key


def load(path: str | Path | None) -> Config:
    if path is None:
        return Config()
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise AxgenError(f"config file {path} does not exist") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise AxgenError(f"config file {path} is not valid YAML: {problem}{where}") from None
    return from_dict(data)
