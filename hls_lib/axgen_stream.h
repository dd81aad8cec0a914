// axgen_stream.h -- what every axgen HLS streaming block shares.
//
// Beat packing (the same in the golden model, the RTL, the HLS blocks and the driver): a beat of
// N elements of EB bits each is an ap_uint<N*EB>; element i sits in bits [i*EB, (i+1)*EB).
//   axgen_get<EB>(beat, i)     element i as an ap_uint<EB> (its raw code)
//   axgen_set<EB>(beat, i, v)  element i := v
//
// C-simulation statistics (g++ only): with AXGEN_CSIM_STATS defined before the first axgen
// header, every block counts its pipelined loop's iterations, the input beats it read, the output
// beats it wrote, the iterations that did neither (bubbles) and, of those, the ones since the last
// iteration that did something (trailing: 0 when the loop's trip count is tight), in
// axgen_csim_stats(); a test compares them with the cycle model. Without the macro the hooks
// compile to nothing, and they never appear in synthesis (__SYNTHESIS__ is defined there).
#ifndef AXGEN_STREAM_H
#define AXGEN_STREAM_H

#include <ap_int.h>
#include <hls_stream.h>

// Element types of constant arrays (weights, thresholds, lut: tables). Synthesis sees ap_uint<BITS>
// / ap_int<BITS>; C simulation gets the smallest plain integer type holding the same values,
// because g++ spends minutes on a large initializer of ap_int objects and a second on plain ones.
#ifdef __SYNTHESIS__
template<int BITS> struct axgen_rom_uint { typedef ap_uint<BITS> type; };
template<int BITS> struct axgen_rom_int { typedef ap_int<BITS> type; };
#else
#include <stdint.h>
template<bool FITS8, bool FITS16, bool FITS32> struct axgen_rom_pick;
template<bool A, bool B> struct axgen_rom_pick<true, A, B> { typedef uint8_t u; typedef int8_t s; };
template<bool B> struct axgen_rom_pick<false, true, B> { typedef uint16_t u; typedef int16_t s; };
template<> struct axgen_rom_pick<false, false, true> { typedef uint32_t u; typedef int32_t s; };
template<> struct axgen_rom_pick<false, false, false> { typedef uint64_t u; typedef int64_t s; };
template<int BITS> struct axgen_rom_uint {
    typedef typename axgen_rom_pick<(BITS <= 8), (BITS <= 16), (BITS <= 32)>::u type;
};
template<int BITS> struct axgen_rom_int {
    typedef typename axgen_rom_pick<(BITS <= 8), (BITS <= 16), (BITS <= 32)>::s type;
};
#endif

template<int EB, int W>
ap_uint<EB> axgen_get(const ap_uint<W>& beat, int i) {
#pragma HLS INLINE
    return beat.range(i * EB + EB - 1, i * EB);
}

template<int EB, int W>
void axgen_set(ap_uint<W>& beat, int i, ap_uint<EB> value) {
#pragma HLS INLINE
    beat.range(i * EB + EB - 1, i * EB) = value;
}

#if defined(AXGEN_CSIM_STATS) && !defined(__SYNTHESIS__)
struct axgen_csim_counts {
    long long iterations;  // pipelined-loop iterations (= cycles at II=1 without stalls)
    long long reads;       // input beats read
    long long writes;      // output beats written
    long long bubbles;     // iterations that neither read nor wrote
    long long trailing;    // bubbles since the last iteration that read or wrote
};
inline axgen_csim_counts& axgen_csim_stats() {
    static axgen_csim_counts counts = {0, 0, 0, 0, 0};
    return counts;
}
inline void axgen_csim_reset() { axgen_csim_stats() = axgen_csim_counts{0, 0, 0, 0, 0}; }
#define AXGEN_CSIM_ITERATION(did_read, did_write)                     \
    do {                                                              \
        axgen_csim_counts& axgen_c_ = axgen_csim_stats();             \
        axgen_c_.iterations++;                                        \
        if (did_read) axgen_c_.reads++;                               \
        if (did_write) axgen_c_.writes++;                             \
        if (!(did_read) && !(did_write)) {                            \
            axgen_c_.bubbles++;                                       \
            axgen_c_.trailing++;                                      \
        } else {                                                      \
            axgen_c_.trailing = 0;                                    \
        }                                                             \
    } while (0)
#else
#define AXGEN_CSIM_ITERATION(did_read, did_write) \
    do {                                          \
    } while (0)
#endif

#endif  // AXGEN_STREAM_H
