// axgen_swg.h -- streaming sliding-window generator, im2col (HLS twin of rtl/axgen_swg.v).
//
// Input: an IFM_H x IFM_W x CH image, row by row, pixel by pixel, CF = CH/ISIMD beats per pixel
// of ISIMD = SIMD/P elements (element i of a beat in bits [i*ELEM_BITS, (i+1)*ELEM_BITS)). Output:
// for each output pixel (oy, ox) in raster order, its K_H x K_W x CH window in the order
// (kh, kw, c), in beats of SIMD elements -- golden_conv.im2col flattened, as the RTL. Positions
// outside the image (PAD_T, PAD_L, PAD_B, PAD_R rows/columns of padding) give elements of
// PAD_CODE (low ELEM_BITS bits). OH = (IFM_H + PAD_T + PAD_B - K_H)/STRIDE_H + 1, OW likewise.
//
// Window parallelism, as the RTL: P = 1 moves SIMD (a divisor of CH) channels of one kernel
// position per beat; P > 1 (SIMD = CH*P) moves P consecutive kernel positions of the window order
// per beat (P a divisor of K_W, or K_W times a divisor of K_H), the input one pixel per beat. The
// walker steps kw by KW_STEP = min(P, K_W) and kh by KH_STEP = max(1, P/K_W) (given by the caller);
// part j of a beat is position (kh + j/K_W, kw + j%K_W).
//
// Buffer: a ring of R = K_H + STRIDE_H image rows (R * IFM_W * CF beats, a simple dual-port
// memory; never the whole image unless it has at most R rows), P identical copies written
// together, copy j read for part j; image row g lives in slot g mod R.
//
// Schedule: ONE pipelined loop (II=1) of reps * axgen_swg_cycles<...>() iterations. An iteration
// reads at most one input beat and writes at most one output beat, decided from the state at its
// start, by the RTL's row-granular rules:
//   - read  (the next beat of image row r)  if r < IFM_H and r < lo + R,
//   - write (the next beat of output row oy) if oy < OH and rows 0..hi are complete,
// where lo..hi are the image rows output row oy's window covers (clipped to the image; lo is
// +infinity once every output row is written). So the input side may run up to STRIDE_H rows
// ahead of the window, and a slot is never written while it can still be read. Everything is
// decided by counters, never by stream status, so the schedule (and the trip count) is the same in
// sequential C simulation, where the producer has filled the input stream beforehand, and in a
// DATAFLOW region, where a blocking read or write just stalls the pipeline. Every
// axgen_swg_cycles<...>() iterations the state resets for the next image (whose input is not read
// ahead), so were the count ever too large the block would idle, never wait for input that does
// not come.
//
// Trip count per image, exact: axgen_swg_cycles<...>() replays the two rules at row granularity.
// With ROWB = IFM_W*CF (beats per image row) and OROWB = OW*K_H*K_W*CH/SIMD (beats per output row):
//   RE[g] = max(RE[g-1], WE[m(g)-1]) + ROWB   iteration from which image row g is complete,
//           m(g) = the first output row with lo + R > g (WE[-1] = RE[-1] = 0),
//   WE[o] = max(WE[o-1], RE[hi(o)]) + OROWB   iteration from which output row o is written,
//   cycles = max(RE[IFM_H-1], WE[OH-1]).
// Output-bound (OROWB >= STRIDE_H*ROWB) this is (hi(0)+1)*ROWB + OH*OROWB: the first window's
// rows, then one output beat per cycle; input-bound it is IFM_H*ROWB plus the output rows that
// need the image's last row. Both are max(IFM_H*ROWB, OH*OROWB) plus at most about K_H rows.
#ifndef AXGEN_SWG_H
#define AXGEN_SWG_H

#include <ap_int.h>
#include <hls_stream.h>

#include "axgen_stream.h"

// First image row output row py0/STRIDE_H needs (py0 = its top padded row), clipped to the image.
constexpr int axgen_swg_lo(int py0, int pad_t, int ifm_h) {
    return py0 <= pad_t ? 0 : (py0 - pad_t > ifm_h - 1 ? ifm_h - 1 : py0 - pad_t);
}

