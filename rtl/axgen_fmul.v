// axgen_fmul: an A_BITS x B_BITS product in fabric, p = a * b (A_BITS + B_BITS bits, modulo
// 2^(A_BITS + B_BITS)): the B_BITS partial products a & b[i], shifted by i, summed by a balanced
// tree of adders (rtl/axgen_addtree.v, combinational). `a` is taken as it is (a signed operand
// comes sign-extended to A_BITS); with B_SIGNED = 1, b is two's complement: its top bit weighs
// -2^(B_BITS-1), and that row is subtracted from its neighbour in the tree's first level, so a
// signed product is no deeper than an unsigned one.
//
// Written without `*`, so no synthesis tool moves it into a DSP: Yosys' synth_ecp5 maps every
// multiply of two operands of 2 bits or more to a MULT18X18D, whose delay (3.9 ns on an ECP5,
// plus the routing to and from the DSP column) is the slowest element of a small product's path.
// The approximate cores' reduced products and axgen_mul's small exact products use it
// (generator/hw/timing.py decides which exact products stay in fabric).
`default_nettype none

module axgen_fmul #(
    parameter integer A_BITS = 4,
    parameter integer B_BITS = 4,
    parameter integer B_SIGNED = 0
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
    generate
        if (B_SIGNED != 0 && B_BITS > 1) begin : g_signed
            // Rows 0 .. B_BITS-3 as they are, then row B_BITS-2 minus row B_BITS-1: one tree of B_BITS-1 terms.
            wire [N-1:0] top = rows[(B_BITS-2)*N +: N] - rows[(B_BITS-1)*N +: N];
            wire [(B_BITS-1)*N-1:0] terms;
            if (B_BITS > 2) begin : g_rest
                assign terms = {top, rows[(B_BITS-2)*N-1:0]};
            end else begin : g_top
                assign terms = top;
            end
            axgen_addtree #(.N(B_BITS - 1), .W(N), .STAGE(0)) u_sum (.ap_clk(1'b0), .terms(terms), .sum(p));
        end else if (B_SIGNED != 0) begin : g_sign_only
            assign p = {N{1'b0}} - rows;
        end else begin : g_unsigned
            axgen_addtree #(.N(B_BITS), .W(N), .STAGE(0)) u_sum (.ap_clk(1'b0), .terms(rows), .sum(p));
        end
    endgenerate
endmodule

`default_nettype wire
