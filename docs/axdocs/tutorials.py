"""Tutorials: jupytext percent scripts in docs/tutorials/ (open them as notebooks in Jupyter),
executed at build time (axdocs.notebook) so that each page shows what its code printed. Each runs in
its own empty folder, build/docs/tutorials/NAME/.

Results are cached in build/docs/cache/ by the tutorial's text and a fingerprint of the code it
runs (generator/, templates/, rtl/, hls_lib/, boards/, testbench/ and the executor), so a rebuild
after an edit of the prose alone does not run anything again. AXGEN_DOCS_TUTORIALS=off builds the
pages without executing (code only, with a note), `cached` uses the cache where it matches and code
only elsewhere, and `run` (the default) executes what the cache lacks, AXGEN_DOCS_JOBS (default 2)
at a time, each in a process of its own.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import itertools
import json
import os
import shlex
import time
from pathlib import Path

from axdocs import DOCS, ROOT, notebook
from axdocs.notebook import Cell, Segment, TutorialError, read

SOURCES = DOCS / "tutorials"
WORK = ROOT / "build" / "docs" / "tutorials"
CACHE = ROOT / "build" / "docs" / "cache"
CODE = ("generator", "templates", "rtl", "hls_lib", "boards", "testbench")
MODE_VARIABLE = "AXGEN_DOCS_TUTORIALS"
JOBS_VARIABLE = "AXGEN_DOCS_JOBS"  # tutorials run at a time (default 2)
MODES = ("run", "cached", "off")


def tutorials() -> list[Path]:
    return sorted(SOURCES.glob("*.py"))


def execute(path: Path, workdir: Path | None = None) -> list[Cell]:
    """Run the tutorial at `path` in a fresh folder (default build/docs/tutorials/NAME)."""
    return notebook.execute(path, workdir or WORK / path.stem)


def fingerprint() -> str:
    """A hash of the code a tutorial runs and of the executor (axdocs/notebook.py)."""
    digest = hashlib.sha256(Path(notebook.__file__).read_bytes())
    for folder in CODE:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _cache_file(path: Path) -> Path:
    return CACHE / f"{path.stem}.json"


def _key(path: Path, code: str) -> str:
    return hashlib.sha256(path.read_bytes() + code.encode()).hexdigest()


def _load(path: Path, key: str) -> tuple[list[Cell], float] | None:
    try:
        data = json.loads(_cache_file(path).read_text())
    except (OSError, ValueError):
        return None
    if data.get("key") != key:
        return None
    cells = [Cell(c["kind"], c["source"], tuple(c["tags"]),
                  [Segment(s["kind"], s["code"], [tuple(o) for o in s["outputs"]]) for s in c["segments"]])
             for c in data["cells"]]
    return cells, data["seconds"]


def _last_seconds(path: Path) -> float:
    """How long the tutorial took when it last ran (0 when it never did here)."""
    try:
        return float(json.loads(_cache_file(path).read_text())["seconds"])
    except (OSError, ValueError, KeyError):
        return 0.0


def _store(path: Path, key: str, cells: list[Cell], seconds: float) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    data = {"key": key, "seconds": seconds,
            "cells": [{"kind": c.kind, "source": c.source, "tags": list(c.tags),
                       "segments": [{"kind": s.kind, "code": s.code, "outputs": s.outputs} for s in c.segments]}
                      for c in cells]}
    _cache_file(path).write_text(json.dumps(data))


def _timed_run(path: Path) -> tuple[list[Cell], float]:
    start = time.monotonic()
    cells = execute(path)
    return cells, round(time.monotonic() - start, 1)


def results(paths: list[Path], mode: str, code: str, jobs: int = 2) -> dict[Path, tuple[list[Cell], float | None]]:
    """Each tutorial's cells with outputs (from the cache or a run, `jobs` tutorials at a time, each in
    a process of its own), or without (seconds None)."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context
    out: dict = {}
    keys = {path: _key(path, code) for path in paths}
    for path in paths:
        cached = _load(path, keys[path]) if mode != "off" else None
        out[path] = cached if cached is not None else (read(path), None)
    todo = [path for path in paths if mode == "run" and out[path][1] is None]
    todo.sort(key=lambda path: -_last_seconds(path))  # the longest first: the two workers finish together
    if todo:
        with ProcessPoolExecutor(min(jobs, len(todo)), mp_context=get_context("spawn")) as pool:
            for path, done in zip(todo, pool.map(_timed_run, todo)):
                _store(path, keys[path], *done)
                out[path] = done
    return out


