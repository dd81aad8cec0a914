"""`axgen dse` on the digits MLP: a non-dominated front with the exact row, configs that plan, the same
front for the same seed (locally and on Dask), no new evaluation on a rerun, and clean user errors."""

import json
import shutil

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from generator import api, boards
from generator import config as config_mod
from generator.cli import main
from generator.dse import cheapest_within, explore, front_and_cheapest
from generator.dse.report import read_csv
from generator.dse.search import POP_SIZE
from generator.hw import make_plan

# the digits MLP within 64 cycles per sample
DEMO_FOLDING = {0: {"pe": 8, "simd": 8}, 1: {"pe": 4, "simd": 8}, 2: {"pe": 2, "simd": 4}}
BUDGET = 20
SEARCH = dict(budget=BUDGET, seed=3, config={"layers": DEMO_FOLDING}, yosys=False)


@pytest.fixture(scope="module")
def net(digits_model):
    return api.load(digits_model)


@pytest.fixture(scope="module")
def first(net, tmp_path_factory):
    out = tmp_path_factory.mktemp("dse") / "out"
    return out, api.dse(net, "digits", out, **SEARCH)


def _front(out):
    return [(r["config"], r["accuracy"], r["luts"]) for r in read_csv(out / "pareto.csv")]


def test_front_is_non_dominated_and_lists_exact(first):
    out, result = first
    rows = read_csv(out / "pareto.csv")
    assert list(rows[0])[:4] == ["config", "accuracy", "luts", "cycles"]
    assert [r["config"] for r in rows] == [r["config"] for r in result.front]
    assert sum(r["exact"] == "1" for r in rows) == 1 and any(r["config"] == "exact" for r in rows)
    points = [(r["accuracy"], r["luts"]) for r in result.front if not r["dominated"]]
    assert len(points) >= 2
    for a, luts in points:  # nothing evaluated beats a front point on both objectives
        assert not any(o["accuracy"] >= a and o["luts"] <= luts and (o["accuracy"], o["luts"]) != (a, luts)
                       for o in result.evaluated)
    assert all(r["test_accuracy"] for r in rows) and (out / "pareto.png").stat().st_size > 10_000
    assert result.counts["search"] >= BUDGET


def test_every_config_plans_as_written(first, net):
    out, result = first
    files = sorted((out / "configs").glob("*.yaml"))
    assert {f.stem for f in files} == {r["config"] for r in result.front}
    for path in files:
        row = next(r for r in result.front if r["config"] == path.stem)
        plan = make_plan(net, config_mod.load(path), boards.load(None))
        assert plan.resources()["total"]["lut"] == row["luts"]
        assert [s.multiplier.spec for s in plan.stages] == [row["settings"]["layers"][s.name]["multiplier"]
                                                            for s in plan.stages]
        assert [s.folding for s in plan.stages] == ["8x8", "4x8", "2x4"]


def test_rerun_reuses_every_evaluation(first, net, tmp_path):
    out, result = first
    again = api.dse(net, "digits", out, **SEARCH)
    assert result.counts["new_evaluations"] > BUDGET and again.counts["new_evaluations"] == 0
    assert _front(out) == [(r["config"], f"{r['accuracy']:.6f}", str(r["luts"])) for r in result.front]
    # a larger search in a copy (the module's other tests read out/configs as the first run wrote them)
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    larger = api.dse(net, "digits", copy, **{**SEARCH, "budget": BUDGET + 10})  # replays the first 20 from the cache
    assert 0 < larger.counts["new_evaluations"] <= 10 + POP_SIZE < larger.counts["search"]


def test_dask_gives_the_same_front_as_local(first, net, tmp_path):
    out, result = first
    dask = explore(net, "digits", {"layers": DEMO_FOLDING}, boards.load(None), budget=BUDGET, seed=3, workers=2,
                   processes=False)
    assert [(r["config"], r["accuracy"], r["luts"]) for r in dask.front] == \
        [(r["config"], r["accuracy"], r["luts"]) for r in result.front]
    assert dask.counts["new_evaluations"] == result.counts["new_evaluations"]


@pytest.mark.slow
def test_dask_processes_and_a_running_scheduler_give_the_same_front(first, net):
    from distributed import LocalCluster
    _, result = first
    expected = [(r["config"], r["accuracy"], r["luts"]) for r in result.front]
    local = explore(net, "digits", {"layers": DEMO_FOLDING}, boards.load(None), budget=BUDGET, seed=3, workers=2)
    assert [(r["config"], r["accuracy"], r["luts"]) for r in local.front] == expected
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = explore(net, "digits", {"layers": DEMO_FOLDING}, boards.load(None), budget=BUDGET, seed=3,
                         scheduler=cluster.scheduler_address)
    assert [(r["config"], r["accuracy"], r["luts"]) for r in remote.front] == expected


