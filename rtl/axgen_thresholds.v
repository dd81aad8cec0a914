// axgen_thresholds: the threshold activation of one accumulator, out = #{i : acc >= T[i]} + BIAS
// (low OUT_BITS bits), combinational.
//
// The N_THRES thresholds (signed, T_BITS each, threshold i in bits [i*T_BITS, +T_BITS)) are
// sorted ascending (generator/hw/matrix.py sorts every channel's at build time: the count does not
// depend on their order), so the comparisons form a thermometer code ge[0] >= ge[1] >= ... and
// the count is its number of ones. Bit j of the count is set when the count lies in
// [m*2^j, (m+1)*2^j) for an odd m, i.e. the OR over odd m of ge[m*2^j - 1] & ~ge[(m+1)*2^j - 1]:
// the comparators work in parallel and the encoder is a few logic levels deep whatever N_THRES,
// where summing the comparisons would chain N_THRES increments (255 for an 8-bit output).
`default_nettype none

module axgen_thresholds #(
    parameter integer ACC_BITS = 8,
    parameter integer N_THRES = 3,
    parameter integer T_BITS = 9,
    parameter integer OUT_BITS = 2,
    parameter integer OUT_BIAS = 0
) (
    input  wire [ACC_BITS-1:0]        acc,
    input  wire [N_THRES*T_BITS-1:0]  thresholds,
    output wire [OUT_BITS-1:0]        out
);
    localparam integer CMP_BITS = ACC_BITS > T_BITS ? ACC_BITS : T_BITS;
    localparam integer CNT_BITS = $clog2(N_THRES + 1);
    localparam integer GE_N = 1 << CNT_BITS;  // ge[N_THRES..GE_N-1] are 0
    localparam [OUT_BITS-1:0] BIAS = OUT_BIAS[OUT_BITS-1:0];

    wire [CMP_BITS-1:0] acc_ext = {{(CMP_BITS - ACC_BITS + 1){acc[ACC_BITS-1]}}, acc[ACC_BITS-2:0]};
    wire [GE_N-1:0] ge;
    genvar i, j, m;
    generate
        for (i = 0; i < GE_N; i = i + 1) begin : g_cmp
            if (i < N_THRES) begin : g_on
                wire [T_BITS-1:0] thr = thresholds[i*T_BITS +: T_BITS];
                wire [CMP_BITS-1:0] thr_ext = {{(CMP_BITS - T_BITS + 1){thr[T_BITS-1]}}, thr[T_BITS-2:0]};
                assign ge[i] = $signed(acc_ext) >= $signed(thr_ext);
            end else begin : g_off
                assign ge[i] = 1'b0;
            end
        end

        wire [CNT_BITS-1:0] count;
        for (j = 0; j < CNT_BITS; j = j + 1) begin : g_bit
            localparam integer TERMS = GE_N >> (j + 1);  // the odd m below GE_N / 2^j
            wire [TERMS-1:0] in_range;
            for (m = 0; m < TERMS; m = m + 1) begin : g_term
                localparam integer LO = (2 * m + 1) * (1 << j) - 1;  // ge[LO]: count >= LO + 1
                localparam integer HI = (2 * m + 2) * (1 << j) - 1;  // ge[HI]: count >= HI + 1
                if (HI < GE_N) begin : g_pair
                    assign in_range[m] = ge[LO] & ~ge[HI];
                end else begin : g_top
                    assign in_range[m] = ge[LO];
                end
            end
            assign count[j] = |in_range;
        end

        if (CNT_BITS < OUT_BITS) begin : g_widen
            assign out = {{(OUT_BITS - CNT_BITS){1'b0}}, count} + BIAS;
        end else begin : g_wrap
            /* verilator lint_off UNUSEDSIGNAL */
            wire [CNT_BITS-1:0] count_bits = count;
            /* verilator lint_on UNUSEDSIGNAL */
            assign out = count_bits[OUT_BITS-1:0] + BIAS;
        end
    endgenerate
endmodule

`default_nettype wire
