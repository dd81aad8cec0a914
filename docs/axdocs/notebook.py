"""Running a jupytext percent script as a notebook, outside Jupyter: its cells in order in one
namespace and one working folder, each cell's printed text, last value and open matplotlib figures
kept as its outputs. A code cell is Python, except lines starting with `!`: shell commands, as in
Jupyter (in the .py file they read `# !command`). A cell that raises or a command that exits
non-zero is an error, unless the cell is tagged `raises-exception` (an error meant to be shown).

The tutorials' cache (axdocs.tutorials) is keyed by this file and the code the tutorials run, so an
edit here runs them again and an edit of how pages are rendered does not."""

from __future__ import annotations

import ast
import base64
import contextlib
import io
import os
import pprint
import shutil
import subprocess
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from axdocs import ROOT
from axdocs.figures import png, pyplot

RAISES = "raises-exception"


class TutorialError(Exception):
    """A tutorial cell failed: names the tutorial, the cell and what went wrong."""


@dataclass
class Segment:
    kind: str  # "python" or "shell"
    code: str
    outputs: list = field(default_factory=list)  # ("text", str) or ("image", base64 PNG)


@dataclass
class Cell:
    kind: str  # "markdown" or "code"
    source: str
    tags: tuple = ()
    segments: list = field(default_factory=list)


def read(path: Path) -> list[Cell]:
    import jupytext
    notebook = jupytext.read(path, fmt="py:percent")
    cells = []
    for cell in notebook.cells:
        tags = tuple(cell.metadata.get("tags", ()))
        item = Cell(cell.cell_type, cell.source, tags)
        if cell.cell_type == "code":
            item.segments = split(cell.source)
        cells.append(item)
    return cells


def split(source: str) -> list[Segment]:
    """A code cell as its runs of Python lines and its shell (`!`) lines, in order."""
    segments: list[Segment] = []
    for line in source.splitlines():
        kind = "shell" if line.lstrip().startswith("!") else "python"
        text = line.lstrip()[1:].strip() if kind == "shell" else line
        if kind == "python" and segments and segments[-1].kind == "python":
            segments[-1].code += "\n" + text
        else:
            segments.append(Segment(kind, text))
    for seg in segments:
        seg.code = seg.code.strip("\n")
    return [s for s in segments if s.code.strip()]


def shell_environment() -> dict:
    """The environment of `!` commands: this Python's `axgen` first on PATH, this checkout's
    generator importable, plain uncoloured output at a fixed width."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update({"COLUMNS": "120", "TERM": "dumb", "NO_COLOR": "1", "PYTHONWARNINGS": "ignore"})
    return env


def _run_python(code: str, namespace: dict, name: str) -> list:
    tree = ast.parse(code, filename=name)
    shown = not code.rstrip().endswith(";")  # as in Jupyter, a trailing ; hides the last value
    last = tree.body.pop() if shown and tree.body and isinstance(tree.body[-1], ast.Expr) else None
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        exec(compile(tree, name, "exec"), namespace)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), name, "eval"), namespace)
            if value is not None:
                print(value if isinstance(value, str) else pprint.pformat(value, width=100, sort_dicts=False))
    outputs = [("text", out.getvalue())] if out.getvalue().strip() else []
    plt = pyplot()
    for number in plt.get_fignums():
        outputs.append(("image", base64.b64encode(png(plt.figure(number))).decode()))
    return outputs


def _run_shell(command: str, workdir: Path) -> tuple[list, int]:
    done = subprocess.run(command, shell=True, cwd=workdir, env=shell_environment(), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    return ([("text", done.stdout)] if done.stdout.strip() else []), done.returncode


def execute(path: Path, workdir: Path) -> list[Cell]:
    """Run every code cell of the tutorial at `path` in a fresh folder; the cells with their outputs."""
    import matplotlib
    matplotlib.use("Agg")
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    cells = read(path)
    namespace = {"__name__": "__main__"}
    here = Path.cwd()
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.chdir(workdir)
    try:
        for number, cell in enumerate(cells):
            for seg in cell.segments:
                where = f"{path.name}, cell {number}"
                if seg.kind == "shell":
                    seg.outputs, status = _run_shell(seg.code, workdir)
                    failed = status != 0
                    problem = f"`{seg.code}` exited with {status}:\n{seg.outputs[0][1] if seg.outputs else ''}"
                else:
                    try:
                        seg.outputs, failed = _run_python(seg.code, namespace, where), False
                    except Exception as exc:  # shown on the page when tagged, else the build fails
                        failed, problem = True, traceback.format_exc()
                        seg.outputs = [("text", f"{type(exc).__name__}: {exc}\n")]
                if failed != (RAISES in cell.tags):
                    raise TutorialError(f"{where}: " + (problem if failed else f"tagged {RAISES} but did not fail"))
    finally:
        os.chdir(here)
        pyplot().close("all")
    return cells


