"""A precompiled header of the HLS headers (ap_int.h, hls_stream.h) for g++, built once and cached.

Every C simulation program includes them, and parsing them takes about a second of every build
(most of a small program's). `precompiled_header(cxx, version, flags)` gives the flags that
include the header first (`-include <entry>/axgen_hls.h`; g++ reads `axgen_hls.h.gch` next to it
instead). The entry (cache kind hls, `pch-<hash>`) is named by the compiler, its version, the
flags and the names, sizes and times of every file in the HLS header folder. g++ checks that a
precompiled header fits the compilation and otherwise reads the header's text, so the program is
the same either way; clang and a failed build get no precompiled header.
"""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path

from generator.errors import AxgenError
from generator.tools.cache import HLS, cache_dir, cached, content_key
from generator.tools.hls_headers import hls_include_dir

HEADER = "axgen_hls.h"
TEXT = "#include <ap_int.h>\n#include <hls_stream.h>\n"


@functools.lru_cache(maxsize=None)
def _folder_stamp(folder: Path) -> str:
    """Name, size and modification time of every file below `folder`."""
    rows = []
    for root, _, files in sorted(os.walk(folder)):
        for name in sorted(files):
            stat = os.stat(os.path.join(root, name))
            rows.append(f"{os.path.relpath(os.path.join(root, name), folder)} {stat.st_size} {stat.st_mtime_ns}")
    return "\n".join(rows)


def _build(cxx: str, flags: list[str], entry: Path) -> None:
    (entry / HEADER).write_text(TEXT)
    proc = subprocess.run([cxx, *flags, "-x", "c++-header", str(entry / HEADER), "-o", str(entry / f"{HEADER}.gch")],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise AxgenError(f"precompiling the HLS headers failed: {(proc.stderr or proc.stdout)[:2000]}")


def precompiled_header(cxx: str, version: str, flags: list[str]) -> list[str]:
    """Flags that include the precompiled HLS headers into a compilation with `flags` (macros
    that ap_int.h and hls_stream.h never read may be added to it); [] for a compiler other than
    GCC or when precompiling fails."""
    if "Free Software Foundation" not in version or "clang" in version.lower():
        return []
    key = "pch-" + content_key(cxx, version, *flags, TEXT, _folder_stamp(hls_include_dir()))
    try:
        entry, _ = cached(cache_dir(HLS), key, lambda entry: _build(cxx, flags, entry))
    except AxgenError:
        return []
    return ["-include", str(entry / HEADER)]
