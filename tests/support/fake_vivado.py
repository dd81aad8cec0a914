"""Run generated Vivado Tcl without Vivado: a real Tcl 8.6 interpreter (tkinter, no display) in
which every command Tcl does not know is a vendor command, answered by a stand-in that records
the call. The stand-ins check what a script names: files it reads (add_files, read_verilog,
read_mem, read_xdc, source) exist, folders of the files it writes (-file, -xo_path,
write_bitstream, write_checkpoint) exist when it writes them (the stand-in then writes an empty
file there). Vivado objects come back as names the script passes on: get_bd_* return the paths
they were asked for, create_bd_cell its cell, get_ipdefs its pattern, anything else a handle
"@<command>#<n>". generate_target writes the block design's hardware handoff where Vivado does.

The stand-ins know Vivado: every call is checked against the command's documented syntax
(tests/support/vivado_syntax.py: options, their values, required options, positional arguments),
and in a block design every cell's IP, pin, interface pin, CONFIG parameter and automation rule
against the catalogue of tests/support/vivado_ips.py. What Vivado would refuse stops the script with
a Tcl error naming the command and the reference, and is kept in `refused`. The board parts Vivado
has installed are `board_parts` (get_board_parts matches them; by default every board's).

`python fake_vivado.py -mode batch -source SCRIPT` behaves like `vivado` for the project scripts
(exit 1 on a Tcl error or a missing file), logging every call to $FAKE_VIVADO_LOG if set.
"""

from __future__ import annotations

import fnmatch
import json
import os
import sys
import tkinter
from pathlib import Path

import vivado_syntax
from vivado_ips import IPS, PROPERTIES, RULES, catalogue_name

READS = {"add_files", "read_verilog", "read_mem", "read_xdc", "source"}  # commands whose words name input files
WRITE_OPTIONS = {"-file", "-xo_path"}
WRITES_LAST = {"write_bitstream", "write_checkpoint"}  # the last word is the file written
PATH_RESULTS = {"get_bd_cells", "get_bd_pins", "get_bd_intf_pins", "get_files", "get_filesets", "get_runs",
                "get_ports", "get_ipdefs"}  # return the names they are given
# Answers that are not handles: a finished run; no bus parameter and no file in a packaged IP yet
FIXED = {("get_property", "PROGRESS"): "100%", ("ipx::get_bus_parameters", None): "", ("ipx::get_files", None): ""}


class TclFailure(Exception):
    pass


def installed_board_parts() -> list[str]:
    """The board parts of every board axgen knows, as a Vivado with their board files would list them."""
    from generator import boards
    return sorted({b.board_part for b in map(boards.load, boards.available()) if b.board_part})


