"""Users' verilog: multiplier cores in a project: axgen_umul_user.v dispatching each layer's ID to
its core on zero-extended magnitudes, and a copy of each core's file with its modules renamed."""

from __future__ import annotations

from pathlib import Path

from generator.datatypes import DataType
from generator.multipliers import VERILOG
from generator.multipliers.cores import Core, prefix, renamed_source

CORE_DISPATCH = "axgen_umul_user.v"


def _extend(signal: str, width: int, core_width: int) -> str:
    return signal if width == core_width else f"{{{core_width - width}'b0, {signal}}}"


def core_file(core: Core) -> str:
    return f"axgen_core_{core.sha256[:10]}.v"


def core_sources(env, uses: list[tuple[int, Core, int, int]]) -> dict[str, str]:
    """{file name: text} of the dispatch and the renamed cores for `uses`: (ID, core, activation
    magnitude bits, weight magnitude bits) each; empty without uses."""
    if not uses:
        return {}
    entries, files = [], {}
    for ident, core, na, nb in uses:
        mag = na + nb
        if core.p_bits > mag:
            p_expr = f"core_p[{mag - 1}:0]"
        else:
            p_expr = _extend("core_p", core.p_bits, mag)
        entries.append({"id": ident, "file": Path(core.file).name, "module": core.module, "ports": core.ports,
                        "a_bits": core.a_bits, "b_bits": core.b_bits, "p_bits": core.p_bits, "mag_bits": mag,
                        "name": prefix(core) + core.module, "a_ext": _extend("a", na, core.a_bits),
                        "b_ext": _extend("b", nb, core.b_bits), "p_expr": p_expr})
        files[core_file(core)] = renamed_source(Path(core.file).read_text(), prefix(core))
    return {CORE_DISPATCH: env.get_template("umul_user.v.j2").render(cores=entries), **dict(sorted(files.items()))}


def plan_cores(plan) -> list[tuple[int, Core, int, int]]:
    """The layers of `plan` whose products go through a verilog: core."""
    uses = []
    for impl in plan.stages:
        mul = getattr(impl, "multiplier", None)
        if mul is None or mul.family != VERILOG or DataType["BIPOLAR"] in (impl.in_dtype, impl.layer.weight_dtype):
            continue
        uses.append((impl.index, mul.core(), impl.in_dtype.bitwidth(), impl.layer.weight_dtype.bitwidth()))
    return uses


def render_cores(env, plan, out_dir: Path) -> list[str]:
    """Write the dispatch and the renamed cores; returns their names (none without cores)."""
    sources = core_sources(env, plan_cores(plan))
    for name, text in sources.items():
        (out_dir / name).write_text(text)
    return list(sources)
