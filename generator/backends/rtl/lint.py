"""`verilator --lint-only -Wall` over generated or hand-written Verilog."""

from __future__ import annotations

from pathlib import Path

from generator.errors import AxgenError
from generator.tools.verilator import run_verilator


def lint(rtl_dir: Path, top: str, params: dict | None = None, files: list[str] | None = None) -> None:
    """Lint `top` from rtl_dir (every .v there, or only `files`), with parameters `params`;
    raises AxgenError with Verilator's warnings."""
    rtl_dir = Path(rtl_dir)
    sources = files or sorted(p.name for p in rtl_dir.glob("*.v"))
    if not sources:
        raise AxgenError(f"lint: no Verilog files in {rtl_dir}")
    args = ["--lint-only", "-Wall", "--top-module", top, *(f"-G{k}={v}" for k, v in (params or {}).items()), *sources]
    proc = run_verilator(args, cwd=rtl_dir)
    if proc.returncode != 0:
        shown = ", ".join(f"{k}={v}" for k, v in (params or {}).items())
        raise AxgenError(f"lint of {top}{f' ({shown})' if shown else ''} in {rtl_dir} failed:\n"
                         f"{(proc.stdout + proc.stderr).strip()}")


def lint_library() -> list[str]:
    """Lint every hand-written block in rtl/ as the top, at its default parameters; returns the
    modules checked."""
    from generator.resources import folder
    rtl_dir = folder("rtl")
    modules = sorted(p.stem for p in rtl_dir.glob("*.v"))
    for module in modules:
        lint(rtl_dir, module)
    return modules


if __name__ == "__main__":  # `make lint`
    import sys
    try:
        print(f"verilator --lint-only -Wall: {len(lint_library())} modules in rtl/ clean")
    except AxgenError as exc:
        sys.exit(f"axgen: error: {exc}")
