// axgen_walk: a counter 0, 1, .., N-1, 0, .. that steps on `step`, with its first and last
// positions as flip-flops (loaded as it steps) rather than comparisons of its value: the issue
// logic of a folded layer reads them, and a comparison there would sit on the path from the
// counter through the issue decision to every register the decision enables.
`default_nettype none

module axgen_walk #(
    parameter integer N = 4
) (
    input  wire              ap_clk,
    input  wire              ap_rst_n,
    input  wire              step,
    output reg  [BITS-1:0]   value,
    output reg               first,  // value == 0
    output reg               last    // value == N - 1
);
    localparam integer BITS = N > 1 ? $clog2(N) : 1;
    localparam integer BEFORE_LAST = N > 1 ? N - 2 : 0;
    localparam [BITS-1:0] PENULTIMATE = BEFORE_LAST[BITS-1:0];

    always @(posedge ap_clk) begin
        if (!ap_rst_n) begin
            value <= {BITS{1'b0}};
            first <= 1'b1;
            last <= N == 1;
        end else if (step) begin
            value <= last ? {BITS{1'b0}} : value + 1'b1;
            first <= last;
            last <= N == 1 || (!last && value == PENULTIMATE);
        end
    end
endmodule

`default_nettype wire
