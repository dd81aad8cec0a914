"""Vitis HLS scripts, csynth report parsing and `axgen synth --tool vitis-hls`, on a fake project
folder (project.json + dummy C++) and a fake `vitis_hls` that follows the scripts' own commands."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import boards, synth
from generator.backends.tcl import vitis_hls as tcl
from generator.project import FORMAT_VERSION
from generator.tools import vitis_hls as tool
from generator.cli import main
from generator.errors import AxgenError

LAYERS = [("fc0", "axgen_L0_fc0", 196), ("conv 1", "axgen_L1_conv_1", 512), ("fc2", "axgen_L2_fc2", 40)]

# Modelled on a Vitis HLS 2022.2 <top>_csynth.xml (Vivado IP flow, Zynq-7020).
SAMPLE_CSYNTH = """\
<?xml version="1.0" encoding="UTF-8"?>
<profile>
  <ReportVersion>
    <Version>2022.2</Version>
  </ReportVersion>
  <UserAssignments>
    <unit>ns</unit>
    <ProductFamily>zynq</ProductFamily>
    <Part>xc7z020-clg400-1</Part>
    <TopModelName>axgen_L0_fc0</TopModelName>
    <TargetClockPeriod>10.00</TargetClockPeriod>
    <ClockUncertainty>2.70</ClockUncertainty>
    <FlowTarget>vivado</FlowTarget>
  </UserAssignments>
  <PerformanceEstimates>
    <PipelineType>no</PipelineType>
    <SummaryOfTimingAnalysis>
      <unit>ns</unit>
      <EstimatedClockPeriod>6.912</EstimatedClockPeriod>
    </SummaryOfTimingAnalysis>
    <SummaryOfOverallLatency>
      <unit>clock cycles</unit>
      <Best-caseLatency>203</Best-caseLatency>
      <Average-caseLatency>205</Average-caseLatency>
      <Worst-caseLatency>207</Worst-caseLatency>
      <Best-caseRealTimeLatency>2.030 us</Best-caseRealTimeLatency>
      <Average-caseRealTimeLatency>2.050 us</Average-caseRealTimeLatency>
      <Worst-caseRealTimeLatency>2.070 us</Worst-caseRealTimeLatency>
      <Interval-min>197</Interval-min>
      <Interval-max>198</Interval-max>
    </SummaryOfOverallLatency>
    <SummaryOfLoopLatency>
      <VITIS_LOOP_41_1>
        <Slack>7.30</Slack>
        <TripCount>196</TripCount>
        <Latency>200</Latency>
        <AbsoluteTimeLatency>2000</AbsoluteTimeLatency>
        <PipelineII>1</PipelineII>
        <PipelineDepth>6</PipelineDepth>
      </VITIS_LOOP_41_1>
    </SummaryOfLoopLatency>
  </PerformanceEstimates>
  <AreaEstimates>
    <Resources>
      <BRAM_18K>4</BRAM_18K>
      <DSP>0</DSP>
      <FF>1843</FF>
      <LUT>3127</LUT>
      <URAM>0</URAM>
    </Resources>
    <AvailableResources>
      <BRAM_18K>280</BRAM_18K>
      <DSP>220</DSP>
      <FF>106400</FF>
      <LUT>53200</LUT>
      <URAM>0</URAM>
    </AvailableResources>
  </AreaEstimates>
  <InterfaceSummary>
    <RtlPorts>
      <RtlPort>
        <name>ap_clk</name>
        <Object>axgen_L0_fc0</Object>
        <Type>return value</Type>
        <Scope/>
        <IOProtocol>ap_ctrl_hs</IOProtocol>
        <IOConfig/>
        <Dir>in</Dir>
        <Bits>1</Bits>
        <Attribute>clock</Attribute>
      </RtlPort>
    </RtlPorts>
  </InterfaceSummary>
</profile>
"""

# A design whose latency HLS cannot bound, from an older tool that says DSP48E and has no URAM.
UNDEF_CSYNTH = """\
<?xml version="1.0" encoding="UTF-8"?>
<profile>
  <PerformanceEstimates>
    <SummaryOfTimingAnalysis><unit>ns</unit><EstimatedClockPeriod>4.250</EstimatedClockPeriod></SummaryOfTimingAnalysis>
    <SummaryOfOverallLatency>
      <unit>clock cycles</unit>
      <Best-caseLatency>12</Best-caseLatency>
      <Worst-caseLatency>undef</Worst-caseLatency>
      <Interval-min>13</Interval-min>
      <Interval-max>undef</Interval-max>
    </SummaryOfOverallLatency>
  </PerformanceEstimates>
  <AreaEstimates>
    <Resources><BRAM_18K>0</BRAM_18K><DSP48E>3</DSP48E><FF>90</FF><LUT>120</LUT></Resources>
  </AreaEstimates>
