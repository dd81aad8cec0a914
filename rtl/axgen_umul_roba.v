// axgen_umul_roba: rounding-based approximate multiplier (Zendegani et al., IEEE TVLSI 2017)
// on unsigned operands. Each operand is rounded to the nearest power of two, ties up:
// a_r = 2^e_a with e_a = t_a + (bit t_a - 1 of a), t_a = floor(log2 a) from a leading-one
// detector (likewise b). RoBA drops the (a - a_r)(b - b_r) term of the exact product:
//   P = a_r*b + a*b_r - a_r*b_r = (b << e_a) + ((a - a_r) << e_b),
// two shifters, a small subtractor (a - a_r is a signed A_BITS+2-bit value) and one adder,
// no multiplier. P = 0 if a or b is 0.
`default_nettype none

module axgen_umul_roba #(
    parameter integer A_BITS = 8,
    parameter integer B_BITS = 8,
    parameter integer P_BITS = 16
) (
    input  wire [A_BITS-1:0] a,
    input  wire [B_BITS-1:0] b,
    output wire [P_BITS-1:0] p
);
    localparam integer N = A_BITS + B_BITS;
    localparam integer TA_BITS = A_BITS > 1 ? $clog2(A_BITS) : 1;
    localparam integer TB_BITS = B_BITS > 1 ? $clog2(B_BITS) : 1;
    localparam integer EA_BITS = TA_BITS + 1;  // e_a <= A_BITS
    localparam integer EB_BITS = TB_BITS + 1;

    wire [TA_BITS-1:0] ta;
    wire [TB_BITS-1:0] tb;
    wire nz_a, nz_b;
    axgen_umul_lod #(.N_BITS(A_BITS), .POS_BITS(TA_BITS)) u_lod_a (.x(a), .pos(ta), .nz(nz_a));
    axgen_umul_lod #(.N_BITS(B_BITS), .POS_BITS(TB_BITS)) u_lod_b (.x(b), .pos(tb), .nz(nz_b));

    // Round up iff the bit below the leading one is set: bit t of x << 1 (none for 1 bit).
    wire up_a, up_b;
    generate
        if (A_BITS > 1) begin : g_up_a
            wire [A_BITS-1:0] a_below = {a[A_BITS-2:0], 1'b0};
            assign up_a = a_below[ta];
        end else begin : g_no_up_a
            assign up_a = 1'b0;
        end
        if (B_BITS > 1) begin : g_up_b
            wire [B_BITS-1:0] b_below = {b[B_BITS-2:0], 1'b0};
            assign up_b = b_below[tb];
        end else begin : g_no_up_b
            assign up_b = 1'b0;
        end
    endgenerate
    wire [EA_BITS-1:0] ea = {{(EA_BITS - TA_BITS){1'b0}}, ta} + {{(EA_BITS - 1){1'b0}}, up_a};
    wire [EB_BITS-1:0] eb = {{(EB_BITS - TB_BITS){1'b0}}, tb} + {{(EB_BITS - 1){1'b0}}, up_b};

    // a - a_r, two's complement in A_BITS + 2 bits, sign-extended to N + 2 bits.
    wire [A_BITS:0] ar = {{A_BITS{1'b0}}, 1'b1} << ea;
    wire [A_BITS+1:0] d = {2'b00, a} - {1'b0, ar};
    wire [N+1:0] d_ext = {{B_BITS{d[A_BITS+1]}}, d};

    wire [N+1:0] term_b = {{(A_BITS + 2){1'b0}}, b} << ea;
    wire [N+1:0] term_d = d_ext << eb;
    // 0 <= P < 2^N: the two top bits of the sum are zero (sign of a non-negative result).
    /* verilator lint_off UNUSEDSIGNAL */
    wire [N+1:0] sum = term_b + term_d;
    /* verilator lint_on UNUSEDSIGNAL */
    wire [N-1:0] prod = (nz_a & nz_b) ? sum[N-1:0] : {N{1'b0}};

    axgen_umul_fit #(.N_BITS(N), .P_BITS(P_BITS)) u_fit (.x(prod), .p(p));
endmodule

`default_nettype wire
