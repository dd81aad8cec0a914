// axgen_maxpool.h -- streaming max pool, channels-last, no padding (HLS twin of rtl/axgen_maxpool.v);
// axgen_pool is the same block generalized as the RTL's: OP_SUM = 1 sums the window (ACC_BITS two's
// complement) and OUT_MODE chooses the output: 0 raw, 1 clip(rounding(sum / 2^SHIFT)) (ROUND = 1:
// half to even), 2 thresholds[cf][p][i] (MultiThreshold, count from OUT_BIAS).
//
// Input: an IFM_H x IFM_W x CH image, row by row, pixel by pixel, CF = CH/PE beats per pixel of PE
// elements (element i of a beat in bits [i*ELEM_BITS, (i+1)*ELEM_BITS)). Output: the pooled
// OH x OW x CH image (golden_conv.maxpool), channels-last, in beats of PE elements, with
// OH = (IFM_H - K_H)/STRIDE_H + 1 and OW = (IFM_W - K_W)/STRIDE_W + 1. Any kernel and stride,
// overlapping windows included. SIGNED = 1 compares two's complement codes, SIGNED = 0 unsigned
// codes (also right for bipolar codes 0/1).
//
// Schedule: ONE pipelined loop (II=1) of reps * IFM_H*IFM_W*CF iterations, each reading one input
// beat (and writing at most one output beat), as the RTL. The maximum is separable and computed as
// the beats stream by, exactly as in the RTL:
//   1. horizontal: a shift register of the last (K_W-1)*CF input beats gives, with the current
//      beat, the same channels of the last K_W pixels; when the current pixel closes a window
//      (column ox*STRIDE_W + K_W-1), their maximum is the row maximum hmax(row, ox, c);
//   2. vertical: a line memory of OW*CF words, each holding the row maxima of the last K_H-1 rows
//      at one (ox, c-beat) position. Each row maximum reads its position's word, takes the maximum
//      with it -- written out when the row closes a window (row oy*STRIDE_H + K_H-1) -- and writes
//      the word back shifted by one row.
// Window closings are tracked by down-counters (hwait, vwait), never by a division or modulo.
// Storage: (K_W-1)*CF beats of registers, (K_H-1) * OW*CF beats of line memory.
#ifndef AXGEN_MAXPOOL_H
#define AXGEN_MAXPOOL_H

#include <ap_int.h>
#include <hls_stream.h>

#include "axgen_stream.h"

// Element-wise maximum of two beats of N elements of EB bits (signed or unsigned codes).
template<int N, int EB, int SIGNED>
ap_uint<N * EB> axgen_beat_max(ap_uint<N * EB> a, ap_uint<N * EB> b) {
#pragma HLS INLINE
    ap_uint<N * EB> m;
    for (int i = 0; i < N; i++) {
#pragma HLS UNROLL
        ap_uint<EB> ea = axgen_get<EB>(a, i);
        ap_uint<EB> eb = axgen_get<EB>(b, i);
        bool a_wins = SIGNED ? ap_int<EB>(ea) > ap_int<EB>(eb) : ea > eb;
        axgen_set<EB>(m, i, a_wins ? ea : eb);
    }
    return m;
}

// One output element from a window's sum (or maximum) `acc` of channel lane p, channel beat cf.
template<int ACC_BITS, int OUT_BITS, int OUT_MODE, int SHIFT, int ROUND, int OUT_MIN, int OUT_MAX, int N_THRES,
         int T_BITS, int OUT_BIAS, class T_T>
ap_uint<OUT_BITS> axgen_pool_out(ap_int<ACC_BITS> acc, const T_T* thresholds) {
#pragma HLS INLINE
    if (OUT_MODE == 2) {
        ap_uint<OUT_BITS> count = OUT_BIAS;
        for (int i = 0; i < N_THRES; i++) {
#pragma HLS UNROLL
            if (acc >= ap_int<T_BITS>(thresholds[i])) count++;
        }
        return count;
    }
    if (OUT_MODE == 1) {
        long long sum = acc.to_int64();
        long long q = sum >> SHIFT;  // arithmetic: floor
        if (ROUND && SHIFT > 0) {
            long long rest = sum - (q << SHIFT), half = 1LL << (SHIFT > 0 ? SHIFT - 1 : 0);
            if (rest > half || (rest == half && (q & 1))) q++;
        }
        q = q < OUT_MIN ? OUT_MIN : (q > OUT_MAX ? OUT_MAX : q);
        return ap_uint<OUT_BITS>(q);
    }
    return ap_uint<OUT_BITS>(acc);  // low OUT_BITS bits
}