</profile>
"""

# A stand-in for vitis_hls: runs the few commands the generated scripts use, checks that the
# sources they name exist, and writes a csynth report where open_project / open_solution say.
FAKE_VITIS = r'''
import json, os, re, sys
from pathlib import Path

args = sys.argv[1:]
if Path(sys.argv[0]).name == "vitis-run":  # Vitis 2024.2+: vitis-run --mode hls --tcl SCRIPT
    if args[:2] != ["--mode", "hls"] or "--tcl" not in args:
        print("ERROR: [vitis-run] expected --mode hls --tcl <file>")
        sys.exit(2)
    script = Path(args[args.index("--tcl") + 1])
else:
    script = Path(args[args.index("-f") + 1])
logfile = Path(args[args.index("-l") + 1] if "-l" in args else "vitis_hls.log").resolve()
log = []

def say(msg):
    print(msg)
    log.append(msg)

def finish(code):
    logfile.parent.mkdir(parents=True, exist_ok=True)
    logfile.write_text("\n".join(log) + "\n")
    sys.exit(code)

spec = json.loads(os.environ.get("FAKE_HLS_SPEC", "{}"))
record = os.environ.get("FAKE_HLS_RECORD")
env = {}
state = {}
lines = iter(script.read_text().splitlines())
for line in lines:
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    if line.startswith("if {![file exists project.json]}"):
        if not Path("project.json").is_file():
            say("ERROR: not in the project folder")
            finish(1)
        while next(lines).strip() != "}":
            pass
        continue
    for name, value in env.items():
        line = line.replace("$" + name, value)
    say("vitis_hls> " + line)
    words = line.split()
    cmd = words[0]
    if line == "set root [pwd]":
        env["root"] = os.getcwd()
    elif cmd == "file" and words[1] == "mkdir":
        Path(words[2]).mkdir(parents=True, exist_ok=True)
    elif cmd == "cd":
        os.chdir(words[1])
    elif cmd == "open_project":
        state["project"] = Path(words[-1]).resolve()
        state["project"].mkdir(parents=True, exist_ok=True)
    elif cmd == "set_top":
        state["top"] = words[1]
    elif cmd == "add_files":
        m = re.match(r'add_files "([^"]+)" -cflags "-I(\S+) -std=c\+\+14"$', line)
        if not m or not Path(m.group(1)).is_file() or not Path(m.group(2)).is_dir():
            say("ERROR: [HLS 200-70] Cannot find source file or include dir: " + line)
            finish(1)
        state["source"] = m.group(1)
    elif cmd == "open_solution":
        assert "project" in state and words[1:4] == ["-reset", "-flow_target", "vivado"], line
        state["solution"] = state["project"] / words[-1]
    elif cmd == "set_part":
        state["part"] = words[1].strip("{}")
    elif cmd == "create_clock":
        state["period"] = float(words[2])
    elif cmd == "csynth_design":
        top = state["top"]
        if record:
            with open(record, "a") as f:
                f.write(top + "\n")
        if os.environ.get("FAKE_HLS_FAIL") == top:
            say("ERROR: [HLS 214-124] use of undeclared identifier 'oops' (" + state["source"] + ":3:5)")
            finish(1)
        s = spec.get(top, {})
        interval, lut = s.get("interval", 100), s.get("lut", 1000)
        report = state["solution"] / "syn" / "report"
        report.mkdir(parents=True, exist_ok=True)
        (report / (top + "_csynth.xml")).write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<profile>
  <UserAssignments><Part>{state['part']}</Part><TopModelName>{top}</TopModelName>
    <TargetClockPeriod>{state['period']:.2f}</TargetClockPeriod></UserAssignments>
  <PerformanceEstimates>
    <SummaryOfTimingAnalysis><unit>ns</unit><EstimatedClockPeriod>7.300</EstimatedClockPeriod></SummaryOfTimingAnalysis>
    <SummaryOfOverallLatency><unit>clock cycles</unit>
      <Best-caseLatency>{interval + 5}</Best-caseLatency><Average-caseLatency>{interval + 5}</Average-caseLatency>
      <Worst-caseLatency>{interval + 5}</Worst-caseLatency>
      <Interval-min>{interval}</Interval-min><Interval-max>{interval}</Interval-max>
    </SummaryOfOverallLatency>
  </PerformanceEstimates>
  <AreaEstimates>
    <Resources><BRAM_18K>2</BRAM_18K><DSP>1</DSP><FF>{2 * lut}</FF><LUT>{lut}</LUT><URAM>0</URAM></Resources>
    <AvailableResources><BRAM_18K>280</BRAM_18K><DSP>220</DSP><FF>106400</FF><LUT>53200</LUT><URAM>0</URAM></AvailableResources>
  </AreaEstimates>
</profile>
""")
    elif cmd == "export_design":
        assert words[1:] == ["-format", "ip_catalog"], line
        (state["solution"] / "impl" / "ip").mkdir(parents=True, exist_ok=True)
    elif cmd == "exit":
        finish(0)
    else:
        say("ERROR: unknown command " + cmd)
        finish(1)
