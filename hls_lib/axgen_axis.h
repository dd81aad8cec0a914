// axgen_axis.h -- the network top's AXI-Stream ports with TLAST, as Vitis HLS expresses them.
//
// A port is an hls::stream<ap_axiu<W, 0, 0, 0> > (TDATA, TKEEP, TSTRB, TLAST; no TUSER, TID,
// TDEST); W is a multiple of 8, as the RTL top's TDATA, the layers' streams are not. ap_axiu comes
// from Vitis HLS's ap_axi_sdata.h where that header exists; the copy of the HLS headers C
// simulation uses without Vitis (hls4ml's) has none, so a minimal compatible ap_axiu<D, U, TI, TD>
// (data, keep, strb, user, last, id, dest) is defined here instead.
//   axgen_from_axis<OUT_W>(in, out, beats)  `beats` beats of TDATA, zero-extended or truncated to
//                                           OUT_W bits; TLAST is ignored (the network counts beats)
//   axgen_to_axis(in, out, beats)           `beats` beats (one sample) out with TKEEP and TSTRB all
//                                           ones and TLAST high on the last beat only
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

template<int IN_W, typename AXIS>
void axgen_to_axis(hls::stream<ap_uint<IN_W> >& in, hls::stream<AXIS>& out, int beats) {
#pragma HLS INLINE off
    for (int b = 0; b < beats; b++) {
#pragma HLS PIPELINE II=1
        AXIS beat;
        beat.data = in.read();
        beat.keep = -1;
        beat.strb = -1;
        beat.last = b == beats - 1;
        out.write(beat);
    }
}

#endif  // AXGEN_AXIS_H
