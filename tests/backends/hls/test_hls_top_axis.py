"""The HLS top's ports as Vitis HLS expresses AXI-Stream with TLAST (ap_axiu from ap_axi_sdata.h,
or hls_lib/axgen_axis.h's own where that header is missing, as in hls4ml's copy of the HLS
headers): the C-simulation test bench checks TLAST on exactly the last beat of every
AXGEN_PACKET_SAMPLES-th sample (the top's macro, set small for C simulation) and fails on a TLAST
one beat early or a packet closed on the wrong sample."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from generator import config, golden
from generator.backends.hls.render import render_hls
from generator.datatypes import DataType
from generator.errors import AxgenError
from generator.hw import annotate, plan_of
from generator.ir import MatrixLayer
from generator.resources import folder
from generator.sim.csim import simulate
from generator.tools.gxx import compile_cached
from block_cases import extreme_inputs, random_values

D = DataType
SAMPLES = 6


@pytest.fixture(scope="module")
def top(tmp_path_factory):
    """One layer, MW=8 MH=6 PE=2 SIMD=4 (3 output beats per sample) as an HLS project folder."""
    rng = np.random.default_rng(8)
    layer = MatrixLayer("fc0", D["UINT4"], D["INT4"], random_values(rng, D["INT4"], (6, 8)), None, 0, D["INT32"],
                        (8,), (6,))
    impl = annotate([layer], config.from_dict({"defaults": {"pe": 2, "simd": 4}}))[0]
    out = tmp_path_factory.mktemp("hls")
    summary = render_hls(plan_of([impl]), out)
    x = extreme_inputs(rng, layer, SAMPLES)
    return out, summary, layer, impl, x


def test_top_ports_are_axi_stream_with_tlast(top):
    out, summary, _, _, _ = top
    text = (out / f"{summary['top']}.cpp").read_text()
    assert (f"void {summary['top']}(hls::stream<ap_axiu<16, 0, 0, 0> >& s_axis, "
            f"hls::stream<ap_axiu<{summary['out_width']}, 0, 0, 0> >& m_axis)") in text
    assert '#include "axgen_axis.h"' in text and "axgen_to_axis<20, AXGEN_PACKET_SAMPLES>(l0_out, m_axis, 3);" in text
    assert "#define AXGEN_PACKET_SAMPLES 1  // samples per packet" in text and summary["packet_samples"] == 1
    assert "axgen_axis.h" in summary["files"] and (out / "axgen_axis.h").is_file()


@pytest.mark.parametrize("packet", [None, 2, 4])
def test_csim_checks_tlast(top, packet):
    """Packets of 1 sample (the top's own), 2 or 4 (set for the C simulation; 6 samples leave the
    last packet of 4 open)."""
    out, summary, layer, impl, x = top
    defines = None if packet is None else {"AXGEN_PACKET_SAMPLES": packet}
    res = simulate(out, summary["testbench"], x, impl.in_dtype, impl.out_dtype, layer.mh, defines=defines)
    assert np.array_equal(res.outputs, golden.run_layer(x, layer))


def _broken_copy(top, tmp_path, name: str, old: str, new: str) -> None:
    out = top[0]
    for path in out.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    text = (tmp_path / name).read_text()
    assert old in text
    (tmp_path / name).write_text(text.replace(old, new))


def test_tlast_one_beat_early_fails_the_csim(top, tmp_path):
    _, summary, layer, impl, x = top
    _broken_copy(top, tmp_path, "axgen_axis.h", "beat.last = closes && b == beats - 1;",
                 "beat.last = closes && b == beats - 2;")
    with pytest.raises(AxgenError, match=r"sample 0 \(sample 0 of packet 0, 1 samples per packet\): m_axis TLAST is 1 on "
                                         r"beat 1 of 3 \(expected high on the last beat only\)"):
        simulate(tmp_path, summary["testbench"], x, impl.in_dtype, impl.out_dtype, layer.mh)


def test_a_packet_closed_on_the_wrong_sample_fails_the_csim(top, tmp_path):
    """A top whose TLAST closes every sample, where the test bench expects packets of 2."""
    _, summary, layer, impl, x = top
    _broken_copy(top, tmp_path, f"{summary['top']}.cpp", "axgen_to_axis<20, AXGEN_PACKET_SAMPLES>",
                 "axgen_to_axis<20, 1>")
    with pytest.raises(AxgenError, match=r"sample 0 \(sample 0 of packet 0, 2 samples per packet\): m_axis TLAST is 1 on "
                                         r"beat 2 of 3 \(expected low on every beat\)"):
        simulate(tmp_path, summary["testbench"], x, impl.in_dtype, impl.out_dtype, layer.mh,
                 defines={"AXGEN_PACKET_SAMPLES": 2})


PROGRAM = """#include "axgen_axis.h"
int main() {
    hls::stream<ap_axiu<8, 0, 0, 0> > in, out;
    hls::stream<ap_uint<8> > mid;
    ap_axiu<8, 0, 0, 0> beat;
    beat.data = 5;
    in.write(beat);
    axgen_from_axis<8>(in, mid, 1);
    axgen_to_axis<8, 1>(mid, out, 1);
    ap_axiu<8, 0, 0, 0> got = out.read();
    return got.data == 5 && got.last == 1 && got.keep == 1 && AXGEN_EXPECT ? 0 : 1;
}
"""
VITIS_HEADER = """// stands in for Vitis HLS's ap_axi_sdata.h
#include <ap_int.h>
template<int D, int U, int TI, int TD>
struct ap_axiu {
    ap_uint<D> data;
    ap_uint<(D + 7) / 8> keep;
    ap_uint<(D + 7) / 8> strb;
    ap_uint<1> last;
    static const bool from_vitis = true;
};
"""


@pytest.mark.parametrize("vitis", [False, True], ids=["fallback", "ap_axi_sdata"])
def test_ap_axi_sdata_is_used_where_it_exists(vitis):
    """With an ap_axi_sdata.h on the include path its ap_axiu is used; without one (hls4ml's
    headers) axgen_axis.h defines its own."""
    expect = "ap_axiu<8, 0, 0, 0>::from_vitis" if vitis else "!defined_AXGEN_HAVE"
    program = PROGRAM.replace("AXGEN_EXPECT", expect)
    if not vitis:
        program = program.replace('#include "axgen_axis.h"\n', '#include "axgen_axis.h"\n#ifdef AXGEN_HAVE_AP_AXI_SDATA\n'
                                  "const bool defined_AXGEN_HAVE = true;\n#else\nconst bool defined_AXGEN_HAVE = false;\n#endif\n")
    sources = {"axis_check.cpp": program, "axgen_axis.h": (folder("hls_lib") / "axgen_axis.h").read_text()}
    if vitis:
        sources["ap_axi_sdata.h"] = VITIS_HEADER
    binary, _ = compile_cached(sources, "axis_check")
    assert subprocess.run([str(binary)]).returncode == 0
