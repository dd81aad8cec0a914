// axgen_umul: the approximate family FAMILY (knobs K1, K2) on unsigned magnitudes,
// p = umul(a, b) in A_BITS+B_BITS bits. Family codes as in axgen_mul.v: 1 trunc(K1 = k),
// 2 bam(K1 = h, K2 = v), 3 perf(K1 = j, K2 = k), 4 drum(K1 = k), 5 mitchell(K1 = w, -1: no w),
// 6 etm(K1 = m), 7 roba, 10 a user's verilog: core (K1 = the layer's index: the project's
// generated axgen_umul_user instantiates it on the zero-extended magnitudes). axgen_mul wraps it in the sign-magnitude wrapper; the MVAU uses it
// directly on magnitudes it already has (weights stored as sign and magnitude).
`default_nettype none

module axgen_umul #(
    parameter integer A_BITS = 4,
    parameter integer B_BITS = 4,
    parameter integer FAMILY = 1,
    parameter integer K1 = 0,
    parameter integer K2 = 0
) (
    input  wire [A_BITS-1:0]        a,
    input  wire [B_BITS-1:0]        b,
    output wire [A_BITS+B_BITS-1:0] p
);
    localparam integer MAG_BITS = A_BITS + B_BITS;

    generate
        if (FAMILY == 1) begin : g_trunc
            axgen_umul_trunc #(
                .A_BITS(A_BITS), .B_BITS(B_BITS), .P_BITS(MAG_BITS), .K(K1)
            ) u_core (.a(a), .b(b), .p(p));
        end else if (FAMILY == 2) begin : g_bam
            axgen_umul_bam #(
                .A_BITS(A_BITS), .B_BITS(B_BITS), .P_BITS(MAG_BITS), .H(K1), .V(K2)
            ) u_core (.a(a), .b(b), .p(p));
        end else if (FAMILY == 3) begin : g_perf
            axgen_umul_perf #(
                .A_BITS(A_BITS), .B_BITS(B_BITS), .P_BITS(MAG_BITS), .J(K1), .K(K2)
            ) u_core (.a(a), .b(b), .p(p));
        end else if (FAMILY == 4) begin : g_drum
            axgen_umul_drum #(
                .A_BITS(A_BITS), .B_BITS(B_BITS), .P_BITS(MAG_BITS), .K(K1)
            ) u_core (.a(a), .b(b), .p(p));
        end else if (FAMILY == 5) begin : g_mitchell
            axgen_umul_mitchell #(
                .A_BITS(A_BITS), .B_BITS(B_BITS), .P_BITS(MAG_BITS), .W(K1)
            ) u_core (.a(a), .b(b), .p(p));
        end else if (FAMILY == 6) begin : g_etm
            axgen_umul_etm #(
                .A_BITS(A_BITS), .B_BITS(B_BITS), .P_BITS(MAG_BITS), .M(K1)
            ) u_core (.a(a), .b(b), .p(p));
        end else if (FAMILY == 7) begin : g_roba
            axgen_umul_roba #(
                .A_BITS(A_BITS), .B_BITS(B_BITS), .P_BITS(MAG_BITS)
            ) u_core (.a(a), .b(b), .p(p));
        end else if (FAMILY == 10) begin : g_verilog
            axgen_umul_user #(
                .ID(K1), .A_BITS(A_BITS), .B_BITS(B_BITS)
            ) u_core (.a(a), .b(b), .p(p));
        end else begin : g_unknown
            // An unknown family fails elaboration on purpose.
            axgen_mul_unknown_family u_unknown_family ();
        end
    endgenerate
endmodule

`default_nettype wire
