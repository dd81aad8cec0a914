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
    wire [CAP*ELEM_BITS-1:0] buffer_next;

    wire push = s_axis_tvalid && s_axis_tready;
    wire pop = m_axis_tvalid && m_axis_tready;
    // Slots still holding elements once this cycle's output beat has left.
    wire [CNT_BITS-1:0] kept = pop ? count - OUT_N : count;

    assign s_axis_tready = count <= ROOM;
    assign m_axis_tvalid = count >= OUT_N;
    assign m_axis_tdata = buffer[OUT_ELEMS*ELEM_BITS-1:0];

    // Every slot's next element, with selects fixed at elaboration (no index arithmetic in
    // hardware, no select outside the buffer): slot j takes input element e when a beat enters
    // and kept = j - e (only e with 0 <= j - e <= ROOM can: an input beat enters only while
    // count <= ROOM, and kept <= count), else slot j + OUT_ELEMS when a beat leaves, else itself.
    genvar j, e, b;
    generate
        for (j = 0; j < CAP; j = j + 1) begin : g_slot
            wire [ELEM_BITS-1:0] held;
            if (j + OUT_ELEMS < CAP) begin : g_shift
                assign held = pop ? buffer[(j + OUT_ELEMS)*ELEM_BITS +: ELEM_BITS] : buffer[j*ELEM_BITS +: ELEM_BITS];
            end else begin : g_top
                assign held = buffer[j*ELEM_BITS +: ELEM_BITS];
            end
            // take[e]: input element e enters slot j (at most one e at a time).
            wire [IN_ELEMS-1:0] take;
            // bit b of input element e, where take[e], in bit e of column b (bits b*IN_ELEMS +: IN_ELEMS)
            wire [ELEM_BITS*IN_ELEMS-1:0] columns;
            wire [ELEM_BITS-1:0] entered;
            for (e = 0; e < IN_ELEMS; e = e + 1) begin : g_in
                if (j >= e && j - e <= ROOM_I) begin : g_can
                    localparam integer AT_I = j - e;
                    localparam [CNT_BITS-1:0] AT = AT_I[CNT_BITS-1:0];
                    assign take[e] = push && kept == AT;
                end else begin : g_never
                    assign take[e] = 1'b0;
                end
                for (b = 0; b < ELEM_BITS; b = b + 1) begin : g_bit
                    assign columns[b*IN_ELEMS + e] = s_axis_tdata[e*ELEM_BITS + b] & take[e];
                end
            end
            for (b = 0; b < ELEM_BITS; b = b + 1) begin : g_or
                assign entered[b] = |columns[b*IN_ELEMS +: IN_ELEMS];
            end
            assign buffer_next[j*ELEM_BITS +: ELEM_BITS] = |take ? entered : held;
        end
    endgenerate

    always @(posedge ap_clk) begin
        buffer <= buffer_next;
        if (!ap_rst_n) count <= 0;
        else count <= kept + (push ? IN_N : {CNT_BITS{1'b0}});
    end
endmodule

`default_nettype wire
