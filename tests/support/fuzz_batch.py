"""Check many random designs with one Verilator build and one g++ build: the batching behind the
property-based tests (tests/sim/test_fuzz_designs.py, `make fuzz`).

One harness build (about 8 s) and one C-simulation build (about 5 s) per design would allow a few
hundred designs in half an hour; a batch of K designs shares both:

- RTL: every design's own modules (`axgen_top`, `axgen_L<i>_<name>`) and memory files get the
  prefix `fz<k>_`; the library modules of rtl/ are shared. A wrapper top (`axgen_fuzz_batch`)
  instantiates all K tops and connects the harness's AXI streams to the one whose number it reads
  at start-up from `axgen_fuzz_select.mem` ($readmemh, like the weights): the other designs get no
  clock edge, no valid input and no ready output. One Verilator build serves every design, each run in the
  unchanged C++ harness (generator.sim.harness: a back-to-back phase, then the random input gaps,
  padding junk and output back-pressure phase); the selected design sees exactly the streams it
  sees alone.
- HLS: every design's files and identifiers get the same prefix, its test bench's `main` becomes
  `fz<k>_main`, and one main calls the design named by $AXGEN_FUZZ_DESIGN; the program is built
  and run by generator.sim.csim as `axgen verify` builds and runs a project's test bench.

Each design's golden model (generator.execute.golden_outputs) is compared with both simulations,
every output element exactly. A design that fails keeps its QONNX model and config (`reproduce`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnx
import yaml

from generator import config as config_mod
from generator.errors import AxgenError
from generator.execute import golden_outputs, pack_outputs
from generator.frontend import load_network
from generator.ir import Network
from generator.project import Project, build as build_project
from generator.resources import folder
from generator.sim import csim, harness, packets
from generator.tools import gxx
from generator import streams
from generator.verify import random_inputs

BATCH_TOP = "axgen_fuzz_batch"
SELECT_FILE = "axgen_fuzz_select.mem"
DESIGN_ENV = "AXGEN_FUZZ_DESIGN"
BATCH_TB = "axgen_fuzz_batch_tb.cpp"
# a design's own names: its top and layer modules / functions / files, their include guards
OWN_NAMES = re.compile(r"\b(axgen_(?:top|L\d+)|AXGEN_(?:TOP|L\d+))")
TB_MAIN = "int main(int argc, char** argv)"
# Compile time bounds a campaign, not simulation time (a few hundred cycles per sample): the
# batch's Verilator model and C-simulation program are compiled at -O0 (half the time of the
# defaults) -- the same generated C++, only not optimised.
QUICK_MAKE_FLAGS = "OPT_FAST=-O0 OPT_SLOW=-O0 OPT_GLOBAL=-O0"
QUICK_CXX_FLAGS = gxx.cxx_flags(quick=True)
SAMPLES = 10  # per design: all in the random back-pressure phase, the first STREAM of them back to back too
STREAM = 4
PACKET = packets.SIMULATED_PACKET  # samples per packet (TLAST) of every design in a batch, RTL and HLS


def prefix(k: int) -> str:
    return f"fz{k}_"


def rename(text: str, k: int) -> str:
    """A design's own identifiers and file names, prefixed for design k of a batch."""
    return OWN_NAMES.sub(lambda m: (prefix(k).upper() if m.group(1).isupper() else prefix(k)) + m.group(1), text)


@dataclass
class Design:
    """One random configuration: a QONNX model and the config `axgen build --config` reads."""

    model: onnx.ModelProto
    config: dict
    description: str = ""
    network: Network | None = None  # the model's IR, when already loaded
    project: Project | None = None
    folder: Path | None = None

    def write(self, where: Path) -> tuple[Path, Path]:
        where.mkdir(parents=True, exist_ok=True)
        model, cfg = where / "model.onnx", where / "config.yaml"
        onnx.save(self.model, str(model))
        cfg.write_text(yaml.safe_dump(self.config, sort_keys=True))
        return model, cfg


@dataclass
class DesignResult:
    index: int
    design: Design
    samples: int
    seed: int  # of its random inputs (`axgen verify --seed`) and of the harness's random phase
    problems: list[str] = field(default_factory=list)  # one line per backend that disagreed with the golden model

    @property
    def ok(self) -> bool:
        return not self.problems


def build_design(design: Design, where: Path) -> None:
    """The design's model and config in `where`, its project in where/project (axgen build)."""
    design.folder = where
    model, cfg = design.write(where)
    net = design.network or load_network(str(model), None, "fuzz")
    design.project = build_project(net, where / "project", config_mod.load(cfg), force=True)


def _library(kind: str, suffix: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder(kind).glob(f"*{suffix}")}


