// axgen_branch.h -- the branch blocks (HLS twins of rtl/axgen_dup.v and rtl/axgen_add.v).
//
// axgen_dup: every beat of `in` to both `out0` and `out1` (the start of a residual branch).
// axgen_add: the join; each beat of in0 and in1 carries PE elements of the same channels, channel
// group nf = beat mod NF (NF = CH/PE). out[p] = #{i : acc >= thresholds[p][nf][i]} + OUT_BIAS with
// acc = (a[p] << A_SHIFT) + (b[p] << B_SHIFT) (the add's quantizer), or the sum itself (N_THRES = 0).
// Operand kinds as the MVAU's: AXGEN_UNSIGNED, AXGEN_SIGNED, AXGEN_BIPOLAR (code 0/1 for -1/+1).
// Both: one pipelined loop (II=1) of reps * BEATS iterations, a beat in and out per iteration.
#ifndef AXGEN_BRANCH_H
#define AXGEN_BRANCH_H

#include <ap_int.h>
#include <hls_stream.h>

#include "axgen_mul.h"
#include "axgen_stream.h"

template<int BEATS, int BITS>
void axgen_dup(hls::stream<ap_uint<BITS> >& in, hls::stream<ap_uint<BITS> >& out0, hls::stream<ap_uint<BITS> >& out1,
               int reps) {
    for (int i = 0; i < reps * BEATS; i++) {
#pragma HLS PIPELINE II=1
        ap_uint<BITS> beat = in.read();
        out0.write(beat);
        out1.write(beat);
        AXGEN_CSIM_ITERATION(true, true);
    }
}

template<int CH, int PE, int BEATS, int A_BITS, int A_KIND, int A_SHIFT, int B_BITS, int B_KIND, int B_SHIFT,
         int N_THRES, int OUT_BITS, int OUT_BIAS, typename T_T>
void axgen_add(hls::stream<ap_uint<PE * A_BITS> >& in0, hls::stream<ap_uint<PE * B_BITS> >& in1,
               hls::stream<ap_uint<PE * OUT_BITS> >& out, const T_T thresholds[PE][CH / PE][N_THRES > 0 ? N_THRES : 1],
               int reps) {
#pragma HLS ARRAY_PARTITION variable=thresholds complete dim=1
#pragma HLS ARRAY_PARTITION variable=thresholds complete dim=3
    static_assert(N_THRES > 0 || OUT_BIAS == 0, "axgen_add: OUT_BIAS needs thresholds");
    const int NF = CH / PE;
    int nf = 0;
    for (int i = 0; i < reps * BEATS; i++) {
#pragma HLS PIPELINE II=1
        ap_uint<PE * A_BITS> a = in0.read();
        ap_uint<PE * B_BITS> b = in1.read();
        ap_uint<PE * OUT_BITS> result = 0;
        for (int p = 0; p < PE; p++) {
#pragma HLS UNROLL
            long acc = ((long)axgen_value<A_KIND, A_BITS>(axgen_get<A_BITS>(a, p)) << A_SHIFT)
                     + ((long)axgen_value<B_KIND, B_BITS>(axgen_get<B_BITS>(b, p)) << B_SHIFT);
            if (N_THRES > 0) {
                int count = 0;
                for (int t = 0; t < N_THRES; t++) {
#pragma HLS UNROLL
                    if (acc >= (long)thresholds[p][nf][t]) count++;
                }
                axgen_set<OUT_BITS>(result, p, ap_uint<OUT_BITS>(count + OUT_BIAS));
            } else {
                axgen_set<OUT_BITS>(result, p, ap_uint<OUT_BITS>(acc));
            }
        }
        out.write(result);
        nf = nf == NF - 1 ? 0 : nf + 1;
        AXGEN_CSIM_ITERATION(true, true);
    }
}

#endif  // AXGEN_BRANCH_H
