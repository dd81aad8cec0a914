// axgen_csim.h -- C simulation only: axgen_mvau's arithmetic on native integers.
//
// Synthesis never includes this header (axgen_mvau.h includes it only without __SYNTHESIS__, and
// not with AXGEN_CSIM_AP_INT, which makes C simulation run the ap_int code synthesis sees). The
// ap_int classes cost tens of nanoseconds per operation in g++; a network's MVAUs do tens of
// millions of products per sample. Here, bit for bit as the synthesis code of axgen_mvau:
//   - every product is MUL::apply(a_code, w_code) -- the layer's own multiplier class, so every
//     family, lut: table and user core -- read from a table of all code pairs that is filled
//     once per program by calling MUL::apply (or, for operands too wide for a table, called per
//     product), its ap_int<ACC_BITS> result kept as a plain integer;
//   - the SIMD sum and the accumulator wrap to ACC_BITS (two's complement), thresholds are signed
//     T_BITS numbers, the count starts at OUT_BIAS and wraps in OUT_BITS, a raw output is the
//     accumulator's low OUT_BITS bits;
//   - the output beat is formed only when it is written (sf == SF-1); the ap_int code forms it on
//     every step and writes the same beat.
#ifndef AXGEN_CSIM_H
#define AXGEN_CSIM_H

#ifdef __SYNTHESIS__
#error "axgen_csim.h is for C simulation only"
#endif

#include <stdint.h>

#include <vector>

#include <ap_int.h>

#include "axgen_stream.h"

// Operand code pairs up to 2^AXGEN_CSIM_TABLE_BITS get a product table.
#ifndef AXGEN_CSIM_TABLE_BITS
#define AXGEN_CSIM_TABLE_BITS 18
#endif

// The low BITS bits of v as a two's complement number (BITS in 1..64).
template<int BITS>
inline int64_t axgen_csim_sext(int64_t v) {
    const int shift = BITS >= 64 ? 0 : 64 - BITS;
    return (int64_t)((uint64_t)v << shift) >> shift;
}

// The low BITS bits of v (BITS in 1..64).
template<int BITS>
inline uint64_t axgen_csim_low(uint64_t v) {
    return BITS >= 64 ? v : v & ((uint64_t(1) << (BITS >= 64 ? 0 : BITS)) - 1);
}

// Element codes of a beat of N elements of EB bits (EB <= 64), element i from bits [i*EB, (i+1)*EB).
template<int N, int EB, int W>
inline void axgen_csim_unpack(const ap_uint<W>& beat, uint64_t codes[N]) {
    const int WORDS = (W + 63) / 64;
    uint64_t word[WORDS + 1];
    for (int k = 0; k < WORDS; k++) {
        int hi = 64 * k + 63 < W - 1 ? 64 * k + 63 : W - 1;
        word[k] = beat.range(hi, 64 * k).to_uint64();
    }
    word[WORDS] = 0;
    for (int i = 0; i < N; i++) {
        int lo = i * EB;
        int off = lo % 64;
        uint64_t v = word[lo / 64] >> off;
        if (off + EB > 64) v |= word[lo / 64 + 1] << (64 - off);
        codes[i] = axgen_csim_low<EB>(v);
    }
}

// MUL::apply(a, w) as a plain integer: from a table of every code pair, filled on first use, when
// it has at most 2^AXGEN_CSIM_TABLE_BITS entries (TABLE), else by calling MUL::apply.
template<class MUL, int IN_BITS, int W_BITS, bool TABLE = (IN_BITS + W_BITS <= AXGEN_CSIM_TABLE_BITS)>
struct axgen_csim_products {
    static int64_t product(uint64_t a, uint64_t w) {
        return MUL::apply(ap_uint<IN_BITS>(a), ap_uint<W_BITS>(w)).to_int64();
    }
    static const int64_t* table() { return 0; }
};
template<class MUL, int IN_BITS, int W_BITS>
struct axgen_csim_products<MUL, IN_BITS, W_BITS, true> {
    static const int64_t* table() {
        static int64_t* t = 0;
        if (!t) {
            t = new int64_t[(size_t)1 << (IN_BITS + W_BITS)];
            for (uint64_t a = 0; a < (uint64_t(1) << IN_BITS); a++)
                for (uint64_t w = 0; w < (uint64_t(1) << W_BITS); w++)
                    t[(a << W_BITS) | w] = MUL::apply(ap_uint<IN_BITS>(a), ap_uint<W_BITS>(w)).to_int64();
        }
        return t;
    }
    static int64_t product(uint64_t a, uint64_t w) { return table()[(a << W_BITS) | w]; }
};

