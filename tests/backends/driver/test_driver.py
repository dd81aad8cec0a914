"""The PYNQ driver in DIR/driver/: its predict equals `axgen predict --backend golden` exactly on a
Zynq and an Alveo board, with a stand-in pynq (tests/support/fake_pynq) whose DMA or data-mover
kernels hand the bytes to the project's RTL simulation; a batch moves in one MM2S transfer and one
S2MM transfer per packet (TLAST), and throughput_test reports what the simulated accelerator's
cycles and the transfers support; its files are standalone, copies of what axgen runs, and
deterministic. Zynq projects here are built with small packets (--packet-samples): a default
packet is a whole default batch, tens of thousands of samples."""

import ast
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from models import MIXED_FOLDING
from generator import config, onnx_exec, streams
from generator.backends.driver.render import COPIES
from generator.frontend import load_network
from generator.predict import predict
from generator.project import build, open_project

FAKE_PYNQ = Path(__file__).resolve().parents[2] / "support" / "fake_pynq"
DRIVER_MODULES = ("axgen_driver", "axgen_streams", "axgen_onnx", "pynq")
# What the driver's files may import besides the standard library.
ALLOWED = {"numpy", "onnx", "qonnx", "pynq", "axgen_streams", "axgen_onnx"}


@pytest.fixture(scope="module")
def sim_build(tmp_path_factory):
    return tmp_path_factory.mktemp("driver_rtl_sim")


def _build(mixed_model, root: Path, board: str, packet_samples: int | None = None):
    return build(load_network(mixed_model), root, config.from_dict(MIXED_FOLDING), board=board,
                 packet_samples=packet_samples)


def u50_at_100mhz(folder: Path) -> Path:
    """The Alveo U50 with the PYNQ-Z2's clock: its RTL is the Zynq project's byte for byte when that
    one has packets of one sample (the clock and the packets are the top's only board-dependent
    text), so both tests share one Verilator build."""
    import yaml
    from generator.resources import folder as data_folder
    board = yaml.safe_load((data_folder("boards") / "u50.yaml").read_text())
    path = folder / "u50-100mhz.yaml"
    path.write_text(yaml.safe_dump({**board, "clock_mhz": 100}))
    return path


@pytest.fixture
def load_driver(monkeypatch):
    """Import DIR/driver/axgen_driver.py with the stand-in pynq first on sys.path, attached to the
    project; every module the driver folder provides is imported afresh, and the driver's clock
    is the stand-in's simulated time."""
    def load(project: Path, build_dir: Path):
        driver = project / "driver"
        (driver / json.loads((project / "project.json").read_text())["driver"]["bitfile"]).write_bytes(b"")
        for name in DRIVER_MODULES:
            monkeypatch.delitem(sys.modules, name, raising=False)
        monkeypatch.syspath_prepend(str(driver))
        monkeypatch.syspath_prepend(str(FAKE_PYNQ))
        import pynq
        assert Path(pynq.__file__).is_relative_to(FAKE_PYNQ)
        pynq.attach(project, build_dir, seed=3)
        spec = importlib.util.spec_from_file_location("axgen_driver", driver / "axgen_driver.py")
        module = importlib.util.module_from_spec(spec)
        monkeypatch.setitem(sys.modules, "axgen_driver", module)
        spec.loader.exec_module(module)
        module.clock = pynq.clock
        return module
    return load


@pytest.mark.parametrize("board", ["pynq-z2", "u50"])
def test_driver_predict_equals_golden(mixed_model, tmp_path, sim_build, load_driver, board):
    zynq = board == "pynq-z2"
    project = _build(mixed_model, tmp_path / "p", board if zynq else u50_at_100mhz(tmp_path), 1 if zynq else None)
    assert project.data["board"]["shell"] == ("zynq" if zynq else "alveo")
    assert project.data["rtl"]["packet_samples"] == 1
    driver = load_driver(project.root, sim_build)
    x = np.random.default_rng(5).normal(0, 0.7, size=(5, 24)).astype(np.float32)
    with driver.Accelerator(batch_size=3) as accel:
        got = accel.predict(x)
        hardware = accel.overlay.accelerator
        assert hardware.samples == 5 and hardware.simulations == 2  # 3 + 2 samples: two batches
        golden = predict(open_project(project.root), x, backend="golden")
        assert got.dtype == golden.dtype and got.shape == golden.shape
        assert np.array_equal(got, golden)
        if zynq:  # one MM2S transfer per batch, one S2MM transfer per packet (TLAST), here a sample
            dma = accel.dma
            assert dma.sendchannel.transfers == 2 and dma.recvchannel.transfers == 5
        else:
            assert accel.mm2s.runs == 2 and accel.s2mm.runs == 2
        report = accel.throughput_test(2, batch_size=2)
        assert report["samples"] == 2 and report["batches"] == 1 and report["samples_per_second"] > 0
        assert report["transfers_per_batch"] == (3 if zynq else 2) and hardware.samples == 7


PACKET = 4  # samples per packet of the Zynq project below


