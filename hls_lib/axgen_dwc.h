// axgen_dwc.h -- element-granular stream width converter (HLS twin of rtl/axgen_dwc.v).
//
// Input beats of IN_ELEMS elements become output beats of OUT_ELEMS elements, ELEM_BITS each, for
// any ratio (3 -> 2 included), order preserved: element i of a beat sits in bits
// [i*ELEM_BITS, (i+1)*ELEM_BITS) and the lowest element is the oldest. ELEMS, the elements of one
// sample, is a multiple of both IN_ELEMS and OUT_ELEMS, so every sample ends with an empty buffer.
//
// Schedule: ONE pipelined loop (II=1) of reps * max(ELEMS/IN_ELEMS, ELEMS/OUT_ELEMS) iterations.
// The elements wait in a buffer (slot 0 the oldest) holding `count` elements; an iteration reads
// an input beat when fewer than OUT_ELEMS elements are buffered (and the sample has beats left),
// appending it above the buffered ones, then writes an output beat (the OUT_ELEMS oldest) when at
// least OUT_ELEMS are buffered. Narrowing (IN >= OUT) thus writes every iteration, widening
// (IN < OUT) reads every iteration: the slower side is busy every cycle, as in the RTL, and the
// buffer never holds more than IN_ELEMS + OUT_ELEMS - 1 elements.
#ifndef AXGEN_DWC_H
#define AXGEN_DWC_H

#include <ap_int.h>
#include <hls_stream.h>

#include "axgen_stream.h"

// Iterations (cycles at II=1) of axgen_dwc per sample.
template<int IN_ELEMS, int OUT_ELEMS, int ELEMS>
constexpr int axgen_dwc_cycles() {
    return ELEMS / IN_ELEMS > ELEMS / OUT_ELEMS ? ELEMS / IN_ELEMS : ELEMS / OUT_ELEMS;
}

template<int IN_ELEMS, int OUT_ELEMS, int ELEM_BITS, int ELEMS>
void axgen_dwc(hls::stream<ap_uint<IN_ELEMS * ELEM_BITS> >& in, hls::stream<ap_uint<OUT_ELEMS * ELEM_BITS> >& out,
               int reps) {
#pragma HLS INLINE off
    static_assert(IN_ELEMS >= 1 && OUT_ELEMS >= 1, "axgen_dwc: beats hold at least one element");
    static_assert(ELEMS % IN_ELEMS == 0 && ELEMS % OUT_ELEMS == 0,
                  "axgen_dwc: ELEMS must be a multiple of IN_ELEMS and OUT_ELEMS");
    const int CAP = IN_ELEMS + OUT_ELEMS;         // slots (IN + OUT - 1 are ever used)
    const int IN_BEATS = ELEMS / IN_ELEMS;
    const int CYCLES = axgen_dwc_cycles<IN_ELEMS, OUT_ELEMS, ELEMS>();

    ap_uint<CAP * ELEM_BITS> buffer = 0;          // slot j in bits [j*ELEM_BITS, (j+1)*ELEM_BITS)
    int count = 0;                                // elements buffered
    int left = IN_BEATS;                          // input beats of this sample not read yet
    int t = 0;                                    // iteration within the sample

    const long long total = (long long)reps * CYCLES;
    for (long long step = 0; step < total; step++) {
#pragma HLS PIPELINE II=1
        bool do_read = count < OUT_ELEMS && left > 0;
        if (do_read) {
            ap_uint<CAP * ELEM_BITS> beat = in.read();
            buffer |= beat << (count * ELEM_BITS);  // slots count..count+IN-1 are empty (zero)
            count += IN_ELEMS;
            left--;
        }
        bool do_write = count >= OUT_ELEMS;
        if (do_write) {
            out.write(buffer(OUT_ELEMS * ELEM_BITS - 1, 0));
            buffer >>= OUT_ELEMS * ELEM_BITS;
            count -= OUT_ELEMS;
        }
        AXGEN_CSIM_ITERATION(do_read, do_write);
        if (t == CYCLES - 1) {
            t = 0;
            left = IN_BEATS;                      // count is 0 here: the sample is complete
        } else {
            t++;
        }
    }
}

#endif  // AXGEN_DWC_H
