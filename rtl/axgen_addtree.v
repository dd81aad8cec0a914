// axgen_addtree: the sum of N terms of W bits (wrapping in W bits), as a balanced tree of two-input
// adders with a register after every STAGE levels (STAGE = 0: the whole tree combinational).
//
// Level LEVEL adds the terms in pairs (an odd last term passes through) and hands the
// ceil(N/2) partial sums to the next level, an instance of this module, until one is left.
// The level's sums are registered when LEVEL is a multiple of STAGE and it is not the last level
// (the caller registers the root), so the tree holds
//   REGS = STAGE > 0 && N > 1 ? ($clog2(N) - 1) / STAGE : 0
// registers on every path: sum is the sum of the terms REGS cycles ago. rtl/axgen_mvau.v and
// rtl/axgen_vvau.v delay their control by the same count; generator/hw/timing.py chooses STAGE.
// The levels are axgen_addtree_level, an instance of itself per level below the first (Verilator
// elaborates a recursive module only below a top that is not one).
`default_nettype none

module axgen_addtree #(
    parameter integer N = 4,
    parameter integer W = 8,
    parameter integer STAGE = 0
) (
    input  wire           ap_clk,
    input  wire [N*W-1:0] terms,
    output wire [W-1:0]   sum
);
    axgen_addtree_level #(.N(N), .W(W), .STAGE(STAGE), .LEVEL(1)) u_level (.ap_clk(ap_clk), .terms(terms), .sum(sum));
endmodule

/* verilator lint_off DECLFILENAME */
module axgen_addtree_level #(
    parameter integer N = 4,
    parameter integer W = 8,
    parameter integer STAGE = 0,
    parameter integer LEVEL = 1
) (
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire           ap_clk,  // unused when no level of this tree is registered
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire [N*W-1:0] terms,
    output wire [W-1:0]   sum
);
    localparam integer HALF = (N + 1) / 2;
    genvar i;
    generate
        if (N == 1) begin : g_leaf
            assign sum = terms;
        end else begin : g_level
            // keep: each level its own adders (carry chains); without it Yosys merges the levels
            // between two registers into one multi-operand sum built of LUTs (a 16-term, 12-bit
            // stage of two levels: 345 LUT4 and 30 CCU2C against 90 CCU2C)
            (* keep *) wire [HALF*W-1:0] pairs;
            wire [HALF*W-1:0] next;
            for (i = 0; i < HALF; i = i + 1) begin : g_pair
                if (2 * i + 1 < N) begin : g_add
                    assign pairs[i*W +: W] = terms[2*i*W +: W] + terms[(2*i+1)*W +: W];
                end else begin : g_pass
                    assign pairs[i*W +: W] = terms[2*i*W +: W];
                end
            end
            if (STAGE > 0 && HALF > 1 && LEVEL % STAGE == 0) begin : g_reg
                reg [HALF*W-1:0] pairs_q;
                always @(posedge ap_clk) pairs_q <= pairs;
                assign next = pairs_q;
            end else begin : g_comb
                assign next = pairs;
            end
            axgen_addtree_level #(.N(HALF), .W(W), .STAGE(STAGE), .LEVEL(LEVEL + 1)) u_next (
                .ap_clk(ap_clk), .terms(next), .sum(sum)
            );
        end
    endgenerate
endmodule
/* verilator lint_on DECLFILENAME */

`default_nettype wire