say("ERROR: the script did not exit")
finish(1)
'''


def fake_project(root, board="pynq-z2"):
    """A project folder as the HLS generator leaves it: project.json with an "hls" entry, C++ sources."""
    root.mkdir(parents=True, exist_ok=True)
    hls = root / "hls"
    hls.mkdir()
    layers = []
    for index, (name, module, cycles) in enumerate(LAYERS):
        (hls / f"{module}.cpp").write_text(f'#include "axgen_lib.h"\nvoid {module}() {{}}\n')
        layers.append({"index": index, "name": name, "module": module, "file": f"{module}.cpp",
                       "estimated_cycles": cycles})
    (hls / "axgen_top.cpp").write_text('#include "axgen_lib.h"\nvoid axgen_top() {}\n')
    (hls / "axgen_lib.h").write_text("#pragma once\n")
    data = {
        "format_version": FORMAT_VERSION, "name": "fake", "board": boards.load(board).to_dict(),
        "layers": [{"index": i, "name": n, "estimated_cycles": c} for i, (n, _, c) in enumerate(LAYERS)],
        "estimated_cycles_per_sample": max(c for _, _, c in LAYERS),
        "hls": {"top": "axgen_top", "layers": layers,
                "files": sorted(p.name for p in hls.iterdir())},
    }
    (root / "project.json").write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return data


@pytest.fixture
def fake_vitis(tmp_path, monkeypatch):
    """Put the fake vitis_hls first on PATH; returns a function to set its behaviour."""
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()

    def install(name):
        for other in bin_dir.iterdir():
            other.unlink()
        exe = bin_dir / name
        exe.write_text(f"#!{sys.executable}\n{FAKE_VITIS}")
        exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    install(tool.EXE)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    record = tmp_path / "ran.txt"
    monkeypatch.setenv("FAKE_HLS_RECORD", str(record))
    monkeypatch.delenv("FAKE_HLS_FAIL", raising=False)

    def configure(spec=None, fail=None, exe=tool.EXE):
        install(exe)
        monkeypatch.setenv("FAKE_HLS_SPEC", json.dumps(spec or {}))
        if fail:
            monkeypatch.setenv("FAKE_HLS_FAIL", fail)
        return record
    return configure


@pytest.fixture
def no_vitis(tmp_path, monkeypatch):
    empty = tmp_path / "emptybin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def read_tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_scripts_content(tmp_path):
    root = tmp_path / "proj"
    data = fake_project(root)
    written = tcl.write_scripts(root, data)
    modules = [m for _, m, _ in LAYERS] + ["axgen_top"]
    assert written == [f"tcl/hls_{m}.tcl" for m in modules] + ["tcl/hls_README.txt"]
    for module in modules:
        text = (root / "tcl" / f"hls_{module}.tcl").read_text()
        lines = text.splitlines()
        commands = [line.split()[0] for line in lines if line and not line.startswith(("#", " ", "}"))]
        assert commands == ["if", "set", "file", "cd", "open_project", "set_top", "add_files", "open_solution",
                            "set_part", "create_clock", "csynth_design", "export_design", "exit"], text
        assert f"open_project -reset {module}" in lines
        assert f"set_top {module}" in lines
        assert f'add_files "$root/hls/{module}.cpp" -cflags "-I$root/hls -std=c++14"' in lines
        assert "open_solution -reset -flow_target vivado solution1" in lines
        assert "set_part {xc7z020clg400-1}" in lines
        assert "create_clock -period 10.000 -name default" in lines
        assert "export_design -format ip_catalog" in lines
        assert f"vitis_hls -f tcl/hls_{module}.tcl" in text
        assert str(tmp_path) not in text  # nothing absolute: the project can move
        assert "config_dataflow" not in text and "config_compile" not in text
    readme = (root / "tcl" / "hls_README.txt").read_text()
    assert all(f"vitis_hls -f tcl/hls_{m}.tcl" in readme for m in modules)
    assert "axgen synth . --tool vitis-hls" in readme


def test_scripts_are_deterministic_and_follow_the_board(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    data_a, data_b = fake_project(a), fake_project(b)
    tcl.write_scripts(a, data_a)
    first = read_tree(a / "tcl")
    tcl.write_scripts(a, data_a)
    assert read_tree(a / "tcl") == first  # byte-identical on a second write
    tcl.write_scripts(b, data_b)
    assert read_tree(b / "tcl") == first  # and independent of where the project is
    c = tmp_path / "c"
    tcl.write_scripts(c, fake_project(c, board="ultra96-v2"))
    text = (c / "tcl" / "hls_axgen_top.tcl").read_text()
    assert "set_part {xczu3eg-sbva484-1-i}" in text
    assert "create_clock -period 6.667 -name default" in text
    assert [tcl.clock_period_ns(f) for f in (100, 150, 200, 250.0)] == ["10.000", "6.667", "5.000", "4.000"]


def test_scripts_need_hls_sources_in_project_json(tmp_path):
    root = tmp_path / "proj"
    data = fake_project(root)
    with pytest.raises(AxgenError, match="no HLS sources"):
        tcl.write_scripts(root, {k: v for k, v in data.items() if k != "hls"})
    bad = json.loads(json.dumps(data))
    bad["hls"]["layers"][0]["module"] = "axgen L0; exec rm"
    with pytest.raises(AxgenError, match="not a C identifier"):
        tcl.write_scripts(root, bad)


def test_parse_csynth_sample(tmp_path):
    xml = tmp_path / "axgen_L0_fc0_csynth.xml"
    xml.write_text(SAMPLE_CSYNTH)
    assert tool.parse_csynth(xml) == {
        "version": "Vitis HLS 2022.2", "latency_min": 203, "latency_max": 207, "interval_min": 197, "interval_max": 198,
        "clock_ns": 6.912, "target_clock_ns": 10.0,
        "resources": {"lut": 3127, "ff": 1843, "bram18": 4, "dsp": 0, "uram": 0},
        "available": {"lut": 53200, "ff": 106400, "bram18": 280, "dsp": 220, "uram": 0},
    }


def test_parse_csynth_undef_and_old_tags(tmp_path):
    xml = tmp_path / "x_csynth.xml"
    xml.write_text(UNDEF_CSYNTH)
    parsed = tool.parse_csynth(xml)
    assert (parsed["latency_min"], parsed["latency_max"], parsed["interval_min"], parsed["interval_max"]) == \
        (12, None, 13, None)
    assert parsed["clock_ns"] == 4.25 and parsed["target_clock_ns"] is None and parsed["version"] is None
    assert parsed["resources"] == {"lut": 120, "ff": 90, "bram18": 0, "dsp": 3, "uram": None}
    assert parsed["available"] == {k: None for k in ("lut", "ff", "bram18", "dsp", "uram")}
    xml.write_text("<profile><AreaEst")
    with pytest.raises(AxgenError, match="not a readable Vitis HLS report"):
        tool.parse_csynth(xml)


def test_run_with_fake_vitis_writes_resources(tmp_path, fake_vitis):
    root = tmp_path / "proj"
    data = fake_project(root)
    tcl.write_scripts(root, data)
    record = fake_vitis(spec={"axgen_L0_fc0": {"interval": 392, "lut": 3000},
                              "axgen_L1_conv_1": {"interval": 512, "lut": 700},
                              "axgen_top": {"interval": 520, "lut": 5000}})
    result = synth.run(root, "vitis-hls", jobs=2)
    assert sorted(record.read_text().split()) == sorted([m for _, m, _ in LAYERS] + ["axgen_top"])
    saved = json.loads((root / "resources.json").read_text())
    assert saved == result
    assert (root / "resources.json").read_text() == json.dumps(saved, indent=2, sort_keys=True) + "\n"
    # the one format every tool writes
    assert saved["tool"] == "vitis-hls" and saved["board"] == "pynq-z2" and saved["part"] == "xc7z020clg400-1"
    assert saved["tool_version"] is None  # the fake's reports carry no <ReportVersion>
    assert saved["target_clock_ns"] == 10.0
    assert list(saved["layers"]) == ["conv 1", "fc0", "fc2"]  # keyed by layer name
    fc0 = saved["layers"]["fc0"]
    assert (fc0["module"], fc0["index"], fc0["estimated_cycles"]) == ("axgen_L0_fc0", 0, 196)
    assert (fc0["interval_min"], fc0["interval_max"], fc0["latency_max"]) == (392, 392, 397)
    assert fc0["interval_vs_estimate"] == 2.0
    assert {k: fc0[k] for k in synth.RESOURCE_KEYS} == {"lut": 3000, "ff": 6000, "bram18": 2, "dsp": 1, "uram": 0,
                                                        "carry": None, "lutram": None}
    assert fc0["target_clock_ns"] == 10.0 and fc0["clock_ns"] == 7.3
    assert fc0["report"] == "build/vitis_hls/axgen_L0_fc0/solution1/syn/report/axgen_L0_fc0_csynth.xml"
    assert saved["layers"]["conv 1"]["interval_vs_estimate"] == 1.0
    assert saved["layers"]["fc2"]["interval_max"] == 100  # the fake's default
    top = saved["top"]
    assert (top["module"], top["estimated_cycles"], top["interval_max"]) == ("axgen_top", 512, 520)
    assert top["interval_vs_estimate"] == round(520 / 512, 4)
    # the whole network's estimate is the total, against the board's capacity
    assert saved["total"] == {"lut": 5000, "ff": 10000, "bram18": 2, "dsp": 1, "uram": 0, "carry": None, "lutram": None}
    assert (saved["total_from"], saved["complete"], saved["stitching"]) == ("top", True, None)
    assert saved["capacity"] == {"lut": 53200, "ff": 106400, "bram18": 280, "dsp": 220, "uram": 0}
    assert saved["utilization"] == {"lut": round(5000 / 53200, 4), "ff": round(10000 / 106400, 4),
                                    "bram18": round(2 / 280, 4), "dsp": round(1 / 220, 4)}
    assert saved["fits"] is True
    for module in [m for _, m, _ in LAYERS] + ["axgen_top"]:
        assert "csynth_design" in (root / "build" / "vitis_hls" / f"{module}.log").read_text()
        assert (root / "build" / "vitis_hls" / f"{module}.vitis_hls.log").is_file()
        assert (root / "build" / "vitis_hls" / module / "solution1" / "impl" / "ip").is_dir()
    assert not (root / "vitis_hls.log").exists()


def test_run_only_some_layers_and_failures(tmp_path, fake_vitis):
    root = tmp_path / "proj"
    fake_project(root)  # no scripts yet: run writes them
    record = fake_vitis()
    result = synth.run(root, "vitis-hls", only=["conv 1", "top"])
    assert record.read_text().split() == ["axgen_L1_conv_1", "axgen_top"]
    assert (root / "tcl" / "hls_axgen_L0_fc0.tcl").is_file()
    assert list(result["layers"]) == ["conv 1"] and result["top"]["module"] == "axgen_top"
    result = synth.run(root, "vitis-hls", only=["0"])  # by index; earlier reports stay in resources.json
    assert sorted(result["layers"]) == ["conv 1", "fc0"] and result["top"] is not None
    with pytest.raises(AxgenError, match="no layer 'fc9' in this project; choose among: fc0, conv 1, fc2, top"):
        synth.run(root, "vitis-hls", only=["fc9"])
    with pytest.raises(AxgenError, match="--no-dsp applies to --tool yosys"):
        synth.run(root, "vitis-hls", no_dsp=True)
    fake_vitis(fail="axgen_L2_fc2")
    with pytest.raises(AxgenError) as info:
        synth.run(root, "vitis-hls", only=["axgen_L2_fc2"])
    message = str(info.value)
    assert "vitis_hls failed on tcl/hls_axgen_L2_fc2.tcl (exit 1)" in message
    assert str(root / "build" / "vitis_hls" / "axgen_L2_fc2.log") in message
    assert "use of undeclared identifier 'oops'" in message and "\n" not in message
    (root / "hls" / "axgen_L2_fc2.cpp").unlink()
    with pytest.raises(AxgenError, match="axgen_L2_fc2.cpp is missing"):
        synth.run(root, "vitis-hls", only=["fc2"])


def test_cli_synth_missing_vitis_is_one_clean_line(tmp_path, no_vitis):
    root = tmp_path / "proj"
    fake_project(root)
    assert tool.find_vitis() is None
    result = CliRunner().invoke(main, ["synth", str(root), "--tool", "vitis-hls"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.output.strip().splitlines() == [
        f"axgen: error: neither vitis_hls nor vitis-run is on PATH; install Vitis HLS or source its settings64.sh; "
        f"the scripts are in {root / 'tcl'}/"]
    assert (root / "tcl" / "hls_axgen_top.tcl").is_file()  # the scripts it names are there
    assert not (root / "resources.json").exists()
    result = CliRunner().invoke(main, ["synth", str(tmp_path / "nothing")])
    assert result.exit_code == 2 and "is not an axgen project" in result.output


def test_cli_synth_with_fake_vitis(tmp_path, fake_vitis):
    root = tmp_path / "proj"
    tcl.write_scripts(root, fake_project(root))
    fake_vitis(spec={"axgen_L0_fc0": {"interval": 392, "lut": 3127}})
    result = CliRunner().invoke(main, ["synth", str(root), "--tool", "vitis-hls", "-j", "2"])
    assert result.exit_code == 0, result.output
    for text in ["fc0", "conv 1", "fc2", "392", "3,127", "capacity", "utilization",
                 "fits pynq-z2", "resources.json"]:
        assert text in result.output, result.output
    assert json.loads((root / "resources.json").read_text())["layers"]["fc0"]["lut"] == 3127
    fake_vitis(fail="axgen_top")
    result = CliRunner().invoke(main, ["synth", str(root), "--tool", "vitis-hls", "--layer", "top"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "axgen: error: vitis_hls failed on tcl/hls_axgen_top.tcl (exit 1)" in result.output


def test_fake_vitis_runs_a_script_by_hand(tmp_path, fake_vitis):
    """The documented manual command works: `vitis_hls -f tcl/hls_<module>.tcl` from DIR."""
    root = tmp_path / "proj"
    tcl.write_scripts(root, fake_project(root))
    fake_vitis()
    exe = tool.find_vitis()
    proc = subprocess.run([exe, "-f", "tcl/hls_axgen_L0_fc0.tcl"], cwd=root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert tcl.report_path(root, "axgen_L0_fc0").is_file()
    elsewhere = subprocess.run([exe, "-f", str(root / "tcl" / "hls_axgen_L0_fc0.tcl")], cwd=tmp_path,
                               capture_output=True, text=True)
    assert elsewhere.returncode == 1 and "not in the project folder" in elsewhere.stdout


def test_vitis_run_where_vitis_hls_is_gone(tmp_path, fake_vitis):
    """Vitis 2024.2 deprecates `vitis_hls -f`: with only vitis-run on PATH, the same scripts run as
    `vitis-run --mode hls --tcl SCRIPT`."""
    root = tmp_path / "proj"
    tcl.write_scripts(root, fake_project(root))
    fake_vitis(spec={"axgen_L0_fc0": {"interval": 392, "lut": 3127}}, exe=tool.RUN_EXE)
    exe = tool.find_vitis()
    assert Path(exe).name == "vitis-run"
    assert tool.script_command(exe, "tcl/hls_x.tcl", Path("x.log")) == [exe, "--mode", "hls", "--tcl", "tcl/hls_x.tcl"]
    result = CliRunner().invoke(main, ["synth", str(root), "--tool", "vitis-hls", "--layer", "fc0"])
    assert result.exit_code == 0, result.output
    assert json.loads((root / "resources.json").read_text())["layers"]["fc0"]["lut"] == 3127
