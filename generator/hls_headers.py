"""Where the arbitrary-precision HLS headers (ap_int.h, hls_stream.h) come from.

A Vitis HLS install has them in $XILINX_HLS/include; otherwise the copy (Apache-2.0) that
ships inside the `hls4ml` wheel, hls4ml/templates/vivado/ap_types/, is used. They are read
from there (an include path), never copied into the repository or a generated project.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from generator.errors import AxgenError
from generator.resources import resource_dir

HLS_LIB_DIR = resource_dir("hls_lib")
_MARKER = "ap_int.h"


def _vitis_dir() -> Path | None:
    root = os.environ.get("XILINX_HLS")
    return Path(root) / "include" if root else None


def _hls4ml_dir() -> Path | None:
    """hls4ml's ap_types folder, found without importing hls4ml (its import is slow)."""
    try:
        spec = importlib.util.find_spec("hls4ml")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "templates" / "vivado" / "ap_types"


def hls_include_dir() -> Path:
    """The folder holding ap_int.h and hls_stream.h: $XILINX_HLS/include if XILINX_HLS is set
    and that folder has ap_int.h, else the hls4ml wheel's ap_types folder."""
    vitis, wheel = _vitis_dir(), _hls4ml_dir()
    for candidate in (vitis, wheel):
        if candidate is not None and (candidate / _MARKER).is_file():
            return candidate
    vitis_text = f"$XILINX_HLS/include ({vitis})" if vitis else "$XILINX_HLS/include (XILINX_HLS is not set)"
    wheel_text = (f"the hls4ml package's templates/vivado/ap_types ({wheel})" if wheel
                  else "the hls4ml package's templates/vivado/ap_types (hls4ml is not installed)")
    raise AxgenError(f"HLS headers ({_MARKER}, hls_stream.h) not found: looked in {vitis_text} and in "
                     f"{wheel_text}; set XILINX_HLS to a Vitis HLS install or `pip install hls4ml`")


def hls_include_flags() -> list[str]:
    """g++ include flags for HLS C simulation: axgen's hls_lib, then the HLS headers."""
    return [f"-I{HLS_LIB_DIR}", f"-I{hls_include_dir()}"]
