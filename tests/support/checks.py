"""The check every network test makes of a built project: verilator -Wall is clean, golden = RTL
(cocotb and the C++ harness, under back-pressure) = HLS C simulation, the measured cycles per
sample within `tolerance` of the estimate and the latency within 10% of the latency model's."""

from generator.backends.rtl.lint import lint
from generator.project import open_project
from generator.verify import verify


def check(project_dir, samples=8, seed=0, tolerance=0.03):
    project = open_project(project_dir)
    lint(project_dir / "rtl", project.data["rtl"]["top"])
    report = verify(project, "all", samples=samples, seed=seed)
    assert report["mismatches"] == 0, [(b["backend"], b["first_mismatch"]) for b in report["backends"]]
    assert abs(report["cycles_over_estimate"] - 1) <= tolerance, report
    assert abs(report["latency_over_estimate"] - 1) <= 0.10, report
    return project, report
