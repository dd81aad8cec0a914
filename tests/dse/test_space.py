"""The DSE's pieces: candidates per layer, configuration names and configs, the library guard and the
non-dominated filter."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import config as config_mod
from generator.dse.evaluate import Scorer
from generator.dse.explore import non_dominated
from generator.dse.space import full_space, library_specs, solo_genomes, user_specs
from generator.errors import AxgenError
from generator.multipliers import parse
from generator.multipliers.catalog import grid


@pytest.fixture(scope="module")
def net(digits_model):
    from generator.frontend import load_network
    return load_network(digits_model)


def test_space_names_configs_and_canonical_genomes(net, tmp_path):
    table = tmp_path / "t.npy"
    np.save(table, np.outer(np.arange(16), np.arange(-8, 8)) * 0)  # UINT4 x INT4 codes: serves every layer
    space = full_space(net, config_mod.from_dict({"layers": {0: {"pe": 8, "simd": 8}}}), user_specs([f"lut:{table}"]))
    slot = space.slots[0]
    assert slot.candidates[0] == "exact" and f"lut:{table.resolve()}" in slot.candidates and slot.tunable
    assert set(slot.candidates) <= set(grid(4)) | {f"lut:{table.resolve()}"}
    n = len(space.slots)
    assert space.canonical([0] * n + [1] * n) == space.exact  # tuning an exact layer changes nothing
    trunc = slot.candidates.index("trunc:k=3")
    genome = space.canonical([trunc] + [0] * (n - 1) + [1] + [0] * (n - 1))
    assert space.name(genome) == "trunc-k3.t_exact_exact" and space.name(space.exact) == "exact"
    assert space.key(genome) == "fc0=trunc:k=3+tune|fc1=exact|fc2=exact"
    cfg = space.config(genome)
    assert cfg["layers"]["fc0"] == {"pe": 8, "simd": 8, "multiplier": "trunc:k=3", "tune_weights": True}
    assert cfg["layers"]["fc1"] == {"multiplier": "exact", "tune_weights": False}
    assert len(solo_genomes(space)) == sum(2 * (len(s.candidates) - 1) for s in space.slots)


def test_without_tuning_no_layer_tunes(net):
    space = full_space(net, config_mod.from_dict({}), [], tune=False)
    assert not any(s.tunable for s in space.slots) and all(len(s.candidates) > 1 for s in space.slots)
    n = len(space.slots)
    genome = space.canonical([1] * n + [1] * n)  # a tuning gene set anyway is clipped off
    assert genome[n:] == (0,) * n and ".t" not in space.name(genome)
    assert len(solo_genomes(space)) == sum(len(s.candidates) - 1 for s in space.slots)


def test_library_folder_messages(tmp_path):
    with pytest.raises(AxgenError, match="is not a folder"):
        library_specs(tmp_path / "nope")
    with pytest.raises(AxgenError, match="holds no \\*.v files"):
        library_specs(tmp_path)
    (tmp_path / "m.v").write_text("module m(input [3:0] a, input [3:0] b, output [7:0] p); assign p = a * b; endmodule\n")
    assert library_specs(tmp_path) == [f"verilog:{(tmp_path / 'm.v').resolve()}"]
    assert parse(library_specs(tmp_path)[0]).unsigned(np.array([15]), np.array([15]), 4, 4)[0] == 225
    (tmp_path / "n.v").write_text("module n(input clk, input [3:0] a, output reg [3:0] p); "
                                  "always @(posedge clk) p <= a; endmodule\n")
    with pytest.raises(AxgenError, match="n.v"):
        library_specs(tmp_path)


def test_scorer_agrees_with_the_golden_model(net):
    from generator.demo import golden_accuracy
    from generator.digits import load_digits_split
    from generator.golden import head_values
    data = load_digits_split(0)
    cfg = {"layers": {"fc0": {"multiplier": "trunc:k=4", "tune_weights": True}, "fc1": {"multiplier": "drum:k=2"}}}
    scores = Scorer(net, None, head_values(net.head, data.x_test), data.y_test)(cfg)
    assert scores["accuracy"] == golden_accuracy(net, config_mod.from_dict(cfg), data.x_test, data.y_test)
    assert scores["accuracy"] < 1 and scores["luts"] > 0 and scores["cycles"] == 64 * 64  # fc0 unfolded: MH x MW


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=1, max_size=12))
def test_non_dominated(points):
    rows = [{"accuracy": a / 6, "luts": luts} for a, luts in points]
    front = non_dominated(rows, ("accuracy", "luts"))
    points = [(r["accuracy"], r["luts"]) for r in front]
    assert front and len(set(points)) == len(points)
    for r in rows:
        dominated = any(o["accuracy"] >= r["accuracy"] and o["luts"] <= r["luts"]
                        and (o["accuracy"], o["luts"]) != (r["accuracy"], r["luts"]) for o in rows)
        if any(r is f for f in front):
            assert not dominated
        else:
            assert dominated or (r["accuracy"], r["luts"]) in points
