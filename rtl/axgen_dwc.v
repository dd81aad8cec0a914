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
//
// An integer ratio needs none of that (FINN's converters are only these): OUT = K * IN collects K
// beats by shifting each in at the top of a word of OUT elements, IN = K * OUT loads a beat and
// shifts OUT elements out at a time; every bit of the word has one source besides itself, and the
// handshakes are flags loaded from a counter of K. Same latency and rate as the general converter.
//
// The output leaves through a 2-word axgen_fifo (a register slice): its ready is a flip-flop next
// to the converter, so the consumer's FIFO, which the placer puts next to the consumer, is never
// on a path into the converter's one-hot state (TFC-w2a2's top: 2 ns of logic behind 6 ns of
// routing). One cycle of latency, no cycle of throughput. The input enters through one too
// (`u_in`): the producer's output register, wherever the placer puts the producer, drives only
// that FIFO's head register and memory, never the converter's selects (CNV's conv3 into its width
// converter: 6.4 ns of routing, then 1.9 ns of selects). One more cycle of latency.
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
    localparam integer IN_BITS = IN_ELEMS * ELEM_BITS;
    localparam integer OUT_BITS = OUT_ELEMS * ELEM_BITS;
    localparam [0:0] UP = OUT_ELEMS > IN_ELEMS && OUT_ELEMS % IN_ELEMS == 0;
    localparam [0:0] DOWN = IN_ELEMS > OUT_ELEMS && IN_ELEMS % OUT_ELEMS == 0;

    wire [IN_BITS-1:0]  in_tdata;
    wire                in_tvalid, in_ready;
    wire [OUT_BITS-1:0] word;       // into the output slice
    wire                word_valid, slice_ready;

    axgen_fifo #(.WIDTH(IN_BITS), .DEPTH(2)) u_in (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n),
        .s_axis_tdata(s_axis_tdata), .s_axis_tvalid(s_axis_tvalid), .s_axis_tready(s_axis_tready),
        .m_axis_tdata(in_tdata), .m_axis_tvalid(in_tvalid), .m_axis_tready(in_ready)
    );
    axgen_fifo #(.WIDTH(OUT_BITS), .DEPTH(2)) u_slice (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n),
        .s_axis_tdata(word), .s_axis_tvalid(word_valid), .s_axis_tready(slice_ready),
        .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid), .m_axis_tready(m_axis_tready)
    );

    genvar j, e, b, k;
    generate
        if (UP) begin : g_up
            // K input beats per word: each shifts in at the top, the oldest ends at the bottom.
            localparam integer K = OUT_ELEMS / IN_ELEMS;
            reg [OUT_BITS-1:0] buffer;
            reg                full_q;   // the word is complete (K beats since the last one left)
            wire last;                   // the next beat completes a word
            wire pop = full_q && slice_ready;
            wire push = in_tvalid && in_ready;
            // a beat may enter unless a complete word is waiting that the slice does not take now
            assign in_ready = !full_q || slice_ready;
            assign word = buffer;
            assign word_valid = full_q;
            /* verilator lint_off PINCONNECTEMPTY */
            axgen_walk #(.N(K)) u_count (.ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .step(push), .value(), .first(),
                                         .last(last));
            /* verilator lint_on PINCONNECTEMPTY */
            if (K > 1) begin : g_shift
                always @(posedge ap_clk) if (push) buffer <= {in_tdata, buffer[OUT_BITS-1:IN_BITS]};
            end else begin : g_load
                always @(posedge ap_clk) if (push) buffer <= in_tdata;
            end
            always @(posedge ap_clk) begin
                if (!ap_rst_n) full_q <= 1'b0;
                else full_q <= (push && last) || (full_q && !pop);
            end
        end else if (DOWN) begin : g_down
            // One input beat gives K words: loaded whole, then shifted down OUT elements per word.
            localparam integer K = IN_ELEMS / OUT_ELEMS;
            reg [IN_BITS-1:0] buffer;
            reg               valid_q;   // a word of the beat is at the bottom
            wire last;                   // the bottom word is the beat's last
            wire pop = valid_q && slice_ready;
            wire push = in_tvalid && in_ready;
            // a beat may enter when none is held or its last word leaves now
            assign in_ready = !valid_q || (last && slice_ready);
            assign word = buffer[OUT_BITS-1:0];
            assign word_valid = valid_q;
            /* verilator lint_off PINCONNECTEMPTY */
            axgen_walk #(.N(K)) u_count (.ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .step(pop), .value(), .first(),
                                         .last(last));
            /* verilator lint_on PINCONNECTEMPTY */
            always @(posedge ap_clk) begin
                if (push) buffer <= in_tdata;
                else if (pop) buffer <= {{OUT_BITS{1'b0}}, buffer[IN_BITS-1:OUT_BITS]};
                if (!ap_rst_n) valid_q <= 1'b0;
                else valid_q <= push || (valid_q && !(pop && last));
            end
        end else begin : g_any
            localparam integer CAP = IN_ELEMS + OUT_ELEMS - 1 + (IN_ELEMS > OUT_ELEMS ? IN_ELEMS : OUT_ELEMS);
            localparam integer ROOM = CAP - IN_ELEMS;
            reg  [CAP*ELEM_BITS-1:0] buffer;
            wire [CAP*ELEM_BITS-1:0] buffer_next;
            // The number of buffered elements, one-hot (at[k]: k elements), and the two handshake flags
            // it implies (ready: at most ROOM, valid: at least OUT_ELEMS), all registers: every decision
            // below is a constant select of `at`, no counter arithmetic or comparison on the path.
            reg  [CAP:0] at;
            reg          ready_q, valid_q;
            wire [CAP:0] at_next;
            wire push = in_tvalid && ready_q;
            wire pop = valid_q && slice_ready;
            assign in_ready = ready_q;
            assign word = buffer[OUT_BITS-1:0];
            assign word_valid = valid_q;

            // k elements after this cycle: k before, k - IN after a push, k + OUT before a pop, ...
            for (k = 0; k <= CAP; k = k + 1) begin : g_at
                wire from_push, from_pop, from_both;
                if (k >= IN_ELEMS) begin : g_push
                    assign from_push = at[k - IN_ELEMS];
                end else begin : g_no_push
                    assign from_push = 1'b0;
                end
                if (k + OUT_ELEMS <= CAP) begin : g_pop
                    assign from_pop = at[k + OUT_ELEMS];
                end else begin : g_no_pop
                    assign from_pop = 1'b0;
                end
                if (k + OUT_ELEMS >= IN_ELEMS && k + OUT_ELEMS - IN_ELEMS <= CAP) begin : g_both
                    assign from_both = at[k + OUT_ELEMS - IN_ELEMS];
                end else begin : g_no_both
                    assign from_both = 1'b0;
                end
                assign at_next[k] = push ? (pop ? from_both : from_push) : (pop ? from_pop : at[k]);
            end

            // Every slot's next element, with selects fixed at elaboration (no index arithmetic in
            // hardware, no select outside the buffer): slot j takes input element e when a beat enters
            // and j - e elements stay (j - e before, or j - e + OUT_ELEMS before a beat leaves; only
            // 0 <= j - e <= ROOM can: a beat enters only when at most ROOM are buffered), else slot
            // j + OUT_ELEMS when a beat leaves, else itself. The candidates with and without a beat
            // leaving are selected from registers (`at`, the input beat) alone; the handshakes (push,
            // pop) choose among them in the last level, so their fan-out is not followed by the
            // select of one of IN_ELEMS elements.
            for (j = 0; j < CAP; j = j + 1) begin : g_slot
                wire [ELEM_BITS-1:0] held;
                if (j + OUT_ELEMS < CAP) begin : g_shift
                    assign held = pop ? buffer[(j + OUT_ELEMS)*ELEM_BITS +: ELEM_BITS] : buffer[j*ELEM_BITS +: ELEM_BITS];
                end else begin : g_top
                    assign held = buffer[j*ELEM_BITS +: ELEM_BITS];
                end
                // stay[e] / stay_pop[e]: input element e would enter slot j (at most one e each).
                wire [IN_ELEMS-1:0] stay, stay_pop;
                // bit b of input element e, where selected, in bit e of column b (bits b*IN_ELEMS +: IN_ELEMS)
                wire [ELEM_BITS*IN_ELEMS-1:0] columns, columns_pop;
                wire [ELEM_BITS-1:0] entering, entering_pop;
                for (e = 0; e < IN_ELEMS; e = e + 1) begin : g_in
                    if (j >= e && j - e <= ROOM) begin : g_can
                        assign stay[e] = at[j - e];
                        if (j - e + OUT_ELEMS <= CAP) begin : g_pop
                            assign stay_pop[e] = at[j - e + OUT_ELEMS];
                        end else begin : g_no_pop
                            assign stay_pop[e] = 1'b0;
                        end
                    end else begin : g_never
                        assign stay[e] = 1'b0;
                        assign stay_pop[e] = 1'b0;
                    end
                    for (b = 0; b < ELEM_BITS; b = b + 1) begin : g_bit
                        assign columns[b*IN_ELEMS + e] = in_tdata[e*ELEM_BITS + b] & stay[e];
                        assign columns_pop[b*IN_ELEMS + e] = in_tdata[e*ELEM_BITS + b] & stay_pop[e];
                    end
                end
                for (b = 0; b < ELEM_BITS; b = b + 1) begin : g_or
                    assign entering[b] = |columns[b*IN_ELEMS +: IN_ELEMS];
                    assign entering_pop[b] = |columns_pop[b*IN_ELEMS +: IN_ELEMS];
                end
                wire enter = push && (pop ? |stay_pop : |stay);
                assign buffer_next[j*ELEM_BITS +: ELEM_BITS] = enter ? (pop ? entering_pop : entering) : held;
            end
            always @(posedge ap_clk) begin
                buffer <= buffer_next;
                if (!ap_rst_n) begin
                    at <= {{CAP{1'b0}}, 1'b1};
                    ready_q <= 1'b1;
                    valid_q <= 1'b0;
                end else begin
                    at <= at_next;
                    ready_q <= |at_next[ROOM:0];
                    valid_q <= |at_next[CAP:OUT_ELEMS];
                end
            end
        end
    endgenerate
endmodule

`default_nettype wire
