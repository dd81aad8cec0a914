"""Checks shared by every stage's settings: folding factors that divide, flags that are booleans,
and the FIFO depth of a stream."""

from __future__ import annotations

from generator.errors import AxgenError

EDGE_FIFO_MAX = 1024  # beats: the deepest FIFO in front of a stage


def fifo_depth(beats: int) -> int:
    """Depth of an edge FIFO that should hold `beats`: at least 2, at most EDGE_FIFO_MAX."""
    return min(EDGE_FIFO_MAX, max(2, beats))


def divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def check_choice(layer, key: str, value, choices: list[int], what: str) -> int:
    """`value` if it is one of `choices` (the values `key` may take for `what`), else a message
    listing them."""
    if not isinstance(value, int) or isinstance(value, bool) or value not in choices:
        raise AxgenError(f"layer {layer.name}: {key}={value!r} does not fold {what}; "
                         f"valid values: {', '.join(map(str, choices))}")
    return value


def check_flag(layer, key: str, value) -> bool:
    if not isinstance(value, bool):
        raise AxgenError(f"layer {layer.name}: {key} must be true or false, got {value!r}")
    return value


def channel_pe(index: int, layer, config, producer, channels: int) -> int:
    """The PE (channels per beat) of a stage that only moves channels (pools, duplicates, adds):
    set per layer under `layers` (`defaults` do not apply; `pe` is its only key); by default the
    producer's PE (no width converter) when that divides the channels, else 1."""
    settings = config.layer_entry(index, layer.name)
    extra = sorted(set(settings) - {"pe"})
    if extra:
        raise AxgenError(f"layer {layer.name}: {layer.kind} layers take only ['pe'], not {extra}")
    inherited = producer.out_per_beat if producer is not None else 1
    default = inherited if channels % inherited == 0 else 1
    return check_choice(layer, "pe", settings.get("pe", default), divisors(channels), f"the channels ({channels})")
