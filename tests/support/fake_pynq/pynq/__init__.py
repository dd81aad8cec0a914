"""A stand-in for PYNQ without a board (tests only): the overlay of an axgen project runs its RTL.

`attach(project_root, build_dir)` names the project the next `Overlay(bitfile)` stands for. The
overlay has the shell's side of generator.hw.shell: on a Zynq shell the AXI DMA (`sendchannel`,
`recvchannel` with transfer(array, start, nbytes) and wait()), on an Alveo shell the mm2s/s2mm
compute units (start(buffer, beats) -> handle.wait(), call). Every byte they move goes through
the project's RTL simulation (cocotb on Verilator: generator.sim.rtl.simulate_stream), sample by
sample as the hardware stream carries it, so a driver is proven against the real accelerator.

The S2MM channel ends a transfer at the accelerator's m_axis_tlast, as an AXI DMA does: the
simulation says on which output beats TLAST is high (the project's top, packets of
rtl.packet_samples samples), a receive takes the bytes up to the next of them, and a buffer
shorter than that packet is an error (undefined results on the DMA). The channels count their
transfers; `idle`, `error` and `transferred` are PYNQ 3's.

Buffers model device memory apart from the host's view: the device sees a buffer's bytes after
flush()/sync_to_device() and the host sees the device's writes after invalidate()/
sync_from_device(), as on a board (the Zynq DMA's send flushes and its receive's wait
invalidates the whole buffer by itself, as PYNQ's does; each buffer counts its invalidations).
What would hang or corrupt data on a board raises.

Time: `clock()` is the simulated time in seconds since `attach`. A simulation advances it by its
busy cycles (first input beat to the last output beat, back to back: SimResult.busy_cycles) at the
board's clock, and every DMA transfer or kernel start by TRANSFER_SECONDS, the host's cost of
programming it and taking its completion. A driver whose `clock` is this one reports what the
accelerator's cycles and the transfers support, not how fast Python simulates them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from generator.hw import shell
from generator.sim.rtl import simulate_stream

_ATTACHED: dict = {}
# The host's cost of one DMA transfer or kernel start: a few AXI-Lite register writes to program
# it, then its completion taken (a poll of the status register, or an interrupt). 10 us is the
# order a compiled driver on a Zynq-7000 achieves; PYNQ's Python adds tens of microseconds more.
TRANSFER_SECONDS = 10e-6
_CLOCK = [0.0]  # simulated seconds since attach


def attach(project_root, build_dir, seed: int = 0) -> None:
    _ATTACHED.update(root=Path(project_root), build_dir=Path(build_dir), seed=seed)
    _CLOCK[0] = 0.0


def clock() -> float:
    """Simulated seconds since `attach`: the stand-in's replacement of a driver's clock."""
    return _CLOCK[0]


def _advance(seconds: float) -> None:
    _CLOCK[0] += seconds


class PynqBuffer(np.ndarray):
    """The host's view of a contiguous buffer; `memory` is what the programmable logic sees."""

    def __array_finalize__(self, obj):
        self.memory = getattr(obj, "memory", None)
        self.physical_address = getattr(obj, "physical_address", 0)
        self.freed = getattr(obj, "freed", False)
        self.invalidations = getattr(obj, "invalidations", 0)

    def _host_bytes(self) -> np.ndarray:
        return self.view(np.ndarray).reshape(-1).view(np.uint8)

    def flush(self):
        self.memory[:] = self._host_bytes()

    def invalidate(self):
        self._host_bytes()[:] = self.memory
        self.invalidations += 1

    sync_to_device = flush
    sync_from_device = invalidate

    def freebuffer(self):
        self.freed = True


_NEXT_ADDRESS = [0x1000_0000]


