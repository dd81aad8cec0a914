"""The search: evaluations cached by configuration (in memory, and on disk across runs), run locally or
on Dask in order, and pymoo's NSGA-II over the per-layer candidate index and tuning flag."""

from __future__ import annotations

import contextlib
import itertools
import json
from pathlib import Path
from typing import Callable

import numpy as np

from generator.dse.evaluate import Scorer, score_config
from generator.dse.space import Space
from generator.errors import AxgenError
from generator.outputs import write_json

OBJECTIVES = {"accuracy": -1.0, "luts": 1.0, "cycles": 1.0}  # sign: pymoo minimizes
CACHE_FORMAT = 1
POP_SIZE = 12  # whatever the budget: a rerun with a larger budget replays the smaller one (from the cache) first


def parse_objectives(text) -> tuple[str, ...]:
    names = tuple(p.strip() for p in (text.split(",") if isinstance(text, str) else text) if p.strip())
    unknown = [n for n in names if n not in OBJECTIVES]
    if unknown or len(set(names)) != len(names) or not {"accuracy", "luts"} <= set(names):
        raise AxgenError(f"--objectives {','.join(names)!r}: supported are accuracy,luts or accuracy,luts,cycles"
                         + (f" ({', '.join(unknown)} unknown)" if unknown else ""))
    return names


@contextlib.contextmanager
def executor(workers: int = 0, scheduler: str | None = None, processes: bool = True):
    """A function (scorer, configs) -> scores in the order of configs: here (workers 0), on a Dask
    LocalCluster of `workers` processes, or on the Dask scheduler at `scheduler`."""
    if workers < 0:
        raise AxgenError(f"--workers must be 0 (evaluate here) or more, not {workers}")
    if not workers and not scheduler:
        yield lambda scorer, configs: [score_config(scorer, cfg) for cfg in configs]
        return
    from distributed import Client, LocalCluster
    with contextlib.ExitStack() as stack:
        if scheduler:
            try:
                client = stack.enter_context(Client(scheduler, timeout=30))
            except (OSError, TimeoutError, ValueError) as exc:
                raise AxgenError(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from None
        else:
            cluster = stack.enter_context(LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                                                       dashboard_address=None))
            client = stack.enter_context(Client(cluster))
        shipped = []  # (scorer, its future on the workers): each scorer is sent once

        def run(scorer, configs):
            remote = next((future for known, future in shipped if known is scorer), None)
            if remote is None:
                remote = client.scatter(scorer, broadcast=True)
                shipped.append((scorer, remote))
            futures = client.map(score_config, [remote] * len(configs), configs, pure=False)
            return client.gather(futures)  # in the order submitted
        yield run


class Evaluations:
    """Scores by configuration key, filled by batches; `new` counts the evaluations actually run."""

    def __init__(self, space: Space, scorer: Scorer, run, path: Path | None = None,
                 progress: Callable[[int], None] | None = None):
        self.space, self.scorer, self.run, self.path, self.progress = space, scorer, run, path, progress
        self.fingerprint = scorer.fingerprint(space.base.to_dict())
        self.scores: dict[str, dict] = self._load()
        self.seen: dict[str, tuple[int, ...]] = {}  # key -> genome, in the order first asked
        self.new = 0

    def _load(self) -> dict:
        if self.path is None or not self.path.is_file():
            return {}
        try:
            doc = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        if doc.get("format") != CACHE_FORMAT or doc.get("fingerprint") != self.fingerprint:
            return {}
        return dict(doc.get("scores", {}))

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_json(self.path, {"format": CACHE_FORMAT, "fingerprint": self.fingerprint, "scores": self.scores},
                   indent=0)

    def __call__(self, genomes) -> list[dict]:
        genomes = [self.space.canonical(g) for g in genomes]
        keys = [self.space.key(g) for g in genomes]
        todo = {}
        for key, genome in zip(keys, genomes):
            self.seen.setdefault(key, genome)
            if key not in self.scores and key not in todo:
                todo[key] = genome
        if todo:
            results = self.run(self.scorer, [self.space.config(g) for g in todo.values()])
            self.scores.update(zip(todo, results))
            self.new += len(todo)
        if self.progress:
            self.progress(len(genomes))
        return [self.scores[key] for key in keys]

    def evaluated(self) -> list[tuple[tuple[int, ...], dict]]:
        """Every configuration asked for in this run, with its scores, in the order first asked."""
        return [(genome, self.scores[key]) for key, genome in self.seen.items()]


def objective_matrix(scores: list[dict], objectives) -> np.ndarray:
    return np.array([[OBJECTIVES[o] * s[o] for o in objectives] for s in scores], dtype=float)


def search(space: Space, evaluate: Evaluations, budget: int, seed: int, objectives) -> None:
    """Spend `budget` evaluations: every configuration when the space is that small, else NSGA-II
    (integer variables, seeded, the all-exact configuration in the first population)."""
    bounds = space.bounds
    if space.size <= budget:
        evaluate([space.exact] + list(itertools.product(*(range(u + 1) for u in bounds))))
        return
    free = [i for i, upper in enumerate(bounds) if upper > 0]  # variables with a choice
    rng = np.random.default_rng(seed)
    first = [np.zeros(len(free), dtype=int)]
    while len(first) < min(POP_SIZE, max(budget, 2)):
        first.append(rng.integers(0, [bounds[i] + 1 for i in free]))
    evaluate([space.exact])

    def genome(row) -> tuple[int, ...]:
        out = [0] * len(bounds)
        for i, value in zip(free, np.round(row).astype(int)):
            out[i] = int(value)
        return tuple(out)

    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem
    from pymoo.operators.crossover.sbx import SBX
    from pymoo.operators.mutation.pm import PM
    from pymoo.operators.repair.rounding import RoundingRepair
    from pymoo.optimize import minimize

    class Multipliers(Problem):
        def __init__(self):
            super().__init__(n_var=len(free), n_obj=len(objectives), xl=0, xu=np.array([bounds[i] for i in free]),
                             vtype=int)

        def _evaluate(self, x, out, *args, **kwargs):
            out["F"] = objective_matrix(evaluate([genome(row) for row in x]), objectives)

    algorithm = NSGA2(pop_size=len(first), sampling=np.array(first, dtype=float),
                      crossover=SBX(prob=0.9, eta=3.0, vtype=float, repair=RoundingRepair()),
                      mutation=PM(eta=3.0, vtype=float, repair=RoundingRepair()), eliminate_duplicates=True)
    minimize(Multipliers(), algorithm, ("n_eval", budget), seed=seed, verbose=False)
