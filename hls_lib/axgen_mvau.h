// axgen_mvau.h -- streaming matrix-vector-threshold unit (HLS twin of rtl/axgen_mvau.v).
//
// Per sample, acc[m] = sum_k mul(x[k], W[m][k]) over MW inputs and MH outputs, then, with
// N_THRES > 0, out_code[m] = #{i : acc[m] >= T[m][i]} + OUT_BIAS (low OUT_BITS bits), else the
// accumulator itself (its low OUT_BITS bits: OUT_BITS is the accumulator datatype's width, one
// less than ACC_BITS for an unsigned accumulator). The input vector arrives as SF = MW/SIMD beats
// of SIMD elements, the output leaves as NF = MH/PE beats of PE elements (element i of a beat in
// bits [i*W, (i+1)*W)).
//
// Schedule (FINN's, and the RTL's): ONE pipelined loop (II=1) of reps*NF*SF iterations, one
// (nf, sf) step each: output folds nf = 0..NF-1, each running input folds sf = 0..SF-1. The nf == 0
// pass reads its input beat from `in` and keeps it in inbuf[sf]; the later folds re-read inbuf.
// Every PE lane multiplies its SIMD weights (word nf*SF+sf) with the beat, sums the SIMD products
// and accumulates over sf; at sf == SF-1 the PE results form one output beat. The next sample's
// nf == 0 pass follows with no gap: NF*SF iterations (= cycles) per sample, as the RTL.
//
// Arithmetic, bit for bit as rtl/axgen_mvau.v + rtl/axgen_mul.v: every product is a signed
// ACC_BITS number (MUL::apply wraps it to ACC_BITS, or sign-extends it), the SIMD sum and the
// accumulator wrap in ACC_BITS (two's complement: ACC_BITS holds the final sum, so wrapping of
// partial sums loses nothing), thresholds are signed T_BITS numbers compared with the signed
// accumulator, the count starts at OUT_BIAS and wraps in OUT_BITS.
//
// Parameters:
//   weights[p][s][nf*SF+sf]  lane of W[nf*PE+p][sf*SIMD+s] in W_BITS bits (generator.hw.layout.weight_lanes:
//                            the raw code, or {sign, magnitude} for a layer with split products)
//   thresholds[p][nf][i]     T[nf*PE+p][i], ascending in i (two's complement, T_BITS)
//   MUL                      a class with static ap_int<ACC_BITS> apply(ap_uint<IN_BITS> a_code,
//                            ap_uint<W_BITS> w_code): the product of two raw codes wrapped to
//                            ACC_BITS. axgen_mul_family<...> (below) covers the families of
//                            axgen_mul.h; a lut: layer writes its own class around
//                            axgen_mul_lut_op and a const table of ap_int<ACC_BITS> entries.
//   IN_KIND, W_KIND          operand kinds of axgen_mul.h: 0 unsigned, 1 signed, 2 bipolar.
//
// The caller owns the weight and threshold arrays: it should partition them the same way as the
// pragmas below (complete on the PE and SIMD dimensions) where it declares them.
#ifndef AXGEN_MVAU_H
#define AXGEN_MVAU_H

#include <ap_int.h>
#include <hls_stream.h>

#include "axgen_mul.h"
#include "axgen_stream.h"

// C simulation computes the products, sums and thresholds on native integers (axgen_csim.h), bit for
// bit as the ap_int code below; with AXGEN_CSIM_AP_INT defined it runs the ap_int code itself.
#if !defined(__SYNTHESIS__) && !defined(AXGEN_CSIM_AP_INT)
#include "axgen_csim.h"
#define AXGEN_MVAU_NATIVE 1
#endif

// How the exact integer product is implemented (the MUL_IMPL argument of axgen_mul_family):
// AUTO lets the tool choose; FABRIC binds it to LUTs, DSP to DSP slices. Approximate families are
// logic by construction. AXGEN_MUL_IMPL_DEFAULT (a macro) sets the default for every layer.
enum axgen_mul_impl {
    AXGEN_MUL_AUTO = 0,
    AXGEN_MUL_FABRIC = 1,
    AXGEN_MUL_DSP = 2
};
#ifndef AXGEN_MUL_IMPL_DEFAULT
#define AXGEN_MUL_IMPL_DEFAULT AXGEN_MUL_AUTO
#endif

