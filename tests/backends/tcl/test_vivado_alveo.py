"""The Alveo flow of a built project, without Vitis: tcl/alveo_build.sh under a fake v++ and a fake
vivado (which runs the Tcl with tests/support/fake_vivado.py), the link configuration against the
shell contract (generator.hw.shell), and the two data-mover kernels compiled with g++ and run."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import models
from generator import boards
from generator.backends.tcl import alveo, vivado
from generator.hw import shell

SUPPORT = Path(models.__file__).resolve().parent
ALVEO = [name for name in boards.available() if boards.load(name).shell == "alveo"]


FAKE_VPP = r'''
import json, os, sys
from pathlib import Path
sys.path.insert(0, os.environ["FAKE_VPP_SUPPORT"])
import vivado_syntax
args = sys.argv[1:]
with open(os.environ["FAKE_VPP_LOG"], "a") as log:
    log.write(json.dumps(["v++", *args]) + "\n")
refused = vivado_syntax.check(vivado_syntax.VPP, "v++", tuple(args))
if refused:
    print("ERROR:", refused)
    sys.exit(1)
out = Path(args[args.index("-o") + 1])
inputs = [args[-1]] if "-c" in args else [a for a in args if a.endswith(".xo")] + [args[args.index("--config") + 1]]
missing = [p for p in inputs if not Path(p).is_file()]
if missing or not out.parent.is_dir():
    print("ERROR: missing", missing, "or no folder for", out)
    sys.exit(1)
out.write_text("")
'''


@pytest.fixture
def fake_tools(tmp_path, monkeypatch):
    """`v++` and `vivado` stand-ins first on PATH; returns the log of their calls."""
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    log = tmp_path / "tools.log"
    vivado_exe = f"import sys\nsys.path.insert(0, {str(SUPPORT)!r})\nimport fake_vivado\n" \
                 "sys.exit(fake_vivado.main(sys.argv[1:]))\n"
    for name, body in (("v++", FAKE_VPP), ("vivado", vivado_exe)):
        exe = bin_dir / name
        exe.write_text(f"#!{sys.executable}\n{body}")
        exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_VPP_LOG", str(log))
    monkeypatch.setenv("FAKE_VPP_SUPPORT", str(SUPPORT))
    monkeypatch.setenv("FAKE_VIVADO_LOG", str(log))
    return log


def link_entries(text: str) -> dict:
    entries = {}
    for line in text.splitlines():
        if line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            entries.setdefault(key, []).append(value)
    return entries


@pytest.mark.parametrize("board", ALVEO)
def test_alveo_build_links_the_data_movers_to_the_kernel(project, board, fake_tools):
    root, data = project(board)
    target = boards.load(board)
    cfg = (root / "tcl/alveo_link.cfg").read_text()
    assert "[connectivity]" in cfg.splitlines()
    entries = link_entries(cfg)
    mm2s, s2mm = shell.MM2S_INSTANCE, shell.S2MM_INSTANCE
    assert entries["nk"] == [f"{shell.MM2S_KERNEL}:1:{mm2s}", f"{shell.S2MM_KERNEL}:1:{s2mm}", "axgen_top:1:axgen"]
    assert entries["stream_connect"] == [f"{mm2s}.m_axis:axgen.s_axis", f"axgen.m_axis:{s2mm}.s_axis"]
    bank = "DDR[0]" if board == "u250" else "HBM[0]"
    buffers = [shell.KERNEL_ARGS[k][0] for k in (shell.MM2S_KERNEL, shell.S2MM_KERNEL)]
    assert entries["sp"] == [f"{mm2s}.{buffers[0]}:{bank}", f"{s2mm}.{buffers[1]}:{bank}"]
    for kernel in (shell.MM2S_KERNEL, shell.S2MM_KERNEL):  # the kernels take the contract's arguments, in order
        buffer, count = shell.KERNEL_ARGS[kernel]
        source = (root / f"kernels/{kernel}.cpp").read_text()
        assert f'extern "C" void {kernel}(' in source
        signature = source.split(f'extern "C" void {kernel}(')[1].split(")")[0]
        names = [part.split()[-1].lstrip("&*") for part in signature.split(",")]
        assert names == [buffer, count, "m_axis" if kernel == shell.MM2S_KERNEL else "s_axis"]
    for variant in ("rtl", "hls"):
        shutil.rmtree(root / "build", ignore_errors=True)
        fake_tools.write_text("")
        env = {**os.environ, "AXGEN_KERNEL": variant}
        proc = subprocess.run(["bash", "tcl/alveo_build.sh"], cwd=root, capture_output=True, text=True, env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        calls = [json.loads(line) for line in fake_tools.read_text().splitlines()]
        vpp = [c for c in calls if isinstance(c, list)]
        if variant == "rtl":
            vivado_calls = dict(calls[0]["calls"])
            assert calls[0]["script"] == "tcl/package_xo.tcl"
            xo = vivado_calls["package_xo"]
            assert xo == ["-force", "-xo_path", "build/alveo/axgen_top.xo", "-kernel_name", "axgen_top",
                          "-ip_directory", "build/ip", "-ctrl_protocol", "ap_ctrl_none"]
        else:
            assert vpp[0][1:] == ["-c", "-t", "hw", "--platform", target.platform, "--temp_dir",
                                  "build/alveo/tmp_axgen_top", "-k", "axgen_top", "-I", "hls", "-o",
                                  "build/alveo/axgen_top.xo", "hls/axgen_top.cpp"]
        compiled = [c[c.index("-k") + 1] for c in vpp if "-c" in c]
        assert compiled[-2:] == [shell.MM2S_KERNEL, shell.S2MM_KERNEL]
        link = vpp[-1]
        assert "-l" in link and link[link.index("--platform") + 1] == target.platform
        assert link[link.index("--config") + 1] == "tcl/alveo_link.cfg"
        assert float(link[link.index("--kernel_frequency") + 1]) == target.clock_mhz
        assert (root / alveo.XCLBIN).is_file() and Path(alveo.XCLBIN).name == shell.BITFILES["alveo"]


AXI_SDATA = """\
#pragma once
#include <ap_int.h>
// Stand-in for Vitis' ap_axi_sdata.h: the fields the data movers use.
template <int D, int U, int TI, int TD> struct ap_axiu {
    ap_uint<D> data;
    ap_uint<(D + 7) / 8> keep;
    ap_uint<(D + 7) / 8> strb;
    ap_uint<1> last;
};
"""


def test_alveo_data_movers_move_every_bit(project):
    """Compile both kernels with g++ and a test program: mm2s sends the low bits of each word
    with TLAST on each sample's last beat, s2mm stores each beat zero-extended."""
    from generator.tools.gxx import compile_cached
    root, data = project("u50")
    movers = alveo.data_movers(vivado.accelerator_ports(data))
    (mm2s, s2mm), rng = movers, np.random.default_rng(7)
    assert mm2s["word_bits"] <= 64 and s2mm["word_bits"] <= 64  # 64-bit literals below
    n_in, n_out = 3 * mm2s["beats_per_sample"], 5
    words = [int(w) for w in rng.integers(0, 2 ** 63, n_in, dtype=np.uint64) % (1 << mm2s["word_bits"])]
    beats = [w & ((1 << mm2s["beat_bits"]) - 1) for w in words]
    lasts = [int((i + 1) % mm2s["beats_per_sample"] == 0) for i in range(n_in)]
    outs = [int(w) for w in rng.integers(0, 2 ** 63, n_out, dtype=np.uint64) % (1 << s2mm["beat_bits"])]

    def array(values):
        return ", ".join(f"{v}ULL" for v in values)
    main = f"""
#include <cstdio>
#include <ap_axi_sdata.h>
#include <ap_int.h>
#include <hls_stream.h>
typedef ap_uint<{mm2s['word_bits']}> in_word;
typedef ap_uint<{s2mm['word_bits']}> out_word;
typedef ap_axiu<{mm2s['beat_bits']}, 0, 0, 0> in_beat;
typedef ap_axiu<{s2mm['beat_bits']}, 0, 0, 0> out_beat;
extern "C" void {mm2s['kernel']}(const in_word*, unsigned int, hls::stream<in_beat>&);
extern "C" void {s2mm['kernel']}(out_word*, unsigned int, hls::stream<out_beat>&);
static const unsigned long long WORDS[] = {{{array(words)}}}, BEATS[] = {{{array(beats)}}},
    LASTS[] = {{{array(lasts)}}}, OUTS[] = {{{array(outs)}}};
int main() {{
    int bad = 0;
    in_word in[{n_in}];
    for (int i = 0; i < {n_in}; i++) in[i] = WORDS[i];
    hls::stream<in_beat> to_accel;
    {mm2s['kernel']}(in, {n_in}, to_accel);
    for (int i = 0; i < {n_in}; i++) {{
        in_beat b = to_accel.read();
        bad += b.data != BEATS[i] || b.last != LASTS[i];
    }}
    bad += !to_accel.empty();
    hls::stream<out_beat> from_accel;
    for (int i = 0; i < {n_out}; i++) {{ out_beat b; b.data = OUTS[i]; b.last = 0; from_accel.write(b); }}
    out_word out[{n_out} + 1];
    for (int i = 0; i <= {n_out}; i++) out[i] = ~out_word(0);
    {s2mm['kernel']}(out, {n_out}, from_accel);
    for (int i = 0; i < {n_out}; i++) bad += out[i] != out_word(OUTS[i]);
    bad += out[{n_out}] != ~out_word(0);  // nothing written past the beats
    std::printf("mismatches %d\\n", bad);
    return bad != 0;
}}
"""
    sources = {"main.cpp": main, "ap_axi_sdata.h": AXI_SDATA,
               **{Path(m["file"]).name: (root / m["file"]).read_text() for m in movers}}
    binary, _ = compile_cached(sources, "alveo_movers", units=["main.cpp", *(Path(m["file"]).name for m in movers)])
    proc = subprocess.run([str(binary)], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.strip() == "mismatches 0", proc.stdout + proc.stderr


def test_the_hls_kernel_top_is_extern_c(project):
    """AXGEN_KERNEL=hls compiles hls/axgen_top.cpp as a C++ kernel (v++ -c -k axgen_top), which UG1393
    wants extern "C"; the Zynq boards' Vitis HLS IP keeps C++ linkage. The kernel's C simulation
    program (its test bench includes the top) compiles and gives the golden model's outputs."""
    from generator.execute import golden_outputs
    from generator.project import open_project
    from generator.sim.csim import simulate
    root, data = project("u50")
    signature = "void axgen_top(hls::stream<"
    assert f'extern "C" {signature}' in (root / "hls/axgen_top.cpp").read_text()
    zynq_root, _ = project("pynq-z2")
    zynq_top = (zynq_root / "hls/axgen_top.cpp").read_text()
    assert signature in zynq_top and 'extern "C"' not in zynq_top
    built = open_project(root)
    first, last = built.plan.first, built.plan.last
    rng = np.random.default_rng(3)
    x = rng.integers(int(first.in_dtype.min()), int(first.in_dtype.max()), size=(4, first.in_elems), endpoint=True)
    res = simulate(root / "hls", data["hls"]["testbench"], x, first.in_dtype, last.out_dtype, last.out_elems)
    assert np.array_equal(res.outputs, golden_outputs(built, x))


def test_a_misspelled_vpp_option_fails_the_build(project, fake_tools, tmp_path):
    source, _ = project("u50")
    root = tmp_path / "broken"
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("build"))
    script = root / "tcl/alveo_build.sh"
    script.write_text(script.read_text().replace("--kernel_frequency", "--kernel-frequency"))
    proc = subprocess.run(["bash", "tcl/alveo_build.sh"], cwd=root, capture_output=True, text=True)
    assert proc.returncode != 0
    assert "v++: unknown option --kernel-frequency (UG1393 (2023.2), v++ Command)" in proc.stdout
