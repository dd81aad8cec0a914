"""Writing what a command leaves behind so that a killed or concurrent run never leaves half of it.

- `write_json(path, data)`: the whole file or the previous one (a temporary file beside it,
  then a rename), for verify.json, resources.json and project.json.
- `exclusive(folder)`: one writer per output folder. A second `axgen build` into the same folder
  while the first runs stops at once with one message, instead of the two interleaving.
- `staging(folder)` and `publish(staging, folder)`: a project is written into a hidden folder
  beside its target and swapped in by renames, so `folder` is always the previous complete
  project or the new complete one (or, for the instant between the two renames, absent). What a
  killed build leaves beside the target (its staging folder, a previous project set aside) is
  removed by the next build into that folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
from pathlib import Path

from generator.errors import AxgenError

STAGING = "axgen-staging-"
SET_ASIDE = "axgen-old-"


def write_json(path: Path, data, **dump_options) -> None:
    """`data` as JSON (indent 2, sorted keys unless `dump_options` say otherwise) into `path`,
    replacing it in one rename."""
    path = Path(path)
    options = {"indent": 2, "sort_keys": True, **dump_options}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(data, **options) + "\n")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _lock_path(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.lock"


@contextlib.contextmanager
def exclusive(folder: Path, what: str = "axgen build"):
    """Hold the lock of output `folder` (a hidden file beside it; its parent is created) for the
    block; AxgenError at once when another process holds it."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    path = _lock_path(folder)
    while True:
        handle = open(path, "a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise AxgenError(f"another {what} is writing {folder} right now; wait for it to finish or choose "
                             "another folder") from None
        try:  # the lock file may have been removed by its last holder since we opened it: retry on the new one
            same = os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        handle.close()
    try:
        yield
    finally:
        path.unlink(missing_ok=True)  # before the unlock: a waiting process then retries on a fresh file
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _leftovers(folder: Path) -> list[Path]:
    prefix = f".{folder.name}."
    return [p for p in folder.parent.glob(f"{prefix}*")
            if p.is_dir() and p.name[len(prefix):].startswith((STAGING, SET_ASIDE))]


def staging(folder: Path) -> Path:
    """A fresh hidden folder beside `folder` to write its new content into (call it under
    `exclusive(folder)`: leftovers of killed builds into the same folder are removed first)."""
    folder = Path(folder)
    for stale in _leftovers(folder):
        shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f".{folder.name}.{STAGING}", dir=folder.parent))


def publish(staged: Path, folder: Path) -> None:
    """`staged` becomes `folder`; a previous `folder` is set aside by a rename first and removed
    after (never deleted in place, where a kill would leave part of it)."""
    folder = Path(folder)
    aside = None
    if folder.exists():
        aside = Path(tempfile.mkdtemp(prefix=f".{folder.name}.{SET_ASIDE}", dir=folder.parent))
        folder.rename(aside / "project")
    Path(staged).rename(folder)
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)
