"""The layering contract in pyproject.toml (import-linter): no stage imports a later one. The
check runs on the package as it is, and on a copy with one backward import added, which it
must reject."""

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).parent / "lint-imports"


def lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--config", str(root / "pyproject.toml"), "--no-cache"], cwd=root,
                          capture_output=True, text=True, env={"PYTHONPATH": str(root), "PATH": ""})


def test_no_stage_imports_a_later_one():
    result = lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_backward_import_is_caught(tmp_path):
    shutil.copytree(REPO / "generator", tmp_path / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    with open(tmp_path / "generator" / "frontend" / "chain.py", "a") as f:
        f.write("\nfrom generator.hw import make_plan  # noqa: E402  (the frontend must not see the plan)\n")
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "generator.frontend.chain -> generator.hw" in result.stdout
