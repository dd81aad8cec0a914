// axgen_fmul: an unsigned A_BITS x B_BITS product in fabric, p = a * b (A_BITS + B_BITS bits):
// the B_BITS partial products a & b[i], shifted by i, summed by a balanced tree of adders
// (rtl/axgen_addtree.v, combinational).
//
// Written without `*`, so no synthesis tool moves it into a DSP: Yosys' synth_ecp5 maps every
// multiply of two operands of 2 bits or more to a MULT18X18D, whose delay (3.9 ns on an ECP5,
// plus the routing to and from the DSP column) is the slowest element of a small product's path.
// The approximate cores' reduced products and axgen_mul's small exact products use it
// (generator/hw/timing.py decides which exact products stay in fabric).
`default_nettype none

module axgen_fmul #(
    parameter integer A_BITS = 4,
    parameter integer B_BITS = 4
) (
    input  wire [A_BITS-1:0]        a,
    input  wire [B_BITS-1:0]        b,
    output wire [A_BITS+B_BITS-1:0] p
);
    localparam integer N = A_BITS + B_BITS;
    wire [B_BITS*N-1:0] rows;
    genvar i;
    generate
        for (i = 0; i < B_BITS; i = i + 1) begin : g_row
            wire [N-1:0] row = {{B_BITS{1'b0}}, a & {A_BITS{b[i]}}};
            assign rows[i*N +: N] = row << i;
        end
    endgenerate
    axgen_addtree #(.N(B_BITS), .W(N), .STAGE(0)) u_sum (.ap_clk(1'b0), .terms(rows), .sum(p));
endmodule

`default_nettype wire