// Exact product of two decoded operands with the multiplier bound to fabric or DSP (the pragmas
// name the variable the product is assigned to). The product fits NA+NB+2 bits for every kind.
template<int IMPL, int A_KIND, int NA, int B_KIND, int NB>
struct axgen_mul_bound {
    static ap_int<NA + NB + 2> mul(ap_uint<NA> a, ap_uint<NB> b) {
#pragma HLS INLINE
        ap_int<NA + NB + 2> product = axgen_value<A_KIND, NA>(a) * axgen_value<B_KIND, NB>(b);
        return product;
    }
};
template<int A_KIND, int NA, int B_KIND, int NB>
struct axgen_mul_bound<AXGEN_MUL_FABRIC, A_KIND, NA, B_KIND, NB> {
    static ap_int<NA + NB + 2> mul(ap_uint<NA> a, ap_uint<NB> b) {
#pragma HLS INLINE
        ap_int<NA + NB + 2> product = axgen_value<A_KIND, NA>(a) * axgen_value<B_KIND, NB>(b);
#pragma HLS BIND_OP variable=product op=mul impl=fabric
        return product;
    }
};
template<int A_KIND, int NA, int B_KIND, int NB>
struct axgen_mul_bound<AXGEN_MUL_DSP, A_KIND, NA, B_KIND, NB> {
    static ap_int<NA + NB + 2> mul(ap_uint<NA> a, ap_uint<NB> b) {
#pragma HLS INLINE
        ap_int<NA + NB + 2> product = axgen_value<A_KIND, NA>(a) * axgen_value<B_KIND, NB>(b);
#pragma HLS BIND_OP variable=product op=mul impl=dsp
        return product;
    }
};

// The MUL class of a layer using a multiplier family of axgen_mul.h (FAMILY, K1, K2 as there;
// with a bipolar operand the product is exact whatever FAMILY says). The product of the codes is
// computed exactly in its full width (NA+NB+1 bits hold every family's product) and then wrapped
// to, or sign-extended to, ACC_BITS -- as rtl/axgen_mul.v does with P_BITS = ACC_BITS.
//   typedef axgen_mul_family<AXGEN_TRUNC, 4, 0, AXGEN_UNSIGNED, 4, AXGEN_SIGNED, 4, 12> layer3_mul;
template<int FAMILY, int K1, int K2, int A_KIND, int NA, int B_KIND, int NB, int ACC_BITS,
         int MUL_IMPL = AXGEN_MUL_IMPL_DEFAULT>
struct axgen_mul_family {
    static ap_int<ACC_BITS> apply(ap_uint<NA> a_code, ap_uint<NB> w_code) {
#pragma HLS INLINE
        if (FAMILY == AXGEN_EXACT || A_KIND == AXGEN_BIPOLAR || B_KIND == AXGEN_BIPOLAR)
            return ap_int<ACC_BITS>(axgen_mul_bound<MUL_IMPL, A_KIND, NA, B_KIND, NB>::mul(a_code, w_code));
        return ap_int<ACC_BITS>(axgen_mul<FAMILY, K1, K2, A_KIND, NA, B_KIND, NB, NA + NB + 1>(a_code, w_code));
    }
};

// The MUL class of a layer with split products (generator.hw LayerImpl.split_products: an
// approximate family on integer operands), as rtl/axgen_mvau.v with MUL_SPLIT = 1: the weight
// lane holds the weight's sign and magnitude, {w < 0, |w|} in NB+1 bits for a signed weight (just
// |w| = w in NB bits for an unsigned one), computed at build time; the family multiplies the
// magnitudes and the product is negated when exactly one operand is negative.
//   typedef axgen_mul_split<AXGEN_TRUNC, 3, 0, AXGEN_SIGNED, 4, AXGEN_SIGNED, 4, 12> layer1_mul;
template<int FAMILY, int K1, int K2, int A_KIND, int NA, int B_KIND, int NB, int ACC_BITS>
struct axgen_mul_split {
    static const int LANE_BITS = NB + (B_KIND == AXGEN_SIGNED ? 1 : 0);
    static ap_int<ACC_BITS> apply(ap_uint<NA> a_code, ap_uint<LANE_BITS> w_lane) {
#pragma HLS INLINE
        bool a_neg = axgen_is_negative<A_KIND, NA>(a_code);
        bool w_neg = B_KIND == AXGEN_SIGNED && w_lane[LANE_BITS - 1] == 1;
        ap_uint<NA + NB> mag = axgen_umul<FAMILY, K1, K2, NA, NB>(axgen_magnitude<A_KIND, NA>(a_code),
                                                                  ap_uint<NB>(w_lane(NB - 1, 0)));
        ap_int<NA + NB + 1> p = mag;
        return ap_int<ACC_BITS>(a_neg != w_neg ? ap_int<NA + NB + 1>(-p) : p);
    }
};

