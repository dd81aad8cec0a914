"""The one multiplier encoding (generator.hw.encoding) is what rtl/axgen_mul.v and
hls_lib/axgen_mul.h implement: family codes, the user-module code, operand kinds."""

import re

from generator.datatypes import DataType
from generator.hw.encoding import FAMILY_CODES, OPERAND_KINDS, USER_FAMILY, kind, mul_params
from generator.multipliers import FAMILIES, LUT, VERILOG, parse
from generator.resources import folder

D = DataType


def test_family_codes_match_the_verilog():
    text = (folder("rtl") / "axgen_mul.v").read_text()
    cores = (folder("rtl") / "axgen_umul.v").read_text()
    branches = {name: int(code) for code, name in re.findall(r"FAMILY == (\d+)\) begin : g_(\w+)", cores)}
    params = {name: int(value) for name, value in re.findall(r"localparam integer (\w+) = (\d+);", text)}
    assert branches == {f: c for f, c in FAMILY_CODES.items() if f not in ("exact", LUT)}
    assert re.search(rf"FAMILY == {FAMILY_CODES['exact']} \|\|", text)
    assert params["LUT"] == FAMILY_CODES[LUT] and params["USER"] == USER_FAMILY
    assert params["BIPOLAR"] == OPERAND_KINDS["bipolar"] and params["SIGNED"] == OPERAND_KINDS["signed"]


def test_family_codes_match_the_hls_header():
    text = (folder("hls_lib") / "axgen_mul.h").read_text()
    enums = {name.lower(): int(code) for name, code in re.findall(r"AXGEN_(\w+) = (\d+)", text)}
    for family in FAMILIES:
        assert enums[family] == FAMILY_CODES[family], family
    for name, code in OPERAND_KINDS.items():
        assert enums[name] == code


def test_every_family_is_encoded():
    assert set(FAMILY_CODES) == set(FAMILIES) | {LUT, VERILOG}


def test_knobs_and_kinds():
    assert mul_params(parse("bam:h=1,v=6"), D["UINT8"], D["INT8"]) == {"FAMILY": 2, "K1": 1, "K2": 6}
    assert mul_params(parse("mitchell"), D["UINT8"], D["INT8"]) == {"FAMILY": 5, "K1": -1, "K2": 0}
    assert mul_params(parse("roba"), D["INT4"], D["INT4"]) == {"FAMILY": 7, "K1": 0, "K2": 0}
    assert mul_params(parse("drum:k=4"), D["BIPOLAR"], D["INT8"]) == {"FAMILY": 0, "K1": 0, "K2": 0}
    assert [kind(D[n]) for n in ("UINT3", "INT3", "BIPOLAR")] == [0, 1, 2]
