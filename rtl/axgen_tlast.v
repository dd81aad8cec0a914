// axgen_tlast: TLAST of an AXI-Stream whose samples are BEATS beats each.
//
// Counts the handshakes (tvalid && tready) of the stream it watches, from reset: tlast is high
// on beat BEATS-1, 2*BEATS-1, ... -- the last beat of every sample. It comes from a register
// and a comparison only (no path from tready), so it adds no combinational path to the stream.
`default_nettype none

module axgen_tlast #(
    parameter integer BEATS = 2
) (
    input  wire ap_clk,
    input  wire ap_rst_n,
    input  wire tvalid,
    input  wire tready,
    output wire tlast
);
    localparam integer CNT_BITS = BEATS > 1 ? $clog2(BEATS) : 1;
    localparam integer LAST_I = BEATS - 1;
    localparam [CNT_BITS-1:0] LAST = LAST_I[CNT_BITS-1:0];

    reg [CNT_BITS-1:0] beat;  // beats of the current sample already sent

    assign tlast = beat == LAST;

    always @(posedge ap_clk) begin
        if (!ap_rst_n) beat <= 0;
        else if (tvalid && tready) beat <= tlast ? 0 : beat + 1'b1;
    end
endmodule

`default_nettype wire
