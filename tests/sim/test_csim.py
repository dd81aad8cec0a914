"""C simulation's native-integer MVAU (hls_lib/axgen_csim.h) stays out of the code synthesis sees:
the preprocessed MVAU with __SYNTHESIS__ defined is the one C simulation runs with
AXGEN_CSIM_AP_INT (tests/backends/hls/test_hls_blocks.py checks that both C simulations agree)."""

import subprocess

from generator.resources import folder
from generator.tools.gxx import AP_INT_MACRO, compiler


def _mvau(tmp_path, *defines: str) -> str:
    """axgen_mvau.h preprocessed (the HLS headers stubbed out), from its MVAU function on."""
    stubs = tmp_path / "stubs"
    stubs.mkdir(exist_ok=True)
    for name in ("ap_int.h", "hls_stream.h"):
        (stubs / name).write_text("")
    main = tmp_path / "main.cpp"
    main.write_text('#include "axgen_mvau.h"\n')
    proc = subprocess.run([compiler(), "-E", "-P", "-std=c++14", *(f"-D{d}" for d in defines), f"-I{stubs}",
                           f"-I{folder('hls_lib')}", str(main)], capture_output=True, text=True, check=True)
    return proc.stdout[proc.stdout.index("void axgen_mvau("):]


def test_synthesis_sees_the_ap_int_mvau(tmp_path):
    synthesis = _mvau(tmp_path, "__SYNTHESIS__")
    assert "axgen_csim" not in synthesis and "acc[p] = sum;" in synthesis
    assert _mvau(tmp_path, AP_INT_MACRO) == synthesis
    native = _mvau(tmp_path)
    assert "axgen_csim_mvau<" in native and "acc[p] = sum;" not in native
