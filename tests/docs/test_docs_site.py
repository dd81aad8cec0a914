"""The documentation site builds with `mkdocs build --strict` (tutorials not executed: their code is
checked by test_docs_tutorials.py, their full run is slow), and its generated reference names every
CLI command and option, every public API function, every config key, every board, every multiplier
family and every key of the file formats."""

from __future__ import annotations

import html
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def build_site(out: Path, mode: str = "off") -> subprocess.CompletedProcess:
    env = {**os.environ, "AXGEN_DOCS_TUTORIALS": mode, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    done = build_site(out)
    assert done.returncode == 0, done.stderr[-4000:]
    return out


def page(site: Path, name: str) -> str:
    """A built page's text, tags removed and entities decoded."""
    text = (site / name / "index.html").read_text()
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def test_every_command_and_option_is_in_the_cli_reference(site):
    import click

    from generator.cli import main
    text = page(site, "reference/cli")
    context = click.Context(main)
    for name in main.list_commands(context):
        command = main.get_command(context, name)
        assert f"axgen {name}" in text, name
        for param in command.params:
            for opt in [*param.opts, *param.secondary_opts]:
                if isinstance(param, click.Argument):
                    opt = opt.upper()
                assert re.search(rf"(^|[\s,/]){re.escape(opt)}([\s,=/]|$)", text, re.M), (name, opt)


def public_api() -> list[str]:
    from generator import api
    names = []
    for name, obj in vars(api).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != api.__name__:
            continue
        if inspect.isfunction(obj):
            names.append(f"generator.api.{name}")
        elif inspect.isclass(obj):
            names.append(f"generator.api.{name}")
            names += [f"generator.api.{name}.{m}" for m in vars(obj) if not m.startswith("_")]
    return names


def test_every_public_api_function_is_in_the_api_reference(site):
    import generator
    text = (site / "reference/api/index.html").read_text()
    names = public_api()
    assert {"generator.api.build", "generator.api.Accelerator.verify"} <= set(names)
    for name in names:
        assert f'id="{name}"' in text, name
    for name in generator.__all__:  # what `import generator as axgen` offers is documented under its home
        obj = getattr(generator, name)
        assert f'id="{obj.__module__}.{name}"' in text, name


def test_every_config_key_board_and_multiplier_family_is_in_the_reference(site):
    from generator import boards, config
    from generator.multipliers import FAMILIES, LUT, VERILOG
    text = page(site, "reference/config")
    for key in [*config.LAYER_KEYS, *config.TOP_KEYS]:
        assert re.search(rf"\b{key}\b", text), key
    text = page(site, "reference/boards")
    for name in boards.available():
        assert f" {name} " in text, name
    text = page(site, "reference/multipliers")
    for family in [*FAMILIES, LUT, VERILOG, "csd"]:
        assert re.search(rf"^\s*{family}(:|\s)", text, re.M), family
    image = site / "reference/multipliers_pareto.png"
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_format_key_is_in_the_formats_reference(site):
    from generator import project, verify
    from generator.synth import format as fmt
    text = page(site, "reference/formats")
    for table in (project.PROJECT_KEYS, verify.VERIFY_KEYS, verify.BACKEND_KEYS, verify.PASS_KEYS, fmt.DOCUMENT_KEYS,
                  fmt.COUNT_KEYS, fmt.EXTRA_KEYS):
        for key in table:
            assert f" {key} " in text, key


def test_every_tutorial_has_a_page_and_its_script(site):
    from axdocs.tutorials import tutorials
    assert tutorials()
    for path in tutorials():
        assert (site / "tutorials" / path.stem / "index.html").is_file(), path.name
        assert (site / "tutorials" / path.name).read_bytes() == path.read_bytes()

