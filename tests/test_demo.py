"""`axgen demo` end to end (the README's first command runs exactly this)."""

from click.testing import CliRunner

from generator.cli import main


def test_demo_runs_and_verifies(tmp_path):
    result = CliRunner().invoke(main, ["demo", "-o", str(tmp_path / "demo"), "--samples", "6",
                                       "--multiplier", "drum:k=2"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "accuracy, golden model, exact" in out and "drum:k=2 + tuning" in out
    assert "MISMATCHING" not in out and "DIFFERENT" not in out
    assert out.count("bit-exact") == 2
    assert (tmp_path / "demo" / "model.onnx").is_file()
    assert (tmp_path / "demo" / "project" / "verify.json").is_file()
    assert (tmp_path / "demo" / "project_approx" / "verify.json").is_file()


def test_demo_rejects_a_bad_multiplier(tmp_path):
    result = CliRunner().invoke(main, ["demo", "-o", str(tmp_path / "d"), "--multiplier", "fancy:k=2"])
    assert result.exit_code == 2 and "unknown multiplier" in result.output
