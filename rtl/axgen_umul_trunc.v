// axgen_umul_trunc: truncated array multiplier on unsigned operands: every partial product
// a_i * b_j * 2^(i+j) below column K (i + j < K) is absent, P = sum_{i+j >= K} a_i b_j 2^(i+j).
// K = 0 is exact. This is the broken-array multiplier with only its vertical break line
// (H = 0, V = K), so it is built by axgen_umul_bam.
`default_nettype none

module axgen_umul_trunc #(
    parameter integer A_BITS = 8,
    parameter integer B_BITS = 8,
    parameter integer P_BITS = 16,
    parameter integer K = 0
) (
    input  wire [A_BITS-1:0] a,
    input  wire [B_BITS-1:0] b,
    output wire [P_BITS-1:0] p
);
    axgen_umul_bam #(
        .A_BITS(A_BITS), .B_BITS(B_BITS), .P_BITS(P_BITS), .H(0), .V(K)
    ) u_array (
        .a(a),
        .b(b),
        .p(p)
    );
endmodule

`default_nettype wire
