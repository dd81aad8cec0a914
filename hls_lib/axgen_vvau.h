// axgen_vvau.h -- streaming vector-vector-threshold unit (HLS twin of rtl/axgen_vvau.v): the
// products of a depthwise convolution.
//
// Per window, acc[c] = sum_t mul(x[t][c], W[c][t]) over MW = K_H*K_W taps of each of MH channels,
// then thresholds (or the raw accumulator) as axgen_mvau. The window arrives as SF*NF beats
// (SF = MW/SIMD, NF = MH/PE) in the order sf*NF + nf, each holding SIMD taps x PE channels
// (element s*PE + p: tap sf*SIMD+s of channel nf*PE+p); the output is NF beats of PE channels,
// written during the last tap fold. One pipelined loop (II=1), one beat per iteration, each beat
// used once; acc[nf][p] keeps the NF channel folds' sums. Arithmetic bit for bit as
// axgen_mvau.h's ap_int path (MUL::apply on the raw code and the weight lane, wrapping in
// ACC_BITS); weights and thresholds are the MVAU's arrays: weights[p][s][nf*SF+sf],
// thresholds[p][nf][i].
#ifndef AXGEN_VVAU_H
#define AXGEN_VVAU_H

#include <ap_int.h>
#include <hls_stream.h>

#include "axgen_mvau.h"
#include "axgen_stream.h"

template<int MW, int MH, int PE, int SIMD, int IN_BITS, int IN_KIND, int W_BITS, int W_KIND,
         int ACC_BITS, int N_THRES, int T_BITS, int OUT_BITS, int OUT_BIAS, class MUL, class W_T, class T_T>
void axgen_vvau(hls::stream<ap_uint<PE * SIMD * IN_BITS> >& in, hls::stream<ap_uint<PE * OUT_BITS> >& out,
                const W_T weights[PE][SIMD][(MH / PE) * (MW / SIMD)],
                const T_T thresholds[PE][MH / PE][N_THRES > 0 ? N_THRES : 1],
                int reps) {
#pragma HLS INLINE off
#pragma HLS ARRAY_PARTITION variable=weights complete dim=1
#pragma HLS ARRAY_PARTITION variable=weights complete dim=2
#pragma HLS ARRAY_PARTITION variable=thresholds complete dim=1
#pragma HLS ARRAY_PARTITION variable=thresholds complete dim=3
    static_assert(MW % SIMD == 0, "axgen_vvau: SIMD must divide MW");
    static_assert(MH % PE == 0, "axgen_vvau: PE must divide MH");
    static_assert(N_THRES > 0 || OUT_BIAS == 0, "axgen_vvau: OUT_BIAS needs thresholds");
    const int SF = MW / SIMD;
    const int NF = MH / PE;

    ap_int<ACC_BITS> acc[MH / PE][PE];
#pragma HLS ARRAY_PARTITION variable=acc complete dim=2

    int sf = 0;
    int nf = 0;
    const int total = reps * NF * SF;
    for (int step = 0; step < total; step++) {
#pragma HLS PIPELINE II=1
        ap_uint<PE * SIMD * IN_BITS> x = in.read();
        const int addr = nf * SF + sf;
        ap_uint<PE * OUT_BITS> result = 0;
        for (int p = 0; p < PE; p++) {
#pragma HLS UNROLL
            ap_int<ACC_BITS> dot = 0;
            for (int s = 0; s < SIMD; s++) {
#pragma HLS UNROLL
                dot += MUL::apply(axgen_get<IN_BITS>(x, s * PE + p), ap_uint<W_BITS>(weights[p][s][addr]));  // wraps
            }
            ap_int<ACC_BITS> sum = (sf == 0 ? ap_int<ACC_BITS>(0) : acc[nf][p]) + dot;  // wraps in ACC_BITS
            acc[nf][p] = sum;

            ap_uint<OUT_BITS> value;
            if (N_THRES > 0) {
                ap_uint<OUT_BITS> count = OUT_BIAS;  // low OUT_BITS bits of the bias
                for (int i = 0; i < (N_THRES > 0 ? N_THRES : 1); i++) {
#pragma HLS UNROLL
                    if (sum >= ap_int<T_BITS>(thresholds[p][nf][i])) count++;
                }
                value = count;
            } else {
                value = sum;  // low OUT_BITS bits of the accumulator
            }
            axgen_set<OUT_BITS>(result, p, value);
        }
        if (sf == SF - 1) out.write(result);
        AXGEN_CSIM_ITERATION(true, sf == SF - 1);

        if (nf == NF - 1) {
            nf = 0;
            sf = sf == SF - 1 ? 0 : sf + 1;
        } else {
            nf++;
        }
    }
}

#endif  // AXGEN_VVAU_H
