"""The documented syntax of every Vivado, Vitis HLS and Vitis command the generated scripts call,
for the stand-ins of tests/support/fake_vivado.py: each entry is the command's synopsis as its
reference gives it (options in brackets are optional, `<arg>` is one value, `<args>` one list,
`<name>...` any number of positional arguments), with the reference named beside it:

- UG835: Vivado Design Suite Tcl Command Reference Guide (2023.2), the command's page;
- UG1393: Vitis Unified Software Platform Documentation, Application Acceleration Development
  (2023.2), "package_xo Command";
- UG1399: Vitis High-Level Synthesis User Guide (2023.2), "HLS Tcl Commands";
- UG1393 (2023.2), "v++ Command": the options of `v++ --compile` / `--link` the Alveo build uses.

Every Vivado command also takes -quiet and -verbose (UG835, "Tcl Command Reference Guide:
common options"). `check(command, args)` returns what Vivado would refuse in a call: an unknown
command or option, an option without its value, a missing required option, too few or too many
positional arguments. Options are matched whole (Vivado accepts unique prefixes; the scripts
spell them out).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

COMMON = ("-quiet", "-verbose")


@dataclass(frozen=True)
class Syntax:
    flags: frozenset[str]  # options without a value
    valued: frozenset[str]  # options taking one value (an <arg> or an <args> list)
    required: frozenset[str]  # options outside brackets
    positional: tuple[int, int | None]  # fewest and most positional arguments (None: any number)
    source: str


_TOKEN = re.compile(r"\[[^\]]*\]|--?[\w-]+(?:\s+<\w+>)?|<\w+>(?:\.\.\.)?")


def synopsis(text: str, source: str, common: bool = True) -> Syntax:
    """A Syntax from a synopsis written as the reference does, e.g.
    "[-fileset <arg>] [-norecurse] <files>..."."""
    flags, valued, required = set(COMMON if common else ()), set(), set()
    least, most = 0, 0
    for token in _TOKEN.findall(text):
        optional = token.startswith("[")
        body = token.strip("[]").strip()
        if body.startswith("-"):
            name, *value = body.split()
            (valued if value else flags).add(name)
            if not optional:
                required.add(name)
        else:
            many = body.endswith("...")
            least += 0 if optional else 1
            most = None if many or most is None else most + 1
    return Syntax(frozenset(flags), frozenset(valued), frozenset(required), (least, most), source)


def _ug835(command: str, text: str) -> tuple[str, Syntax]:
    return command, synopsis(text, f"UG835 (2023.2), {command}")


VIVADO = dict([
    _ug835("add_files", "[-fileset <arg>] [-of_objects <args>] [-norecurse] [-scan_for_includes] [<files>...]"),
    _ug835("apply_bd_automation", "-rule <arg> [-dict <args>] [-config <args>] [-opts <args>] [<objects>...]"),
    _ug835("assign_bd_address", "[-target_address_space <arg>] [-boundary] [-dict <args>] [-combined] [-offset <arg>] "
                                "[-range <arg>] [-external] [-force] [-export_to_file <arg>] [-import_from_file <arg>] "
                                "[-export_gui_to_file <arg>] [-import_gui_from_file <arg>] [<objects>...]"),
    _ug835("close_project", "[-delete]"),
    _ug835("connect_bd_intf_net", "[-intf_net <arg>] [-boundary_type <arg>] <object1> <object2>"),
    _ug835("connect_bd_net", "[-net <arg>] [-boundary_type <arg>] <object1> <objects>..."),
    _ug835("create_bd_cell", "[-vlnv <arg>] [-type <arg>] [-reference <arg>] <name>"),
    _ug835("create_bd_design", "[-dir <arg>] [-cell <arg>] [-mode <arg>] [-bdsource <arg>] <name>"),
    _ug835("create_clock", "-period <arg> [-name <arg>] [-waveform <args>] [-add] [<objects>]"),
    _ug835("create_project", "[-part <arg>] [-force] [-in_memory] [-ip] [-rtl_kernel] [<name>] [<dir>]"),
    _ug835("current_fileset", "[-constrset] [-simset] [<fileset>]"),
    _ug835("current_project", "[<project>]"),
    _ug835("generate_target", "[-force] <name> <objects>"),
    _ug835("get_bd_cells", "[-regexp] [-hierarchical] [-filter <arg>] [-of_objects <args>] [<patterns>...]"),
    _ug835("get_bd_intf_pins", "[-regexp] [-hierarchical] [-filter <arg>] [-of_objects <args>] [<patterns>...]"),
    _ug835("get_bd_pins", "[-regexp] [-hierarchical] [-filter <arg>] [-of_objects <args>] [<patterns>...]"),
    _ug835("get_board_parts", "[-regexp] [-nocase] [-filter <arg>] [-of_objects <args>] [-latest_file_version] "
                              "[-latest_hw_revision] [<patterns>...]"),
    _ug835("get_files", "[-regexp] [-nocase] [-filter <arg>] [-of_objects <args>] [-compile_order <arg>] "
                        "[-used_in <arg>] [-references] [-all] [<patterns>...]"),
    _ug835("get_filesets", "[-regexp] [-nocase] [-filter <arg>] [-of_objects <args>] [<patterns>...]"),
    _ug835("get_ipdefs", "[-name <arg>] [-regexp] [-nocase] [-filter <arg>] [-of_objects <args>] [-all] [<patterns>...]"),
    _ug835("get_param", "<name>"),
    _ug835("get_ports", "[-regexp] [-nocase] [-filter <arg>] [-of_objects <args>] [-match_style <arg>] "
                        "[-scoped_to_current_instance] [-prop_thru_buffers] [<patterns>...]"),
    _ug835("get_property", "[-min] [-max] <name> <object>"),
    _ug835("get_runs", "[-regexp] [-nocase] [-filter <arg>] [-of_objects <args>] [<patterns>...]"),
    _ug835("ipx::add_bus_parameter", "<name> <bus_interface>"),
    _ug835("ipx::add_file", "<file> <file_group>"),
    _ug835("ipx::associate_bus_interfaces", "[-busif <arg>] [-clock <arg>] [-reset <arg>] [-remove] [-clear] <component>"),
    _ug835("ipx::check_integrity", "[-kernel] [-xrt] <ip>"),
    _ug835("ipx::create_xgui_files", "<component>"),
    _ug835("ipx::current_core", "[<component>]"),
    _ug835("ipx::get_bus_interfaces", "[-of_objects <args>] [-regexp] [-nocase] [-filter <arg>] [<patterns>...]"),
    _ug835("ipx::get_bus_parameters", "[-of_objects <args>] [-regexp] [-nocase] [-filter <arg>] [<patterns>...]"),
    _ug835("ipx::get_file_groups", "[-of_objects <args>] [-regexp] [-nocase] [-filter <arg>] [<patterns>...]"),
    _ug835("ipx::get_files", "[-of_objects <args>] [-regexp] [-nocase] [-filter <arg>] [<patterns>...]"),
    _ug835("ipx::infer_bus_interfaces", "<bus_definition_vlnv> <component>"),
    _ug835("ipx::package_project", "[-root_dir <arg>] [-vendor <arg>] [-library <arg>] [-name <arg>] [-version <arg>] "
                                   "[-taxonomy <arg>] [-import_files] [-set_current <arg>] [-force] "
                                   "[-force_update_compile_order] [-archive_source_project <arg>] [-generated_files] "
                                   "[-module <arg>] [<component>]"),
    _ug835("ipx::save_core", "[<component>]"),
    _ug835("ipx::update_checksums", "<component>"),
    _ug835("launch_runs", "[-jobs <arg>] [-scripts_only] [-lsf <arg>] [-host <args>] [-remote_cmd <arg>] "
                          "[-email_to <args>] [-email_all] [-pre_launch_script <arg>] [-post_launch_script <arg>] "
                          "[-custom_script <arg>] [-force] [-dir <arg>] [-to_step <arg>] [-next_step] <runs>..."),
    _ug835("make_wrapper", "[-fileset <arg>] [-top] [-testbench] [-inst_template] [-files <args>] [-import] [-force]"),
    _ug835("open_run", "[-name <arg>] [-pr_config <arg>] [-disable_ooc_connectivity_check] <run>"),
    _ug835("read_mem", "<files>..."),
    _ug835("read_verilog", "[-library <arg>] [-sv] <files>..."),
    _ug835("read_xdc", "[-ref <arg>] [-cells <args>] [-quiet_diff] [-mode <arg>] [-unmanaged] <files>..."),
    _ug835("report_timing_summary", "[-check_timing_verbose] [-delay_type <arg>] [-no_detailed_paths] "
                                    "[-max_paths <arg>] [-nworst <arg>] [-unique_pins] [-path_type <arg>] "
                                    "[-file <arg>] [-append] [-name <arg>] [-routable_nets] [-report_unconstrained] "
                                    "[-warn_on_violation] [-significant_digits <arg>] [-no_header] [-setup] [-hold] "
                                    "[-pulse_width] [-cells <args>] [-rpx <arg>]"),
    _ug835("report_utilization", "[-file <arg>] [-append] [-pblocks <args>] [-evaluate_pblock] [-cells <args>] "
                                 "[-return_string] [-slr] [-packthru] [-name <arg>] [-no_primitives] [-omit_locs] "
                                 "[-hierarchical] [-hierarchical_depth <arg>] [-hierarchical_percentages] "
                                 "[-spreadsheet_file <arg>] [-spreadsheet_table <arg>] [-spreadsheet_depth <arg>] "
                                 "[-format <arg>]"),
    _ug835("save_bd_design", "[<name>]"),
    _ug835("set_param", "<name> <value>"),
    # set_property <name> <value> <objects>..., or with -dict one list of name value pairs and the objects
    _ug835("set_property", "[-dict <args>] <objects>..."),
    _ug835("source", "[-encoding <arg>] [-notrace] <file>"),
    _ug835("synth_design", "[-name <arg>] [-part <arg>] [-constrset <arg>] [-top <arg>] [-include_dirs <args>] "
                           "[-generic <args>] [-verilog_define <args>] [-flatten_hierarchy <arg>] "
                           "[-gated_clock_conversion <arg>] [-directive <arg>] [-rtl] [-bufg <arg>] [-no_lc] "
                           "[-fanout_limit <arg>] [-shreg_min_size <arg>] [-mode <arg>] [-fsm_extraction <arg>] "
                           "[-rtl_skip_ip] [-rtl_skip_constraints] [-keep_equivalent_registers] "
                           "[-resource_sharing <arg>] [-cascade_dsp <arg>] [-control_set_opt_threshold <arg>] "
                           "[-incremental <arg>] [-max_bram <arg>] [-max_uram <arg>] [-max_dsp <arg>] "
                           "[-max_bram_cascade_height <arg>] [-max_uram_cascade_height <arg>] [-retiming] "
                           "[-no_srlextract] [-assert] [-no_timing_driven] [-sfcu] [-debug_log]"),
    _ug835("update_compile_order", "[-fileset <arg>]"),
    _ug835("update_ip_catalog", "[-rebuild] [-scan_changes] [-add_ip <arg>] [-delete_ip <arg>] [-disable_ip <arg>] "
                                "[-enable_ip <arg>] [-add_interface <arg>] [-create_index] [-repo_path <arg>]"),
    _ug835("validate_bd_design", "[-force] [-design <arg>]"),
    _ug835("wait_on_run", "[-timeout <arg>] <run>"),
    _ug835("write_bitstream", "[-force] [-raw_bitfile] [-no_binary_bitfile] [-mask_file] [-readback_file] "
                              "[-logic_location_file] [-bin_file] [-reference_bitfile <arg>] [-cell <arg>] "
                              "[-no_partial_bitfile] <file>"),
    _ug835("write_checkpoint", "[-force] [-cell <arg>] [-encrypt] [-key <arg>] [-logic_function_stripped] "
                               "[-incremental_synth] <file>"),
    ("package_xo", synopsis("-kernel_name <arg> -xo_path <arg> [-ctrl_protocol <arg>] [-ip_directory <arg>] "
                            "[-kernel_xml <arg>] [-design_xml <arg>] [-kernel_files <args>] [-kernel_xml_args <args>] "
                            "[-kernel_xml_pragmas <args>] [-output_kernel_xml <arg>] [-parent_ip_directory <arg>] "
                            "[-ip_name <arg>] [-force]", "UG1393 (2023.2), package_xo Command")),
])

# Vitis HLS (the scripts run in `vitis_hls -f`, or `vitis-run --mode hls --tcl` from 2024.2)
VITIS_HLS = {name: synopsis(text, f"UG1399 (2023.2), {name}", common=False) for name, text in {
    "open_project": "[-reset] <project>",
    "set_top": "<top>",
    "add_files": "[-blackbox <arg>] [-cflags <arg>] [-csimflags <arg>] [-tb] <src_files>...",
    "open_solution": "[-flow_target <arg>] [-reset] <solution>",
    "set_part": "<device_specification>",
    "create_clock": "-period <arg> [-name <arg>]",
    "csynth_design": "[-dump_cfg] [-dump_post_cfg] [-synthesis_check]",
    "export_design": "[-description <arg>] [-display_name <arg>] [-flow <arg>] [-format <arg>] [-ipname <arg>] "
                     "[-library <arg>] [-output <arg>] [-rtl <arg>] [-taxonomy <arg>] [-vendor <arg>] [-version <arg>]",
    "exit": "",
}.items()}


# v++ (a command line, not Tcl): long options and their short forms, each taking one value unless a flag
VPP = {"v++": synopsis("[-c] [--compile] [-l] [--link] [-t <arg>] [--target <arg>] [-f <arg>] [--platform <arg>] "
                       "[-k <arg>] [--kernel <arg>] [-o <arg>] [--output <arg>] [-I <arg>] [--include <arg>] "
                       "[--config <arg>] [--temp_dir <arg>] [--log_dir <arg>] [--report_dir <arg>] "
                       "[--kernel_frequency <arg>] [--save-temps] [-g] [--debug] <input_files>...",
                       "UG1393 (2023.2), v++ Command", common=False)}


def check(table: dict[str, Syntax], command: str, args: tuple[str, ...]) -> str | None:
    """Why `command args` is refused by its documented syntax, or None."""
    syntax = table.get(command)
    if syntax is None:
        return f"{command}: not a command of this tool's reference (tests/support/vivado_syntax.py)"
    seen, positional, words = set(), 0, list(args)
    while words:
        word = words.pop(0)
        if word.startswith("-") and not _number(word):
            if word in syntax.valued:
                if not words:
                    return f"{command}: option {word} needs a value ({syntax.source})"
                words.pop(0)
            elif word not in syntax.flags:
                return f"{command}: unknown option {word} ({syntax.source})"
            seen.add(word)
        else:
            positional += 1
    missing = sorted(syntax.required - seen)
    if missing:
        return f"{command}: missing required option {', '.join(missing)} ({syntax.source})"
    least, most = syntax.positional
    if command == "set_property" and "-dict" not in seen:
        least = 3  # <name> <value> <objects>...
    if positional < least or (most is not None and positional > most):
        expected = f"{least}" if least == most else f"{least} to {'any' if most is None else most}"
        return f"{command}: {positional} positional arguments, expected {expected} ({syntax.source})"
    return None


def _number(word: str) -> bool:
    return re.fullmatch(r"-\d+(\.\d+)?", word) is not None
