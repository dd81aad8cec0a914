// axgen_umul_etm: error-tolerant multiplier (Kyaw, Goh and Yeo, EDSSC 2010) on unsigned
// operands. Each operand splits into a high part (bits M and up) and a low part (the M low bits).
//   - Both high parts zero: P = a_L * b_L, an M x M exact multiplier.
//   - Otherwise: the high parts go through a (A_BITS-M) x (B_BITS-M) exact multiplier,
//     P = (a_H * b_H) << 2M, and the low 2M bits come from the non-multiplication part: with
//     c = a_L | b_L and t its leading one, bits M+t down to 0 are set (none if c == 0). Bit
//     M+j is set iff c has a one at j or above (an OR prefix), bits M-1..0 iff c != 0. The
//     high product and the fill do not overlap, so they are concatenated, not added.
`default_nettype none

module axgen_umul_etm #(
    parameter integer A_BITS = 8,
    parameter integer B_BITS = 8,
    parameter integer P_BITS = 16,
    parameter integer M = 4
) (
    input  wire [A_BITS-1:0] a,
    input  wire [B_BITS-1:0] b,
    output wire [P_BITS-1:0] p
);
    localparam integer N = A_BITS + B_BITS;
    localparam integer HA = A_BITS - M;  // high-part widths (M <= A_BITS, B_BITS)
    localparam integer HB = B_BITS - M;

    wire [M-1:0] a_lo = a[M-1:0];
    wire [M-1:0] b_lo = b[M-1:0];
    wire [2*M-1:0] lo_prod;
    axgen_fmul #(.A_BITS(M), .B_BITS(M)) u_lo (.a(a_lo), .b(b_lo), .p(lo_prod));

    wire [M-1:0] c = a_lo | b_lo;
    wire [2*M-1:0] fill;
    assign fill[M-1:0] = {M{|c}};
    genvar j;
    generate
        for (j = 0; j < M; j = j + 1) begin : g_fill
            assign fill[M + j] = |c[M-1:j];
        end
    endgenerate

    wire [N-1:0] prod;
    generate
        if (HA > 0 && HB > 0) begin : g_both_high
            wire [HA-1:0] a_hi = a[A_BITS-1:M];
            wire [HB-1:0] b_hi = b[B_BITS-1:M];
            wire [HA+HB-1:0] hi_prod;
            axgen_fmul #(.A_BITS(HA), .B_BITS(HB)) u_hi (.a(a_hi), .b(b_hi), .p(hi_prod));
            wire lo_only = ~|a_hi & ~|b_hi;
            assign prod = lo_only ? {{(HA + HB){1'b0}}, lo_prod} : {hi_prod, fill};
        end else if (HA > 0) begin : g_a_high
            // b has no high part, so a_H * b_H = 0.
            wire lo_only = ~|a[A_BITS-1:M];
            assign prod = {{HA{1'b0}}, lo_only ? lo_prod : fill};
        end else if (HB > 0) begin : g_b_high
            wire lo_only = ~|b[B_BITS-1:M];
            assign prod = {{HB{1'b0}}, lo_only ? lo_prod : fill};
        end else begin : g_low_only
            // M covers both operands: always the exact low product.
            /* verilator lint_off UNUSEDSIGNAL */
            wire [2*M-1:0] unused_fill = fill;
            /* verilator lint_on UNUSEDSIGNAL */
            assign prod = lo_prod;
        end
    endgenerate

    axgen_umul_fit #(.N_BITS(N), .P_BITS(P_BITS)) u_fit (.x(prod), .p(p));
endmodule

`default_nettype wire
