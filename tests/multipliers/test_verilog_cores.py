"""`verilog:FILE.v[:module]` multipliers: a user's unsigned core, its ports found by direction and
width, its Python model derived by simulating every input pair, and one message per bad module."""

from pathlib import Path

import numpy as np
import pytest

import generator.sim.verilog_core  # noqa: F401 (registers the core loader)
from generator.datatypes import DataType, all_values
from generator.errors import AxgenError
from generator.multipliers import parse
from generator.multipliers.cores import defined_modules, renamed_source

DATA = Path(__file__).parent / "data"
D = DataType


def hax_model(exact_helper: bool) -> np.ndarray:
    """The tests' 8x8 cores in Python: the product with its two low bits through the helper."""
    a = np.arange(256)[:, None]
    b = np.arange(256)[None, :]
    p = a * b
    p1, p0 = (p >> 1) & 1, p & 1
    low = ((p1 ^ p0) << 1) | (p1 & p0) if exact_helper else (p1 | p0) << 1
    return (p >> 2 << 2) | low


def test_ports_found_by_direction_and_width():
    mul = parse(f"verilog:{DATA / 'odd43.v'}")
    core = mul.core()
    assert mul.spec == f"verilog:{DATA / 'odd43.v'}:odd43"
    assert (core.ports, core.a_bits, core.b_bits, core.p_bits) == (("X", "W", "P"), 4, 3, 7)
    # The first declared input takes the activation's magnitude: P = X * (W & 6) is not symmetric.
    assert np.array_equal(core.table, np.arange(16)[:, None] * (np.arange(8)[None, :] & 6))
    evo = parse(f"verilog:{DATA / 'hax_exact.v'}:hax_exact").core()
    assert (evo.ports, evo.a_bits, evo.b_bits, evo.p_bits) == (("A", "B", "O"), 8, 8, 16)


def test_derived_tables_equal_the_cores_definitions():
    """Exhaustive: every one of the 65,536 input pairs of each core, as simulated by Verilator."""
    assert np.array_equal(parse(f"verilog:{DATA / 'hax_exact.v'}").core().table, hax_model(True))
    assert np.array_equal(parse(f"verilog:{DATA / 'hax_or.v'}").core().table, hax_model(False))


def test_sign_magnitude_wrapper_and_zero_extension():
    """Signed operands narrower than the core: |x| and |w| zero-extended, the product negated
    when exactly one is negative, as for the built-in families."""
    mul = parse(f"verilog:{DATA / 'hax_or.v'}")
    x_dt, w_dt = D["INT4"], D["INT3"]
    mul.check_operands(x_dt, w_dt, "test")
    x, w = all_values(x_dt)[:, None], all_values(w_dt)[None, :]
    mag = hax_model(False)[np.abs(x), np.abs(w)]
    assert np.array_equal(mul(x, w, x_dt, w_dt), np.where((x < 0) ^ (w < 0), -mag, mag))
    assert np.array_equal(mul(x, w, D["BIPOLAR"], w_dt), x * w)


def test_core_narrower_than_the_layer():
    mul = parse(f"verilog:{DATA / 'odd43.v'}")
    mul.check_operands(D["UINT4"], D["INT3"], "layer fc")
    with pytest.raises(AxgenError, match=r"layer fc: .*odd43 takes 4 x 3-bit magnitudes \(X/W\), narrower than the 4 x 4-bit"):
        mul.check_operands(D["UINT4"], D["UINT4"], "layer fc")


@pytest.mark.parametrize("spec, message", [
    ("sequential.v", r"sequential.v: module sequential is not combinational \(it has \$\w*dff cells\)"),
    ("three_inputs.v", r"three_inputs.v: module three_inputs has ports input A\[4\], input B\[4\], input C\[4\], "
                       r"output O\[8\]; a multiplier core has two inputs"),
    ("broken.v", r"broken.v: module broken does not elaborate: .*broken.v:3: syntax error"),
    ("missing.v", r"multiplier core file .*missing.v does not exist"),
    ("odd43.v:nosuch", r"odd43.v: no module nosuch; it defines odd43"),
])
def test_bad_modules_get_one_message(spec, message):
    with pytest.raises(AxgenError, match=message) as info:
        parse(f"verilog:{DATA / spec}")
    assert "\n" not in str(info.value)


def test_renaming_keeps_everything_but_module_names():
    text = (DATA / "hax_or.v").read_text()
    renamed = renamed_source(text, "axgen_u1_")
    assert defined_modules(renamed) == ["axgen_u1_hax_or", "axgen_u1_PDKGENHAX1"]
    assert "axgen_u1_PDKGENHAX1 u_low" in renamed
    assert renamed.replace("axgen_u1_", "") == text
