"""The built site in headless Chromium (docs/check_site.py): the home page, a tutorial and the
multiplier catalogue render with their headings, their images loaded and shown, and the tutorial's
outputs; a site whose image is missing fails the check. Slow: it builds the site with the tutorials
executed (or taken from build/docs/cache). Skipped only where no Chromium is installed."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from test_docs_site import build_site

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "docs"))
import check_site  # noqa: E402


@pytest.mark.slow
@pytest.mark.skipif(check_site.chromium() is None, reason="no Chromium (apt install chromium)")
def test_the_site_renders_its_pages_with_their_pictures(tmp_path):
    site = tmp_path / "site"
    done = build_site(site, mode="run")
    assert done.returncode == 0, done.stderr[-4000:]
    report = check_site.check(site, tmp_path / "shots")
    assert set(report) == set(check_site.PAGES)
    for page, (found, issues) in report.items():
        assert issues == [], (page, found)
        assert (tmp_path / "shots" / (page.replace("/", "_") + ".png")).stat().st_size > 10_000
    (site / "reference" / "multipliers_pareto.png").unlink()
    broken = check_site.check(site, tmp_path / "shots2")
    assert broken["reference/multipliers/index.html"][1] == ["image ../multipliers_pareto.png did not load"]
    assert broken["index.html"][1] == ["image reference/multipliers_pareto.png did not load"]
    shutil.rmtree(site)
