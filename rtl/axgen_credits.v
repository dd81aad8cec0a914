// axgen_credits: the beats a folded layer has issued into its pipeline and not yet seen leave
// its output FIFO, with `full` (all CREDITS in use) a flip-flop loaded from the count and the
// two events rather than a comparison after the count: the issue decision reads it directly.
`default_nettype none

module axgen_credits #(
    parameter integer CREDITS = 8
) (
    input  wire ap_clk,
    input  wire ap_rst_n,
    input  wire take,   // a beat issued this cycle
    input  wire give,   // a beat left the output FIFO this cycle
    output reg  full
);
    localparam integer BITS = $clog2(CREDITS + 1);
    localparam integer ALMOST = CREDITS - 1;
    localparam [BITS-1:0] ONE_LEFT = ALMOST[BITS-1:0];

    reg [BITS-1:0] pending;

    always @(posedge ap_clk) begin
        if (!ap_rst_n) begin
            pending <= {BITS{1'b0}};
            full <= 1'b0;
        end else if (take && !give) begin
            pending <= pending + 1'b1;
            full <= pending == ONE_LEFT;
        end else if (give && !take) begin
            pending <= pending - 1'b1;
            full <= 1'b0;
        end
    end
endmodule

`default_nettype wire
