"""The generated reference pages: configuration keys, the multiplier catalogue (with its measured
error and LUT figures and the Pareto plot), the boards, and the project.json / verify.json /
resources.json formats. Each is made from the tables and docstrings in the code, never copied."""

from __future__ import annotations

import inspect
import tempfile
import textwrap
from pathlib import Path

import yaml

from axdocs.figures import markdown_table

CATALOGUE_BITS = 8


def _doc(obj) -> str:
    return inspect.cleandoc(obj.__doc__ or "")


def _prose(obj) -> str:
    """A docstring as Markdown text: formulas' *, _, [ ] and < > kept literal (backquoted code stays code)."""
    parts = _doc(obj).split("`")
    for i in range(0, len(parts), 2):
        for char in "\\*_[]<>":
            parts[i] = parts[i].replace(char, "\\" + char)
    return "`".join(parts)


def config_page() -> dict:
    from generator import config
    example = {"defaults": {"pe": 1, "simd": 1, "multiplier": "exact"},
               "layers": {"fc0": {"pe": 4, "simd": 16, "multiplier": "trunc:k=3", "tune_weights": True},
                          1: {"pe": 8, "simd": 8}}}
    config.from_dict(example)  # the example is checked by the parser the build uses
    text = ["# Configuration keys", "",
            f"The configuration (`axgen build --config CFG.yaml`, `axgen.build(..., config=...)`, "
            f"`axgen dse --config`) is YAML. {' '.join(_doc(config).split(chr(10) * 2)[0].split())}", "",
            "## Top-level keys", "",
            markdown_table(["key", "holds"], [[f"`{k}`", v] for k, v in config.TOP_KEY_DOCS.items()]), "",
            "## Layer keys", "",
            "Any of these may stand under `defaults` or under a layer's entry in `layers`; a layer's own "
            "entry overrides the defaults (its entry by name over its entry by index). Any other key is "
            "refused with a message naming it.", "",
            markdown_table(["key", "values", "what it does"],
                           [[f"`{k}`", values, what] for k, (values, what) in config.LAYER_KEY_DOCS.items()]), "",
            "## Example", "",
            "```yaml", yaml.safe_dump(example, sort_keys=False).rstrip(), "```", "",
            "Multiplier specs are listed in the [multiplier catalogue](multipliers.md); the folding rules "
            "(which `pe` and `simd` a layer takes) in [folding and the cycle model](../concepts/folding.md)."]
    return {"reference/config.md": "\n".join(text) + "\n"}


def catalogue_rows(bits: int = CATALOGUE_BITS) -> list[dict]:
    """Every family setting of the catalogue at bits x bits unsigned, with its exhaustive error
    metrics and the LUTs and CARRY4s the resource model counts for one lane."""
    from generator.hw.products import split_lane, whole_lane
    from generator.multipliers.catalog import catalog
    rows = catalog(bits)
    for row in rows:
        lane = whole_lane("u", bits, "u", bits) if row["spec"] == "exact" else split_lane(row["spec"], bits, bits)
        row["luts"], row["carry4"] = round(lane.luts, 1), round(lane.carry, 1)
    return rows


def _catalogue_plot(rows: list[dict]) -> bytes:
    from generator.multipliers.catalog import plot
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pareto.png"
        plot(rows, path)
        return path.read_bytes()


def multipliers_page() -> dict:
    import generator.multipliers as mult
    from generator.multipliers import FAMILIES, LUT, VERILOG, csd, load_table
    from generator.multipliers.catalog import pareto
    rows = catalogue_rows()
    front = {r["spec"] for r in pareto(rows)}
    by_family: dict[str, list[str]] = {}
    for row in rows:
        by_family.setdefault(row["spec"].split(":")[0], []).append(row["spec"])
    text = ["# Multiplier catalogue", "", _prose(mult), "",
            f"![{CATALOGUE_BITS}x{CATALOGUE_BITS} unsigned multipliers: error against LUTs](multipliers_pareto.png)", "",
            "## Families", ""]
    for name, family in FAMILIES.items():
        knobs = ", ".join([f"`{k}`" for k in family.knobs] + [f"`{k}` (optional)" for k in family.optional]) or "none"
        specs = by_family.get(name, [])
        text += [f"### `{name}`", "", _prose(family.function), "", f"Knobs: {knobs}. "
                 f"Settings in the {CATALOGUE_BITS}-bit catalogue: " + ", ".join(f"`{s}`" for s in specs) + ".", ""]
    text += [f"### `{LUT}:FILE`", "", _prose(load_table), "",
             f"### `{VERILOG}:FILE.v[:module]`", "", _prose(mult.cores), "",
             "Its ports are found by direction and width (two inputs, one output; the first input takes the "
             "activation's magnitude). `axgen multipliers --spec verilog:FILE.v` measures it like a family.", "",
             "### `csd:k=K[,drop=D]` (unrolled layers)", "", _prose(csd), "",
             f"## Measured figures, {CATALOGUE_BITS}x{CATALOGUE_BITS} unsigned", "",
             "Error metrics over every operand pair (as `axgen multipliers` prints them: `mae`, `wce`, `mse`, "
             "`bias` in absolute units, `mre` and `ep` as percentages here); LUTs and CARRY4s of one lane as the "
             "resource model counts it, measured with Yosys `synth_xilinx -nodsp` for 7-series "
             "(`generator/hw/product_luts.json`, written by `benchmarks/measure_product_luts.py`). "
             "**Bold**: on the Pareto front of MRE against LUTs.", "",
             markdown_table(["spec", "MAE", "WCE", "MRE %", "EP %", "MSE", "bias", "LUTs", "CARRY4"],
                            [[f"**`{r['spec']}`**" if r["spec"] in front else f"`{r['spec']}`",
                              f"{r['mae']:.3g}", r["wce"], f"{100 * r['mre']:.3g}", f"{100 * r['ep']:.3g}",
                              f"{r['mse']:.4g}", f"{r['bias']:.3g}", r["luts"], r["carry4"]] for r in rows]), "",
             f"Reproduce: `axgen multipliers --bits {CATALOGUE_BITS}` (add `--synth --plot pareto.png` to synthesise "
             "each multiplier alone and draw its front)."]
    return {"reference/multipliers.md": "\n".join(text) + "\n",
            "reference/multipliers_pareto.png": _catalogue_plot(rows)}


