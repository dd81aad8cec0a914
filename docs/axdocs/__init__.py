"""The documentation site's generators (run by docs/hooks.py during `mkdocs build`): the reference
pages from the code, the tutorials executed, the results pages from benchmarks/results/.

Every generator returns {path inside the site: str (a Markdown page) or bytes (an image)}."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository
DOCS = ROOT / "docs"
