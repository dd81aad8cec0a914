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
    localparam integer GE_N = 1 << $clog2(N_THRES + 1);
    wire [GE_N-1:0] ge;
    axgen_thresholds_compare #(.ACC_BITS(ACC_BITS), .N_THRES(N_THRES), .T_BITS(T_BITS)) u_compare (
        .acc(acc), .thresholds(thresholds), .ge(ge)
    );
    axgen_thresholds_encode #(.N_THRES(N_THRES), .OUT_BITS(OUT_BITS), .OUT_BIAS(OUT_BIAS)) u_encode (.ge(ge), .out(out));
endmodule

// The comparisons: ge[i] = acc >= T[i] for i < N_THRES, 0 above (GE_N = 2^$clog2(N_THRES + 1) bits).
// rtl/axgen_mvau.v may register ge between the two halves (THR_REG = 2).
/* verilator lint_off DECLFILENAME */
module axgen_thresholds_compare #(
    parameter integer ACC_BITS = 8,
    parameter integer N_THRES = 3,
    parameter integer T_BITS = 9
) (
    input  wire [ACC_BITS-1:0]                   acc,
    input  wire [N_THRES*T_BITS-1:0]             thresholds,
    output wire [(1 << $clog2(N_THRES + 1))-1:0] ge
);
    localparam integer CMP_BITS = ACC_BITS > T_BITS ? ACC_BITS : T_BITS;
    localparam integer GE_N = 1 << $clog2(N_THRES + 1);  // ge[N_THRES..GE_N-1] are 0

    wire [CMP_BITS-1:0] acc_ext = {{(CMP_BITS - ACC_BITS + 1){acc[ACC_BITS-1]}}, acc[ACC_BITS-2:0]};
    genvar i;
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
    endgenerate
endmodule

// The thermometer code's count plus BIAS (see the top of this file).
module axgen_thresholds_encode #(
    parameter integer N_THRES = 3,
    parameter integer OUT_BITS = 2,
    parameter integer OUT_BIAS = 0
) (
    input  wire [(1 << $clog2(N_THRES + 1))-1:0] ge,
    output wire [OUT_BITS-1:0]                   out
);
    localparam integer CNT_BITS = $clog2(N_THRES + 1);
    localparam integer GE_N = 1 << CNT_BITS;
    localparam [OUT_BITS-1:0] BIAS = OUT_BIAS[OUT_BITS-1:0];
    genvar j, m;
    generate
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

// The output stage of rtl/axgen_mvau.v and rtl/axgen_vvau.v: the threshold count of acc (N_THRES > 0)
// or its low OUT_BITS bits, with REG = 1 a register between the comparisons (or the raw bits) and
// the count.
module axgen_thresholds_pipe #(
    parameter integer ACC_BITS = 8,
    parameter integer N_THRES = 3,
    parameter integer T_BITS = 9,
    parameter integer OUT_BITS = 2,
    parameter integer OUT_BIAS = 0,
    parameter integer REG = 0
) (
    input  wire                                            ap_clk,
    input  wire [ACC_BITS-1:0]                             acc,
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [(N_THRES > 0 ? N_THRES * T_BITS : 1)-1:0] thresholds,  // unused without thresholds
    /* verilator lint_on UNUSEDSIGNAL */
    output wire [OUT_BITS-1:0]                             out
);
    generate
        if (N_THRES > 0) begin : g_count
            localparam integer GE_N = 1 << $clog2(N_THRES + 1);
            wire [GE_N-1:0] ge, ge_q;
            axgen_thresholds_compare #(.ACC_BITS(ACC_BITS), .N_THRES(N_THRES), .T_BITS(T_BITS)) u_compare (
                .acc(acc), .thresholds(thresholds), .ge(ge)
            );
            axgen_delay #(.WIDTH(GE_N), .DEPTH(REG)) u_ge (.ap_clk(ap_clk), .ap_rst_n(1'b1), .in(ge), .out(ge_q));
            axgen_thresholds_encode #(.N_THRES(N_THRES), .OUT_BITS(OUT_BITS), .OUT_BIAS(OUT_BIAS)) u_encode (
                .ge(ge_q), .out(out)
            );
        end else begin : g_raw
            /* verilator lint_off UNUSEDSIGNAL */
            wire [ACC_BITS-1:0] raw = acc;  // the low OUT_BITS bits
            /* verilator lint_on UNUSEDSIGNAL */
            axgen_delay #(.WIDTH(OUT_BITS), .DEPTH(REG)) u_raw (
                .ap_clk(ap_clk), .ap_rst_n(1'b1), .in(raw[OUT_BITS-1:0]), .out(out)
            );
        end
    endgenerate
endmodule
/* verilator lint_on DECLFILENAME */

`default_nettype wire
