"""Packets in simulation. A project's top closes a packet with m_axis_tlast every P-th sample
(project.json rtl.packet_samples, generator.hw.shell): on a Zynq board P is a default batch, tens of
thousands of samples, more than a simulation runs. So a simulation of a project's top sets the RTL
top's PACKET_SAMPLES parameter, or the HLS top's AXGEN_PACKET_SAMPLES macro, to a small P
(`simulated`), and checks TLAST against that: packets then close (and reopen) within a few samples,
across the testbenches' phases, and a sample count that is not a multiple of P leaves the last
packet open, as the hardware would until more samples come."""

from __future__ import annotations

from generator.hw.names import PACKET_MACRO, PACKET_PARAMETER

SIMULATED_PACKET = 3  # the most samples per packet in a simulation; 16 samples make 5 packets and one open


def simulated(packet_samples: int) -> int:
    """Samples per packet in a simulation of a top whose packets hold `packet_samples`."""
    return min(int(packet_samples), SIMULATED_PACKET)


def rtl_parameters(packet_samples: int) -> dict[str, int]:
    """The RTL top's Verilog parameters that give it packets of `packet_samples` samples."""
    return {PACKET_PARAMETER: int(packet_samples)}


def hls_defines(packet_samples: int) -> dict[str, int]:
    """The HLS top's macros that give it packets of `packet_samples` samples."""
    return {PACKET_MACRO: int(packet_samples)}
