"""The search space: per matrix layer, the multipliers it may use (built-in grid, the user's specs,
a library of Verilog cores), pre-filtered by accuracy, and whether its weights are tuned. A layer
that runs one vector per cycle either way (folded fully parallel, or unrolled) may also take the
other implementation: its candidates then hold the other's too, written "unrolled/SPEC" or
"folded/SPEC" (plain specs are the base configuration's implementation)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from generator.config import Config
from generator.datatypes import DataType
from generator.errors import AxgenError
from generator.ir import Network
from generator.multipliers import parse
from generator.multipliers.bounds import acc_bounds, keeps_carried
from generator.hw.product_tables import TABLE_MAX_BITS
from generator.multipliers.catalog import grid
from generator.multipliers.csd import constant_rounding, csd_digit_count
from generator.sim import verilog_core  # noqa: F401 (registers the loader that derives verilog: cores)

EXACT = "exact"
BIPOLAR = DataType["BIPOLAR"]
MATRIX_KINDS = ("fc", "conv", "dwconv")
MAX_NAME = 100  # longer configuration names are shortened with a hash
IMPL_TOKENS = {"folded": "f", "unrolled": "u"}  # a candidate of the other implementation, in configuration names


def split_candidate(candidate: str) -> tuple[str | None, str]:
    """(the other implementation or None for the base's, the multiplier spec) of a candidate."""
    impl, slash, spec = candidate.partition("/")
    return (impl, spec) if slash and impl in IMPL_TOKENS else (None, candidate)


@dataclass(frozen=True)
class Slot:
    """One matrix layer's choices: candidates[0] is always exact."""

    index: int
    name: str
    candidates: tuple[str, ...]
    tunable: bool  # weight tuning can change something (integer operands)
    shape: tuple[int, int] = (0, 0)  # (MH, MW): the fully parallel folding of a "folded/" candidate


@dataclass(frozen=True)
class Space:
    """Every matrix layer's slot over the base configuration (folding, other settings)."""

    base: Config
    slots: tuple[Slot, ...]

    @property
    def bounds(self) -> list[int]:
        """The upper bound of each decision variable: the candidate index per layer, then tuning on/off."""
        return [len(s.candidates) - 1 for s in self.slots] + [int(s.tunable) for s in self.slots]

    @property
    def size(self) -> int:
        out = 1
        for upper in self.bounds:
            out *= upper + 1
        return out

    @property
    def exact(self) -> tuple[int, ...]:
        return (0,) * (2 * len(self.slots))

    def canonical(self, genome) -> tuple[int, ...]:
        """Tuning is off for exact layers (it changes nothing there) and for an unrolled layer's
        rounded constants (they set the weights themselves); values clipped to their bounds."""
        n = len(self.slots)
        genome = [min(max(int(v), 0), upper) for v, upper in zip(genome, self.bounds)]
        for i in range(n):
            spec = split_candidate(self.slots[i].candidates[genome[i]])[1]
            if spec == EXACT or constant_rounding(spec) is not None:
                genome[n + i] = 0
        return tuple(genome)

    def choices(self, genome) -> list[tuple[Slot, str, bool]]:
        n = len(self.slots)
        return [(slot, slot.candidates[genome[i]], bool(genome[n + i])) for i, slot in enumerate(self.slots)]

    def key(self, genome) -> str:
        """What identifies a configuration (the evaluation cache's key)."""
        return "|".join(f"{slot.name}={spec}{'+tune' if tune else ''}" for slot, spec, tune in self.choices(genome))

    def name(self, genome) -> str:
        """A short, file-name-safe name: one token per layer, e.g. exact_trunc-k3.t_drum-k4."""
        tokens = [_token(spec) + (".t" if tune else "") for _, spec, tune in self.choices(genome)]
        if all(t == EXACT for t in tokens):
            return EXACT
        name = "_".join(tokens)
        if len(name) > MAX_NAME:
            name = name[:MAX_NAME - 9] + "-" + hashlib.sha1(self.key(genome).encode()).hexdigest()[:8]
        return name

    def config(self, genome) -> dict:
        """The build configuration (as `axgen build --config` reads it): the base defaults, every layer
        keyed by its name with the base's settings for it, the chosen multiplier and tuning."""
        base = self.base.to_dict()
        layers = {}
        for slot, candidate, tune in self.choices(genome):
            entry = self.base.layer_entry(slot.index, slot.name)
            impl, spec = split_candidate(candidate)
            if entry.get("multiplier") != spec:
                entry.pop("lut_verilog", None)  # the user's core for the base's table, not for this multiplier
            if impl == "unrolled":
                entry = {k: v for k, v in entry.items() if k not in ("pe", "simd")}
            elif impl == "folded":
                entry = {k: v for k, v in entry.items() if k != "levels"}
                entry.update(pe=slot.shape[0], simd=slot.shape[1])
            layers[slot.name] = {**entry, **({"impl": impl} if impl else {}), "multiplier": spec, "tune_weights": tune}
        for key, value in base["layers"].items():  # settings of layers outside the search (pools)
            if key not in layers and not any(key in (s.index, s.name) for s in self.slots):
                layers[key] = value
        return {"defaults": base["defaults"], "layers": layers}


def _token(candidate: str) -> str:
    impl, spec = split_candidate(candidate)
    if impl is not None:
        return f"{IMPL_TOKENS[impl]}-{_token(spec)}"
    family, _, rest = spec.partition(":")
    if family in ("lut", "verilog"):
        rest = Path(rest.split(":")[0]).stem
    return re.sub(r"[^A-Za-z0-9-]", "", "-".join(filter(None, [family, rest.replace("=", "").replace(",", "-")])))


def library_specs(folder: str | Path | None) -> list[str]:
    """Every *.v file of the folder as a `verilog:FILE.v` candidate (absolute paths, sorted)."""
    if folder is None:
        return []
    folder = Path(folder)
    if not folder.is_dir():
        raise AxgenError(f"--library {folder} is not a folder; it should hold the *.v multiplier cores to try")
    specs = [f"verilog:{path.resolve()}" for path in sorted(folder.glob("*.v"))]
    if not specs:
        raise AxgenError(f"--library {folder} holds no *.v files; each unsigned multiplier core there becomes a candidate")
    for spec in specs:
        parse(spec)  # derives each core once (cached); a bad one is one message naming its file
    return specs


def user_specs(specs) -> list[str]:
    """The user's multiplier specs, checked, with lut:/verilog: files made absolute (configs stay valid anywhere)."""
    out = []
    for spec in specs or ():
        family, _, rest = str(spec).partition(":")
        if family in ("lut", "verilog") and rest:
            path, colon, module = rest.partition(":") if family == "verilog" else (rest, "", "")
            spec = f"{family}:{Path(path).resolve()}{colon}{module}"
        parse(spec)
        out.append(spec)
    return out


UNROLLED_DIGITS = (1, 2, 3)  # an unrolled layer's approximate constants (generator.multipliers.csd): digits kept
UNROLLED_DROPS = (0, 1, 2, 3)  # and magnitudes zeroed (pruning)
GRID_MAX_BITS = 16  # the widest operands the catalogue's grid is listed for (an input type's widest)


def candidates_for(layer, extra: list[str]) -> tuple[str, ...]:
    """Exact, then every grid setting and extra spec that serves this layer's operands."""
    if BIPOLAR in (layer.in_dtype, layer.weight_dtype):
        return (EXACT,)  # bipolar products are XNOR: nothing to approximate
    bits = max(layer.in_dtype.bitwidth(), layer.weight_dtype.bitwidth())
    out = [EXACT]
    listed = grid(bits) if bits <= GRID_MAX_BITS else []  # wider: a carried accumulator, the user's specs only
    for spec in listed + list(extra):
        if spec in out:
            continue
        try:
            mul = parse(spec)
            mul.check_operands(layer.in_dtype, layer.weight_dtype, f"layer {layer.name}")
        except AxgenError:
            continue
        if not keeps_carried(layer, *acc_bounds(layer, mul)):  # the next layer's input type must hold it
            continue
        out.append(spec)
    return tuple(out)


def constant_candidates(layer) -> list[str]:
    """An unrolled layer's approximate constants: csd:k=K,drop=D over the grid (K digits up to all
    the weights have, where K = all is pruning alone), one spec per distinct set of weights it
    gives, none that equals exact; a carrying layer's only if the next layer's input holds them."""
    weights = layer.weights
    most = max(csd_digit_count(int(v)) for v in np.unique(weights))
    seen, out = {weights.tobytes()}, []
    for drop in UNROLLED_DROPS:
        for k in sorted({*(d for d in UNROLLED_DIGITS if d < most), max(most, 1)}):
            spec = f"csd:k={k}" + (f",drop={drop}" if drop else "")
            rounded = constant_rounding(spec)(weights)
            if rounded.tobytes() in seen or (layer.carries and not keeps_carried(
                    replace(layer, weights=rounded), *acc_bounds(replace(layer, weights=rounded)))):
                continue
            seen.add(rounded.tobytes())
            out.append(spec)
    return out


def unrolled_candidates(layer, folded: tuple[str, ...]) -> tuple[str, ...]:
    """An unrolled layer's constants: exact, rounded (csd), or a family's products by them as
    tables of the activation (inputs of at most TABLE_MAX_BITS; `folded`: candidates_for the layer)."""
    families = folded[1:] if layer.in_dtype.bitwidth() <= TABLE_MAX_BITS else ()
    return (EXACT, *constant_candidates(layer), *families)


def _other_impl(layer, settings: dict, own: str) -> str | None:
    """The implementation a layer may also take at the same throughput: unrolled for a fully-
    connected layer folded fully parallel (PE = MH, SIMD = MW) that may be unrolled (integer inputs,
    at most UNROLL_MAX_WEIGHTS weights), folded fully parallel for an unrolled one; None otherwise."""
    from generator.hw.autofold import UNROLL_MAX_WEIGHTS
    if layer.kind != "fc" or layer.in_dtype == BIPOLAR or layer.mw * layer.mh > UNROLL_MAX_WEIGHTS:
        return None
    if own == "unrolled":
        return "folded"
    return "unrolled" if settings.get("pe") == layer.mh and settings.get("simd") == layer.mw else None


def full_space(net: Network, base: Config, extra: list[str], tune: bool = True) -> Space:
    """Every matrix layer's candidates (those of the other implementation too, where a layer may
    take either at the same throughput); weight tuning searched too unless not `tune`."""
    base.check_layers([layer.name for layer in net.layers])
    slots = []
    for index, layer in enumerate(net.layers):
        if layer.kind not in MATRIX_KINDS:
            continue
        settings = base.for_layer(index, layer.name)
        own = "unrolled" if settings.get("impl") == "unrolled" else "folded"
        other = _other_impl(layer, settings, own)
        folded = candidates_for(layer, extra)  # once: the unrolled families are these too
        listed = {impl: unrolled_candidates(layer, folded) if impl == "unrolled" else folded
                  for impl in filter(None, (own, other))}
        cands = (*listed[own], *(f"{other}/{spec}" for spec in listed.get(other, ())))
        tunable = any(spec != EXACT and constant_rounding(spec) is None for specs in listed.values() for spec in specs)
        slots.append(Slot(index, layer.name, cands, tune and tunable, (layer.mh, layer.mw)))
    if not slots:
        raise AxgenError(f"network {net.name} has no matrix layers: nothing to explore")
    return Space(base, tuple(slots))


def restricted(space: Space, keep: dict[str, list[str]]) -> Space:
    """The space with each layer's candidates cut to `keep[layer name]` (exact stays first)."""
    slots = []
    for slot in space.slots:
        cands = (EXACT,) + tuple(c for c in slot.candidates[1:] if c in keep.get(slot.name, ()))
        slots.append(replace(slot, candidates=cands, tunable=slot.tunable and len(cands) > 1))
    return Space(space.base, tuple(slots))


def solo_genomes(space: Space) -> list[tuple[int, ...]]:
    """Each candidate alone in its layer (the others exact), with tuning off and, if tunable, on."""
    n = len(space.slots)
    out = []
    for i, slot in enumerate(space.slots):
        for c in range(1, len(slot.candidates)):
            for tune in ((0, 1) if slot.tunable else (0,)):
                genome = [0] * (2 * n)
                genome[i], genome[n + i] = c, tune
                out.append(tuple(genome))
    return out


def prefilter(space: Space, scores: dict, max_loss: float) -> Space:
    """Keep a candidate where, alone in its layer (tuned or not), it loses at most `max_loss` of the
    exact accuracy and saves LUTs; `scores` maps solo_genomes(space) and space.exact to their scores."""
    exact = scores[space.exact]
    keep: dict[str, list[str]] = {}
    for genome in solo_genomes(space):
        s = scores[genome]
        if s["accuracy"] >= exact["accuracy"] - max_loss and s["luts"] < exact["luts"]:
            for slot, spec, _ in space.choices(genome):
                if spec != EXACT:
                    keep.setdefault(slot.name, []).append(spec)
    return restricted(space, keep)
