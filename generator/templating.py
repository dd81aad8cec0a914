"""Jinja environments for the templates in axgen's templates/ folder.

Every C++, Verilog, Tcl and Yosys text axgen generates is rendered from a template there; Python
computes every value and the templates only place them. `environment("rtl")` loads from
templates/rtl; several subfolders are searched in the given order, so that a template may import
macros of another folder (`environment("harness", "hls")`).
"""

from __future__ import annotations

import jinja2

from generator.resources import folder


def environment(*subfolders: str) -> jinja2.Environment:
    """A Jinja environment loading templates from templates/<subfolder> for each subfolder, in
    order. Block tags leave no blank lines or indentation (trim_blocks, lstrip_blocks), a
    template's final newline is kept, and an undefined name is an error (StrictUndefined)."""
    if not subfolders:
        raise ValueError("environment() needs at least one templates subfolder")
    folders = [str(folder("templates") / name) for name in subfolders]
    return jinja2.Environment(loader=jinja2.FileSystemLoader(folders), trim_blocks=True,
                              lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