class FakeVivado:
    def __init__(self, root: Path, syntax: dict | None = None, board_parts: list[str] | None = None,
                 params: dict | None = None):
        self.root = Path(root).resolve()
        self.syntax = vivado_syntax.VIVADO if syntax is None else syntax
        self.board_parts = installed_board_parts() if board_parts is None else list(board_parts)
        self.params = {"board.repoPaths": "", **(params or {})}
        self.refused: list[str] = []
        self.cells: dict[str, str] = {}  # block-design cell -> its IP's catalogue name
        self.calls: list[tuple[str, tuple[str, ...]]] = []
        self.handles: dict[str, tuple[str, tuple[str, ...]]] = {}
        self.missing: list[tuple[str, str]] = []  # (command, path) read but absent
        self.unwritable: list[tuple[str, str]] = []  # (command, path) whose folder is absent
        self.written: list[str] = []
        self.projects: list[tuple[str, str]] = []
        self.bd_name: str | None = None
        self.tcl = tkinter.Tcl()
        self.tcl.createcommand("fake_vendor", self._vendor)
        self.tcl.eval("catch {rename exit tcl_exit}")  # a script's exit is the tool's (Vitis HLS), not this process's
        self.tcl.eval("rename source tcl_source")
        self.tcl.eval("proc source {path} { fake_vendor source $path; uplevel #0 [list tcl_source $path] }")
        self.tcl.eval("proc unknown {args} { lassign [fake_vendor {*}$args] status result\n"
                      "    if {$status ne {ok}} { return -code error $result }\n    return $result }")
        self.tcl.eval(f"cd {{{self.root}}}")

    # -- running ---------------------------------------------------------------------------
    def source(self, script: str) -> None:
        """Run a script as `vivado -mode batch -source script` does; a Tcl error raises TclFailure."""
        try:
            self.tcl.eval(f"source {{{script}}}")
        except tkinter.TclError as exc:
            raise TclFailure(f"{script}: {exc}") from None

    def calls_of(self, command: str) -> list[tuple[str, ...]]:
        return [args for name, args in self.calls if name == command]

    def origin(self, handle: str) -> tuple[str, tuple[str, ...]] | None:
        """The call that returned `handle`."""
        return self.handles.get(handle)

    # -- the stand-ins -----------------------------------------------------------------------
    def _vendor(self, command: str, *args: str) -> tuple[str, str]:
        refusal = vivado_syntax.check(self.syntax, command, args) or self._check_design(command, args)
        if refusal:
            self.refused.append(refusal)
            return "error", f"ERROR: {refusal}"
        return "ok", self._answer(command, args)

    def _answer(self, command: str, args: tuple[str, ...]) -> str:
        self.calls.append((command, args))
        if command in READS:
            self._check_reads(command, args)
        self._check_writes(command, args)
        if command == "create_project":  # create_project [-force] NAME DIR -part PART
            self.projects.append(tuple(_words(command, args)[:2]))
        if command == "create_bd_design":
            self.bd_name = args[-1]
        if command == "create_bd_cell":
            self.cells[args[-1]] = catalogue_name(args[args.index("-vlnv") + 1])
        if command == "get_board_parts":
            return " ".join(self._board_parts(_words(command, args), "-latest_file_version" in args))
        if command == "get_param":
            return self.params.get(args[-1], "")
        if command == "set_param":
            self.params[args[0]] = args[1]
        if command == "generate_target":
            self._write_handoff()
        fixed = FIXED.get((command, args[0] if args else None), FIXED.get((command, None)))
        if fixed is not None:
            return fixed
        if command in PATH_RESULTS:
            return " ".join(_words(command, args)) or self._handle(command, args)
        if command == "create_bd_cell":
            return args[-1]
        if command.startswith(("get_", "create_", "current_", "ipx::", "make_wrapper")) or command == "version":
            return self._handle(command, args)
        return ""

    def _board_parts(self, patterns: list[str], latest: bool) -> list[str]:
        """The installed board parts matching a pattern, sorted by version; with `latest` only the
        newest version of each board."""
        found = sorted((p for p in self.board_parts if any(fnmatch.fnmatchcase(p, pat) for pat in patterns)),
                       key=lambda p: (p.rsplit(":", 1)[0], tuple(int(v) for v in p.rsplit(":", 1)[1].split("."))))
        if latest:
            newest = {p.rsplit(":", 1)[0]: p for p in found}
            found = [p for p in found if newest[p.rsplit(":", 1)[0]] == p]
        return found

    def _check_design(self, command: str, args: tuple[str, ...]) -> str | None:
        """What a block design refuses: an IP not in the catalogue, a pin or CONFIG parameter the IP
        lacks, an automation rule for another IP."""
        if command == "create_bd_cell" and "-vlnv" in args:
            name = catalogue_name(args[args.index("-vlnv") + 1])
            if name not in IPS:
                return f"create_bd_cell: IP {name} is not in the catalogue (tests/support/vivado_ips.py)"
        if command in ("get_bd_pins", "get_bd_intf_pins"):
            kind = "interfaces" if command == "get_bd_intf_pins" else "pins"
            for path in _words(command, args):
                cell, _, pin = path.strip("/").partition("/")
                ip = IPS.get(self.cells.get(cell, ""))
                if ip is not None and pin not in getattr(ip, kind):
                    return f"{command}: {self.cells[cell]} has no {kind[:-1]} {pin} ({ip.source})"
        if command == "set_property" and args and args[0] == "-dict":
            for cell in self.tcl.splitlist(args[-1]):
                ip = IPS.get(self.cells.get(cell, ""))
                names = self.tcl.splitlist(args[1])[::2]
                unknown = [n for n in names if ip is not None and n.removeprefix("CONFIG.") not in ip.config]
                if unknown:
                    return f"set_property: {self.cells[cell]} has no parameter {unknown[0]} ({ip.source})"
        if command == "set_property" and args and args[0] != "-dict":
            origin = self.handles.get(args[-1])
            known = PROPERTIES.get(origin[0]) if origin else None
            if known is not None and args[0] not in known:
                return f"set_property: {origin[0]} objects have no property {args[0]} (tests/support/vivado_ips.py)"
        if command == "apply_bd_automation":
            rule = args[args.index("-rule") + 1]
            cells = [c for word in _words(command, args) for c in self.tcl.splitlist(word) if c in self.cells]
            if rule not in RULES or any(self.cells[c] != RULES[rule] for c in cells):
                return f"apply_bd_automation: rule {rule} does not apply to {', '.join(cells) or 'these objects'}"
        return None

    def _handle(self, command: str, args: tuple[str, ...]) -> str:
        handle = f"@{command}#{len(self.handles)}"
        self.handles[handle] = (command, args)
        return handle

    def _check_reads(self, command: str, args: tuple[str, ...]) -> None:
        for word in _words(command, args):
            for path in self.tcl.splitlist(word):
                if path.startswith("@"):
                    continue  # a Vivado object (a generated wrapper), not a project file
                if not (self.root / path).exists():
                    self.missing.append((command, path))
        if command == "read_xdc":  # constraints are Tcl: run them so create_clock is recorded too
            for path in _words(command, args):
                if (self.root / path).is_file():
                    self.tcl.eval((self.root / path).read_text())

    def _check_writes(self, command: str, args: tuple[str, ...]) -> None:
        outputs = [args[i + 1] for i, word in enumerate(args[:-1]) if word in WRITE_OPTIONS]
        if command in WRITES_LAST and args:
            outputs.append(args[-1])
        for path in outputs:
            target = self.root / path
            if not target.parent.is_dir():
                self.unwritable.append((command, path))
                continue
            target.write_text("")
            self.written.append(path)

    def _write_handoff(self) -> None:
        """Vivado 2020.2+ writes <project dir>/<project>.gen/sources_1/bd/<bd>/hw_handoff/<bd>.hwh."""
        if not self.projects or self.bd_name is None:
            return
        name, folder = self.projects[-1]
        handoff = self.root / folder / f"{name}.gen" / "sources_1" / "bd" / self.bd_name / "hw_handoff"
        handoff.mkdir(parents=True, exist_ok=True)
        (handoff / f"{self.bd_name}.hwh").write_text("<hwh/>\n")


def _words(command: str, args: tuple[str, ...]) -> list[str]:
    """The arguments of `command` that are not options nor an option's value (its documented syntax)."""
    syntax = vivado_syntax.VIVADO.get(command)
    valued = syntax.valued if syntax else frozenset()
    words, skip = [], False
    for word in args:
        if skip:
            skip = False
        elif word in valued:
            skip = True
        elif not word.startswith("-"):
            words.append(word)
    return words


def main(argv: list[str]) -> int:
    script = argv[argv.index("-source") + 1]
    fake = FakeVivado(Path.cwd())
    status = 0
    try:
        fake.source(script)
    except TclFailure as exc:
        print(f"ERROR: {exc}")
        status = 1
    for command, path in fake.missing:
        print(f"ERROR: {command}: no such file {path}")
        status = 1
    for command, path in fake.unwritable:
        print(f"ERROR: {command}: no folder for {path}")
        status = 1
    log = os.environ.get("FAKE_VIVADO_LOG")
    if log:
        with open(log, "a") as out:
            out.write(json.dumps({"script": script, "calls": fake.calls}) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
