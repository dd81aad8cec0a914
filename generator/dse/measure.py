"""Yosys on the Pareto points: each configuration built into a scratch project and synthesized (cached per module)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Callable

from generator import config as config_mod
from generator.ir import Network
from generator.project import build
from generator.synth import run as synth_run


def yosys_luts(net: Network, rows: list[dict], board: str | Path | None = None, jobs: int = 1,
               progress: Callable[[int, int], None] | None = None) -> None:
    """Set row["yosys_luts"] to the LUTs Yosys (synth_xilinx -nodsp) finds in each row's whole design."""
    scratch = Path(tempfile.mkdtemp(prefix="axgen-dse-"))
    try:
        for done, row in enumerate(rows):
            root = scratch / row["config"]
            build(net, root, config_mod.from_dict(row["settings"]), board=board)
            row["yosys_luts"] = int(synth_run(root, "yosys", jobs=jobs, no_dsp=True)["total"]["lut"])
            shutil.rmtree(root, ignore_errors=True)
            if progress:
                progress(done + 1, len(rows))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