def test_cheapest_within_a_loss(first):
    _, result = first
    exact = result.exact["accuracy"]
    best = cheapest_within(result, 0.01)
    assert best["accuracy"] >= exact - 0.01
    assert all(r["luts"] >= best["luts"] for r in result.front if r["accuracy"] >= exact - 0.01)
    assert cheapest_within(result, 0.0)["luts"] <= result.exact["luts"]


def test_the_cheapest_configuration_within_1_percent_builds_bit_exact(first, net, tmp_path):
    """The issue's check: the front's cheapest configuration within 1% of exact accuracy, built from
    its configs/*.yaml as written, is bit-exact against the golden model in RTL and HLS simulation."""
    from generator.verify import verify
    out, result = first
    best = cheapest_within(result, 0.01)
    assert best["luts"] < result.exact["luts"]  # it saves LUTs, by the resource model
    acc = api.build(net, tmp_path / "best", config=out / "configs" / f"{best['config']}.yaml")
    assert acc.plan.resources()["total"]["lut"] == best["luts"]
    report = verify(acc.project, "all", samples=8, seed=2)
    assert report["mismatches"] == 0
    assert [(b["backend"], b["mismatches"], b["samples"]) for b in report["backends"]] == [("rtl", 0, 8), ("hls", 0, 8)]


@pytest.mark.parametrize("args, message", [
    (["--budget", "0"], "--budget must be at least 1"),
    (["--objectives", "accuracy,area"], "area unknown"),
    (["--dataset", "nothing.npz"], "does not exist"),
    (["--max-loss", "2"], "--max-loss is a fraction"),
])
def test_user_errors_exit_2_and_write_nothing(digits_model, tmp_path, args, message):
    out = tmp_path / "out"
    base = {"--dataset": "digits", "--budget": "5"}
    base.update(dict(zip(args[::2], args[1::2])))
    result = CliRunner().invoke(main, ["dse", str(digits_model), "-o", str(out), "--no-yosys",
                                       *[x for kv in base.items() for x in kv]])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    assert result.output.count("\n") == 1 and not out.exists()


