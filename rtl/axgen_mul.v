// axgen_mul: one lane product p = a * b of two stream codes, as a signed P_BITS value.
//
// Operand kinds: 0 = unsigned, 1 = signed two's complement, 2 = bipolar (bit b is the value
// 2b-1). Each operand is first decoded to a signed value one bit wider than its code, so every
// kind multiplies the same way; bipolar x bipolar is then the XNOR of the two bits as +-1.
// The product is exact in A_BITS+B_BITS+2 bits and wraps to P_BITS: the caller's accumulator
// width holds every partial sum, so two's-complement wrap-around loses nothing.
//
// FAMILY selects the multiplier family (0 = exact). Approximate families apply to integer
// operands only; products with a bipolar operand are always exact.
`default_nettype none

module axgen_mul #(
    parameter integer A_BITS = 4,
    parameter integer A_KIND = 0,
    parameter integer B_BITS = 4,
    parameter integer B_KIND = 1,
    parameter integer P_BITS = 16,
    parameter integer FAMILY = 0
) (
    input  wire [A_BITS-1:0]        a,
    input  wire [B_BITS-1:0]        b,
    output wire signed [P_BITS-1:0] p
);
    localparam integer FULL_BITS = A_BITS + B_BITS + 2;
    localparam integer BIPOLAR = 2;
    localparam integer SIGNED = 1;

    // Decoded operand values, one bit wider than the codes, and sign-extended to the product.
    wire signed [A_BITS:0] a_val;
    wire signed [B_BITS:0] b_val;
    wire signed [FULL_BITS-1:0] a_ext = {{(B_BITS + 1){a_val[A_BITS]}}, a_val};
    wire signed [FULL_BITS-1:0] b_ext = {{(A_BITS + 1){b_val[B_BITS]}}, b_val};
    wire signed [FULL_BITS-1:0] full;

    generate
        if (A_KIND == BIPOLAR) begin : g_a_bipolar
            assign a_val = {~a[0], 1'b1};  // 01 = +1, 11 = -1
        end else if (A_KIND == SIGNED) begin : g_a_signed
            assign a_val = {a[A_BITS-1], a};
        end else begin : g_a_unsigned
            assign a_val = {1'b0, a};
        end

        if (B_KIND == BIPOLAR) begin : g_b_bipolar
            assign b_val = {~b[0], 1'b1};
        end else if (B_KIND == SIGNED) begin : g_b_signed
            assign b_val = {b[B_BITS-1], b};
        end else begin : g_b_unsigned
            assign b_val = {1'b0, b};
        end

        if (FAMILY == 0 || A_KIND == BIPOLAR || B_KIND == BIPOLAR) begin : g_exact
            assign full = a_ext * b_ext;
        end else begin : g_family
            case (FAMILY)
                // Approximate families are added here, one branch each, computing `full`
                // from a_ext and b_ext. An unknown family fails elaboration on purpose:
                default: begin : g_unknown
                    axgen_mul_unknown_family u_unknown_family ();
                end
            endcase
        end

        if (P_BITS >= FULL_BITS) begin : g_extend
            assign p = {{(P_BITS - FULL_BITS + 1){full[FULL_BITS-1]}}, full[FULL_BITS-2:0]};
        end else begin : g_wrap
            // Only the low P_BITS of the product reach the accumulator (see above).
            /* verilator lint_off UNUSEDSIGNAL */
            wire [FULL_BITS-1:0] full_bits = full;
            /* verilator lint_on UNUSEDSIGNAL */
            assign p = full_bits[P_BITS-1:0];
        end
    endgenerate
endmodule

`default_nettype wire