// Split products through a user's verilog: core (generator.multipliers.cores), as
// axgen_mul_split: the magnitudes' product is read from the core's derived table of the layer's
// magnitudes (index |a| << NB | |w|), which the layer's generated MUL class holds.
template<int A_KIND, int NA, int B_KIND, int NB, int ACC_BITS, class TABLE_T>
ap_int<ACC_BITS> axgen_mul_split_table(const TABLE_T table[1 << (NA + NB)], ap_uint<NA> a_code,
                                       ap_uint<NB + (B_KIND == AXGEN_SIGNED ? 1 : 0)> w_lane) {
#pragma HLS INLINE
    const int LANE_BITS = NB + (B_KIND == AXGEN_SIGNED ? 1 : 0);
    bool a_neg = axgen_is_negative<A_KIND, NA>(a_code);
    bool w_neg = B_KIND == AXGEN_SIGNED && w_lane[LANE_BITS - 1] == 1;
    ap_uint<NA + NB> index = (ap_uint<NA + NB>(axgen_magnitude<A_KIND, NA>(a_code)) << NB) |
                             ap_uint<NA + NB>(ap_uint<NB>(w_lane(NB - 1, 0)));
    ap_int<NA + NB + 1> p = ap_uint<NA + NB>(table[index]);
    return ap_int<ACC_BITS>(a_neg != w_neg ? ap_int<NA + NB + 1>(-p) : p);
}

// W_T and T_T, the element types of the two arrays, are deduced: ap_uint<W_BITS> / ap_int<T_BITS>
// for synthesis, or plain integers holding the same values (see axgen_rom_uint in axgen_stream.h).
template<int MW, int MH, int PE, int SIMD, int IN_BITS, int IN_KIND, int W_BITS, int W_KIND,
         int ACC_BITS, int N_THRES, int T_BITS, int OUT_BITS, int OUT_BIAS, class MUL, class W_T, class T_T>
void axgen_mvau(hls::stream<ap_uint<SIMD * IN_BITS> >& in, hls::stream<ap_uint<PE * OUT_BITS> >& out,
                const W_T weights[PE][SIMD][(MH / PE) * (MW / SIMD)],
                const T_T thresholds[PE][MH / PE][N_THRES > 0 ? N_THRES : 1],
                int reps) {
#pragma HLS INLINE off
#pragma HLS ARRAY_PARTITION variable=weights complete dim=1
#pragma HLS ARRAY_PARTITION variable=weights complete dim=2
#pragma HLS ARRAY_PARTITION variable=thresholds complete dim=1
#pragma HLS ARRAY_PARTITION variable=thresholds complete dim=3
    static_assert(MW % SIMD == 0, "axgen_mvau: SIMD must divide MW");
    static_assert(MH % PE == 0, "axgen_mvau: PE must divide MH");
    static_assert(N_THRES >= 0, "axgen_mvau: N_THRES must be >= 0");
    static_assert(N_THRES > 0 || OUT_BIAS == 0, "axgen_mvau: OUT_BIAS needs thresholds");
    const int SF = MW / SIMD;
    const int NF = MH / PE;

    ap_uint<SIMD * IN_BITS> inbuf[SF];
#ifdef AXGEN_MVAU_NATIVE
    axgen_csim_mvau<MW, MH, PE, SIMD, IN_BITS, W_BITS, ACC_BITS, N_THRES, T_BITS, OUT_BITS, OUT_BIAS, MUL, W_T> native(weights);
#else
    ap_int<ACC_BITS> acc[PE];
#pragma HLS ARRAY_PARTITION variable=acc complete
#endif

    int sf = 0;
    int nf = 0;
    int addr = 0;  // nf*SF + sf: the weight word
    const int total = reps * NF * SF;
    for (int step = 0; step < total; step++) {
#pragma HLS PIPELINE II=1
        ap_uint<SIMD * IN_BITS> x;
        if (nf == 0) {
            x = in.read();
            inbuf[sf] = x;
        } else {
            x = inbuf[sf];
        }

#ifdef AXGEN_MVAU_NATIVE
        ap_uint<PE * OUT_BITS> result = native.step(x, thresholds, addr, nf, sf);
#else
        ap_uint<PE * OUT_BITS> result = 0;
        for (int p = 0; p < PE; p++) {
#pragma HLS UNROLL
            ap_int<ACC_BITS> dot = 0;
            for (int s = 0; s < SIMD; s++) {
#pragma HLS UNROLL
                dot += MUL::apply(axgen_get<IN_BITS>(x, s), ap_uint<W_BITS>(weights[p][s][addr]));  // wraps in ACC_BITS
            }
            ap_int<ACC_BITS> sum = (sf == 0 ? ap_int<ACC_BITS>(0) : acc[p]) + dot;  // wraps in ACC_BITS
            acc[p] = sum;

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
#endif
        if (sf == SF - 1) out.write(result);
        AXGEN_CSIM_ITERATION(nf == 0, sf == SF - 1);

        addr = addr == NF * SF - 1 ? 0 : addr + 1;
        if (sf == SF - 1) {
            sf = 0;
            nf = nf == NF - 1 ? 0 : nf + 1;
        } else {
            sf++;
        }
    }
}

#endif  // AXGEN_MVAU_H