def combine_rtl(projects: list[Project], out: Path) -> None:
    """The batch's Verilog and memory files in `out`: the library once, each design prefixed, and
    the selecting wrapper top."""
    out.mkdir(parents=True)
    library = _library("rtl", ".v")
    for name, data in library.items():
        (out / name).write_bytes(data)
    for k, project in enumerate(projects):
        for path in sorted((project.root / "rtl").iterdir()):
            if path.suffix == ".v" and library.get(path.name) == path.read_bytes():
                continue
            target = out / rename(path.name, k)
            if not target.name.startswith(prefix(k)):
                raise AssertionError(f"{path}: a design file that is not in the rtl library and not prefixable")
            target.write_text(rename(path.read_text(), k))
    (out / f"{BATCH_TOP}.v").write_text(wrapper(projects))


def wrapper(projects: list[Project]) -> str:
    """The batch's top: the harness's streams go to the design numbered in SELECT_FILE."""
    iw = max(p.plan.in_tdata_bits for p in projects)
    ow = max(p.plan.out_tdata_bits for p in projects)
    lines = [
        f"// {BATCH_TOP}: {len(projects)} designs behind one AXI-Stream pair (tests/support/fuzz_batch.py)",
        "`default_nettype none",
        f"module {BATCH_TOP} (",
        "    input  wire ap_clk,",
        "    input  wire ap_rst_n,",
        f"    input  wire [{iw - 1}:0] s_axis_tdata,",
        "    input  wire s_axis_tvalid,",
        "    output reg  s_axis_tready,",
        "    input  wire s_axis_tlast,",
        f"    output reg  [{ow - 1}:0] m_axis_tdata,",
        "    output reg  m_axis_tvalid,",
        "    input  wire m_axis_tready,",
        "    output reg  m_axis_tlast",
        ");",
        "    reg [15:0] select_mem [0:0];",
        "    reg [15:0] sel;",
        f'    initial begin $readmemh("{SELECT_FILE}", select_mem); sel = select_mem[0]; end',
    ]
    cases = []
    for k, p in enumerate(projects):
        d, w_in, w_out = f"d{k}", p.plan.in_tdata_bits, p.plan.out_tdata_bits
        lines += [
            f"    wire {d}_s_tready, {d}_m_tvalid, {d}_m_tlast;",
            f"    wire [{w_out - 1}:0] {d}_m_tdata;",
            # only the selected design gets clock edges: the others' logic never runs (simulation
            # time stays that of one design); the selected one's clock is ap_clk itself
            f"    wire {d}_clk = ap_clk & (sel == 16'd{k});",
            f"    {prefix(k)}axgen_top #(.PACKET_SAMPLES({PACKET})) u_{d} (.ap_clk({d}_clk), .ap_rst_n(ap_rst_n),",
            f"        .s_axis_tdata(s_axis_tdata[{w_in - 1}:0]), .s_axis_tvalid(s_axis_tvalid && sel == 16'd{k}),",
            f"        .s_axis_tready({d}_s_tready), .s_axis_tlast(s_axis_tlast),",
            f"        .m_axis_tdata({d}_m_tdata), .m_axis_tvalid({d}_m_tvalid),",
            f"        .m_axis_tready(m_axis_tready && sel == 16'd{k}), .m_axis_tlast({d}_m_tlast));",
        ]
        cases.append(f"            16'd{k}: begin s_axis_tready = {d}_s_tready; m_axis_tvalid = {d}_m_tvalid; "
                     f"m_axis_tlast = {d}_m_tlast; m_axis_tdata[{w_out - 1}:0] = {d}_m_tdata; end")
    lines += [
        "    always @(*) begin",
        f"        s_axis_tready = 1'b0; m_axis_tvalid = 1'b0; m_axis_tlast = 1'b0; m_axis_tdata = {ow}'d0;",
        "        case (sel)",
        *cases,
        "            default: ;",
        "        endcase",
        "    end",
        "endmodule",
        "`default_nettype wire",
        "",
    ]
    return "\n".join(lines)


