"""The one on-disk build cache: everything axgen builds once per content hash lives here.

Layout: `cache_root()` ($AXGEN_CACHE, default ~/.cache/axgen; a folder in the temp dir when that
cannot be written) holds one folder per kind (`KINDS`); in it, each entry is a folder named by
its key, with `<key>.lock` next to it. `cached(root, key, build)` returns an entry, building it
once under the lock when it is missing or incomplete: parallel test workers and commands asking
for the same key wait for the first one, then reuse its result. The done marker
(`DONE_MARKER`) is written last, so an interrupted or failed build never passes for done. It
lists every file the build left with its size and SHA-256: an entry whose files were truncated,
changed or removed since (a full disk, a killed copy, a user's hand) is not done, and is rebuilt
instead of loaded. Files added to an entry after it was done are not its content and not checked.

`usage()` and `clear()` report and free the space per kind (for `axgen cache`).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterable

from generator.errors import AxgenError
from generator.outputs import write_json

ENV = "AXGEN_CACHE"
# The kinds of entries, one folder each under cache_root().
VERILATOR_OBJECTS = "verilator-objects"  # Verilator runtime objects shared by every Verilator build
HLS = "hls"  # g++ programs of HLS C simulation (generator.tools.gxx)
MUL_CHECK = "mul_check"  # Verilator harnesses of the exhaustive multiplier check (generator.sim.mul_rtl)
SYNTH = "synth"  # Yosys results of one multiplier (generator.synth)
FIFO_SIZING = "fifo-sizing"  # Verilator harnesses of FIFO sizing runs (generator.sim.fifo_sizing)
KINDS = (VERILATOR_OBJECTS, HLS, MUL_CHECK, SYNTH, FIFO_SIZING)
DONE_MARKER = ".axgen_done"
KEY_CHARS = 24  # hex digits of a content key


@contextlib.contextmanager
def locked(path: Path):
    """Hold an exclusive lock on `path` (created if missing) for the duration of the block:
    a concurrent build of the same thing waits, then reuses the result."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _usable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


def cache_root() -> Path:
    """$AXGEN_CACHE, else ~/.cache/axgen; if that cannot be created or written, a folder of
    this user in the temp dir (axgen-cache-<uid>)."""
    wanted = Path(os.environ.get(ENV) or Path.home() / ".cache" / "axgen").expanduser()
    if _usable(wanted):
        return wanted
    fallback = Path(tempfile.gettempdir()) / f"axgen-cache-{os.getuid()}"
    if _usable(fallback) and fallback.stat().st_uid == os.getuid():
        return fallback
    raise AxgenError(f"no writable cache folder: neither {wanted} nor {fallback} can be used; "
                     f"set {ENV} to a writable folder")


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise AxgenError(f"unknown cache kind {kind!r}: use one of {', '.join(KINDS)}")
    return kind


def cache_dir(kind: str) -> Path:
    """cache_root()/kind for one of KINDS (not created here; `cached` creates it)."""
    return cache_root() / _check_kind(kind)


def content_key(*parts: str | bytes, length: int = KEY_CHARS) -> str:
    """Hex prefix of a SHA-256 over `parts` in order; each part is length-prefixed, so no two
    different part lists give the same stream."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else bytes(part)
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()[:length]


def _check_key(key: str) -> None:
    if not key or key.startswith(".") or "/" in key or "\0" in key or key.endswith(".lock"):
        raise ValueError(f"cache key {key!r}: a plain folder name is needed")


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _record(path: Path):
    """What the done marker keeps of one file: a symbolic link's target, else [size, SHA-256]."""
    if path.is_symlink():
        return os.readlink(path)
    return [path.stat().st_size, _digest(path)]


def _contents(entry: Path) -> dict:
    files = {}
    for parent, dirs, names in os.walk(entry):
        dirs.sort()
        for name in sorted(names):
            path = Path(parent, name)
            rel = path.relative_to(entry).as_posix()
            if not rel.startswith(DONE_MARKER):
                files[rel] = _record(path)
    return files


def _mark_done(entry: Path) -> None:
    write_json(entry / DONE_MARKER, {"files": _contents(entry)}, indent=0)


def _intact(entry: Path, files: dict) -> bool:
    for rel, recorded in files.items():
        path = entry / rel
        try:
            if path.is_symlink() != isinstance(recorded, str):
                return False
            if isinstance(recorded, str):
                if os.readlink(path) != recorded:
                    return False
            elif path.stat().st_size != recorded[0] or _digest(path) != recorded[1]:
                return False
        except OSError:
            return False
    return True


def is_done(entry: Path) -> bool:
    """The entry was built to the end and every file it was built with is still as it was."""
    try:
        files = json.loads((Path(entry) / DONE_MARKER).read_text())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return isinstance(files, dict) and _intact(Path(entry), files)


def cached(root: Path, key: str, build: Callable[[Path], None], keep_failed: bool = False) -> tuple[Path, bool]:
    """The entry root/key, built by `build(entry)` (an empty folder it fills in place) unless a
    finished one is there. Returns (entry, was_cached). Concurrent callers with the same key
    wait on root/<key>.lock; one builds, the others reuse. If `build` raises, the exception
    propagates and the entry gets no done marker: it is removed, or with keep_failed kept for
    inspection (its log files) until the next call rebuilds it."""
    _check_key(key)
    root = Path(root)
    entry = root / key
    if is_done(entry):
        return entry, True
    root.mkdir(parents=True, exist_ok=True)
    with locked(root / f"{key}.lock"):
        if is_done(entry):
            return entry, True
        shutil.rmtree(entry, ignore_errors=True)
        entry.mkdir()
        try:
            build(entry)
        except BaseException:
            if not keep_failed:
                shutil.rmtree(entry, ignore_errors=True)
            raise
        _mark_done(entry)
    return entry, False


def _size(path: Path) -> int:
    """Bytes of the files in a file or folder tree (symbolic links count as themselves, not
    followed)."""
    try:
        if path.is_symlink() or not path.is_dir():
            return path.lstat().st_size
    except OSError:
        return 0
    total = 0
    for parent, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(parent, name)).st_size
            except OSError:
                pass
    return total


def _items(folder: Path) -> list[Path]:
    """What a kind's folder holds (entries, lock files); none when it is missing. The folder
    itself may be a symbolic link (e.g. to a bigger disk)."""
    try:
        return sorted(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []


def usage() -> dict[str, int]:
    """Bytes held per kind (0 when its folder does not exist)."""
    root = cache_root()
    return {kind: sum(_size(item) for item in _items(root / kind)) for kind in KINDS}


def clear(kinds: str | Iterable[str] | None = None) -> int:
    """Remove every entry of `kinds` (one kind, several, or by default: all of KINDS); returns the bytes freed. A missing
    folder is fine. Run it while no build is using the cache."""
    if isinstance(kinds, str):
        kinds = [kinds]
    chosen = KINDS if kinds is None else tuple(_check_kind(k) for k in kinds)
    root = cache_root()
    freed = 0
    for kind in chosen:
        for item in _items(root / kind):
            size = _size(item)
            try:
                if item.is_dir() and not item.is_symlink():
                    shutil.rmtree(item)
                else:
                    item.unlink()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise AxgenError(f"cannot remove {item} from the cache: {exc}") from None
            freed += size
    return freed