@pytest.fixture(scope="module")
def packet_project(mixed_model, tmp_path_factory):
    """The mixed MLP on the PYNQ-Z2 with packets of PACKET samples."""
    return _build(mixed_model, tmp_path_factory.mktemp("packets") / "p", "pynq-z2", PACKET).root


def test_driver_moves_a_batch_in_packets(packet_project, sim_build, load_driver):
    """Batches of 8 samples with packets of 4: 13 samples are two batches (the second padded to
    8), each one MM2S transfer and two S2MM transfers, each S2MM transfer ended by the TLAST of
    the 4th, 8th sample's last beat, the output buffer's cache invalidated once per batch;
    run_integers gives the golden model's integers. A batch that is not a whole number of packets,
    a value outside the input datatype and a batch larger than one DMA transfer are refused before
    anything moves."""
    from generator.execute import golden_outputs
    project = open_project(packet_project)
    data = project.data
    assert data["rtl"]["packet_samples"] == data["hls"]["packet_samples"] == data["driver"]["packet_samples"] == PACKET
    driver = load_driver(project.root, sim_build)
    assert driver.PACKET_SAMPLES == PACKET and driver.BATCH_SIZE % PACKET == 0
    accel = driver.Accelerator(batch_size=2 * PACKET)
    lo, hi = streams.value_range(driver.IN_DTYPE)
    values = np.random.default_rng(1).integers(lo, hi, size=(13, driver.IN_ELEMS), endpoint=True)
    values[0, :2] = lo, hi
    assert np.array_equal(accel.run_integers(values), golden_outputs(project, values))
    hardware = accel.overlay.accelerator
    assert hardware.simulations == 2 and hardware.samples == 16
    assert accel.dma.sendchannel.transfers == 2 and accel.dma.recvchannel.transfers == 16 // PACKET
    beats = driver.OUT_BEATS
    assert hardware.tlast_beats == [[PACKET * beats - 1, 2 * PACKET * beats - 1]] * 2  # per simulation
    (_, obuf), = accel._buffers.values()
    assert obuf.invalidations == 2
    with pytest.raises(ValueError, match="INT8"):
        accel.run_integers(np.full((1, driver.IN_ELEMS), hi + 1))
    with pytest.raises(ValueError, match=f"multiple of {PACKET}"):
        accel.run_integers(values, batch_size=6)
    with pytest.raises(ValueError, match="exceed one DMA transfer"):
        driver.Accelerator(batch_size=driver.MAX_TRANSFER_BYTES // PACKET * PACKET)
    assert hardware.simulations == 2


def test_throughput_follows_the_simulated_cycles(packet_project, sim_build, load_driver, monkeypatch):
    """throughput_test under the stand-in: each batch of 8 takes its simulated busy cycles at the
    board's 100 MHz (about the latency plus 7 samples' cycles) and three transfers' overhead; the
    host's own time (here a clock jumping 1000 s per read) does not enter the figure."""
    import pynq
    project = open_project(packet_project)
    driver = load_driver(project.root, sim_build)
    monkeypatch.setattr(driver.time, "perf_counter", _jumping_clock())
    accel = driver.Accelerator(batch_size=2 * PACKET)
    report = accel.throughput_test(16)
    hardware = accel.overlay.accelerator
    assert report["batches"] == 2 and report["transfers_per_batch"] == 3 and report["packet_samples"] == PACKET
    assert accel.dma.recvchannel.transfers == 4 and accel.dma.sendchannel.transfers == 2
    clock_hz = project.data["board"]["clock_mhz"] * 1e6
    busy = hardware.busy_cycles
    assert len(busy) == 2 and busy[0] == busy[1]  # the same schedule: the timing is independent of the data
    seconds = 2 * (busy[0] / clock_hz + 3 * pynq.TRANSFER_SECONDS)
    assert report["samples_per_second"] == pytest.approx(16 / seconds, rel=1e-9)
    assert report["batch_seconds"] == pytest.approx(seconds / 2, rel=1e-9)
    # the busy cycles are the accelerator's: its latency, then one sample per bottleneck period
    expected = project.estimated_latency + (2 * PACKET - 1) * project.estimated_cycles
    assert busy[0] == pytest.approx(expected, rel=0.1), (busy[0], expected)
    assert report["pack_seconds"] >= 1000  # the host clock jumped: packing is host time


def _jumping_clock():
    now = [0.0]

    def read():
        now[0] += 1000.0
        return now[0]
    return read


def test_driver_files_standalone_and_deterministic(mixed_model, tmp_path):
    """The driver folder imports nothing of axgen, its copies are axgen's own modules byte for
    byte, project.json lists every file, and two builds give the same bytes."""
    first = _build(mixed_model, tmp_path / "a", "pynq-z2")
    second = _build(mixed_model, tmp_path / "b", "pynq-z2")
    entry = first.data["driver"]
    files = sorted(p.relative_to(first.root).as_posix() for p in (first.root / "driver").iterdir())
    assert files == entry["files"]
    for rel in files:
        assert (first.root / rel).read_bytes() == (second.root / rel).read_bytes(), rel
    assert entry == second.data["driver"]
    sources = {"axgen_streams.py": streams, "axgen_onnx.py": onnx_exec}
    assert set(sources) == set(COPIES)
    for name, module in sources.items():
        assert (first.root / "driver" / name).read_bytes() == Path(module.__file__).read_bytes()
    stdlib = set(sys.stdlib_module_names)
    for path in (first.root / "driver").glob("*.py"):
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
        assert imported - stdlib - {"__future__"} <= ALLOWED, (path.name, imported - stdlib - ALLOWED)
    text = (first.root / "driver" / "axgen_driver.py").read_text()
    assert "BATCH_SIZE = " in text and "SHELL = 'zynq'" in text
    readme = (first.root / "driver" / "README.md").read_text()
    assert "qonnx" in readme and "axgen.hwh" in readme


@pytest.fixture(scope="module")
def small_cnn(model_dir):
    import models
    return models.export(models.small_cnn(), (3, 12, 10), model_dir / "small_cnn_driver.onnx")


def test_driver_host_parts_on_a_cnn(small_cnn, tmp_path, sim_build, load_driver):
    """An image model: the driver's head streams channels-last and its tail runs tail.onnx, so
    head -> golden accelerator -> tail through the driver's own functions is `axgen predict`."""
    import models
    from generator.execute import golden_outputs
    from generator.golden import head_values
    build(load_network(small_cnn), tmp_path / "p", config.from_dict(models.SMALL_CNN_FOLDINGS[1]))
    project = open_project(tmp_path / "p")
    driver = load_driver(project.root, sim_build)
    assert driver.CHANNELS_LAST and driver.INPUT_SHAPE == (3, 12, 10)
    x = np.random.default_rng(2).normal(0, 1, size=(3, 3, 12, 10)).astype(np.float32)
    values = driver.head_values(x)
    assert np.array_equal(values, head_values(project.network.head, x))
    got = driver.tail_output(golden_outputs(project, values))
    assert np.array_equal(got, predict(project, x, backend="golden"))
    assert np.array_equal(driver.head_values(x[0]), values[:1])  # one sample of INPUT_SHAPE


def test_driver_on_a_residual_network(model_dir, tmp_path, sim_build, load_driver):
    """A graph (two residual blocks) needs nothing new in the driver: its predictions on the RTL
    are `axgen predict`'s."""
    import models
    path = models.export(models.residual_cnn(), (3, 8, 8), model_dir / "residual_driver.onnx")
    build(load_network(path), tmp_path / "p", config.from_dict(models.RESIDUAL_FOLDINGS[0]), packet_samples=3)
    driver = load_driver(tmp_path / "p", sim_build)
    x = np.random.default_rng(4).normal(0, 1, size=(3, 3, 8, 8)).astype(np.float32)
    with driver.Accelerator(batch_size=3) as accel:
        assert np.array_equal(accel.predict(x), predict(open_project(tmp_path / "p"), x, backend="golden"))


def test_driver_head_of_a_declared_input_type(model_dir, tmp_path, load_driver, sim_build):
    """With --input-type the driver's head is the declared type's Quant node: integers pass,
    everything else saturates and rounds as in `axgen predict`."""
    import models
    path = models.export(models.integer_input_cnn(), (3, 6, 6), model_dir / "integer_driver.onnx")
    build(load_network(path, input_type="UINT8"), tmp_path / "p", config.from_dict({}))
    project = open_project(tmp_path / "p")
    driver = load_driver(project.root, sim_build)
    x = np.random.default_rng(6).uniform(-20, 300, size=(4, 3, 6, 6)).astype(np.float32)
    from generator.golden import head_values
    values = driver.head_values(x)
    assert np.array_equal(values, head_values(project.network.head, x)) and values.min() == 0 and values.max() == 255


def test_driver_head_of_a_fixed_point_input(model_dir, tmp_path, load_driver, sim_build):
    """A FIXED<16,6> input (hls4ml's jet tagger shape): the driver's head rounds half to even and
    saturates as the README says, as the golden model and `axgen predict` do, and head -> golden
    accelerator -> the driver's tail is `axgen predict`."""
    import models
    from generator.execute import golden_outputs
    from generator.golden import head_values
    path = models.export(models.jet_tagger(), (16,), model_dir / "jet_driver.onnx")
    build(load_network(path, input_type="FIXED<16,6>"), tmp_path / "p", config.from_dict({}))
    project = open_project(tmp_path / "p")
    driver = load_driver(project.root, sim_build)
    x = np.random.default_rng(7).normal(0, 4, size=(6, 16)).astype(np.float32)
    x[0, :4] = [2.5 / 1024, 3.5 / 1024, -2.5 / 1024, 0.1]  # halves round to even
    x[1], x[2] = 40.0, -40.0  # beyond the type's range: saturated
    values = driver.head_values(x)
    assert np.array_equal(values, head_values(project.network.head, x))
    assert list(values[0, :4]) == [2, 4, -2, 102] and set(values[1]) == {32767} and set(values[2]) == {-32768}
    assert np.array_equal(driver.tail_output(golden_outputs(project, values)), predict(project, x, backend="golden"))
