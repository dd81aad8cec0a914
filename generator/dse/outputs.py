"""`axgen dse`'s whole run into a folder: explore, measure the front with Yosys, then write every output at once."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from generator import boards
from generator.dse.explore import DseResult, explore
from generator.dse.measure import yosys_luts
from generator.dse.report import plot, write_configs, write_csv
from generator.errors import AxgenError
from generator.ir import Network

CACHE_FILE = "evaluations.json"
OUTPUTS = ("pareto.csv", "pareto.png", "configs")


def run_dse(net: Network, dataset, out_dir: Path, config=None, board: str | Path | None = None,
            yosys: bool = True, jobs: int = 1, progress: Callable[[str, int, int], None] | None = None,
            **search) -> DseResult:
    """explore(...) with its score cache in out_dir, the front's LUTs measured with Yosys (unless not
    `yosys`), then out_dir/pareto.csv, pareto.png and configs/<config>.yaml replaced together."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise AxgenError(f"{out_dir} exists and is not a folder")
    target = boards.load(board)
    result = explore(net, dataset, config, target, cache=out_dir / CACHE_FILE, progress=progress, **search)
    if yosys:
        yosys_luts(net, result.front, board, jobs, progress=lambda done, total: progress and progress("yosys", done, total))
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.dse.", dir=out_dir.parent))
    try:
        write_csv(result.front, staging / "pareto.csv")
        plot(result.front, result.evaluated, staging / "pareto.png",
             f"{net.name}: {len(result.evaluated)} configurations, {len(result.front)} on the front")
        write_configs(result.front, staging / "configs")
        for name in OUTPUTS:
            target_path = out_dir / name
            if target_path.is_dir():
                shutil.rmtree(target_path)
            os.replace(staging / name, target_path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result
