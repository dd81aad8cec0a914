// axgen_umul_drum: DRUM, dynamic range unbiased multiplier (Hashemi et al., ICCAD 2015), on
// unsigned operands. Each operand keeps K bits from its leading one with the lowest kept bit
// forced to 1 (axgen_umul_drum_operand: leading-one detector and a right shift); a K x K exact
// multiplier multiplies the two K-bit mantissas and a left shift by s_a + s_b restores the
// scale: P = (m_a * m_b) << (s_a + s_b). An operand no wider than K is used as it is.
`default_nettype none

module axgen_umul_drum #(
    parameter integer A_BITS = 8,
    parameter integer B_BITS = 8,
    parameter integer P_BITS = 16,
    parameter integer K = 4
) (
    input  wire [A_BITS-1:0] a,
    input  wire [B_BITS-1:0] b,
    output wire [P_BITS-1:0] p
);
    localparam integer N = A_BITS + B_BITS;
    localparam integer MA = K < A_BITS ? K : A_BITS;
    localparam integer MB = K < B_BITS ? K : B_BITS;
    localparam integer SA_BITS = K < A_BITS ? $clog2(A_BITS - K + 1) : 1;
    localparam integer SB_BITS = K < B_BITS ? $clog2(B_BITS - K + 1) : 1;
    // s_a + s_b <= A_BITS + B_BITS - MA - MB
    localparam integer E_BITS = (SA_BITS > SB_BITS ? SA_BITS : SB_BITS) + 1;

    wire [MA-1:0] ma;
    wire [MB-1:0] mb;
    wire [SA_BITS-1:0] sa;
    wire [SB_BITS-1:0] sb;
    axgen_umul_drum_operand #(.X_BITS(A_BITS), .K(K), .M_BITS(MA), .S_BITS(SA_BITS)) u_a (
        .x(a), .m(ma), .s(sa));
    axgen_umul_drum_operand #(.X_BITS(B_BITS), .K(K), .M_BITS(MB), .S_BITS(SB_BITS)) u_b (
        .x(b), .m(mb), .s(sb));

    // The MA x MB exact multiplier.
    wire [MA+MB-1:0] mp;
    axgen_fmul #(.A_BITS(MA), .B_BITS(MB)) u_mul (.a(ma), .b(mb), .p(mp));
    wire [N-1:0] prod;
    generate
        if (MA + MB == N) begin : g_exact
            // K covers both operands: nothing is shifted (sa = sb = 0).
            /* verilator lint_off UNUSEDSIGNAL */
            wire [SA_BITS+SB_BITS-1:0] no_shift = {sa, sb};
            /* verilator lint_on UNUSEDSIGNAL */
            assign prod = mp;
        end else begin : g_shift
            wire [E_BITS-1:0] e = {{(E_BITS - SA_BITS){1'b0}}, sa} + {{(E_BITS - SB_BITS){1'b0}}, sb};
            assign prod = {{(N - MA - MB){1'b0}}, mp} << e;
        end
    endgenerate

    axgen_umul_fit #(.N_BITS(N), .P_BITS(P_BITS)) u_fit (.x(prod), .p(p));
endmodule

`default_nettype wire