// Last image row it needs, clipped to the image (0 for a window entirely in the top padding).
constexpr int axgen_swg_hi(int py0, int k_h, int pad_t, int ifm_h) {
    return py0 + k_h - 1 <= pad_t ? 0 : (py0 + k_h - 1 - pad_t > ifm_h - 1 ? ifm_h - 1 : py0 + k_h - 1 - pad_t);
}

// Iterations (cycles at II=1) of axgen_swg per image; see the header comment.
template<int IFM_H, int IFM_W, int CH, int K_H, int K_W, int STRIDE_H, int STRIDE_W, int PAD_T, int PAD_L,
         int PAD_B, int PAD_R, int SIMD, int P = 1>
constexpr long long axgen_swg_cycles() {
    const int cf = CH / (SIMD / P);
    const int oh = (IFM_H + PAD_T + PAD_B - K_H) / STRIDE_H + 1;
    const int ow = (IFM_W + PAD_L + PAD_R - K_W) / STRIDE_W + 1;
    const int r = K_H + STRIDE_H;
    const long long rowb = (long long)IFM_W * cf;
    const long long orowb = (long long)ow * (K_H * K_W * CH / SIMD);
    long long re[IFM_H] = {};  // re[g]: first iteration with image row g complete
    long long re_prev = 0;     // RE[g-1]
    long long we_prev = 0;     // WE[o-1]
    int o = 0;                 // output rows scheduled so far
    for (int g = 0; g < IFM_H; g++) {
        // Output rows the reader must wait for before row g: those with lo + R <= g (their
        // windows end below g, so their rows are already scheduled).
        while (o < oh && axgen_swg_lo(o * STRIDE_H, PAD_T, IFM_H) + r <= g) {
            long long need = re[axgen_swg_hi(o * STRIDE_H, K_H, PAD_T, IFM_H)];
            we_prev = (we_prev > need ? we_prev : need) + orowb;
            o++;
        }
        long long allowed = o == 0 ? 0 : we_prev;
        re_prev = (re_prev > allowed ? re_prev : allowed) + rowb;
        re[g] = re_prev;
    }
    for (; o < oh; o++) {
        long long need = re[axgen_swg_hi(o * STRIDE_H, K_H, PAD_T, IFM_H)];
        we_prev = (we_prev > need ? we_prev : need) + orowb;
    }
    return re_prev > we_prev ? re_prev : we_prev;
}

template<int IFM_H, int IFM_W, int CH, int K_H, int K_W, int STRIDE_H, int STRIDE_W, int PAD_T, int PAD_L,
         int PAD_B, int PAD_R, int SIMD, int ELEM_BITS, int PAD_CODE, int P = 1, int KW_STEP = 1, int KH_STEP = 1>
