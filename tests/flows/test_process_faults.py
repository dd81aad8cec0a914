"""Process faults (issue 21): `axgen build`, `axgen verify` and `axgen synth` killed with SIGKILL at
random points leave the previous complete output or none, never part of one, and the next run
works; two builds into one folder at once: one builds, the other stops with one message.

Each command runs as a user runs it (the installed `axgen` script, its own process group, killed
whole as a terminal kills a job)."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from generator.outputs import exclusive

AXGEN = Path(sys.executable).parent / "axgen"


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _spawn(args, cwd, env=None) -> subprocess.Popen:
    return subprocess.Popen([str(AXGEN), *map(str, args)], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _kill(proc: subprocess.Popen) -> bool:
    """SIGKILL the command and everything it started; whether it was still running."""
    running = proc.poll() is None
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate()
    return running


def _run(args, cwd, env=None) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(AXGEN), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}."))


def _wait_for_staging(folder: Path, proc: subprocess.Popen, limit: float = 20.0) -> bool:
    """Until the build has a staging folder beside `folder` (it is writing) or has ended."""
    end = time.monotonic() + limit
    while time.monotonic() < end and proc.poll() is None:
        if any(".axgen-staging-" in name for name in _leftovers(folder)):
            return True
        time.sleep(0.002)
    return False


def test_killed_builds_leave_the_previous_project_or_none(mixed_model, tmp_path):
    out = tmp_path / "out"
    build = ["build", mixed_model, "-o", out, "--force"]
    _run(build, tmp_path)
    reference = _files(out)
    rng = random.Random(21)
    writing = 0  # kills that landed while the build was writing its staging folder
    for attempt in range(10):
        proc = _spawn(build, tmp_path)
        if attempt % 2:  # anywhere in the run (most of it is starting Python)
            time.sleep(rng.uniform(0.1, 1.2))
        elif _wait_for_staging(out, proc):  # in the writing itself
            time.sleep(rng.uniform(0.0, 0.03))
        still_running = _kill(proc)
        writing += still_running and any(".axgen-staging-" in name for name in _leftovers(out))
        if out.exists():  # the previous project whole (or the new one, identical), never a mix
            assert _files(out) == reference, f"attempt {attempt}: a partial project"
    assert writing >= 2, "no kill landed while a project was being written"
    _run(build, tmp_path)  # the next build works and removes what the killed ones left beside the folder
    assert _files(out) == reference and _leftovers(out) == []


def test_two_builds_into_one_folder(mixed_model, tmp_path):
    out = tmp_path / "out"
    with exclusive(out):  # another build holds the folder: this one stops at once, writes nothing
        proc = subprocess.run([str(AXGEN), "build", str(mixed_model), "-o", str(out)], capture_output=True, text=True)
    assert proc.returncode == 2 and not out.exists(), proc.stderr
    assert proc.stderr.count("\n") == 1 and "another axgen build is writing" in proc.stderr and "Traceback" not in proc.stderr
    # two real builds started together: each ends built or with that message, one builds, the project is whole
    procs = [_spawn(["build", mixed_model, "-o", out, "--force"], tmp_path) for _ in range(2)]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    assert any(code == 0 for code, _, _ in results), results
    for code, _, err in results:
        assert code == 0 or (code == 2 and "another axgen build is writing" in err and err.count("\n") == 1), err
    assert json.loads((out / "project.json").read_text())["name"] == "mixed" and _leftovers(out) == []


def test_killed_verify_keeps_the_last_report(mixed_model, tmp_path):
    out = tmp_path / "out"
    _run(["build", mixed_model, "-o", out], tmp_path)
    verify = ["verify", out, "--samples", "6"]
    _run(verify, tmp_path)
    rng = random.Random(7)
    for _ in range(3):
        proc = _spawn(verify, tmp_path)
        time.sleep(rng.uniform(0.5, 3.0))
        _kill(proc)
        report = json.loads((out / "verify.json").read_text())  # the last complete report, readable
        assert report["samples"] == 6 and report["mismatches"] == 0
        assert not [p for p in out.iterdir() if p.name.startswith(".verify.json")]
    _run(verify, tmp_path)


def test_killed_synth_writes_nothing_and_the_next_run_works(mixed_model, tmp_path):
    out = tmp_path / "out"
    _run(["build", mixed_model, "-o", out], tmp_path)
    env = {**os.environ, "AXGEN_CACHE": str(tmp_path / "cache")}  # Yosys really runs (nothing cached)
    synth = ["synth", out, "--tool", "yosys", "--layer", "fc3"]
    proc = _spawn(synth, tmp_path, env)
    time.sleep(random.Random(3).uniform(1.0, 2.5))
    assert _kill(proc), "synth ended before it was killed"
    assert not (out / "resources.json").exists() and not [p for p in out.iterdir() if ".tmp" in p.name]
    _run(synth, tmp_path, env)  # the killed run's cache entry is not taken for done
    doc = json.loads((out / "resources.json").read_text())
    assert doc["tool"] == "yosys" and doc["layers"]["fc3"]["lut"] > 0