def test_model_that_fails_to_load(tmp_path):
    (tmp_path / "broken.onnx").write_bytes(b"not onnx")
    result = CliRunner().invoke(main, ["dse", str(tmp_path / "broken.onnx"), "--dataset", "digits", "--budget", "5",
                                       "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and result.output.startswith("axgen: error:") and not (tmp_path / "out").exists()


def test_npz_without_test_split_has_no_test_column(net, tmp_path):
    from generator.dse.dataset import load_dataset
    digits = load_dataset("digits")
    np.savez(tmp_path / "val.npz", x_train=digits.x_val, y_train=digits.y_val, x_val=digits.x_val[:100],
             y_val=digits.y_val[:100])
    result, cheapest = front_and_cheapest(net, tmp_path / "val.npz", DEMO_FOLDING, loss=0.02, budget=4, max_loss=0.02)
    assert all("test_accuracy" not in r for r in result.front) and result.exact["config"] == "exact"
    assert cheapest in result.front and cheapest["accuracy"] >= result.exact["accuracy"] - 0.02


@pytest.mark.slow
def test_yosys_measures_the_front(net, tmp_path):
    result = api.dse(net, "digits", tmp_path / "out", budget=2, seed=0, config={"layers": DEMO_FOLDING}, max_loss=0.0)
    rows = read_csv(tmp_path / "out" / "pareto.csv")
    assert [int(r["yosys_luts"]) for r in rows] == [r["yosys_luts"] for r in result.front]
    exact = result.exact
    assert abs(exact["yosys_luts"] - exact["luts"]) < 0.2 * exact["luts"]  # the model is calibrated against Yosys


def test_search_at_an_automatic_folding(net, tmp_path):
    """`--target-cycles`: the folding is chosen first, and every configuration on the front keeps it."""
    from generator.hw.autofold import fold_to_target
    result = api.dse(net, "digits", tmp_path / "out", budget=2, seed=0, yosys=False, target_cycles=64)
    _, plan = fold_to_target(net, config_mod.Config(), boards.load(None), 64)
    for path in (tmp_path / "out" / "configs").glob("*.yaml"):
        built = make_plan(net, config_mod.load(path), boards.load(None))
        assert [s.folding for s in built.stages] == [s.folding for s in plan.stages]
        assert built.estimated_cycles <= 64
    assert result.front


def test_cli_json_prints_the_front(first, digits_model, tmp_path):
    """`axgen dse --json`: the front on stdout as JSON, the same search again answered from the cache."""
    out, result = first
    cfg = tmp_path / "folding.yaml"
    cfg.write_text(yaml.safe_dump({"layers": DEMO_FOLDING}))
    run = CliRunner().invoke(main, ["dse", str(digits_model), "--dataset", "digits", "--budget", str(BUDGET), "--seed", "3",
                                    "--config", str(cfg), "--no-yosys", "-o", str(out), "--json"])
    assert run.exit_code == 0, run.output
    doc = json.loads(run.stdout)
    assert [r["config"] for r in doc["front"]] == [r["config"] for r in result.front]
    assert doc["exact"]["config"] == "exact" and doc["counts"]["new_evaluations"] == 0


def test_unrolled_layers_explore_approximate_constants(net):
    """With impl: unrolled, each layer's candidates are its weights exact, rounded to K signed
    digits and pruned (csd:k=K,drop=D, each giving weights of its own, never tuned) and the
    catalogue's families as product tables (tuned or not)."""
    from generator.dse.space import full_space
    from generator.multipliers.csd import constant_rounding
    base = {"defaults": {"impl": "unrolled"}}
    space = full_space(net, config_mod.from_dict(base), [])
    for slot in space.slots:
        weights = net.layers[slot.index].weights
        csd = [spec for spec in slot.candidates if spec.startswith("csd:")]
        rounded = [constant_rounding(spec)(weights).tobytes() for spec in csd]
        assert slot.candidates[0] == "exact" and slot.tunable and len(csd) >= 6
        assert len(set(rounded)) == len(rounded) and weights.tobytes() not in rounded
        assert {"csd:k=1", "csd:k=1,drop=1"} <= set(csd) and any(s.startswith("trunc:") for s in slot.candidates)
        genome = [0] * (2 * len(space.slots))
        i = space.slots.index(slot)
        genome[i], genome[len(space.slots) + i] = slot.candidates.index("csd:k=1"), 1
        assert space.canonical(genome)[len(space.slots) + i] == 0  # rounded constants are never tuned


def test_a_layer_at_one_vector_per_cycle_trades_folded_against_unrolled(net):
    """A fully-connected layer folded fully parallel (PE = MH, SIMD = MW) may also be unrolled, and
    an unrolled one folded fully parallel: its candidates hold the other implementation's, each
    configuration plans as written, and the model finds the unrolled digits MLP cheaper than the
    fully parallel folded one at the same cycle per sample."""
    from generator.dse.space import full_space
    parallel = {i: {"pe": layer.mh, "simd": layer.mw} for i, layer in enumerate(net.layers)}
    space = full_space(net, config_mod.from_dict({"layers": parallel}), [])
    n = len(space.slots)
    for slot in space.slots:
        assert {"unrolled/exact", "unrolled/csd:k=1"} <= set(slot.candidates) and slot.candidates[0] == "exact"
    unrolled = [space.slots[i].candidates.index("unrolled/exact") for i in range(n)] + [0] * n
    assert space.name(unrolled) == "_".join(["u-exact"] * n)
    folded_plan = make_plan(net, config_mod.from_dict(space.config(space.exact)))
    unrolled_plan = make_plan(net, config_mod.from_dict(space.config(unrolled)))
    assert {s.kind for s in unrolled_plan.stages if s.name in [sl.name for sl in space.slots]} == {"unrolled"}
    assert unrolled_plan.resources()["total"]["lut"] < folded_plan.resources()["total"]["lut"]
    assert unrolled_plan.estimated_cycles <= folded_plan.estimated_cycles

    back = full_space(net, config_mod.from_dict({"defaults": {"impl": "unrolled"}}), [])
    genome = [back.slots[0].candidates.index("folded/exact")] + [0] * (2 * n - 1)
    entry = back.config(genome)["layers"][back.slots[0].name]
    assert (entry["impl"], entry["pe"], entry["simd"]) == ("folded", net.layers[0].mh, net.layers[0].mw)
    assert make_plan(net, config_mod.from_dict(back.config(genome))).stages[0].kind == "fc"


@pytest.mark.slow
def test_an_unrolled_search_finds_cheaper_constants(net, tmp_path):
    """The search over unrolled layers' candidates (csd roundings and families as product tables):
    its cheapest front point has fewer estimated LUTs than exact, and every front config plans as
    written, unrolled."""
    base = {"defaults": {"impl": "unrolled"}}
    result = api.dse(net, "digits", tmp_path / "out", budget=12, seed=1, config=base, yosys=False)
    exact = next(r for r in result.front if r["config"] == "exact")
    cheapest = min(result.front, key=lambda r: r["luts"])
    assert cheapest["luts"] < exact["luts"]
    for row in result.front:
        plan = make_plan(net, config_mod.load(tmp_path / "out" / "configs" / f"{row['config']}.yaml"))
        assert {stage.kind for stage in plan.stages} == {"unrolled"}
        assert plan.resources()["total"]["lut"] == row["luts"]
