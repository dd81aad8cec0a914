"""The tutorials in docs/tutorials/: in the default suite their code is checked without running it
(every Python cell compiles, every `axgen` command parses against the click commands, every
`axgen.NAME` exists) and the board tutorial runs whole (its driver against the stand-in pynq is
where a changed contract shows first: the packets broke it once, and only `make docs` noticed);
the slow test runs every other one whole, as `make docs` does."""

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


IN_DEFAULT_SUITE = {"to_a_board"}  # about 16 s; the others take 25 to 160 s


@pytest.mark.parametrize("path", [p if p.stem in IN_DEFAULT_SUITE else pytest.param(p, marks=pytest.mark.slow)
                                  for p in tutorials.tutorials()], ids=lambda p: p.stem)
def test_tutorial_runs(path, tmp_path):
    cells = tutorials.execute(path, tmp_path / path.stem)
    outputs = [o for c in cells for s in c.segments for o in s.outputs]
    assert outputs, "a tutorial that prints nothing shows nothing"


def test_the_runner_keeps_prints_values_figures_commands_and_expected_errors(tmp_path):
    """A tutorial in small: what a cell prints, its last value (not after a trailing ;), its open
    figure, a shell command's output, and an error the cell is tagged to show; an untagged error
    stops the run naming the cell."""
    source = tmp_path / "small.py"
    source.write_text("# %% [markdown]\n# # Small\n\n"
                      "# %%\nprint('printed')\n6 * 7\n\n"
                      "# %%\n[1, 2];\n\n"
                      "# %%\nimport matplotlib.pyplot as plt\nplt.plot([0, 1])\nplt.show()\n\n"
                      "# %%\n# !axgen boards --json | head -c 1\n\n"
                      "# %% tags=[\"raises-exception\"]\nimport generator as axgen\naxgen.load('missing.onnx')\n")
    cells = notebook.execute(source, tmp_path / "run")
    outputs = [[o for s in c.segments for o in s.outputs] for c in cells if c.kind == "code"]
    assert outputs[0] == [("text", "printed\n42\n")]
    assert outputs[1] == []
    assert [kind for kind, _ in outputs[2]] == ["image"]
    assert outputs[3] == [("text", "[")]
    assert outputs[4][0][0] == "text" and outputs[4][0][1].startswith("AxgenError:") and "missing.onnx" in outputs[4][0][1]
    source.write_text(source.read_text().replace('# %% tags=["raises-exception"]\n', "# %%\n"))
    with pytest.raises(notebook.TutorialError, match="small.py, cell 5"):
        notebook.execute(source, tmp_path / "run")