// An input beat's elements sign- (SIGNED) or zero-extended to ACC_BITS.
template<int N, int EB, int AB, int SIGNED>
ap_uint<N * AB> axgen_pool_widen(ap_uint<N * EB> x) {
#pragma HLS INLINE
    ap_uint<N * AB> w;
    for (int i = 0; i < N; i++) {
#pragma HLS UNROLL
        ap_uint<EB> e = axgen_get<EB>(x, i);
        axgen_set<AB>(w, i, SIGNED ? ap_uint<AB>(ap_int<AB>(ap_int<EB>(e))) : ap_uint<AB>(e));
    }
    return w;
}

// Element-wise maximum (OP_SUM = 0) or sum (two's complement, ACC_BITS) of two beats.
template<int N, int AB, int SIGNED, int OP_SUM>
ap_uint<N * AB> axgen_beat_combine(ap_uint<N * AB> a, ap_uint<N * AB> b) {
#pragma HLS INLINE
    if (!OP_SUM) return axgen_beat_max<N, AB, SIGNED>(a, b);
    ap_uint<N * AB> s;
    for (int i = 0; i < N; i++) {
#pragma HLS UNROLL
        axgen_set<AB>(s, i, ap_uint<AB>(axgen_get<AB>(a, i) + axgen_get<AB>(b, i)));
    }
    return s;
}

template<int IFM_H, int IFM_W, int CH, int K_H, int K_W, int STRIDE_H, int STRIDE_W, int PE, int ELEM_BITS,
         int SIGNED, int OP_SUM, int ACC_BITS, int OUT_BITS, int OUT_MODE, int SHIFT, int ROUND, int OUT_MIN,
         int OUT_MAX, int N_THRES, int T_BITS, int OUT_BIAS, class T_T>
void axgen_pool(hls::stream<ap_uint<PE * ELEM_BITS> >& in, hls::stream<ap_uint<PE * OUT_BITS> >& out,
                const T_T thresholds[CH / PE][PE][N_THRES], int reps) {
#pragma HLS INLINE off
#pragma HLS ARRAY_PARTITION variable=thresholds complete dim=2
#pragma HLS ARRAY_PARTITION variable=thresholds complete dim=3
    static_assert(CH % PE == 0, "axgen_maxpool: PE must divide CH");
    static_assert(K_H >= 1 && K_W >= 1 && STRIDE_H >= 1 && STRIDE_W >= 1, "axgen_maxpool: kernel and stride >= 1");
    static_assert(K_H <= IFM_H && K_W <= IFM_W, "axgen_maxpool: the kernel is larger than the image");
    const int BW = PE * ACC_BITS;
    const int CF = CH / PE;                       // beats per pixel
    const int OH = (IFM_H - K_H) / STRIDE_H + 1;
    const int OW = (IFM_W - K_W) / STRIDE_W + 1;
    const int NT = (K_W - 1) * CF;                // horizontal taps
    const int LN = K_H > 1 ? K_H - 1 : 1;         // rows in a line word
    const int LD = OW * CF;                       // line memory words

    ap_uint<BW> taps[NT > 0 ? NT : 1];            // taps[0]: the previous beat
#pragma HLS ARRAY_PARTITION variable=taps complete
    ap_uint<BW> line[LN][LD];                     // line[j][pos]: the row maximum j+1 rows up
#pragma HLS ARRAY_PARTITION variable=line complete dim=1

    int cf = 0, ix = 0, iy = 0;
    int hwait = K_W - 1, oxc = 0;                 // pixels until the next window closes / windows closed
    int vwait = K_H - 1, oyc = 0;                 // the same for rows
    int pos = 0;                                  // line position: ox*CF + c-beat

    const long long total = (long long)reps * IFM_H * IFM_W * CF;
    for (long long step = 0; step < total; step++) {
#pragma HLS PIPELINE II=1
        ap_uint<BW> x = axgen_pool_widen<PE, ELEM_BITS, ACC_BITS, SIGNED>(in.read());

        // 1. horizontal maximum (sum) over the last K_W pixels (same channels).
        ap_uint<BW> hmax = x;
        for (int k = 1; k < K_W; k++) {
#pragma HLS UNROLL
            hmax = axgen_beat_combine<PE, ACC_BITS, SIGNED, OP_SUM>(hmax, taps[k * CF - 1]);
        }
        for (int t = NT - 1; t > 0; t--) {
#pragma HLS UNROLL
            taps[t] = taps[t - 1];
        }
        if (NT > 0) taps[0] = x;

        // 2. vertical maximum over the last K_H row maxima at this position.
        bool hvalid = hwait == 0 && oxc < OW;
        bool row_out = vwait == 0 && oyc < OH;
        bool emit = hvalid && row_out;
        if (hvalid) {
            ap_uint<BW> vmax = hmax;
            if (K_H > 1) {
                ap_uint<BW> word[LN];
#pragma HLS ARRAY_PARTITION variable=word complete
                for (int j = 0; j < LN; j++) {
#pragma HLS UNROLL
                    word[j] = line[j][pos];
                    vmax = axgen_beat_combine<PE, ACC_BITS, SIGNED, OP_SUM>(vmax, word[j]);
                }
                for (int j = LN - 1; j > 0; j--) {
#pragma HLS UNROLL
                    line[j][pos] = word[j - 1];
                }
                line[0][pos] = hmax;
            }
            if (emit) {
                ap_uint<PE * OUT_BITS> result;
                for (int q = 0; q < PE; q++) {
#pragma HLS UNROLL
                    ap_int<ACC_BITS> acc = ap_int<ACC_BITS>(axgen_get<ACC_BITS>(vmax, q));
                    axgen_set<OUT_BITS>(result, q, axgen_pool_out<ACC_BITS, OUT_BITS, OUT_MODE, SHIFT, ROUND, OUT_MIN,
                                                                  OUT_MAX, N_THRES, T_BITS, OUT_BIAS>(acc, thresholds[cf][q]));
                }
                out.write(result);
            }
            pos = pos == LD - 1 ? 0 : pos + 1;
        }
        AXGEN_CSIM_ITERATION(true, emit);

        // Counters (the RTL's): c-beat, column, row; window closings by down-counters.
        if (cf == CF - 1) {
            cf = 0;
            if (ix == IFM_W - 1) {
                ix = 0;
                hwait = K_W - 1;
                oxc = 0;
                if (iy == IFM_H - 1) {
                    iy = 0;
                    vwait = K_H - 1;
                    oyc = 0;
                } else {
                    iy++;
                    if (vwait == 0) {
                        vwait = STRIDE_H - 1;
                        oyc++;
                    } else {
                        vwait--;
                    }
                }
            } else {
                ix++;
                if (hwait == 0) {
                    hwait = STRIDE_W - 1;
                    oxc++;
                } else {
                    hwait--;
                }
            }
        } else {
            cf++;
        }
    }
}

