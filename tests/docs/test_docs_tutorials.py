"""The tutorials in docs/tutorials/: in the default suite their code is checked without running it
(every Python cell compiles, every `axgen` command parses against the click commands, every
`axgen.NAME` exists); the slow test runs each one whole, as `make docs` does."""

from __future__ import annotations

import pytest

from axdocs import notebook, tutorials


@pytest.mark.parametrize("path", tutorials.tutorials(), ids=lambda p: p.stem)
def test_tutorial_code_matches_the_commands_and_the_api(path):
    assert tutorials.check(path) == []


def test_the_check_finds_an_unknown_option_a_bad_choice_and_a_missing_api_name(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("# %%\nimport generator as axgen\n\naxgen.no_such_function()\n"
                   "# !axgen build m.onnx -o out --no-such-option\n"
                   "# !axgen verify out --backend vhdl\n"
                   "# !axgen build m.onnx\n"
                   "# !axgen verify out --backend all --samples 4 | tail -1\n"
                   "# !axgen build m.onnx -o out --input-type \"FIXED<16,6>\" > log.txt\n")
    problems = tutorials.check(bad)
    assert len(problems) == 4, problems
    assert "axgen.no_such_function" in problems[0]
    assert "--no-such-option" in problems[1]
    assert "vhdl" in problems[2]
    assert "-o" in problems[3] or "output" in problems[3]


def test_cells_split_into_python_and_shell_in_order():
    segments = notebook.split("x = 1\n!axgen boards\ny = 2\nz = 3\n  !ls")
    assert [(s.kind, s.code) for s in segments] == [("python", "x = 1"), ("shell", "axgen boards"),
                                                     ("python", "y = 2\nz = 3"), ("shell", "ls")]


@pytest.mark.slow
@pytest.mark.parametrize("path", tutorials.tutorials(), ids=lambda p: p.stem)
def test_tutorial_runs(path, tmp_path):
    cells = tutorials.execute(path, tmp_path / path.stem)
    outputs = [o for c in cells for s in c.segments for o in s.outputs]
    assert outputs, "a tutorial that prints nothing shows nothing"
