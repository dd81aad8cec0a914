// axgen_dup: one AXI-Stream to two (the start of a residual branch). A beat is taken when both
// output registers are free or leaving; each output then holds it until its consumer takes it, so
// neither output's valid depends on the other's ready. One beat per cycle.
`default_nettype none

module axgen_dup #(
    parameter integer WIDTH = 8
) (
    input  wire             ap_clk,
    input  wire             ap_rst_n,
    input  wire [WIDTH-1:0] s_axis_tdata,
    input  wire             s_axis_tvalid,
    output wire             s_axis_tready,
    output wire [WIDTH-1:0] m0_axis_tdata,
    output wire             m0_axis_tvalid,
    input  wire             m0_axis_tready,
    output wire [WIDTH-1:0] m1_axis_tdata,
    output wire             m1_axis_tvalid,
    input  wire             m1_axis_tready
);
    reg [WIDTH-1:0] data;
    reg valid0, valid1;

    assign s_axis_tready = (!valid0 || m0_axis_tready) && (!valid1 || m1_axis_tready);
    assign m0_axis_tdata = data;
    assign m1_axis_tdata = data;
    assign m0_axis_tvalid = valid0;
    assign m1_axis_tvalid = valid1;

    wire take = s_axis_tvalid && s_axis_tready;

    always @(posedge ap_clk) begin
        if (!ap_rst_n) begin
            valid0 <= 1'b0;
            valid1 <= 1'b0;
        end else begin
            valid0 <= take || (valid0 && !m0_axis_tready);
            valid1 <= take || (valid1 && !m1_axis_tready);
        end
        if (take) data <= s_axis_tdata;
    end
endmodule

`default_nettype wire
