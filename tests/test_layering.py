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


def _cycles(package: str) -> list[list[str]]:
    """Import circles among the modules of `package` (TYPE_CHECKING imports count too)."""
    import grimp
    graph = grimp.build_graph("generator")
    modules = sorted(m for m in graph.modules if m.startswith(package + "."))
    edges = {m: sorted(i for i in graph.find_modules_directly_imported_by(m) if i.startswith(package + ".")) for m in modules}
    state, found = {}, []

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for other in edges[module]:
            if state.get(other) == "open":
                found.append(path[path.index(other):] + [module, other])
            elif other not in state:
                visit(other, path + [module])
        state[module] = "done"

    for module in modules:
        if module not in state:
            visit(module, [])
    return found


def test_the_hardware_plan_has_no_import_circle():
    """generator.hw's modules import each other without a circle (stage -> resources ->
    resource_features -> params -> matrix -> stage was one), so the timing model sits beside the
    resource model without joining one."""
    assert _cycles("generator.hw") == []
