// axgen_dwc: element-granular AXI-Stream width converter.
//
// Input beats of IN_ELEMS elements become output beats of OUT_ELEMS elements, ELEM_BITS each,
// for any ratio (3 -> 2 included), order preserved: element i of a beat sits in bits
// [i*ELEM_BITS, (i+1)*ELEM_BITS) and the lowest element is the oldest.
//
// The elements wait in a buffer of CAP slots, slot 0 the oldest. A beat leaves when OUT_ELEMS
// elements are buffered; one enters when IN_ELEMS slots are free. Both conditions read only
// registers (no combinational ready/valid path through the block). CAP = IN + OUT - 1 +
// max(IN, OUT) keeps the slower side busy every cycle, so the converter runs at
// min(IN, OUT) elements per cycle.
`default_nettype none

module axgen_dwc #(
    parameter integer IN_ELEMS = 2,
    parameter integer OUT_ELEMS = 3,
    parameter integer ELEM_BITS = 4
) (
    input  wire                           ap_clk,
    input  wire                           ap_rst_n,
    input  wire [IN_ELEMS*ELEM_BITS-1:0]  s_axis_tdata,
    input  wire                           s_axis_tvalid,
    output wire                           s_axis_tready,
    output wire [OUT_ELEMS*ELEM_BITS-1:0] m_axis_tdata,
    output wire                           m_axis_tvalid,
    input  wire                           m_axis_tready
);
    localparam integer CAP = IN_ELEMS + OUT_ELEMS - 1 + (IN_ELEMS > OUT_ELEMS ? IN_ELEMS : OUT_ELEMS);
    localparam integer CNT_BITS = $clog2(CAP + 1);
    localparam integer ROOM_I = CAP - IN_ELEMS;
    localparam [CNT_BITS-1:0] IN_N = IN_ELEMS[CNT_BITS-1:0];
    localparam [CNT_BITS-1:0] OUT_N = OUT_ELEMS[CNT_BITS-1:0];
    localparam [CNT_BITS-1:0] ROOM = ROOM_I[CNT_BITS-1:0];

    reg  [CAP*ELEM_BITS-1:0] buffer;
    reg  [CNT_BITS-1:0]      count;
    reg  [CAP*ELEM_BITS-1:0] buffer_next;

    wire push = s_axis_tvalid && s_axis_tready;
    wire pop = m_axis_tvalid && m_axis_tready;
    // Slots still holding elements once this cycle's output beat has left.
    wire [CNT_BITS-1:0] kept = pop ? count - OUT_N : count;
    wire [31:0]         kept32 = {{(32 - CNT_BITS){1'b0}}, kept};

    assign s_axis_tready = count <= ROOM;
    assign m_axis_tvalid = count >= OUT_N;
    assign m_axis_tdata = buffer[OUT_ELEMS*ELEM_BITS-1:0];

    // Slot j takes its element from slot j+OUT_ELEMS when a beat leaves, and from the input
    // beat when it is one of the IN_ELEMS slots just above the kept elements. (In a cycle with
    // neither the loop keeps every slot too; the guard only lets a simulator skip it.)
    integer j;
    always @(*) begin
        buffer_next = buffer;
        if (push || pop) for (j = 0; j < CAP; j = j + 1) begin
            if (push && j >= kept32 && j < kept32 + IN_ELEMS)
                buffer_next[j*ELEM_BITS +: ELEM_BITS] = s_axis_tdata[(j - kept32)*ELEM_BITS +: ELEM_BITS];
            else if (pop && j + OUT_ELEMS < CAP)
                buffer_next[j*ELEM_BITS +: ELEM_BITS] = buffer[(j + OUT_ELEMS)*ELEM_BITS +: ELEM_BITS];
            else
                buffer_next[j*ELEM_BITS +: ELEM_BITS] = buffer[j*ELEM_BITS +: ELEM_BITS];
        end
    end

    always @(posedge ap_clk) begin
        buffer <= buffer_next;
        if (!ap_rst_n) count <= 0;
        else count <= kept + (push ? IN_N : {CNT_BITS{1'b0}});
    end
endmodule

`default_nettype wire
