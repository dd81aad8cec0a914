// axgen_delay: WIDTH bits delayed by DEPTH clock cycles (DEPTH = 0: a wire), the pipeline
// registers of rtl/axgen_mvau.v, rtl/axgen_vvau.v and rtl/axgen_dot.v. With RESET = 1 every stage
// clears while ap_rst_n is low (for valid bits); data stages have no reset.
`default_nettype none

module axgen_delay #(
    parameter integer WIDTH = 1,
    parameter integer DEPTH = 1,
    parameter integer RESET = 0
) (
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire             ap_clk,  // unused when DEPTH = 0
    input  wire             ap_rst_n,  // unused without RESET
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire [WIDTH-1:0] in,
    output wire [WIDTH-1:0] out
);
    generate
        if (DEPTH == 0) begin : g_wire
            assign out = in;
        end else begin : g_regs
            // Stage i (i cycles old, minus one) in bits [i*WIDTH, +WIDTH): a flat register, never a memory.
            reg [DEPTH*WIDTH-1:0] line;
            wire [DEPTH*WIDTH-1:0] shifted;
            if (DEPTH > 1) begin : g_shift
                assign shifted = {line[(DEPTH-1)*WIDTH-1:0], in};
            end else begin : g_one
                assign shifted = in;
            end
            if (RESET != 0) begin : g_reset  // (valid bits: narrow)
                always @(posedge ap_clk) begin
                    if (!ap_rst_n) line <= {(DEPTH*WIDTH){1'b0}};
                    else line <= shifted;
                end
            end else begin : g_data  // no reset: no replication of a wide zero either (a threshold word can pass 8k bits)
                always @(posedge ap_clk) line <= shifted;
            end
            assign out = line[(DEPTH-1)*WIDTH +: WIDTH];
        end
    endgenerate
endmodule

`default_nettype wire