// axgen_pool for an output stage without thresholds (max pools, raw sums, truncation).
template<int IFM_H, int IFM_W, int CH, int K_H, int K_W, int STRIDE_H, int STRIDE_W, int PE, int ELEM_BITS,
         int SIGNED, int OP_SUM, int ACC_BITS, int OUT_BITS, int OUT_MODE, int SHIFT, int ROUND, int OUT_MIN,
         int OUT_MAX, int N_THRES, int T_BITS, int OUT_BIAS>
void axgen_pool_no_thresholds(hls::stream<ap_uint<PE * ELEM_BITS> >& in, hls::stream<ap_uint<PE * OUT_BITS> >& out,
                              int reps) {
#pragma HLS INLINE
    static_assert(OUT_MODE != 2, "axgen_pool_no_thresholds: thresholds need axgen_pool");
    static const ap_int<2> none[CH / PE][PE][1] = {};
    axgen_pool<IFM_H, IFM_W, CH, K_H, K_W, STRIDE_H, STRIDE_W, PE, ELEM_BITS, SIGNED, OP_SUM, ACC_BITS, OUT_BITS,
               OUT_MODE, SHIFT, ROUND, OUT_MIN, OUT_MAX, 1, 2, 0>(in, out, none, reps);
}

template<int IFM_H, int IFM_W, int CH, int K_H, int K_W, int STRIDE_H, int STRIDE_W, int PE, int ELEM_BITS,
         int SIGNED>
void axgen_maxpool(hls::stream<ap_uint<PE * ELEM_BITS> >& in, hls::stream<ap_uint<PE * ELEM_BITS> >& out,
                   int reps) {
#pragma HLS INLINE
    axgen_pool_no_thresholds<IFM_H, IFM_W, CH, K_H, K_W, STRIDE_H, STRIDE_W, PE, ELEM_BITS, SIGNED, 0, ELEM_BITS,
                             ELEM_BITS, 0, 0, 0, 0, 0, 1, 2, 0>(in, out, reps);
}

#endif  // AXGEN_MAXPOOL_H