def render(path: Path, cells: list[Cell], seconds: float | None) -> dict:
    """The page (and its figures) for one tutorial: {site path: content}."""
    stem = path.stem
    files: dict = {f"tutorials/{stem}.py": path.read_bytes()}
    lines: list[str] = []
    title_done = False
    for number, cell in enumerate(cells):
        if cell.kind == "markdown":
            if not title_done:  # the note on how the page was made goes right under the title
                title, _, rest = cell.source.partition("\n")
                lines += [title, "", _provenance(path, seconds), "", rest, ""]
                title_done = True
            else:
                lines += [cell.source, ""]
            continue
        for k, seg in enumerate(cell.segments):
            if seg.kind == "shell":
                lines += ["```console", f"$ {seg.code}", "```"]
            else:
                lines += ["```python", seg.code, "```"]
            for j, (kind, value) in enumerate(seg.outputs):
                if kind == "text":
                    lines += ['``` { .text .output }', value.rstrip("\n"), "```"]
                else:
                    image = f"{stem}/cell{number}_{k}_{j}.png"
                    files[f"tutorials/{image}"] = base64.b64decode(value)
                    lines += [f"![output of cell {number}]({image})"]
            lines.append("")
    files[f"tutorials/{stem}.md"] = "\n".join(lines) + "\n"
    return files


def _provenance(path: Path, seconds: float | None) -> str:
    source = f"[`docs/tutorials/{path.name}`]({path.name})"
    if seconds is None:
        return (f'!!! warning "Not executed in this build"\n    This build ran with {MODE_VARIABLE}='
                f"{os.environ.get(MODE_VARIABLE)}: the code is shown without its output. {source}")
    return (f'!!! info "This page ran"\n    Every output below is what the code printed when the site was built '
            f"({seconds:.0f} s). Download it as a script: {source} (a jupytext percent file: open it in Jupyter "
            f"as a notebook, or run `python {path.name}`, where `# !` lines are shell commands to run by hand).")


def mode() -> str:
    value = os.environ.get(MODE_VARIABLE, "run")
    if value not in MODES:
        raise TutorialError(f"{MODE_VARIABLE}={value!r}; expected one of {', '.join(MODES)}")
    return value


def pages() -> dict:
    jobs = int(os.environ.get(JOBS_VARIABLE, "2"))
    files: dict = {}
    for path, (cells, seconds) in results(tutorials(), mode(), fingerprint(), jobs).items():
        files.update(render(path, cells, seconds))
    return files


def check(path: Path) -> list[str]:
    """Fast check of a tutorial without running it: every Python segment compiles, every `axgen`
    command parses against the click commands (command, options, choices, required arguments),
    and every `axgen.NAME` the Python uses exists. The problems found (none: an empty list)."""
    import click

    import generator
    from generator.cli import main
    problems = []
    for number, cell in enumerate(read(path)):
        for seg in cell.segments:
            where = f"{path.name}, cell {number}"
            if seg.kind == "shell":
                lexer = shlex.shlex(seg.code, posix=True, punctuation_chars=True)
                lexer.whitespace_split = True
                words = list(itertools.takewhile(lambda w: not set(w) <= set("|&;<>()"), lexer))
                if words[:1] != ["axgen"]:
                    continue
                context = click.Context(main, info_name="axgen")
                command = main.get_command(context, words[1]) if len(words) > 1 else None
                if command is None:
                    problems.append(f"{where}: `{seg.code}`: no such axgen command")
                    continue
                try:
                    command.make_context(words[1], words[2:], parent=context)
                except click.exceptions.Exit:
                    pass  # --help
                except click.ClickException as exc:
                    problems.append(f"{where}: `{seg.code}`: {exc.format_message()}")
                continue
            try:
                tree = ast.parse(seg.code)
            except SyntaxError as exc:
                problems.append(f"{where}: {exc}")
                continue
            for node in ast.walk(tree):
                if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "axgen"
                        and not hasattr(generator, node.attr) and node.attr not in generator.__all__):
                    problems.append(f"{where}: axgen.{node.attr} is not part of the API")
    return problems
