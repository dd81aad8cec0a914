// axgen_fifo: AXI-Stream FIFO of DEPTH words of WIDTH bits (first-word fall-through).
//
// s_axis_tready and m_axis_tvalid come from registers only, so FIFOs cut every combinational
// path between the blocks they join. A word written in one cycle is readable in the next.
//
// With AXGEN_FIFO_PROFILE defined (simulation only: the FIFO sizing run, generator/sim/fifo_sizing.py)
// the FIFO keeps its highest occupancy and prints "AXGEN_FIFO <instance> <peak>" at the end.
`default_nettype none

module axgen_fifo #(
    parameter integer WIDTH = 8,
    parameter integer DEPTH = 2
) (
    input  wire             ap_clk,
    input  wire             ap_rst_n,
    input  wire [WIDTH-1:0] s_axis_tdata,
    input  wire             s_axis_tvalid,
    output wire             s_axis_tready,
    output wire [WIDTH-1:0] m_axis_tdata,
    output wire             m_axis_tvalid,
    input  wire             m_axis_tready
);
    localparam integer PTR_BITS = DEPTH > 1 ? $clog2(DEPTH) : 1;
    localparam integer CNT_BITS = $clog2(DEPTH + 1);
    localparam integer LAST_I = DEPTH - 1;
    localparam [PTR_BITS-1:0] LAST = LAST_I[PTR_BITS-1:0];
    localparam [CNT_BITS-1:0] FULL = DEPTH[CNT_BITS-1:0];

    reg [WIDTH-1:0]    mem [0:DEPTH-1];
    reg [PTR_BITS-1:0] wr_ptr;
    reg [PTR_BITS-1:0] rd_ptr;
    reg [CNT_BITS-1:0] count;

    wire push = s_axis_tvalid && s_axis_tready;
    wire pop = m_axis_tvalid && m_axis_tready;

    assign s_axis_tready = count != FULL;
    assign m_axis_tvalid = count != 0;
    assign m_axis_tdata = mem[rd_ptr];

    always @(posedge ap_clk) begin
        if (push) mem[wr_ptr] <= s_axis_tdata;
    end

    always @(posedge ap_clk) begin
        if (!ap_rst_n) begin
            wr_ptr <= 0;
            rd_ptr <= 0;
            count <= 0;
        end else begin
            if (push) wr_ptr <= wr_ptr == LAST ? 0 : wr_ptr + 1'b1;
            if (pop) rd_ptr <= rd_ptr == LAST ? 0 : rd_ptr + 1'b1;
            if (push && !pop) count <= count + 1'b1;
            else if (pop && !push) count <= count - 1'b1;
        end
    end

`ifdef AXGEN_FIFO_PROFILE
    reg [CNT_BITS-1:0] peak;
    always @(posedge ap_clk) begin
        if (!ap_rst_n) peak <= 0;
        else if (count > peak) peak <= count;
    end
    final $display("AXGEN_FIFO %m %0d", peak);
`endif
endmodule

`default_nettype wire