def xilinx_needs(board) -> tuple[str, str]:
    """What Vivado (or Vitis) needs for a Xilinx board, and where it comes from."""
    from generator.backends.tcl import zynq
    files = zynq.board_files(board.to_dict())
    if files is not None:
        return f"board files `{files['pattern']}`", files["where"]
    return (f"Vitis (`v++`), XRT and the platform `{board.platform}` (`AXGEN_PLATFORM` for another)",
            "the Alveo card's download page")


def boards_page() -> dict:
    from generator import boards
    loaded = [boards.load(name) for name in boards.available()]
    rows = [[f"`{b.name}`", b.description, boards.FAMILIES[b.family], f"`{b.part}`", b.clock_mhz,
             boards.SHELLS[b.shell], b.dma_width or "-",
             ", ".join(f"{k} {v:,}" for k, v in b.resources.items() if v)] for b in loaded]
    xilinx = [[f"`{b.name}`", *xilinx_needs(b)] for b in loaded if b.family != boards.ECP5]
    from generator.resources import folder
    example = (folder("boards") / f"{boards.DEFAULT_BOARD}.yaml").read_text().rstrip()
    text = ["# Boards", "", _doc(boards), "",
            f"`axgen build --board NAME` takes one of these (default `{boards.DEFAULT_BOARD}`), or a board file "
            "`my_board.yaml` of the same fields. `axgen boards` prints this table.", "",
            markdown_table(["board", "description", "family", "part", "clock (MHz)", "shell", "DMA bits", "resources"],
                           rows), "",
            "## What each Xilinx board needs installed", "",
            "Board files need not be installed in Vivado: `AXGEN_BOARD_REPO=dir[:dir...]` adds folders, and the "
            "newest installed version of the board part is taken.", "",
            markdown_table(["board", "Vivado needs", "from"], xilinx), "",
            "The scripts are written for Vivado / Vitis 2020.2 or later against the 2023.2 references (UG835, "
            "UG1393, UG1399); the tests check every command against those references' syntax and every "
            "block-design cell, pin and parameter against the product guides, without the tools. From Vitis "
            "2024.2 on, `vitis_hls -f S` is deprecated: run `vitis-run --mode hls --tcl S` (`axgen synth --tool "
            "vitis-hls` uses whichever is on `PATH`).", "",
            "The commands, in order, from the project folder (each project's `tcl/README.txt` says the same for "
            "its board): on a Zynq board `vivado -mode batch -source tcl/block_design.tcl` (packages the IP "
            "first, writes `build/overlay/axgen.bit` and `.hwh`), or the HLS variant `vitis_hls -f "
            "tcl/hls_axgen_top.tcl` then `vivado -mode batch -source tcl/block_design_hls.tcl`; on an Alveo "
            "card `bash tcl/alveo_build.sh` (package_xo, the data movers, `v++ --link`).", "",
            "## A board file", "",
            f"`boards/{boards.DEFAULT_BOARD}.yaml`:", "", "```yaml", example, "```", "",
            "Fields: " + ", ".join(f"`{f}`" for f in boards.Board.__dataclass_fields__ if f != "name") + ". "
            f"Families: {', '.join(f'`{k}`' for k in boards.FAMILIES)}; shells: "
            f"{', '.join(f'`{k}`' for k in boards.SHELLS)}; DMA widths {', '.join(map(str, boards.DMA_WIDTHS))}."]
    return {"reference/boards.md": "\n".join(text) + "\n"}


def _keys(table: dict) -> str:
    return markdown_table(["key", "holds"], [[f"`{k}`", v] for k, v in table.items()])


def formats_page() -> dict:
    from generator import project, verify
    from generator.synth import format as fmt
    _, shape, rest = _doc(fmt).split("\n\n", 2)  # a title line, the JSON's shape, what the keys mean
    text = ["# File formats", "",
            "Every file is JSON, written whole (a killed run leaves the previous file or none).", "",
            "## project.json", "",
            f"Written by `axgen build` (format version {project.FORMAT_VERSION}); `axgen.open_project` reads it "
            "back and refuses another format version.", "", _keys(project.PROJECT_KEYS), "",
            "## verify.json", "", f"Written by `axgen verify`. {_doc(verify.verify)}", "",
            _keys(verify.VERIFY_KEYS), "", "Each entry of `backends`:", "", _keys(verify.BACKEND_KEYS), "",
            "Each entry of `passes`:", "", _keys(verify.PASS_KEYS), "",
            "## resources.json", "", "Written by `axgen synth`, one format for every tool.", "",
            "```", textwrap.dedent(shape), "```", "", rest, "", _keys(fmt.DOCUMENT_KEYS), "",
            "Counts, in `layers`, `stitching` and `total`:", "", _keys(fmt.COUNT_KEYS), "",
            "Fields some tools add:", "", _keys(fmt.EXTRA_KEYS)]
    return {"reference/formats.md": "\n".join(text) + "\n"}


def pages() -> dict:
    out = {}
    for make in (config_page, multipliers_page, boards_page, formats_page):
        out.update(make())
    return out
