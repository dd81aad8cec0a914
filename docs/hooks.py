"""MkDocs hooks: the generated pages (reference, tutorials, results) join the hand-written ones in
docs/pages/ when the site is built (docs/axdocs/ makes them; nothing generated is committed)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from mkdocs.structure.files import File, Files

HERE = Path(__file__).resolve().parent


def _importable() -> None:
    """axdocs, and this checkout's generator before any installed one (mkdocs restores sys.path
    after loading this file, so this runs in the hook)."""
    for entry in (str(HERE.parent), str(HERE)):
        if entry not in sys.path:
            sys.path.insert(0, entry)


def on_files(files: Files, config) -> Files:
    _importable()
    from axdocs import reference, results, tutorials
    for make in (reference.pages, results.pages, tutorials.pages):
        start = time.monotonic()
        made = make()
        for uri, content in made.items():
            files.append(File.generated(config, uri, content=content))
        print(f"axdocs: {make.__module__}: {len(made)} files in {time.monotonic() - start:.1f} s", file=sys.stderr)
    return files
