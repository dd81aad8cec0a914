// axgen_mul: one lane product p = mul(a, b) of two stream codes, as a signed P_BITS value.
//
// Operand kinds: 0 = unsigned, 1 = signed two's complement, 2 = bipolar (bit b is the value
// 2b-1). The product wraps to P_BITS: the caller's accumulator width holds every partial sum,
// so two's-complement wrap-around loses nothing.
//
// FAMILY selects the multiplier (generator.multipliers), K1 and K2 are its integer knobs:
//   0 exact          4 drum(K1 = k)                      8 lut: ROM from TABLE_FILE
//   1 trunc(K1 = k)  5 mitchell(K1 = w, -1: no w)
//   2 bam(K1 = h, K2 = v)  6 etm(K1 = m)
//   3 perf(K1 = j, K2 = k) 7 roba
// A product with a bipolar operand is always exact, whatever FAMILY says.
//
// Exact: each operand is decoded to a signed value one bit wider than its code, so every kind
// multiplies the same way (bipolar x bipolar is the XNOR of the two bits as +-1); the product is
// exact in A_BITS+B_BITS+2 bits. FABRIC = 1 builds it from partial products in logic
// (rtl/axgen_fmul.v) instead of `*`, which Yosys maps to a DSP: with b's value
// -b[B]*2^B + sum_{i<B} b[i]*2^i, the product is a*b[B-1:0] - (b[B] ? a*2^B : 0), both modulo
// 2^(A_BITS+B_BITS+2) where a is sign-extended (generator/hw/timing.py chooses FABRIC).
//
// Families 1..7 are defined on unsigned magnitudes (rtl/axgen_umul.v dispatching to
// rtl/axgen_umul_<family>.v). Integer operands
// go through the sign-magnitude wrapper: the magnitude of an n-bit operand is an n-bit unsigned
// number (the most negative code -2^(n-1) has magnitude 2^(n-1)), the core multiplies the
// magnitudes into A_BITS+B_BITS bits, and the result is negated when exactly one operand is
// negative (a zero operand counts as positive).
//
// lut: the table holds the whole signed product of the raw codes (axgen_mul_lut).
// 9 user: the user's own module for a lut: table, proven equal to the table on every input pair
// at build time, through the project's rendered axgen_mul_user (K1 = its ID).
`default_nettype none

module axgen_mul #(
    parameter integer A_BITS = 4,
    parameter integer A_KIND = 0,
    parameter integer B_BITS = 4,
    parameter integer B_KIND = 1,
    parameter integer P_BITS = 16,
    parameter integer FAMILY = 0,
    parameter integer K1 = 0,
    parameter integer K2 = 0,
    parameter integer FABRIC = 0,
    parameter TABLE_FILE = ""
) (
    input  wire [A_BITS-1:0]        a,
    input  wire [B_BITS-1:0]        b,
    output wire signed [P_BITS-1:0] p
);
    localparam integer FULL_BITS = A_BITS + B_BITS + 2;
    localparam integer MAG_BITS = A_BITS + B_BITS;
    localparam integer BIPOLAR = 2;
    localparam integer SIGNED = 1;
    localparam integer LUT = 8;
    localparam integer USER = 9;  // a user module proven equal to a lut: table (K1 = its ID)
    localparam [0:0] INTEGER_OPERANDS = A_KIND != BIPOLAR && B_KIND != BIPOLAR;

    generate
        if (FAMILY == LUT && INTEGER_OPERANDS) begin : g_lut
            axgen_mul_lut #(
                .A_BITS(A_BITS), .B_BITS(B_BITS), .P_BITS(P_BITS), .TABLE_FILE(TABLE_FILE)
            ) u_lut (
                .a(a),
                .b(b),
                .p(p)
            );
        end else if (FAMILY == USER && INTEGER_OPERANDS) begin : g_user
            // axgen_mul_user is rendered per project (templates/rtl/mul_user.v.j2) only when a
            // layer uses a user module; other projects never take this branch.
            axgen_mul_user #(
                .ID(K1), .A_BITS(A_BITS), .B_BITS(B_BITS), .P_BITS(P_BITS)
            ) u_user (
                .a(a),
                .b(b),
                .p(p)
            );
        end else begin : g_product
            wire signed [FULL_BITS-1:0] full;

            if (FAMILY == 0 || !INTEGER_OPERANDS) begin : g_exact
                // Decoded operand values, one bit wider than the codes, sign-extended to the
                // product.
                wire signed [A_BITS:0] a_val;
                wire signed [B_BITS:0] b_val;
                wire signed [FULL_BITS-1:0] a_ext = {{(B_BITS + 1){a_val[A_BITS]}}, a_val};
                wire signed [FULL_BITS-1:0] b_ext = {{(A_BITS + 1){b_val[B_BITS]}}, b_val};

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

                if (FABRIC != 0 && B_KIND == SIGNED) begin : g_fabric_signed
                    // b's top bit weighs -2^(B_BITS-1): subtracted inside the product's tree.
                    /* verilator lint_off UNUSEDSIGNAL */
                    wire [FULL_BITS+B_BITS-1:0] low;
                    wire signed [FULL_BITS-1:0] b_unused = b_ext;
                    /* verilator lint_on UNUSEDSIGNAL */
                    axgen_fmul #(.A_BITS(FULL_BITS), .B_BITS(B_BITS), .B_SIGNED(1)) u_low (.a(a_ext), .b(b), .p(low));
                    assign full = low[FULL_BITS-1:0];
                end else if (FABRIC != 0) begin : g_fabric
                    /* verilator lint_off UNUSEDSIGNAL */
                    wire [FULL_BITS+B_BITS-1:0] low;
                    wire signed [FULL_BITS-1:0] b_unused = b_ext;
                    wire [FULL_BITS+B_BITS-1:0] shifted = {{B_BITS{1'b0}}, a_ext} << B_BITS;
                    /* verilator lint_on UNUSEDSIGNAL */
                    axgen_fmul #(.A_BITS(FULL_BITS), .B_BITS(B_BITS)) u_low (.a(a_ext), .b(b_val[B_BITS-1:0]), .p(low));
                    assign full = low[FULL_BITS-1:0] - (b_val[B_BITS] ? shifted[FULL_BITS-1:0] : {FULL_BITS{1'b0}});
                end else begin : g_dsp
                    assign full = a_ext * b_ext;
                end
            end else begin : g_family
                // Sign-magnitude wrapper around an unsigned core.
                wire a_neg = A_KIND == SIGNED && a[A_BITS-1];
                wire b_neg = B_KIND == SIGNED && b[B_BITS-1];
                // Conditional negation as one adder: (x XOR neg) + neg.
                wire [A_BITS-1:0] a_mag = (a ^ {A_BITS{a_neg}}) + {{(A_BITS - 1){1'b0}}, a_neg};
                wire [B_BITS-1:0] b_mag = (b ^ {B_BITS{b_neg}}) + {{(B_BITS - 1){1'b0}}, b_neg};
                wire [MAG_BITS-1:0] mag;

                axgen_umul #(
                    .A_BITS(A_BITS), .B_BITS(B_BITS), .FAMILY(FAMILY), .K1(K1), .K2(K2)
                ) u_core (.a(a_mag), .b(b_mag), .p(mag));

                wire neg = a_neg ^ b_neg;
                assign full = ({2'b00, mag} ^ {FULL_BITS{neg}}) + {{(FULL_BITS - 1){1'b0}}, neg};
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
        end
    endgenerate
endmodule

`default_nettype wire