def combine_hls(projects: list[Project], out: Path) -> None:
    """The batch's C simulation sources in `out`: the HLS library once, each design prefixed, and
    a main choosing the design by $AXGEN_FUZZ_DESIGN."""
    out.mkdir(parents=True)
    library = _library("hls_lib", ".h")
    for name, data in library.items():
        (out / name).write_bytes(data)
    includes, cases = [], []
    for k, project in enumerate(projects):
        hls = project.root / "hls"
        testbench = project.data["hls"]["testbench"]
        for path in sorted(hls.iterdir()):
            if path.suffix not in (".h", ".cpp") or library.get(path.name) == path.read_bytes():
                continue
            text = rename(path.read_text(), k)
            if path.name == testbench:
                if TB_MAIN not in text:
                    raise AssertionError(f"{path}: no `{TB_MAIN}` to rename")
                text = text.replace(TB_MAIN, f"int {prefix(k)}main(int argc, char** argv)")
            (out / rename(path.name, k)).write_text(text)
        includes.append(f'#include "{rename(testbench, k)}"')
        cases.append(f"        case {k}: return {prefix(k)}main(argc, argv);")
    (out / BATCH_TB).write_text("\n".join([
        f"// {len(projects)} C-simulation test benches in one program; ${DESIGN_ENV} chooses one (tests/support/fuzz_batch.py)",
        "#include <cstdio>",
        "#include <cstdlib>",
        *includes,
        "int main(int argc, char** argv) {",
        f'    const char* design = std::getenv("{DESIGN_ENV}");',
        "    switch (design ? std::atoi(design) : -1) {",
        *cases,
        "        default: break;",
        "    }",
        f'    std::fprintf(stderr, "set {DESIGN_ENV} to a design number\\n");',
        "    return 2;",
        "}",
        "",
    ]))


def _rtl_problem(project: Project, rtl_dir: Path, build_dir: Path, values: np.ndarray, expected: np.ndarray,
                 seed: int) -> str | None:
    first, last = project.plan.first, project.plan.last
    h = harness.simulate(
        rtl_dir=rtl_dir, toplevel=BATCH_TOP, data=streams.pack(values, first.in_dtype.name, first.in_per_beat),
        in_beat_bytes=streams.beat_bytes(first.in_dtype.name, first.in_per_beat),
        out_beat_bytes=streams.beat_bytes(last.out_dtype.name, last.out_per_beat),
        beats_out=last.out_elems // last.out_per_beat, in_data_bits=first.in_per_beat * first.in_dtype.bitwidth(),
        seed=seed, build_dir=build_dir, stream_samples=STREAM, random=True, idle_cycles=200_000,
        packet_samples=PACKET)
    if h.random_outputs is None or len(h.random_outputs) != len(values) or len(h.stream_outputs) != STREAM:
        got = 0 if h.random_outputs is None else len(h.random_outputs)
        return f"rtl: the harness returned {len(h.stream_outputs)} + {got} outputs"
    bad, where = h.mismatched(pack_outputs(project, expected))
    if not bad.size:
        return None
    if where is None:
        return f"rtl: m_axis_tlast wrong on samples {bad.tolist()}: {h.tlast_errors[:1]}"
    got = h.stream_outputs if where["phase"] == "stream" else h.random_outputs
    i = where["sample"]
    values_got = streams.unpack(got[i:i + 1], last.out_dtype.name, last.out_per_beat)[0]
    return (f"rtl: {bad.size} of {len(values)} samples differ; first in phase {where['phase']}, sample {i}: "
            f"expected {expected[i].tolist()}, got {values_got.tolist()}")


def _hls_problem(project: Project, hls_dir: Path, k: int, values: np.ndarray, expected: np.ndarray) -> str | None:
    first, last = project.plan.first, project.plan.last
    os.environ[DESIGN_ENV] = str(k)
    try:
        result = csim.simulate(hls_dir, BATCH_TB, values, first.in_dtype, last.out_dtype, last.out_elems,
                               defines=packets.hls_defines(PACKET))
    finally:
        os.environ.pop(DESIGN_ENV, None)
    bad = np.flatnonzero(np.any(result.outputs != expected, axis=1))
    if not bad.size:
        return None
    i = int(bad[0])
    return (f"hls: {bad.size} of {len(values)} samples differ; first sample {i}: expected {expected[i].tolist()}, "
            f"got {result.outputs[i].tolist()}")


@contextlib.contextmanager
def quick_builds():
    """Within the block, harness and C-simulation builds use the -O0 flags above (both modules
    read their flags when they build; their caches key on them)."""
    saved = harness.MAKE_FLAGS, gxx.CXX_FLAGS
    harness.MAKE_FLAGS, gxx.CXX_FLAGS = QUICK_MAKE_FLAGS, QUICK_CXX_FLAGS
    try:
        yield
    finally:
        harness.MAKE_FLAGS, gxx.CXX_FLAGS = saved


@dataclass
class BatchTimes:
    build: float = 0.0  # axgen build of every design
    rtl_build: float = 0.0
    hls_build: float = 0.0
    runs: float = 0.0


def check_batch(designs: list[Design], root: Path, seed: int = 0,
                corrupt=None) -> tuple[list[DesignResult], BatchTimes]:
    """Build every design, combine them, run golden model, harness and C simulation on SAMPLES
    random inputs each; one result per design. `corrupt(rtl_dir, hls_dir)`, when given, edits the
    combined sources before they are built (the tests that show a broken design is caught)."""
    with quick_builds():
        return _check_batch(designs, root, seed, corrupt)


