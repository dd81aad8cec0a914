"""Byte-identical output: each reference project, rebuilt now, matches its committed SHA-256
manifest file by file (project.json up to its format-version field)."""

import json

import pytest

import manifest_projects as projects


@pytest.mark.parametrize("name", sorted(projects.PROJECTS))
def test_project_matches_its_manifest(name, tmp_path):
    want = json.loads(projects.manifest_path(name).read_text())
    got = projects.manifest(projects.build(name, tmp_path))
    assert sorted(got) == sorted(want), f"files differ: only now {sorted(set(got) - set(want))}, " \
                                        f"only before {sorted(set(want) - set(got))}"
    changed = sorted(f for f in want if got[f] != want[f])
    assert not changed, f"{name}: these files changed: {changed}"


def test_a_changed_byte_is_caught(tmp_path):
    root = projects.build("digits_mlp", tmp_path)
    path = root / "rtl" / "axgen_top.v"
    path.write_text(path.read_text() + "\n")
    want = json.loads(projects.manifest_path("digits_mlp").read_text())
    assert projects.manifest(root)["rtl/axgen_top.v"] != want["rtl/axgen_top.v"]
