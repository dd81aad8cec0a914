"""The precompiled HLS headers (generator.tools.hls_pch): g++ really uses them, with or without
AXGEN_CSIM_AP_INT and at either optimisation level (a short run's -O0 has its own), and a
compiler other than GCC goes without."""

import subprocess

import pytest

from generator.tools.gxx import AP_INT_MACRO, QUICK_OPT, compiler, cxx_flags, precompile
from generator.tools.hls_headers import hls_include_flags
from generator.tools.hls_pch import HEADER, precompiled_header


@pytest.mark.parametrize("quick", [False, True])
def test_gxx_uses_the_precompiled_headers(tmp_path, quick):
    cxx = compiler()
    base = [*cxx_flags(quick), *hls_include_flags()]
    flags = precompile(quick)
    assert flags[0] == "-include" and flags[1].endswith(HEADER) and precompile(quick) == flags
    assert (QUICK_OPT in base) == quick and precompile(not quick) != flags
    main = tmp_path / "main.cpp"
    main.write_text("int main() { ap_uint<8> a = 200; hls::stream<ap_int<5> > s; return a.to_int() - 200; }\n")
    for define in ([], [f"-D{AP_INT_MACRO}"]):
        proc = subprocess.run([cxx, *base, *define, *flags, "-H", "-Winvalid-pch", "-o", str(tmp_path / "main"),
                               str(main)], capture_output=True, text=True, check=True)
        # -H marks a precompiled header that g++ loads with "!" ("x" when it is rejected)
        assert f"! {flags[1]}.gch" in proc.stderr.splitlines(), proc.stderr[:2000]
        assert subprocess.run([str(tmp_path / "main")]).returncode == 0


def test_no_precompiled_header_for_clang():
    assert precompiled_header(compiler(), "clang version 17.0.6", [*cxx_flags(), *hls_include_flags()]) == []
