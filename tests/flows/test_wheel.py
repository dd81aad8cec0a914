"""A wheel (not an editable install) in a fresh virtual environment builds and verifies a model.

The wheel is built from a copy of the checkout (no build/ or *.egg-info left behind), installed
after torch pinned as the Makefile pins it, and run from a folder outside the checkout with no
PYTHONPATH, so nothing can come from the checkout by accident.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from generator.resources import FOLDERS as DATA

REPO = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "README.md", "generator", *DATA)
JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


def run(cmd, cwd, env=None, timeout=1200):
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{cmd} exited {proc.returncode}:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc.stdout


def torch_pin() -> str:
    """The torch requirement the Makefile installs first (torch==X)."""
    match = re.search(r"pip install[^\n]*\s(torch==\S+)", (REPO / "Makefile").read_text())
    assert match, "Makefile installs no pinned torch"
    return match.group(1)


def clean_env(venv: Path) -> dict:
    """This environment without Python path settings and with the venv's bin/ first on PATH
    (the checkout's own venv taken off it)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    own = Path(sys.prefix).resolve()
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and not Path(p).resolve().is_relative_to(own)]
    env["PATH"] = os.pathsep.join([str(venv / "bin"), *path])
    env["VIRTUAL_ENV"] = str(venv)
    return env


def build_wheel(tmp: Path) -> Path:
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        origin = REPO / name
        if origin.is_dir():
            shutil.copytree(origin, src / name, ignore=JUNK)
        else:
            shutil.copy2(origin, src / name)
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", src, "--no-deps", "-w", tmp / "dist"],
                          cwd=tmp, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    # the build backend's warnings reach a user's screen: none (issue 21)
    assert "warning" not in (proc.stdout + proc.stderr).lower(), proc.stdout + proc.stderr
    (wheel,) = (tmp / "dist").glob("axgen-*.whl")
    return wheel


def expected_files() -> set[str]:
    """Every source and data file of the checkout, as the wheel must name it."""
    files = set()
    for pattern in ("*.py", "*.json"):  # the JSON: the resource model's data (generator/hw)
        for path in (REPO / "generator").rglob(pattern):
            files.add(path.relative_to(REPO).as_posix())
    for name in DATA:
        for path in (REPO / name).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                files.add(f"generator/_data/{name}/{path.relative_to(REPO / name).as_posix()}")
    return files


def test_wheel_builds_quietly_with_every_file(tmp_path):
    """The wheel's build prints no warning and carries every source and data file, no other."""
    wheel = build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as zf:
        names = {n for n in zf.namelist() if not n.startswith("axgen-")}
    want = expected_files()
    assert names == want, f"missing from the wheel: {sorted(want - names)}; unexpected: {sorted(names - want)}"


@pytest.mark.slow  # a fresh virtual environment with torch: over 2 minutes
def test_wheel_builds_and_verifies_outside_checkout(mixed_model, tmp_path):
    wheel = build_wheel(tmp_path)

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv], cwd=tmp_path)
    env = clean_env(venv)
    pip = [venv / "bin" / "python", "-m", "pip", "install", "--quiet"]
    run([*pip, torch_pin()], cwd=tmp_path, env=env)  # first: anything else would pull a CUDA build
    installed = subprocess.run([*map(str, pip), str(wheel)], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert installed.returncode == 0 and not (installed.stdout + installed.stderr).strip(), installed

    work = tmp_path / "work"
    work.mkdir()
    where = run([venv / "bin" / "python", "-c",
                 "import generator, generator.resources as r, sysconfig; "
                 "print(generator.__file__); print(r.data_root()); print(sysconfig.get_paths()['purelib'])"],
                cwd=work, env=env).split("\n")
    module, data_root, site = (Path(p).resolve() for p in where[:3])
    assert module.is_relative_to(site) and site.is_relative_to(venv.resolve()), where
    assert data_root == site / "generator" / "_data", where

    model = work / "model.onnx"
    shutil.copyfile(mixed_model, model)
    axgen = venv / "bin" / "axgen"
    run([axgen, "build", model, "-o", "out"], cwd=work, env=env)
    run([axgen, "verify", "out", "--backend", "all", "--samples", "4"], cwd=work, env=env)
    report = json.loads((work / "out" / "verify.json").read_text())
    assert report["samples"] == 4 and report["mismatches"] == 0
    assert [b["backend"] for b in report["backends"]] == ["rtl", "hls"]


def test_every_subpackage_is_packaged():
    """pyproject.toml lists generator's packages by hand: none may be missing."""
    import tomllib
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "generator").rglob("__init__.py")}
    assert found <= listed, f"add to pyproject.toml's packages: {sorted(found - listed)}"