void axgen_swg(hls::stream<ap_uint<SIMD / P * ELEM_BITS> >& in, hls::stream<ap_uint<SIMD * ELEM_BITS> >& out,
               int reps) {
#pragma HLS INLINE off
    static_assert(SIMD % P == 0 && CH % (SIMD / P) == 0, "axgen_swg: SIMD/P must divide CH");
    static_assert(P == 1 || (SIMD == CH * P && (P <= K_W ? K_W % P == 0 : P % K_W == 0 && K_H % (P / K_W) == 0)),
                  "axgen_swg: P positions per beat need SIMD = CH*P and P dividing K_W or whole kernel rows");
    static_assert(K_H >= 1 && K_W >= 1 && STRIDE_H >= 1 && STRIDE_W >= 1, "axgen_swg: kernel and stride >= 1");
    static_assert(IFM_H + PAD_T + PAD_B >= K_H && IFM_W + PAD_L + PAD_R >= K_W,
                  "axgen_swg: the kernel is larger than the padded image");
    const int ISIMD = SIMD / P;                                 // input elements per beat
    const int IBW = ISIMD * ELEM_BITS;
    const int CF = CH / ISIMD;                                  // beats per pixel
    const int OH = (IFM_H + PAD_T + PAD_B - K_H) / STRIDE_H + 1;
    const int OW = (IFM_W + PAD_L + PAD_R - K_W) / STRIDE_W + 1;
    const int R = K_H + STRIDE_H;                               // rows in the ring
    const int ROWB = IFM_W * CF;                                // beats per image row
    const int DEPTH = R * ROWB;
    const int PM = (R - PAD_T % R) % R;                         // slot of image row -PAD_T
    constexpr long long CYCLES = axgen_swg_cycles<IFM_H, IFM_W, CH, K_H, K_W, STRIDE_H, STRIDE_W,
                                                  PAD_T, PAD_L, PAD_B, PAD_R, SIMD, P>();

    ap_uint<ELEM_BITS> pad_elem = PAD_CODE;
    ap_uint<IBW> pad_part;
    for (int i = 0; i < ISIMD; i++) {
#pragma HLS UNROLL
        axgen_set<ELEM_BITS>(pad_part, i, pad_elem);
    }

    ap_uint<IBW> ring[P][DEPTH];
#pragma HLS ARRAY_PARTITION variable=ring complete dim=1
#pragma HLS DEPENDENCE variable=ring intra false

    // Input side: image row r (rows 0..r-1 complete), beat rcol of it, ring address waddr.
    int r = 0, rcol = 0, waddr = 0;
    // Output side: output row oy, pixel ox, window position (kh, kw, c-beat cf); px0/py0 the
    // window's top-left padded column/row; slot_oy the ring slot of image row py0 - PAD_T.
    int oy = 0, ox = 0, kh = 0, kw = 0, cf = 0, px0 = 0, py0 = 0, slot_oy = PM;
    long long t = 0;  // iteration within the image

    const long long total = reps * CYCLES;
    for (long long step = 0; step < total; step++) {
#pragma HLS PIPELINE II=1
        int lo = axgen_swg_lo(py0, PAD_T, IFM_H);
        int hi = axgen_swg_hi(py0, K_H, PAD_T, IFM_H);
        bool out_done = oy == OH;
        bool do_read = r < IFM_H && (out_done || r < lo + R);
        bool do_write = !out_done && r > hi;

        if (do_write) {
            ap_uint<SIMD * ELEM_BITS> beat;
            for (int j = 0; j < P; j++) {
#pragma HLS UNROLL
                int qh = kh + j / K_W;
                int py = py0 + qh;
                int px = px0 + kw + j % K_W;
                bool pad = py < PAD_T || py >= PAD_T + IFM_H || px < PAD_L || px >= PAD_L + IFM_W;
                int slot = slot_oy + qh >= R ? slot_oy + qh - R : slot_oy + qh;
                int raddr = slot * ROWB + (px - PAD_L) * CF + cf;
                axgen_set<IBW>(beat, j, pad ? pad_part : ring[j][raddr]);
            }
            out.write(beat);
        }
        if (do_read) {
            ap_uint<IBW> word = in.read();
            for (int j = 0; j < P; j++) {
#pragma HLS UNROLL
                ring[j][waddr] = word;
            }
        }
        AXGEN_CSIM_ITERATION(do_read, do_write);

        if (do_read) {
            waddr = waddr == DEPTH - 1 ? 0 : waddr + 1;
            if (rcol == ROWB - 1) {
                rcol = 0;
                r++;
            } else {
                rcol++;
            }
        }
        if (do_write) {
            if (cf == CF - 1) {
                cf = 0;
                if (kw == K_W - KW_STEP) {
                    kw = 0;
                    if (kh == K_H - KH_STEP) {
                        kh = 0;
                        if (ox == OW - 1) {
                            ox = 0;
                            px0 = 0;
                            oy++;
                            py0 += STRIDE_H;
                            slot_oy = slot_oy + STRIDE_H >= R ? slot_oy + STRIDE_H - R : slot_oy + STRIDE_H;
                        } else {
                            ox++;
                            px0 += STRIDE_W;
                        }
                    } else {
                        kh += KH_STEP;
                    }
                } else {
                    kw += KW_STEP;
                }
            } else {
                cf++;
            }
        }
        // After CYCLES iterations the image is complete (its last input and output beats have
        // passed, axgen_swg_cycles is exact): start the next one.
        if (t == CYCLES - 1) {
            t = 0;
            r = 0;
            rcol = 0;
            waddr = 0;
            oy = 0;
            py0 = 0;
            slot_oy = PM;
        } else {
            t++;
        }
    }
}

#endif  // AXGEN_SWG_H
