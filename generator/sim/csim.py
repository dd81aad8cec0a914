"""C simulation of a project's HLS C++ with g++: the rendered test bench (DIR/hls/axgen_top_tb.cpp)
and everything it includes become one program, built once per distinct source set (cached by
content hash, generator.tools.gxx) and run on input element codes written to a file."""

from __future__ import annotations

import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from generator.datatypes import from_codes, to_codes
from generator.errors import AxgenError
from generator.tools.gxx import compile_cached

STREAM_WARNING = "WARNING: Hls::stream"  # hls_stream.h's read-while-empty / leftover-data message
QUICK_SAMPLES = 64  # runs of at most this many samples compile for a short run (gxx.QUICK_OPT)


@dataclass
class HlsResult:
    outputs: np.ndarray  # (N, out_elems) values of the output datatype
    build_seconds: float
    cached: bool  # the binary came from the cache
    run_seconds: float


def build(hls_dir: Path, testbench: str, name: str = "axgen_csim", ap_int: bool = False,
          build_dir: Path | None = None, quick: bool = False, defines: dict[str, int] | None = None) -> tuple[Path, bool]:
    """The C simulation program (cached in `build_dir`, default the shared cache's hls folder);
    `ap_int` builds the MVAUs' ap_int code, the code synthesis sees, instead of their
    native-integer arithmetic (generator.tools.gxx.AP_INT_MACRO); `quick` compiles for a short run
    (generator.tools.gxx.QUICK_OPT); `defines` sets macros (the top's AXGEN_PACKET_SAMPLES)."""
    hls_dir = Path(hls_dir)
    if not (hls_dir / testbench).is_file():
        raise AxgenError(f"{hls_dir / testbench} is missing; rebuild the project with `axgen build`")
    sources = {p.name: p.read_text() for p in sorted(hls_dir.iterdir())
               if p.is_file() and p.suffix in (".h", ".cpp")}
    return compile_cached(sources, name, build_dir, units=[testbench], ap_int=ap_int, quick=quick, defines=defines)


def simulate(hls_dir: Path, testbench: str, inputs: np.ndarray, in_dtype, out_dtype, out_elems: int,
             ap_int: bool = False, defines: dict[str, int] | None = None) -> HlsResult:
    """Run `inputs` (N, in_elems values of in_dtype) through the C-simulated network (`ap_int`,
    `defines`: as in build)."""
    t0 = time.time()
    binary, cached = build(hls_dir, testbench, ap_int=ap_int, quick=len(inputs) <= QUICK_SAMPLES, defines=defines)
    t1 = time.time()
    inputs = np.asarray(inputs, dtype=np.int64).reshape(len(inputs), -1)
    codes = to_codes(inputs, in_dtype)
    with tempfile.TemporaryDirectory(prefix="axgen-csim-") as tmp:
        tmp = Path(tmp)
        lines = [str(len(codes))] + [" ".join(map(str, row.tolist())) for row in codes]
        (tmp / "in.txt").write_text("\n".join(lines) + "\n")
        proc = subprocess.run([str(binary), str(tmp / "in.txt"), str(tmp / "out.txt")], capture_output=True,
                              text=True)
        log = (proc.stdout + proc.stderr).strip()
        if proc.returncode != 0 or STREAM_WARNING.lower() in log.lower():
            shown = "\n".join(log.splitlines()[:20])
            raise AxgenError(f"HLS C simulation of {hls_dir} failed (exit code {proc.returncode}):\n{shown}")
        text = (tmp / "out.txt").read_text().split()
    t2 = time.time()
    out = np.array([int(v) for v in text], dtype=np.uint64)
    if out.size != len(inputs) * out_elems:
        raise AxgenError(f"HLS C simulation wrote {out.size} output codes, expected {len(inputs)} x {out_elems}")
    outputs = from_codes(out.reshape(len(inputs), out_elems), out_dtype)
    return HlsResult(np.asarray(outputs, dtype=np.int64), t1 - t0, cached, t2 - t1)