// The arithmetic of one axgen_mvau call on native integers: its weights, word by word (PE x SIMD
// contiguous codes per word, copied once per call), the product table, the accumulators.
template<int MW, int MH, int PE, int SIMD, int IN_BITS, int W_BITS, int ACC_BITS, int N_THRES, int T_BITS,
         int OUT_BITS, int OUT_BIAS, class MUL, class W_T>
struct axgen_csim_mvau {
    static const int SF = MW / SIMD;
    static const int NF = MH / PE;
    static const int NT = N_THRES > 0 ? N_THRES : 1;
    static const bool TABLE = IN_BITS + W_BITS <= AXGEN_CSIM_TABLE_BITS;
    typedef axgen_csim_products<MUL, IN_BITS, W_BITS> products;
    typedef typename axgen_rom_uint<W_BITS>::type code_t;
    std::vector<code_t> words;  // words[(addr * PE + p) * SIMD + s]: the code of weights[p][s][addr]
    const int64_t* table;
    int64_t acc[PE];
    static_assert(IN_BITS <= 64 && W_BITS <= 64 && ACC_BITS <= 64 && T_BITS <= 64 && OUT_BITS <= 64,
                  "axgen_csim_mvau: widths up to 64 bits; define AXGEN_CSIM_AP_INT for wider ones");

    explicit axgen_csim_mvau(const W_T weights[PE][SIMD][NF * SF])
        : words((size_t)MW * MH), table(products::table()) {
        for (int addr = 0; addr < NF * SF; addr++)
            for (int p = 0; p < PE; p++)
                for (int s = 0; s < SIMD; s++)
                    words[((size_t)addr * PE + p) * SIMD + s] = axgen_csim_low<W_BITS>((uint64_t)weights[p][s][addr]);
    }

    // The output beat of step (nf, sf), weight word addr, on input beat x (meaningful when
    // sf == SF-1, else 0).
    template<class T_T>
    ap_uint<PE * OUT_BITS> step(const ap_uint<SIMD * IN_BITS>& x, const T_T thresholds[PE][NF][NT], int addr,
                                int nf, int sf) {
        uint64_t a[SIMD];
        axgen_csim_unpack<SIMD, IN_BITS>(x, a);
        const int64_t* row[SIMD];  // the table's row of each activation code
        if (TABLE)
            for (int s = 0; s < SIMD; s++) row[s] = table + (a[s] << W_BITS);
        const code_t* w = &words[(size_t)addr * PE * SIMD];
        for (int p = 0; p < PE; p++, w += SIMD) {
            uint64_t dot = 0;  // modulo 2^64: its low ACC_BITS bits are the ap_int sum's
            if (TABLE) {
#pragma GCC unroll 8
                for (int s = 0; s < SIMD; s++) dot += (uint64_t)row[s][w[s]];
            } else {
                for (int s = 0; s < SIMD; s++) dot += (uint64_t)products::product(a[s], w[s]);
            }
            acc[p] = axgen_csim_sext<ACC_BITS>((int64_t)((sf == 0 ? 0 : (uint64_t)acc[p]) + dot));
        }
        ap_uint<PE * OUT_BITS> result = 0;
        if (sf != SF - 1) return result;
        uint64_t packed = 0;
        for (int p = 0; p < PE; p++) {
            uint64_t value = (uint64_t)acc[p];
            if (N_THRES > 0) {
                int64_t count = OUT_BIAS;
                for (int i = 0; i < NT; i++)
                    count += acc[p] >= axgen_csim_sext<T_BITS>((int64_t)thresholds[p][nf][i]);
                value = (uint64_t)count;
            }
            value = axgen_csim_low<OUT_BITS>(value);
            if (PE * OUT_BITS <= 64)
                packed |= value << (p * OUT_BITS % 64);
            else
                axgen_set<OUT_BITS>(result, p, ap_uint<OUT_BITS>(value));
        }
        if (PE * OUT_BITS <= 64) result = packed;
        return result;
    }
};

#endif  // AXGEN_CSIM_H
