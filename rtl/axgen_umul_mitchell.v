// axgen_umul_mitchell: Mitchell's logarithmic multiplier (IRE Trans. Electronic Computers,
// 1962) on unsigned operands.
//
// Leading-one detectors give k1 = floor(log2 a), k2 = floor(log2 b); a left shift by
// A_BITS-1-k1 normalizes a so that the bits below its leading one form the fraction
// f_a / 2^k1, left-aligned (likewise b). With W >= 0 only the top W fraction bits of each
// operand are kept (W < 0: all). The log-domain sum F = f_a/2^k1 + f_b/2^k2 is one adder of
// L = max(fraction widths) bits; its carry c says F >= 1. The antilogarithm is a left shift:
// P = (1.F_low) * 2^(k1 + k2 + c), i.e. 2^(k1+k2) + S without carry and 2S with it, where
// S = f_a 2^k2 + f_b 2^k1. P = 0 if a or b is 0.
`default_nettype none

module axgen_umul_mitchell #(
    parameter integer A_BITS = 8,
    parameter integer B_BITS = 8,
    parameter integer P_BITS = 16,
    parameter integer W = -1
) (
    input  wire [A_BITS-1:0] a,
    input  wire [B_BITS-1:0] b,
    output wire [P_BITS-1:0] p
);
    localparam integer N = A_BITS + B_BITS;
    localparam integer FA = (W < 0 || W > A_BITS - 1) ? A_BITS - 1 : W;  // kept fraction bits
    localparam integer FB = (W < 0 || W > B_BITS - 1) ? B_BITS - 1 : W;
    localparam integer L = FA > FB ? FA : FB;
    localparam integer KA_BITS = A_BITS > 1 ? $clog2(A_BITS) : 1;
    localparam integer KB_BITS = B_BITS > 1 ? $clog2(B_BITS) : 1;
    localparam integer E_BITS = $clog2(N) + 1;  // k1 + k2 + c <= N - 1, with room to spare

    wire [KA_BITS-1:0] k1;
    wire [KB_BITS-1:0] k2;
    wire nz_a, nz_b;
    axgen_umul_lod #(.N_BITS(A_BITS), .POS_BITS(KA_BITS)) u_lod_a (.x(a), .pos(k1), .nz(nz_a));
    axgen_umul_lod #(.N_BITS(B_BITS), .POS_BITS(KB_BITS)) u_lod_b (.x(b), .pos(k2), .nz(nz_b));

    // Fractions, left-aligned to L bits.
    wire [(L > 0 ? L : 1)-1:0] fa, fb;
    generate
        if (FA > 0) begin : g_frac_a
            localparam integer A_MSB = A_BITS - 1;
            localparam [KA_BITS-1:0] A_TOP = A_MSB[KA_BITS-1:0];
            wire [KA_BITS-1:0] a_lsh = A_TOP - k1;
            // Only the FA bits below the leading one are the kept fraction.
            /* verilator lint_off UNUSEDSIGNAL */
            wire [A_BITS-1:0] a_norm = a << a_lsh;
            /* verilator lint_on UNUSEDSIGNAL */
            if (L > FA) begin : g_align
                assign fa = {a_norm[A_BITS-2 -: FA], {(L - FA){1'b0}}};
            end else begin : g_full
                assign fa = a_norm[A_BITS-2 -: FA];
            end
        end else begin : g_no_frac_a
            assign fa = {(L > 0 ? L : 1){1'b0}};
        end

        if (FB > 0) begin : g_frac_b
            localparam integer B_MSB = B_BITS - 1;
            localparam [KB_BITS-1:0] B_TOP = B_MSB[KB_BITS-1:0];
            wire [KB_BITS-1:0] b_lsh = B_TOP - k2;
            /* verilator lint_off UNUSEDSIGNAL */
            wire [B_BITS-1:0] b_norm = b << b_lsh;
            /* verilator lint_on UNUSEDSIGNAL */
            if (L > FB) begin : g_align
                assign fb = {b_norm[B_BITS-2 -: FB], {(L - FB){1'b0}}};
            end else begin : g_full
                assign fb = b_norm[B_BITS-2 -: FB];
            end
        end else begin : g_no_frac_b
            assign fb = {(L > 0 ? L : 1){1'b0}};
        end
    endgenerate

    wire [E_BITS-1:0] k_sum = {{(E_BITS - KA_BITS){1'b0}}, k1} + {{(E_BITS - KB_BITS){1'b0}}, k2};
    wire [N-1:0] prod;
    generate
        if (L > 0) begin : g_log_add
            wire [L:0] f_sum = {1'b0, fa} + {1'b0, fb};
            wire [E_BITS-1:0] e = k_sum + {{(E_BITS - 1){1'b0}}, f_sum[L]};
            // (1.F) << e, then the L fraction bits dropped: they are zero, since the product
            // is an integer.
            /* verilator lint_off UNUSEDSIGNAL */
            wire [L+N-1:0] scaled = {{(N - 1){1'b0}}, 1'b1, f_sum[L-1:0]} << e;
            /* verilator lint_on UNUSEDSIGNAL */
            assign prod = scaled[L +: N];
        end else begin : g_no_fraction
            // No fraction bits at all: P = 2^(k1 + k2).
            /* verilator lint_off UNUSEDSIGNAL */
            wire [L > 0 ? L : 1:0] unused_fractions = {fa, fb};
            /* verilator lint_on UNUSEDSIGNAL */
            assign prod = {{(N - 1){1'b0}}, 1'b1} << k_sum;
        end
    endgenerate

    wire [N-1:0] result = (nz_a & nz_b) ? prod : {N{1'b0}};
    axgen_umul_fit #(.N_BITS(N), .P_BITS(P_BITS)) u_fit (.x(result), .p(p));
endmodule

`default_nettype wire