def allocate(shape, dtype=np.uint32, target=None, **kwargs) -> PynqBuffer:
    buf = np.zeros(shape, dtype=dtype).view(PynqBuffer)
    buf.memory = np.zeros(buf.nbytes, dtype=np.uint8)
    buf.physical_address = _NEXT_ADDRESS[0]
    _NEXT_ADDRESS[0] += -(-buf.nbytes // 4096) * 4096  # page aligned, as CMA gives them
    buf.freed = False
    buf.invalidations = 0
    return buf


def _usable(buf, what: str) -> None:
    if not isinstance(buf, PynqBuffer):
        raise TypeError(f"{what}: a buffer from pynq.allocate is needed, not {type(buf).__name__}")
    if buf.freed:
        raise RuntimeError(f"{what}: the buffer was freed")


class Accelerator:
    """The accelerator's streams, run through the RTL simulation one complete sample at a time."""

    def __init__(self, root: Path, build_dir: Path, seed: int):
        data = json.loads((root / "project.json").read_text())
        rtl = data["rtl"]
        self.root, self.build_dir, self.seed, self.rtl = root, build_dir, seed, rtl
        self.board = data["board"]
        self.in_bytes, self.out_bytes = rtl["in_tdata_bits"] // 8, rtl["out_tdata_bits"] // 8
        self.beats_in = rtl["in_elems"] // rtl["in_per_beat"]
        self.beats_out = rtl["out_elems"] // rtl["out_per_beat"]
        self.packet = rtl["packet_samples"]  # the bitstream's: TLAST closes every this many samples
        self.pending = bytearray()  # input bytes not simulated yet (an incomplete sample waits)
        self.output = bytearray()  # output bytes not received yet
        self.ends: list[int] = []  # offsets in `output` just past a beat with TLAST high
        self.simulations = 0
        self.samples = 0
        self.busy_cycles: list[int] = []  # each simulation's, in order
        self.tlast_beats: list[list[int]] = []  # each simulation's output beats with m_axis_tlast high

    @property
    def sample_in_bytes(self) -> int:
        return self.beats_in * self.in_bytes

    @property
    def sample_out_bytes(self) -> int:
        return self.beats_out * self.out_bytes

    def send(self, data: bytes) -> None:
        self.pending += data

    def run(self) -> None:
        n = len(self.pending) // self.sample_in_bytes
        if n == 0:
            return
        size = n * self.sample_in_bytes
        data = np.frombuffer(bytes(self.pending[:size]), dtype=np.uint8).reshape(n, self.sample_in_bytes)
        del self.pending[:size]
        # The top as the bitstream has it (its own PACKET_SAMPLES); the testbench checks its TLAST too.
        result = simulate_stream(self.root / "rtl", self.rtl["top"], data, in_beat_bytes=self.in_bytes,
                                 out_beat_bytes=self.out_bytes, beats_out=self.beats_out,
                                 in_data_bits=self.rtl["in_data_bits"], expected=None, seed=self.seed,
                                 build_dir=self.build_dir, modes=("stream",), packet_samples=self.packet)
        if result.mismatches or result.tlast_errors:
            raise RuntimeError(f"the simulated accelerator misbehaved: {result}")
        # each simulation starts from reset, as the bitstream's TLAST counter does only once: the
        # driver must send whole packets for the two to agree
        if self.samples % self.packet:
            raise RuntimeError(f"the stand-in restarts the accelerator's packet count after {self.samples} samples, "
                               f"inside a packet of {self.packet}: send whole packets")
        start = len(self.output)
        self.ends += [start + (beat + 1) * self.out_bytes for beat in result.tlast_beats]
        self.output += result.outputs.tobytes()
        self.simulations += 1
        self.samples += n
        self.busy_cycles.append(result.busy_cycles)
        self.tlast_beats.append(result.tlast_beats)
        _advance(result.busy_cycles / (self.board["clock_mhz"] * 1e6))

    def receive(self, nbytes: int) -> bytes:
        """`nbytes` output bytes (a data mover counting beats)."""
        self.run()
        if len(self.output) < nbytes:
            raise RuntimeError(f"would hang: {nbytes} bytes awaited, the accelerator has {len(self.output)} "
                               f"for the input sent ({len(self.pending)} bytes of an incomplete sample wait)")
        return self._take(nbytes)

    def packet_ready(self) -> bool:
        """Whether the accelerator has sent a whole packet (up to a TLAST) not received yet."""
        self.run()
        return bool(self.ends)

    def receive_packet(self, nbytes: int) -> bytes:
        """The output bytes up to the next TLAST, into a buffer of `nbytes` (an S2MM transfer)."""
        if not self.packet_ready():
            raise RuntimeError(f"would hang: no TLAST in the {len(self.output)} output bytes the accelerator has for "
                               f"the input sent (a packet closes every {self.packet} samples)")
        size = self.ends[0]
        if nbytes < size:
            raise RuntimeError(f"S2MM buffer of {nbytes} bytes is shorter than the {size}-byte packet "
                               "(undefined results on an AXI DMA)")
        return self._take(size)

    def _take(self, nbytes: int) -> bytes:
        data = bytes(self.output[:nbytes])
        del self.output[:nbytes]
        self.ends = [end - nbytes for end in self.ends if end > nbytes]
        return data


class _Channel:
    """One channel of the AXI DMA in simple mode (PYNQ 3's _SDMAChannel interface)."""

    def __init__(self, accel: Accelerator, send: bool, align: int):
        self.accel, self.send, self.align = accel, send, align
        self.active = None  # (array, start, nbytes) of the transfer not waited for yet
        self.done = False  # the active transfer has ended (the channel is idle again)
        self.transfers = 0
        self.transferred = 0  # bytes of the last transfer waited for (the length register)
        self._ended = 0  # bytes of the active transfer, once it ended

    @property
    def idle(self) -> bool:
        """True once the active transfer has ended (polling a transfer that never ends raises)."""
        return self.active is None or self._complete()

    @property
    def error(self) -> bool:
        return False  # what would set an error bit raises instead

    def transfer(self, array, start=0, nbytes=0):
        _usable(array, "DMA transfer")
        if not self.idle:
            raise RuntimeError("DMA channel not idle")
        if nbytes == 0:
            nbytes = array.nbytes - start
        if nbytes > shell.MAX_TRANSFER_BYTES:
            raise ValueError(f"Transfer size is {nbytes} bytes, which exceeds the maximum DMA buffer size")
        if (array.physical_address + start) % self.align:
            raise MemoryError(f"unaligned transfer at offset {start}: the DMA has no realignment engine")
        if start + nbytes > array.nbytes:
            raise ValueError("transfer beyond the buffer")
        self.active, self.done = (array, start, nbytes), False
        self.transfers += 1
        _advance(TRANSFER_SECONDS)
        if self.send:
            array.flush()
            self.accel.send(array.memory[start:start + nbytes].tobytes())

    def _complete(self) -> bool:
        """End the active transfer if the accelerator lets it (the bytes land in device memory)."""
        if self.done:
            return True
        array, start, nbytes = self.active
        if self.send:
            self.accel.run()
            if self.accel.pending:
                raise RuntimeError("would hang: the MM2S transfer ends inside a sample")
            if self.accel.output:
                raise RuntimeError(f"would hang: the MM2S transfer waited for with {len(self.accel.output)} output "
                                   "bytes not received (the accelerator stalls on its full output)")
            self._ended = nbytes
        else:  # S2MM ends at TLAST
            data = self.accel.receive_packet(nbytes)
            array.memory[start:start + len(data)] = np.frombuffer(data, dtype=np.uint8)
            self._ended = len(data)
        self.done = True
        return True

    def wait(self):
        if self.active is None:
            return
        self._complete()
        array = self.active[0]
        self.transferred = self._ended
        if not self.send:
            array.invalidate()  # the whole buffer, as PYNQ's wait() does
        self.active, self.done = None, False


class DMA:
    def __init__(self, accel: Accelerator, align: int):
        self.sendchannel = _Channel(accel, True, align)
        self.recvchannel = _Channel(accel, False, align)


class _Handle:
    def __init__(self, done):
        self._done = done

    def wait(self):
        if self._done is not None:
            self._done()
            self._done = None


class Kernel:
    """A data-mover compute unit of the shell contract: MM2S_KERNEL or S2MM_KERNEL (buffer, beats)."""

    def __init__(self, accel: Accelerator, kernel: str):
        self.accel, self.kernel = accel, kernel
        self.mm2s = kernel == shell.MM2S_KERNEL
        tdata = accel.in_bytes if self.mm2s else accel.out_bytes
        self.tdata, self.word = tdata, shell.mem_word_bits(tdata * 8) // 8
        self.runs = 0

    def start(self, buffer, beats):
        args = shell.KERNEL_ARGS[self.kernel]
        _usable(buffer, f"{self.kernel} argument {args[0]}")
        if not isinstance(beats, (int, np.integer)) or beats < 0:
            raise TypeError(f"{self.kernel} argument {args[1]}: a beat count, not {beats!r}")
        if beats * self.word > buffer.nbytes:
            raise ValueError(f"{self.kernel}: {beats} beats of {self.word} bytes overrun the {buffer.nbytes}-byte buffer")
        self.runs += 1
        _advance(TRANSFER_SECONDS)
        words = buffer.memory[:beats * self.word].reshape(beats, self.word)
        if self.mm2s:
            if words[:, self.tdata:].any():
                raise ValueError(f"{self.kernel}: the bytes above a beat's tdata are not zero")
            self.accel.send(words[:, :self.tdata].tobytes())
            return _Handle(None)

        def done():
            data = np.frombuffer(self.accel.receive(beats * self.tdata), dtype=np.uint8).reshape(beats, self.tdata)
            words[:] = 0
            words[:, :self.tdata] = data
        return _Handle(done)

    def call(self, *args):
        self.start(*args).wait()


class Overlay:
    def __init__(self, bitfile, download=True, **kwargs):
        path = Path(bitfile)
        if not path.is_file():
            raise OSError(f"Bitstream file {bitfile} does not exist.")
        if not _ATTACHED:
            raise RuntimeError("fake pynq: attach(project_root, build_dir) first")
        self.bitfile_name = str(path)
        self.accelerator = Accelerator(_ATTACHED["root"], _ATTACHED["build_dir"], _ATTACHED["seed"])
        board = self.accelerator.board
        expected = shell.BITFILES[board["shell"]]
        if path.suffix != Path(expected).suffix:
            raise OSError(f"{bitfile}: a {board['shell']} shell loads a {Path(expected).suffix} file")
        if board["shell"] == "zynq":
            setattr(self, shell.ZYNQ_DMA, DMA(self.accelerator, board["dma_width"] // 8))
        else:
            setattr(self, shell.MM2S_INSTANCE, Kernel(self.accelerator, shell.MM2S_KERNEL))
            setattr(self, shell.S2MM_INSTANCE, Kernel(self.accelerator, shell.S2MM_KERNEL))
