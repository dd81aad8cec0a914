// axgen_axis.h -- the network top's AXI-Stream ports with TLAST, as Vitis HLS expresses them.
//
// A port is an hls::stream<ap_axiu<W, 0, 0, 0> > (TDATA, TKEEP, TSTRB, TLAST; no TUSER, TID,
// TDEST); W is a multiple of 8, as the RTL top's TDATA, the layers' streams are not. ap_axiu comes
// from Vitis HLS's ap_axi_sdata.h where that header exists; the copy of the HLS headers C
// simulation uses without Vitis (hls4ml's) has none, so a minimal compatible ap_axiu<D, U, TI, TD>
// (data, keep, strb, user, last, id, dest) is defined here instead.
//   axgen_from_axis<OUT_W>(in, out, beats)  `beats` beats of TDATA, zero-extended or truncated to
//                                           OUT_W bits; TLAST is ignored (the network counts beats)
//   axgen_to_axis<IN_W, PACKET>(in, out, beats)  `beats` beats (one sample) out with TKEEP and TSTRB
//                                           all ones and TLAST high on the last beat of every
//                                           PACKET-th sample (counted from reset, as the RTL top's
//                                           rtl/axgen_tlast.v does): the end of a packet
#ifndef AXGEN_AXIS_H
#define AXGEN_AXIS_H

#include <ap_int.h>
#include <hls_stream.h>

#if defined(__has_include)
#if __has_include(<ap_axi_sdata.h>)
#include <ap_axi_sdata.h>
#define AXGEN_HAVE_AP_AXI_SDATA 1
#endif
#endif

#ifndef AXGEN_HAVE_AP_AXI_SDATA
// C simulation only: the fields of Vitis HLS's ap_axiu (a zero-width side channel gets one bit).
template<int D, int U, int TI, int TD>
struct ap_axiu {
    ap_uint<D> data;
    ap_uint<(D + 7) / 8> keep;
    ap_uint<(D + 7) / 8> strb;
    ap_uint<(U > 0 ? U : 1)> user;
    ap_uint<1> last;
    ap_uint<(TI > 0 ? TI : 1)> id;
    ap_uint<(TD > 0 ? TD : 1)> dest;
};
#endif

// The port types are template parameters (AXIS), never deduced from ap_axiu's arguments: Vitis
// HLS declares them with another integer type than int in some versions.
template<int OUT_W, typename AXIS>
void axgen_from_axis(hls::stream<AXIS>& in, hls::stream<ap_uint<OUT_W> >& out, int beats) {
#pragma HLS INLINE off
    for (int b = 0; b < beats; b++) {
#pragma HLS PIPELINE II=1
        AXIS beat = in.read();
        out.write(ap_uint<OUT_W>(beat.data));
    }
}

// Bits of a counter of 0..n-1 (at least one).
constexpr int axgen_counter_bits(long long n) {
    return n <= 2 ? 1 : 1 + axgen_counter_bits((n + 1) / 2);
}

// The samples of the current packet already sent: a static variable, kept from call to call (one
// call is one sample) and reset with the IP (the RESET pragma), so TLAST closes every PACKET-th
// sample from reset in C simulation and in the synthesized top alike.
template<int IN_W, int PACKET, typename AXIS>
void axgen_to_axis(hls::stream<ap_uint<IN_W> >& in, hls::stream<AXIS>& out, int beats) {
#pragma HLS INLINE off
    typedef ap_uint<axgen_counter_bits(PACKET)> count_t;
    static count_t sample = 0;
#pragma HLS RESET variable=sample
    const bool closes = sample == PACKET - 1;
    for (int b = 0; b < beats; b++) {
#pragma HLS PIPELINE II=1
        AXIS beat;
        beat.data = in.read();
        beat.keep = -1;
        beat.strb = -1;
        beat.last = closes && b == beats - 1;
        out.write(beat);
    }
    sample = closes ? count_t(0) : count_t(sample + 1);
}

#endif  // AXGEN_AXIS_H
