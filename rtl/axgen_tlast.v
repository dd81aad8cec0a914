// axgen_tlast: TLAST of an AXI-Stream whose samples are BEATS beats each, in packets of
// PACKET_SAMPLES samples.
//
// Counts the handshakes (tvalid && tready) of the stream it watches, from reset: tlast is high on
// beat PACKET_SAMPLES*BEATS-1, 2*PACKET_SAMPLES*BEATS-1, ... -- the last beat of every
// PACKET_SAMPLES-th sample, which ends a packet (an S2MM transfer of the AXI DMA). tlast is a
// register, loaded on each handshake with whether the next beat is the packet's last, so it adds
// no combinational path to the stream and none from the counter's comparison to the port.
`default_nettype none

module axgen_tlast #(
    parameter integer BEATS = 2,
    parameter integer PACKET_SAMPLES = 1
) (
    input  wire ap_clk,
    input  wire ap_rst_n,
    input  wire tvalid,
    input  wire tready,
    output reg  tlast
);
    localparam integer TOTAL = BEATS * PACKET_SAMPLES;  // beats per packet
    localparam integer CNT_BITS = TOTAL > 1 ? $clog2(TOTAL) : 1;
    localparam integer PENULT_I = TOTAL > 1 ? TOTAL - 2 : 0;
    localparam [CNT_BITS-1:0] PENULT = PENULT_I[CNT_BITS-1:0];
    localparam SINGLE = TOTAL == 1;  // every beat ends a packet

    reg [CNT_BITS-1:0] beat;  // beats of the current packet already sent

    always @(posedge ap_clk) begin
        if (!ap_rst_n) begin
            beat <= 0;
            tlast <= SINGLE;
        end else if (tvalid && tready) begin
            beat <= tlast ? {CNT_BITS{1'b0}} : beat + 1'b1;
            tlast <= SINGLE || (!tlast && beat == PENULT);
        end
    end
endmodule

`default_nettype wire
