"""generator.tools.cache: one entry per key, built once under a lock, a done marker written
last; the cache root from $AXGEN_CACHE; usage and clear per kind. No Verilator: the builds
here write files (one test compiles a tiny program with g++)."""

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from generator.errors import AxgenError
from generator.tools import cache
from generator.tools.cache import cache_dir, cache_root, cached, clear, content_key, is_done, usage

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.setenv("AXGEN_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


class Counting:
    """A build that writes `payload` into the entry and counts its calls; it fails while
    `fail` is set, after having written part of its output."""

    def __init__(self, payload: bytes = b"x" * 100, delay: float = 0.0):
        self.payload, self.delay, self.calls, self.fail = payload, delay, 0, False
        self._count = threading.Lock()

    def __call__(self, entry: Path) -> None:
        with self._count:
            self.calls += 1
        (entry / "part").write_bytes(self.payload)
        time.sleep(self.delay)
        if self.fail:
            raise AxgenError("the build failed")
        (entry / "out").write_bytes(self.payload)


def test_builds_once_and_reuses(tmp_path):
    build = Counting()
    entry, was_cached = cached(tmp_path, "k1", build)
    assert (entry, was_cached) == (tmp_path / "k1", False)
    assert (entry / "out").read_bytes() == build.payload and is_done(entry)
    again, was_cached = cached(tmp_path, "k1", build)
    assert (again, was_cached) == (entry, True) and build.calls == 1
    other, was_cached = cached(tmp_path, "k2", build)
    assert other != entry and not was_cached and build.calls == 2


@pytest.mark.parametrize("damage", ["truncate", "flip", "remove", "marker", "old marker"])
def test_damaged_entry_is_rebuilt_not_loaded(tmp_path, damage):
    """A done entry whose files changed since (truncated, a flipped byte, a file gone) or whose
    marker is unreadable is not done: the next call rebuilds it. Files added later do not count."""
    build = Counting(b"y" * 5000)
    entry, _ = cached(tmp_path, "k", build)
    (entry / "run.log").write_text("a later run's output")  # not the entry's content
    assert cached(tmp_path, "k", build) == (entry, True)
    out = entry / "out"
    if damage == "truncate":
        out.write_bytes(out.read_bytes()[:4096])
    elif damage == "flip":
        data = bytearray(out.read_bytes())
        data[1234] ^= 0x01
        out.write_bytes(bytes(data))
    elif damage == "remove":
        (entry / "part").unlink()
    elif damage == "marker":
        (entry / cache.DONE_MARKER).write_text('{"files": ')
    else:
        (entry / cache.DONE_MARKER).write_text("ok\n")  # an entry of an earlier axgen: no content list
    assert not is_done(entry)
    again, was_cached = cached(tmp_path, "k", build)
    assert (again, was_cached) == (entry, False) and build.calls == 2
    assert out.read_bytes() == build.payload and is_done(entry)


def test_failed_build_leaves_no_done_entry(tmp_path):
    build = Counting()
    build.fail = True
    with pytest.raises(AxgenError, match="the build failed"):
        cached(tmp_path, "k", build)
    assert not (tmp_path / "k").exists()
    with pytest.raises(AxgenError):  # kept for its logs, but not done
        cached(tmp_path, "k", build, keep_failed=True)
    assert (tmp_path / "k" / "part").exists() and not is_done(tmp_path / "k")
    build.fail = False
    entry, was_cached = cached(tmp_path, "k", build)
    assert not was_cached and build.calls == 3 and (entry / "out").exists() and is_done(entry)


def test_incomplete_entry_is_rebuilt(tmp_path):
    """A folder without the done marker (a build killed half way) is cleared and built again."""
    (tmp_path / "k").mkdir()
    (tmp_path / "k" / "stale").write_text("half")
    build = Counting()
    entry, was_cached = cached(tmp_path, "k", build)
    assert not was_cached and build.calls == 1 and not (entry / "stale").exists()


def test_bad_key_is_refused(tmp_path):
    for key in ("", "a/b", ".hidden", "x.lock"):
        with pytest.raises(ValueError):
            cached(tmp_path, key, Counting())


def test_threads_build_once(tmp_path):
    build = Counting(delay=0.2)
    results, start = [], threading.Barrier(6)

    def ask():
        start.wait()
        results.append(cached(tmp_path / "shared", "same", build))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert build.calls == 1
    assert sorted(was for _, was in results) == [False] + [True] * 5
    assert {entry for entry, _ in results} == {tmp_path / "shared" / "same"}


WORKER = """
import sys, time
from pathlib import Path
from generator.tools.cache import cached
counter = Path(sys.argv[2])
def build(entry):
    with open(counter, "a") as f:
        f.write("built\\n")
    time.sleep(0.3)
    (entry / "out").write_text("done")
entry, was_cached = cached(Path(sys.argv[1]), "same", build)
print(entry, was_cached)
"""


def test_processes_build_once(tmp_path):
    counter = tmp_path / "counter"
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(tmp_path / "shared"), str(counter)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [p.communicate(timeout=60)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert counter.read_text().splitlines() == ["built"]
    assert sorted(was for _, was in outputs) == ["False", "True", "True"]
    assert {entry for entry, _ in outputs} == {str(tmp_path / "shared" / "same")}


def test_content_key():
    assert content_key("ab", "c") != content_key("a", "bc")  # parts are separated
    assert content_key("a", "b") != content_key("b", "a")
    assert content_key("a", b"b") == content_key("a", "b")
    assert len(content_key("a")) == cache.KEY_CHARS and len(content_key("a", length=16)) == 16
    assert content_key("a") == content_key("a") and all(c in "0123456789abcdef" for c in content_key("a"))


def test_axgen_cache_is_honoured(root):
    assert cache_root() == root and root.is_dir()
    assert cache_dir(cache.HLS) == root / "hls" and cache_dir(cache.SYNTH) == root / "synth"
    assert set(cache.KINDS) == {"verilator-objects", "hls", "mul_check", "synth", "fifo-sizing"}
    with pytest.raises(AxgenError, match="unknown cache kind 'nope'"):
        cache_dir("nope")


def test_unwritable_root_falls_back_to_temp(tmp_path, monkeypatch):
    (tmp_path / "a_file").write_text("")
    monkeypatch.setenv("AXGEN_CACHE", str(tmp_path / "a_file" / "cache"))  # cannot be created
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    assert cache_root() == tmp_path / "tmp" / f"axgen-cache-{os.getuid()}"
    assert cache_root().is_dir()


def test_default_hls_build_goes_to_the_cache(root):
    from generator.tools.gxx import compile_cached
    binary, was_cached = compile_cached({"main.cpp": "int main() { return 0; }\n"}, "tiny")
    assert binary.parent.parent == root / "hls" and not was_cached and is_done(binary.parent)
    assert compile_cached({"main.cpp": "int main() { return 0; }\n"}, "tiny") == (binary, True)
    binary.write_bytes(binary.read_bytes()[:100])  # a truncated program: rebuilt, and it runs
    assert compile_cached({"main.cpp": "int main() { return 0; }\n"}, "tiny") == (binary, False)
    assert subprocess.run([str(binary)]).returncode == 0


def test_usage_and_clear(root):
    assert clear() == 0 and usage() == dict.fromkeys(cache.KINDS, 0)  # nothing there yet: fine
    hls, mul = Counting(b"h" * 1000), Counting(b"m" * 300)
    cached(cache_dir(cache.HLS), "a", hls)
    cached(cache_dir(cache.HLS), "b", hls)
    cached(cache_dir(cache.MUL_CHECK), "c", mul)
    sizes = usage()
    assert 4000 <= sizes["hls"] < 4800 and 600 <= sizes["mul_check"] < 1000, sizes  # the payloads and done markers
    assert sizes["synth"] == sizes["verilator-objects"] == 0
    assert clear([cache.HLS]) == sizes["hls"]
    assert usage() == {**sizes, "hls": 0}
    assert cached(cache_dir(cache.MUL_CHECK), "c", mul) == (cache_dir(cache.MUL_CHECK) / "c", True)
    assert cached(cache_dir(cache.HLS), "a", hls)[1] is False and hls.calls == 3  # rebuilt after clear
    with pytest.raises(AxgenError, match="unknown cache kind"):
        clear(["nope"])
    assert clear() == sizes["mul_check"] + sizes["hls"] // 2 and sum(usage().values()) == 0
