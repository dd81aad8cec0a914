"""The one way to get a Jinja environment for a folder of templates/: strict (an undefined
name is an error), block tags trimmed, trailing newlines kept."""

from __future__ import annotations

import jinja2

from generator.resources import folder


def environment(subfolder: str) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder("templates") / subfolder)),
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                              undefined=jinja2.StrictUndefined)
