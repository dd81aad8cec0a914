// axgen_dot: one PE lane's SIMD products and their sum, dot = sum_s mul(x[s], w[s]) wrapping in
// ACC_BITS, for rtl/axgen_mvau.v and rtl/axgen_vvau.v (their parameters, same meaning).
//
// x holds the SIMD activation codes; with MUL_SPLIT = 1 (an approximate family on integer
// operands) x_mag and x_neg hold their magnitudes and signs, computed once by the caller, and each
// weight lane is {sign, |w|} (W_LANE_BITS bits). The family is defined on magnitudes with the
// product negated when exactly one operand is negative; here the negation moves into the sum: a
// negative product adds (|p| XOR 1...1) + 1, so the sum is sum(|p_k| XOR neg_k) + #neg -- one tree
// of the terms and one of the negative count, no negation per product. The result is bit for bit
// axgen_mul's.
//
// Pipeline: MUL_REG = 1 registers the products (a product in a DSP then has registers on both
// sides, the caller's operand registers before it), then rtl/axgen_addtree.v sums them with a
// register every TREE_STAGE adder levels; dot is the sum of the operands of
// MUL_REG + ($clog2(SIMD) - 1) / TREE_STAGE cycles ago (no tree register for SIMD <= 2 or
// TREE_STAGE = 0). The caller registers dot.
`default_nettype none

module axgen_dot #(
    parameter integer SIMD = 1,
    parameter integer IN_BITS = 4,
    parameter integer IN_KIND = 0,
    parameter integer W_BITS = 4,
    parameter integer W_KIND = 1,
    parameter integer ACC_BITS = 12,
    parameter integer MUL_FAMILY = 0,
    parameter integer MUL_K1 = 0,
    parameter integer MUL_K2 = 0,
    parameter integer MUL_SPLIT = 0,
    parameter integer W_LANE_BITS = 4,
    parameter integer MUL_REG = 1,
    parameter integer MUL_FABRIC = 0,
    parameter integer TREE_STAGE = 2,
    parameter MUL_TABLE_FILE = ""
) (
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire                          ap_clk,
    input  wire [SIMD*IN_BITS-1:0]       x,
    input  wire [SIMD*IN_BITS-1:0]       x_mag,
    input  wire [SIMD-1:0]               x_neg,
    input  wire [SIMD*W_LANE_BITS-1:0]   w,
    /* verilator lint_on UNUSEDSIGNAL */
    output wire [ACC_BITS-1:0]           dot
);
    localparam integer SIGNED_KIND = 1;
    localparam integer BIPOLAR_KIND = 2;
    localparam integer MAG_BITS = IN_BITS + W_BITS;
    localparam integer NEG_BITS = $clog2(SIMD + 1);  // holds the count of negative products

    genvar s;
    generate
        if (MUL_SPLIT != 0) begin : g_split
            // Terms |p_k| XOR neg_k in one tree, the count of negative products in another of
            // the same depth; the two sums meet at the root.
            wire [SIMD*MAG_BITS-1:0] mags;
            wire [SIMD-1:0] negs;
            for (s = 0; s < SIMD; s = s + 1) begin : g_simd
                wire [W_LANE_BITS-1:0] lane = w[s*W_LANE_BITS +: W_LANE_BITS];
                axgen_umul #(
                    .A_BITS(IN_BITS), .B_BITS(W_BITS), .FAMILY(MUL_FAMILY), .K1(MUL_K1), .K2(MUL_K2)
                ) u_core (.a(x_mag[s*IN_BITS +: IN_BITS]), .b(lane[W_BITS-1:0]), .p(mags[s*MAG_BITS +: MAG_BITS]));
                assign negs[s] = x_neg[s] ^ (W_KIND == SIGNED_KIND && lane[W_LANE_BITS-1]);
            end
            wire [SIMD*MAG_BITS-1:0] mags_p;
            wire [SIMD-1:0] negs_p;
            axgen_delay #(.WIDTH(SIMD * (MAG_BITS + 1)), .DEPTH(MUL_REG)) u_products (
                .ap_clk(ap_clk), .ap_rst_n(1'b1), .in({mags, negs}), .out({mags_p, negs_p})
            );
            wire [SIMD*ACC_BITS-1:0] terms;
            wire [SIMD*NEG_BITS-1:0] neg_terms;
            for (s = 0; s < SIMD; s = s + 1) begin : g_term
                wire [MAG_BITS-1:0] mag = mags_p[s*MAG_BITS +: MAG_BITS];
                if (ACC_BITS > MAG_BITS) begin : g_widen
                    assign terms[s*ACC_BITS +: ACC_BITS] = {{(ACC_BITS - MAG_BITS){1'b0}}, mag} ^ {ACC_BITS{negs_p[s]}};
                end else begin : g_wrap
                    /* verilator lint_off UNUSEDSIGNAL */
                    wire [MAG_BITS-1:0] mag_bits = mag;
                    /* verilator lint_on UNUSEDSIGNAL */
                    assign terms[s*ACC_BITS +: ACC_BITS] = mag_bits[ACC_BITS-1:0] ^ {ACC_BITS{negs_p[s]}};
                end
                if (NEG_BITS > 1) begin : g_count_term
                    assign neg_terms[s*NEG_BITS +: NEG_BITS] = {{(NEG_BITS - 1){1'b0}}, negs_p[s]};
                end else begin : g_count_bit
                    assign neg_terms[s] = negs_p[s];
                end
            end
            wire [ACC_BITS-1:0] term_sum;
            wire [NEG_BITS-1:0] neg_count;
            wire [ACC_BITS-1:0] count_ext;
            axgen_addtree #(.N(SIMD), .W(ACC_BITS), .STAGE(TREE_STAGE)) u_terms (
                .ap_clk(ap_clk), .terms(terms), .sum(term_sum)
            );
            axgen_addtree #(.N(SIMD), .W(NEG_BITS), .STAGE(TREE_STAGE)) u_negs (
                .ap_clk(ap_clk), .terms(neg_terms), .sum(neg_count)
            );
            if (NEG_BITS < ACC_BITS) begin : g_count_widen
                assign count_ext = {{(ACC_BITS - NEG_BITS){1'b0}}, neg_count};
            end else begin : g_count_wrap
                /* verilator lint_off UNUSEDSIGNAL */
                wire [NEG_BITS-1:0] count_bits = neg_count;
                /* verilator lint_on UNUSEDSIGNAL */
                assign count_ext = count_bits[ACC_BITS-1:0];
            end
            assign dot = term_sum + count_ext;
        end else if (IN_KIND == BIPOLAR_KIND && W_KIND == BIPOLAR_KIND) begin : g_xnor
            // Bit b stands for 2b - 1: a product is +1 where the two bits agree and -1 where
            // they differ, so the lane sum is SIMD - 2 * (differing bits): one population
            // count (a tree of small adders) instead of SIMD signed +-1 terms.
            wire [SIMD-1:0] w_bits;
            for (s = 0; s < SIMD; s = s + 1) begin : g_simd
                assign w_bits[s] = w[s*W_LANE_BITS];
            end
            wire [SIMD-1:0] differ = x[SIMD-1:0] ^ w_bits;
            wire [SIMD-1:0] differ_p;
            axgen_delay #(.WIDTH(SIMD), .DEPTH(MUL_REG)) u_products (
                .ap_clk(ap_clk), .ap_rst_n(1'b1), .in(differ), .out(differ_p)
            );
            wire [SIMD*NEG_BITS-1:0] bits;
            for (s = 0; s < SIMD; s = s + 1) begin : g_term
                if (NEG_BITS > 1) begin : g_wide
                    assign bits[s*NEG_BITS +: NEG_BITS] = {{(NEG_BITS - 1){1'b0}}, differ_p[s]};
                end else begin : g_bit
                    assign bits[s] = differ_p[s];
                end
            end
            wire [NEG_BITS-1:0] ones;
            axgen_addtree #(.N(SIMD), .W(NEG_BITS), .STAGE(TREE_STAGE)) u_ones (
                .ap_clk(ap_clk), .terms(bits), .sum(ones)
            );
            wire [ACC_BITS+NEG_BITS-1:0] ones_ext = {{ACC_BITS{1'b0}}, ones};
            localparam [ACC_BITS-1:0] LANES = SIMD[ACC_BITS-1:0];
            /* verilator lint_off UNUSEDSIGNAL */
            wire [ACC_BITS+NEG_BITS-1:0] twice = ones_ext << 1;
            /* verilator lint_on UNUSEDSIGNAL */
            assign dot = LANES - twice[ACC_BITS-1:0];
        end else begin : g_whole
            wire [SIMD*ACC_BITS-1:0] products;
            for (s = 0; s < SIMD; s = s + 1) begin : g_simd
                axgen_mul #(
                    .A_BITS(IN_BITS), .A_KIND(IN_KIND), .B_BITS(W_BITS), .B_KIND(W_KIND),
                    .P_BITS(ACC_BITS), .FAMILY(MUL_FAMILY), .K1(MUL_K1), .K2(MUL_K2),
                    .FABRIC(MUL_FABRIC), .TABLE_FILE(MUL_TABLE_FILE)
                ) u_mul (
                    .a(x[s*IN_BITS +: IN_BITS]),
                    .b(w[s*W_LANE_BITS +: W_BITS]),
                    .p(products[s*ACC_BITS +: ACC_BITS])
                );
            end
            wire [SIMD*ACC_BITS-1:0] products_p;
            axgen_delay #(.WIDTH(SIMD * ACC_BITS), .DEPTH(MUL_REG)) u_products (
                .ap_clk(ap_clk), .ap_rst_n(1'b1), .in(products), .out(products_p)
            );
            axgen_addtree #(.N(SIMD), .W(ACC_BITS), .STAGE(TREE_STAGE)) u_sum (
                .ap_clk(ap_clk), .terms(products_p), .sum(dot)
            );
        end

    endgenerate
endmodule

`default_nettype wire
