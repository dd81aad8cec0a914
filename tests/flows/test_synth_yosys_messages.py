"""A failed Yosys run is one line naming the module and the cause from its log."""

from generator.synth.yosys import _one_line


def test_the_error_line_of_the_log_is_kept():
    message = "Yosys synthesis of m: Yosys failed (exit 1); end of its log:\nfoo\nERROR: Module `x' not found\nbar"
    assert _one_line(message) == "Yosys synthesis of m: Yosys failed (exit 1): ERROR: Module `x' not found"


def test_a_webassembly_stack_trap_is_named():
    message = ("Yosys synthesis of axgen_L0_fc0: Yosys failed (exit 1); end of its log:\n  11: 0xf217e5 - yosys.wasm!visit\n"
               "note: using the `WASMTIME_BACKTRACE_DETAILS=1` environment variable\n\nCaused by:\n    wasm trap: call stack exhausted")
    line = _one_line(message)
    assert "\n" not in line and line.startswith("Yosys synthesis of axgen_L0_fc0: Yosys failed (exit 1): wasm trap: call stack")
    assert "too deep" in line


def test_without_a_cause_the_first_line_stays():
    assert _one_line("Yosys synthesis of m: Yosys failed (exit 1); end of its log:\nnothing here") == \
        "Yosys synthesis of m: Yosys failed (exit 1)"
