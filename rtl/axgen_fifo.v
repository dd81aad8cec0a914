// axgen_fifo: AXI-Stream FIFO of DEPTH words of WIDTH bits (first-word fall-through).
//
// s_axis_tready and m_axis_tvalid are registers themselves (the occupancy's "not full" and "not
// empty", loaded with the next occupancy's), so a FIFO cuts every combinational path between the
// blocks it joins and a handshake leaves a flip-flop, not a comparison: the paths through the
// stitching stay short however far apart the placer puts two layers. The head word is a register
// too (`head`, loaded with the word that will be at the head next cycle: the one after it in the
// memory, or the word arriving when there is no other), so m_axis_tdata leaves a flip-flop, not a
// memory read. A word written in one cycle is readable in the next. With HEAD_REG = 0 the head is
// the memory's own read (LUT RAM read asynchronously at the head pointer): no head register and no
// multiplexer in front of it, for a FIFO whose reader registers the word (an unrolled layer's
// output FIFO, read by an edge FIFO or a width converter).
//
// With LANE_BITS > 0 a wider word is kept in lanes of at most LANE_BITS bits, each with its own copy
// of the occupancy, flags and pointers (equal by construction: every lane pushes and pops together),
// so no control flip-flop steers more than a lane's bits: a wide FIFO's head and memory need not sit
// around one `not_empty` (placed, a 384-bit edge FIFO's head multiplexers spent 9 ns of routing on it).
//
// With AXGEN_FIFO_PROFILE defined (simulation only: the FIFO sizing run, generator/sim/fifo_sizing.py)
// the FIFO keeps its highest occupancy and prints "AXGEN_FIFO <instance> <peak>" at the end.
`default_nettype none

module axgen_fifo #(
    parameter integer WIDTH = 8,
    parameter integer DEPTH = 2,
    parameter integer DISTRIBUTED = 0,  // the memory in LUT RAM (the plan's choice for a small FIFO)
    parameter integer HEAD_REG = 1,  // 0: m_axis_tdata is the memory's read at the head (LUT RAM only)
    parameter integer LANE_BITS = 0  // > 0: lanes of at most this many bits, each with its own control
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
    localparam integer NEXT0_I = DEPTH > 1 && HEAD_REG != 0 ? 1 : 0;
    localparam [PTR_BITS-1:0] NEXT0 = NEXT0_I[PTR_BITS-1:0];
    localparam integer LANE = LANE_BITS > 0 && LANE_BITS < WIDTH ? LANE_BITS : WIDTH;
    localparam integer LANES = (WIDTH + LANE - 1) / LANE;

    /* verilator lint_off UNUSEDSIGNAL */
    wire [LANES-1:0] lane_not_full;   // every lane's equal: lane 0's are the ports
    wire [LANES-1:0] lane_not_empty;
    /* verilator lint_on UNUSEDSIGNAL */
    assign s_axis_tready = lane_not_full[0];
    assign m_axis_tvalid = lane_not_empty[0];

    genvar l;
    generate
        for (l = 0; l < LANES; l = l + 1) begin : g_lane
            localparam integer LO = l * LANE;
            localparam integer BITS = WIDTH - LO < LANE ? WIDTH - LO : LANE;

            wire [BITS-1:0]    in_word = s_axis_tdata[LO +: BITS];
            wire [BITS-1:0]    after_head;  // the word after the head, read from the memory
            reg [PTR_BITS-1:0] wr_ptr;
            reg [PTR_BITS-1:0] rd_next;   // the word after the head (the head itself is `head`); the head without HEAD_REG
            reg [CNT_BITS-1:0] count;
            reg                not_full;
            reg                not_empty;
            /* verilator lint_off UNUSEDSIGNAL */
            reg                one;       // count == 1 (read by the head register only)
            /* verilator lint_on UNUSEDSIGNAL */

            wire push = s_axis_tvalid && not_full;
            wire pop = not_empty && m_axis_tready;
            wire [CNT_BITS-1:0] count_next = push && !pop ? count + 1'b1 : pop && !push ? count - 1'b1 : count;

            assign lane_not_full[l] = not_full;
            assign lane_not_empty[l] = not_empty;

            // In LUT RAM (a ram_style attribute) when DISTRIBUTED, else wherever synthesis puts it: a deep
            // FIFO in block RAM, whose clock-to-out is on the path into `head`.
            if (DISTRIBUTED != 0) begin : g_lutram
                (* ram_style = "distributed" *) reg [BITS-1:0] mem [0:DEPTH-1];
                always @(posedge ap_clk) if (push) mem[wr_ptr] <= in_word;
                assign after_head = mem[rd_next];
            end else begin : g_any
                reg [BITS-1:0] mem [0:DEPTH-1];
                always @(posedge ap_clk) if (push) mem[wr_ptr] <= in_word;
                assign after_head = mem[rd_next];
            end

            if (HEAD_REG != 0) begin : g_head
                reg [BITS-1:0] head;  // the oldest word, whenever the FIFO is not empty
                always @(posedge ap_clk) begin
                    // After a pop the head is the next word: in the memory with two or more words, else the
                    // arriving one (if any). Empty, the arriving word (if any) becomes the head.
                    if (pop) head <= one ? in_word : after_head;
                    else if (!not_empty) head <= in_word;
                end
                assign m_axis_tdata[LO +: BITS] = head;
            end else begin : g_read
                assign m_axis_tdata[LO +: BITS] = after_head;
            end

            always @(posedge ap_clk) begin
                if (!ap_rst_n) begin
                    wr_ptr <= 0;
                    rd_next <= NEXT0;
                    count <= 0;
                    not_full <= 1'b1;
                    not_empty <= 1'b0;
                    one <= 1'b0;
                end else begin
                    if (push) wr_ptr <= wr_ptr == LAST ? 0 : wr_ptr + 1'b1;
                    if (pop) begin
                        rd_next <= rd_next == LAST ? 0 : rd_next + 1'b1;
                    end
                    count <= count_next;
                    not_full <= count_next != FULL;
                    not_empty <= count_next != 0;
                    one <= count_next == 1;
                end
            end
        end
    endgenerate

`ifdef AXGEN_FIFO_PROFILE
    reg [CNT_BITS-1:0] peak;
    always @(posedge ap_clk) begin
        if (!ap_rst_n) peak <= 0;
        else if (g_lane[0].count > peak) peak <= g_lane[0].count;
    end
    final $display("AXGEN_FIFO %m %0d", peak);
`endif
endmodule

`default_nettype wire