def _check_batch(designs: list[Design], root: Path, seed: int, corrupt) -> tuple[list[DesignResult], BatchTimes]:
    times = BatchTimes()
    t0 = time.monotonic()
    root.mkdir(parents=True, exist_ok=True)
    results = [DesignResult(k, design, SAMPLES, seed=seed + k) for k, design in enumerate(designs)]
    built = []  # results of the designs axgen built, in batch order (design j of the batch is fz<j>_)
    for result in results:
        try:
            build_design(result.design, root / f"d{result.index}")
        except AxgenError as exc:
            result.problems.append(f"build: {exc}")
            continue
        built.append(result)
    projects = [r.design.project for r in built]
    rtl_dir, hls_dir, build_dir, csim_dir = root / "rtl", root / "hls", root / "harness_build", root / "csim_build"
    if not projects:
        return results, times
    combine_rtl(projects, rtl_dir)
    combine_hls(projects, hls_dir)
    if corrupt is not None:
        corrupt(rtl_dir, hls_dir)
    t1 = time.monotonic()
    times.build = t1 - t0
    harness.build(rtl_dir, BATCH_TOP, build_dir)
    t2 = time.monotonic()
    times.rtl_build = t2 - t1
    # in the batch's own folder: a shard never shares (or removes) another's program, even for the
    # same batch (a shrunk batch is identical across shards)
    binary, _ = csim.build(hls_dir, BATCH_TB, build_dir=csim_dir, defines=packets.hls_defines(PACKET))
    t3 = time.monotonic()
    times.hls_build = t3 - t2
    try:
        for j, (result, project) in enumerate(zip(built, projects)):
            (rtl_dir / SELECT_FILE).write_text(f"{j:04x}\n")
            values = random_inputs(project, SAMPLES, result.seed)
            expected = golden_outputs(project, values)
            for backend, run in (("rtl", lambda: _rtl_problem(project, rtl_dir, build_dir, values, expected, result.seed)),
                                 ("hls", lambda: _hls_problem(project, hls_dir, j, values, expected))):
                try:
                    problem = run()
                except AxgenError as exc:  # a stalled design, a failed C simulation: this design's problem
                    problem = f"{backend}: {exc}"
                if problem:
                    result.problems.append(problem)
    finally:
        # the batch's programs are used once
        shutil.rmtree(csim_dir, ignore_errors=True)
        shutil.rmtree(build_dir, ignore_errors=True)
    times.runs = time.monotonic() - t3
    return results, times


def reproduce(result: DesignResult, failures: Path, verdict: str = "disagrees with its golden model") -> str:
    """Keep a failing design's model and config under `failures`; the message (`verdict`: what
    went wrong) says how to rerun it."""
    design = result.design
    where = failures / f"fuzz-{int(time.time())}-{os.getpid()}-d{result.index}"
    model, cfg = design.write(where)
    (where / "problems.txt").write_text("\n".join(result.problems) + "\n")
    return (f"design {result.index} ({design.description}) {verdict}:\n  "
            + "\n  ".join(result.problems)
            + f"\nconfig ({cfg}):\n{yaml.safe_dump(design.config, sort_keys=True)}"
            + f"reproduce: axgen build {model} --config {cfg} -o {where / 'project'} && "
              f"axgen verify {where / 'project'} --backend all --samples {result.samples} --seed {result.seed}")


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (Verilator, make, g++, the harness)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def record_tally(path: Path, passed: int, failed: int, seconds: float, cpu: float) -> None:
    """Add a batch's counts, wall and CPU seconds to a JSON tally file (one per campaign process;
    `summary` adds them up)."""
    tally = json.loads(path.read_text()) if path.exists() else {"passed": 0, "failed": 0, "batches": 0, "seconds": 0.0,
                                                                "cpu_seconds": 0.0}
    tally["passed"] += passed
    tally["failed"] += failed
    tally["batches"] += 1
    tally["seconds"] += seconds
    tally["cpu_seconds"] += cpu
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(tally))


def summary(folder_: Path) -> str:
    files = sorted(Path(folder_).glob("tally-*.json"))
    total = {"passed": 0, "failed": 0, "batches": 0, "seconds": 0.0, "cpu_seconds": 0.0}
    for path in files:
        tally = json.loads(path.read_text())
        for key in total:
            total[key] += tally.get(key, 0)
    checked = total["passed"] + total["failed"]
    per = f"; {total['cpu_seconds'] / checked:.2f} CPU seconds per configuration" if checked and total["cpu_seconds"] else ""
    return (f"fuzz: {checked} random configurations checked (golden = RTL harness = HLS C simulation) in "
            f"{total['batches']} batches: {total['passed']} passed, {total['failed']} mismatched{per}")


if __name__ == "__main__":
    import sys
    print(summary(Path(sys.argv[1])))
