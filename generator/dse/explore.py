"""The exploration from network and data to the Pareto front: candidates, pre-filter, search, test accuracy."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from generator import config as config_mod
from generator.boards import Board
from generator.dse.dataset import Dataset, encode, load_dataset
from generator.dse.evaluate import Scorer
from generator.dse.search import Evaluations, executor, objective_matrix, parse_objectives, search
from generator.dse.space import EXACT, full_space, library_specs, prefilter, solo_genomes, user_specs
from generator.errors import AxgenError
from generator.ir import Network

DEFAULT_MAX_LOSS = 0.05


@dataclass
class DseResult:
    """Rows {"config", "key", "accuracy", "luts", "cycles", "settings" (the build configuration dict),
    "exact", "dominated"}; `front`: the non-dominated rows within the accepted loss of the exact accuracy,
    sorted by LUTs, with "test_accuracy" when the data has a test split; the exact row is always in it."""

    front: list[dict]
    evaluated: list[dict]
    exact: dict
    objectives: tuple[str, ...]
    counts: dict = field(default_factory=dict)  # candidates per layer, prefilter / search / new evaluations


def cheapest_within(result: DseResult, loss: float) -> dict:
    """The front's row with the fewest LUTs whose accuracy is at most `loss` below the exact one's."""
    ok = [row for row in result.front if row["accuracy"] >= result.exact["accuracy"] - loss]
    return min(ok, key=lambda row: (row["luts"], -row["accuracy"]))


def non_dominated(rows: list[dict], objectives) -> list[dict]:
    """Rows no other row is at least as good as in every objective and better in one; of rows with
    equal objectives, the first."""
    matrix = objective_matrix(rows, objectives)
    keep, seen = [], set()
    for i, row in enumerate(rows):
        point = tuple(matrix[i])
        if point in seen:
            continue
        if any((matrix[j] <= matrix[i]).all() and (matrix[j] < matrix[i]).any() for j in range(len(rows))):
            continue
        seen.add(point)
        keep.append(row)
    return keep


def explore(net: Network, dataset: str | Path | Dataset, config=None, board: Board | None = None, budget: int = 40,
            seed: int = 0, max_loss: float = DEFAULT_MAX_LOSS, objectives="accuracy,luts", multipliers=(),
            library: str | Path | None = None, workers: int = 0, scheduler: str | None = None,
            cache: Path | None = None, progress: Callable[[str, int, int], None] | None = None,
            processes: bool = True, tune: bool = True) -> DseResult:
    """Search a multiplier and weight tuning per matrix layer of `net` at the folding of `config` (a
    Config or dict): candidates are the built-in families' grid, `multipliers` (specs) and the *.v cores
    of `library`, each kept if alone in its layer it loses at most `max_loss` of the exact validation
    accuracy; NSGA-II spends `budget` evaluations. Weight tuning is searched per layer unless not
    `tune`. `cache` (a JSON file) keeps scores across runs.
    `progress(phase, done, total)` hears "prefilter" and "search"."""
    objectives = parse_objectives(objectives)
    if budget < 1:
        raise AxgenError(f"--budget must be at least 1, not {budget}")
    if not 0 <= max_loss <= 1:
        raise AxgenError(f"--max-loss is a fraction of accuracy between 0 and 1, not {max_loss}")
    base = config if isinstance(config, config_mod.Config) else config_mod.from_dict(config)
    extra = user_specs(multipliers) + library_specs(library)
    data = encode(load_dataset(dataset), net)
    space = full_space(net, base, extra, tune)
    scorer = Scorer(net, board, data.val, data.y_val)
    counts = {"candidates": {s.name: len(s.candidates) for s in space.slots}}
    with executor(workers, scheduler, processes) as run:
        solo = solo_genomes(space)
        done = [0]

        def tick(phase, total):
            def advance(n):
                done[0] += n
                if progress:
                    progress(phase, done[0], total)
            return advance

        evaluations = Evaluations(space, scorer, run, cache, tick("prefilter", len(solo) + 1))
        scores = dict(zip([space.exact] + solo, evaluations([space.exact] + solo)))
        counts["prefilter"] = len(solo) + 1
        space = prefilter(space, scores, max_loss)
        counts["kept"] = {s.name: list(s.candidates) for s in space.slots}
        done[0] = 0
        searched = Evaluations(space, scorer, run, None, tick("search", budget))
        searched.scores = evaluations.scores  # one cache: keys name configurations whatever the space
        search(space, searched, budget, seed, objectives)
        evaluations.save()
        counts["search"] = len(searched.seen)
        counts["new_evaluations"] = evaluations.new + searched.new
        rows = [_row(space, genome, s) for genome, s in searched.evaluated()]
        keys = {r["key"] for r in rows}
        rows += [_row(evaluations.space, genome, s) for genome, s in evaluations.evaluated()
                 if evaluations.space.key(genome) not in keys]
        rows.sort(key=lambda r: (r["luts"], -r["accuracy"], r["config"]))
        exact = next(r for r in rows if r["config"] == EXACT)
        front = non_dominated([r for r in rows if r["accuracy"] >= exact["accuracy"] - max_loss], objectives)
        for row in rows:
            row["exact"] = row is exact
            row["dominated"] = row is exact and exact not in front
        if exact not in front:
            front = sorted(front + [exact], key=lambda r: (r["luts"], -r["accuracy"], r["config"]))
        if data.test is not None:
            test = Scorer(net, board, data.test, data.y_test)
            for row, s in zip(front, run(test, [row["settings"] for row in front])):
                row["test_accuracy"] = s["accuracy"]
    return DseResult(front, rows, exact, objectives, counts)


def _row(space, genome, scores: dict) -> dict:
    return {"config": space.name(genome), "key": space.key(genome), **scores, "settings": space.config(genome)}


def front_and_cheapest(net: Network, dataset, folding: dict, loss: float = 0.01, budget: int = 40, seed: int = 0,
                       **search) -> tuple[DseResult, dict]:
    """For the demo: the Pareto front of `net` at `folding` ({layer index or name: {"pe", "simd"}}) on
    `dataset`, and its cheapest configuration within `loss` of the exact accuracy."""
    result = explore(net, dataset, {"layers": folding}, budget=budget, seed=seed, **search)
    return result, cheapest_within(result, loss)
