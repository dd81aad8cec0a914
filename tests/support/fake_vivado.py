"""Run generated Vivado Tcl without Vivado: a real Tcl 8.6 interpreter (tkinter, no display) in
which every command Tcl does not know is a vendor command, answered by a stand-in that records
the call. The stand-ins check what a script names: files it reads (add_files, read_verilog,
read_mem, read_xdc, source) exist, folders of the files it writes (-file, -xo_path,
write_bitstream, write_checkpoint) exist when it writes them (the stand-in then writes an empty
file there). Vivado objects come back as names the script passes on: get_bd_* return the paths
they were asked for, create_bd_cell its cell, get_ipdefs its pattern, anything else a handle
"@<command>#<n>". generate_target writes the block design's hardware handoff where Vivado does.

`python fake_vivado.py -mode batch -source SCRIPT` behaves like `vivado` for the project scripts
(exit 1 on a Tcl error or a missing file), logging every call to $FAKE_VIVADO_LOG if set.
"""

from __future__ import annotations

import json
import os
import sys
import tkinter
from pathlib import Path

READS = {"add_files", "read_verilog", "read_mem", "read_xdc", "source"}  # commands whose words name input files
WRITE_OPTIONS = {"-file", "-xo_path"}
WRITES_LAST = {"write_bitstream", "write_checkpoint"}  # the last word is the file written
PATH_RESULTS = {"get_bd_cells", "get_bd_pins", "get_bd_intf_pins", "get_files", "get_filesets", "get_runs",
                "get_ports", "get_ipdefs"}  # return the names they are given
FIXED = {("get_property", "PROGRESS"): "100%", ("ipx::get_bus_parameters", None): ""}


class TclFailure(Exception):
    pass


class FakeVivado:
    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self.calls: list[tuple[str, tuple[str, ...]]] = []
        self.handles: dict[str, tuple[str, tuple[str, ...]]] = {}
        self.missing: list[tuple[str, str]] = []  # (command, path) read but absent
        self.unwritable: list[tuple[str, str]] = []  # (command, path) whose folder is absent
        self.written: list[str] = []
        self.projects: list[tuple[str, str]] = []
        self.bd_name: str | None = None
        self.tcl = tkinter.Tcl()
        self.tcl.createcommand("fake_vendor", self._vendor)
        self.tcl.eval("rename source tcl_source")
        self.tcl.eval("proc source {path} { fake_vendor source $path; uplevel #0 [list tcl_source $path] }")
        self.tcl.eval("proc unknown {args} { return [fake_vendor {*}$args] }")
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
    def _vendor(self, command: str, *args: str) -> str:
        self.calls.append((command, args))
        if command in READS:
            self._check_reads(command, args)
        self._check_writes(command, args)
        if command == "create_project":  # create_project [-force] NAME DIR -part PART
            self.projects.append(tuple(_words(args)[:2]))
        if command == "create_bd_design":
            self.bd_name = args[-1]
        if command == "generate_target":
            self._write_handoff()
        fixed = FIXED.get((command, args[0] if args else None), FIXED.get((command, None)))
        if fixed is not None:
            return fixed
        if command in PATH_RESULTS:
            return " ".join(_words(args)) or self._handle(command, args)
        if command == "create_bd_cell":
            return args[-1]
        if command.startswith(("get_", "create_", "current_", "ipx::", "make_wrapper")) or command == "version":
            return self._handle(command, args)
        return ""

    def _handle(self, command: str, args: tuple[str, ...]) -> str:
        handle = f"@{command}#{len(self.handles)}"
        self.handles[handle] = (command, args)
        return handle

    def _check_reads(self, command: str, args: tuple[str, ...]) -> None:
        for word in _words(args):
            for path in self.tcl.splitlist(word):
                if path.startswith("@"):
                    continue  # a Vivado object (a generated wrapper), not a project file
                if not (self.root / path).exists():
                    self.missing.append((command, path))
        if command == "read_xdc":  # constraints are Tcl: run them so create_clock is recorded too
            for path in _words(args):
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


def _words(args: tuple[str, ...]) -> list[str]:
    """The arguments that are not options (nor an option's value, for the few valued options used)."""
    valued = {"-of_objects", "-fileset", "-filter", "-part", "-rule", "-config", "-type", "-vlnv", "-dir",
              "-mode", "-top", "-file", "-jobs", "-root_dir", "-vendor", "-library", "-taxonomy", "-set_current",
              "-busif", "-clock", "-reset", "-hierarchical_depth", "-xo_path", "-kernel_name", "-ip_directory",
              "-ctrl_protocol", "-files", "-name", "-period", "-from", "-to"}
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
