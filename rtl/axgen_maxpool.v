// axgen_maxpool: streaming max pool (OP_SUM = 0) or average pool (OP_SUM = 1: window sums, then
// OUT_MODE 0 the raw sum, 1 the exporter's truncation clip(rounding(sum / 2^SHIFT)) with ROUND = 0
// floor, 1 round half to even, 2 thresholds as rtl/axgen_thresholds.v), channels-last, no padding.
// Sums are ACC_BITS two's complement (inputs sign- or zero-extended by SIGNED); a max pool keeps
// ACC_BITS = OUT_BITS = ELEM_BITS. Thresholds: word c-beat, lane p*N_THRES+i (THRESH_FILE).
//
// Input: an IFM_H x IFM_W x CH image, row by row, pixel by pixel, CH/PE beats per pixel of PE
// elements (element i of a beat in bits [i*ELEM_BITS, (i+1)*ELEM_BITS)). Output: the pooled
// OH x OW x CH image (golden_conv.maxpool), channels-last, in beats of PE elements. Any kernel
// and stride, overlapping windows included. SIGNED = 1 compares two's complement codes,
// SIGNED = 0 unsigned codes (also right for bipolar codes 0/1). Images follow one another with
// no gap; the block takes one input beat per cycle.
//
// The maximum is separable and computed in two steps as the beats stream by:
//   1. horizontal: a shift register of the last (K_W-1)*CH/PE input beats gives, with the
//      current beat, the same channels of the last K_W pixels; when the current pixel closes a
//      window (column ox*STRIDE_W + K_W-1), their maximum is the row maximum hmax(row, ox, c);
//   2. vertical: a line memory of OW*CH/PE words, each holding the row maxima of the last K_H-1
//      rows at one (ox, c-beat) position. Each row maximum reads its position's word (one
//      cycle, registered), takes the maximum with it -- emitted when the row closes a window (row
//      oy*STRIDE_H + K_H-1) -- and writes back the word shifted by one row. A read of a word
//      written one or two cycles later (OW*CH/PE <= 2) is forwarded.
// The line word read is registered twice (block RAM output register) before the maximum, and the
// window's maximum (sum) is registered before the output stage, so no path starts at the
// block RAM or runs from the line through the maximum into the output stage and the FIFO.
// Outputs enter an 8-entry FIFO; input is taken only when the FIFO has room for everything in
// flight (stages B, C, D), so s_axis_tready, m_axis_tvalid and m_axis_tdata come from registers.
// Registers: the horizontal shift register holds (K_W-1)*CH*ELEM_BITS bits.
`default_nettype none

module axgen_maxpool #(
    parameter integer IFM_H = 4,
    parameter integer IFM_W = 4,
    parameter integer CH = 2,
    parameter integer K_H = 2,
    parameter integer K_W = 2,
    parameter integer STRIDE_H = 2,
    parameter integer STRIDE_W = 2,
    parameter integer PE = 1,
    parameter integer ELEM_BITS = 4,
    parameter integer SIGNED = 0,
    parameter integer OP_SUM = 0,
    parameter integer ACC_BITS = ELEM_BITS,
    parameter integer OUT_BITS = ELEM_BITS,
    parameter integer OUT_MODE = 0,
    // Each output stage reads only its own parameters of the rest.
    /* verilator lint_off UNUSEDPARAM */
    parameter integer SHIFT = 0,
    parameter integer ROUND = 0,
    parameter integer OUT_MIN = 0,
    parameter integer OUT_MAX = 0,
    parameter integer N_THRES = 1,
    parameter integer T_BITS = 2,
    parameter integer OUT_BIAS = 0,
    parameter THRESH_FILE = ""
    /* verilator lint_on UNUSEDPARAM */
) (
    input  wire                    ap_clk,
    input  wire                    ap_rst_n,
    input  wire [PE*ELEM_BITS-1:0] s_axis_tdata,
    input  wire                    s_axis_tvalid,
    output wire                    s_axis_tready,
    output wire [PE*OUT_BITS-1:0]  m_axis_tdata,
    output wire                    m_axis_tvalid,
    input  wire                    m_axis_tready
);
    localparam integer IW = PE * ELEM_BITS;                             // input beat
    localparam integer BW = PE * ACC_BITS;                              // beat of sums (maxima)
    localparam integer OBW = PE * OUT_BITS;                             // output beat
    localparam integer CF = CH / PE;                                    // beats per pixel
    localparam integer OH = (IFM_H - K_H) / STRIDE_H + 1;
    localparam integer OW = (IFM_W - K_W) / STRIDE_W + 1;
    localparam integer NT = (K_W - 1) * CF;                             // horizontal taps
    localparam integer LN = K_H > 1 ? K_H - 1 : 1;                      // rows in a line word
    localparam integer LD = OW * CF;                                    // line memory words
    localparam integer CMAX = IFM_H + IFM_W + K_H + K_W + STRIDE_H + STRIDE_W + LD + CF + 2;
    localparam integer CW = $clog2(CMAX + 1);
    localparam integer PW = LD > 1 ? $clog2(LD) : 1;
    localparam integer FD = 8;                                          // output FIFO depth

    localparam integer CF1_I = CF - 1;
    localparam integer W1_I = IFM_W - 1;
    localparam integer H1_I = IFM_H - 1;
    localparam integer KW1_I = K_W - 1;
    localparam integer KH1_I = K_H - 1;
    localparam integer SW1_I = STRIDE_W - 1;
    localparam integer SH1_I = STRIDE_H - 1;
    localparam integer LD1_I = LD - 1;
    localparam [CW-1:0] C_CF1 = CF1_I[CW-1:0];
    localparam [CW-1:0] C_W1 = W1_I[CW-1:0];
    localparam [CW-1:0] C_H1 = H1_I[CW-1:0];
    localparam [CW-1:0] C_KW1 = KW1_I[CW-1:0];
    localparam [CW-1:0] C_KH1 = KH1_I[CW-1:0];
    localparam [CW-1:0] C_SW1 = SW1_I[CW-1:0];
    localparam [CW-1:0] C_SH1 = SH1_I[CW-1:0];
    localparam [CW-1:0] C_OW = OW[CW-1:0];
    localparam [CW-1:0] C_OH = OH[CW-1:0];
    localparam [PW-1:0] P_LD1 = LD1_I[PW-1:0];

    // Element-wise maximum (or sum) of two beats.
    function [BW-1:0] beat_max(input [BW-1:0] a, input [BW-1:0] b);
        integer i;
        reg [ACC_BITS-1:0] ea, eb;
        reg                a_wins;
        begin
            for (i = 0; i < PE; i = i + 1) begin
                ea = a[i*ACC_BITS +: ACC_BITS];
                eb = b[i*ACC_BITS +: ACC_BITS];
                a_wins = SIGNED != 0 || OP_SUM != 0 ? $signed(ea) > $signed(eb) : ea > eb;
                beat_max[i*ACC_BITS +: ACC_BITS] = OP_SUM != 0 ? ea + eb : (a_wins ? ea : eb);
            end
        end
    endfunction

    // An input beat with its elements sign- (SIGNED) or zero-extended to ACC_BITS.
    function [BW-1:0] widen(input [IW-1:0] x);
        integer i;
        reg [ELEM_BITS-1:0] e;
        begin
            for (i = 0; i < PE; i = i + 1) begin
                e = x[i*ELEM_BITS +: ELEM_BITS];
                widen[i*ACC_BITS +: ACC_BITS] = {{(ACC_BITS - ELEM_BITS){SIGNED != 0 && e[ELEM_BITS-1]}}, e};
            end
        end
    endfunction

    // ---------------- stage A: input, horizontal maximum, line read ----------------
    reg  [CW-1:0] cf, ix, iy;
    reg  [CW-1:0] hwait, oxc;     // pixels until the next window closes / windows closed
    reg  [CW-1:0] vwait, oyc;     // same for rows
    reg  [PW-1:0] p;              // line position (ox * CF + c-beat)
    wire          full;           // no room for another result (u_room)
    reg           b_v, b_emit;    // stage B holds a row maximum / one to emit
    reg  [PW-1:0] b_p;
    reg           c_v, c_emit;  // stage C likewise

    reg           d_v;            // stage D holds a window result
    assign s_axis_tready = !full;
    wire push_in = s_axis_tvalid && s_axis_tready;
    wire last_cf = cf == C_CF1;
    wire last_ix = ix == C_W1;
    wire last_iy = iy == C_H1;
    wire hvalid = hwait == 0 && oxc < C_OW;
    wire row_out = vwait == 0 && oyc < C_OH;
    wire a_v = push_in && hvalid;

    reg [BW-1:0] hmax;
    generate
        if (K_W > 1) begin : g_taps
            reg [IW-1:0] taps [0:NT-1];   // taps[0]: the previous beat
            integer t, k;
            always @(posedge ap_clk) begin
                if (push_in) begin
                    taps[0] <= s_axis_tdata;
                    for (t = 1; t < NT; t = t + 1) taps[t] <= taps[t-1];
                end
            end
            always @(*) begin
                hmax = widen(s_axis_tdata);
                for (k = 1; k < K_W; k = k + 1) hmax = beat_max(hmax, widen(taps[k*CF-1]));
            end
        end else begin : g_no_taps
            always @(*) hmax = widen(s_axis_tdata);
        end
    endgenerate

    always @(posedge ap_clk) begin
        if (!ap_rst_n) begin
            cf <= 0;
            ix <= 0;
            iy <= 0;
            hwait <= C_KW1;
            oxc <= 0;
            vwait <= C_KH1;
            oyc <= 0;
            p <= 0;
        end else if (push_in) begin
            cf <= last_cf ? {CW{1'b0}} : cf + 1'b1;
            if (hvalid) p <= p == P_LD1 ? {PW{1'b0}} : p + 1'b1;
            if (last_cf) begin
                ix <= last_ix ? {CW{1'b0}} : ix + 1'b1;
                if (last_ix) begin
                    hwait <= C_KW1;
                    oxc <= 0;
                end else if (hwait == 0) begin
                    hwait <= C_SW1;
                    oxc <= oxc + 1'b1;
                end else begin
                    hwait <= hwait - 1'b1;
                end
                if (last_ix) begin
                    iy <= last_iy ? {CW{1'b0}} : iy + 1'b1;
                    if (last_iy) begin
                        vwait <= C_KH1;
                        oyc <= 0;
                    end else if (vwait == 0) begin
                        vwait <= C_SH1;
                        oyc <= oyc + 1'b1;
                    end else begin
                        vwait <= vwait - 1'b1;
                    end
                end
            end
        end
    end

    // ---------------- stage B: line read register; stage C: vertical maximum, line write-back ----------------
    // The line word read in stage A is registered in stage B (the block RAM's output register),
    // so stage C starts from registers. A word read in stage A reflects every write made up to
    // the cycle before; the two items ahead of it (in stages B and C) write theirs later, so a
    // read of the same position as either is forwarded: from the previous cycle's write
    // (c_fwd1, last_wr) or from the write two cycles before, taken from last_wr on entering stage C
    // (c_fwd2, c_fw).
    // Positions repeat every LD items, so this only happens when LD <= 2.
    reg [PW-1:0] c_p;
    reg [BW-1:0] c_h;
    always @(posedge ap_clk) begin
        if (!ap_rst_n) begin
            b_v <= 1'b0;
            b_emit <= 1'b0;
            c_v <= 1'b0;
            c_emit <= 1'b0;
        end else begin
            b_v <= a_v;
            b_emit <= a_v && row_out;
            c_v <= b_v;
            c_emit <= b_v && b_emit;
        end
    end
    reg [BW-1:0] b_h;
    always @(posedge ap_clk) begin
        if (a_v) begin
            b_h <= hmax;
            b_p <= p;
        end
        if (b_v) begin
            c_h <= b_h;
            c_p <= b_p;
        end
    end

    reg [BW-1:0] vmax;
    generate
        if (K_H > 1) begin : g_line
            reg [LN*BW-1:0] line [0:LD-1];
            reg [LN*BW-1:0] rd_word, rd_q, last_wr, c_fw;
            reg             b_fwd1, b_fwd2, c_fwd1, c_fwd2;
            wire [LN*BW-1:0] word = c_fwd1 ? last_wr : (c_fwd2 ? c_fw : rd_q);
            wire [LN*BW-1:0] new_word;
            if (LN > 1) begin : g_shift
                assign new_word = {word[(LN-1)*BW-1:0], c_h};
            end else begin : g_one
                assign new_word = c_h;
            end
            integer j;
            always @(*) begin
                vmax = c_h;
                for (j = 0; j < LN; j = j + 1) vmax = beat_max(vmax, word[j*BW +: BW]);
            end
            always @(posedge ap_clk) begin
                if (a_v) begin
                    rd_word <= line[p];
                    b_fwd1 <= b_v && b_p == p;
                    b_fwd2 <= c_v && c_p == p;
                end
                if (b_v) begin
                    rd_q <= rd_word;
                    c_fwd1 <= b_fwd1;
                    c_fwd2 <= b_fwd2 && !b_fwd1;
                    c_fw <= last_wr;
                end
                if (c_v) begin
                    line[c_p] <= new_word;
                    last_wr <= new_word;
                end
            end
        end else begin : g_no_line
            // One row per window: no line memory, so the line position is not needed.
            /* verilator lint_off UNUSEDSIGNAL */
            wire unused_p = &{1'b0, c_p};
            /* verilator lint_on UNUSEDSIGNAL */
            always @(*) vmax = c_h;
        end
    endgenerate

    // ---------------- output stage: raw, truncation or thresholds ----------------
    // ---------------- stage D: the window's maximum (sum) registered ----------------
    reg [BW-1:0] d_max;
    always @(posedge ap_clk) begin
        if (!ap_rst_n) d_v <= 1'b0;
        else d_v <= c_v && c_emit;
    end
    always @(posedge ap_clk) begin
        if (c_v && c_emit) d_max <= vmax;
    end
    wire f_push = d_v;
    wire [OBW-1:0] result;
    localparam integer OCW = CF > 1 ? $clog2(CF) : 1;
    reg  [OCW-1:0] oc;  // channel beat of the next output
    localparam [OCW-1:0] O_CF1 = CF1_I[OCW-1:0];
    always @(posedge ap_clk) begin
        if (!ap_rst_n) oc <= 0;
        else if (f_push) oc <= oc == O_CF1 ? {OCW{1'b0}} : oc + 1'b1;
    end
    genvar q;
    generate
        if (OUT_MODE == 2) begin : g_thresholds
            reg [PE*N_THRES*T_BITS-1:0] thresholds [0:CF-1];
            initial $readmemh(THRESH_FILE, thresholds);
            wire [PE*N_THRES*T_BITS-1:0] t_word = thresholds[oc];
            for (q = 0; q < PE; q = q + 1) begin : g_lane
                axgen_thresholds #(
                    .ACC_BITS(ACC_BITS), .N_THRES(N_THRES), .T_BITS(T_BITS), .OUT_BITS(OUT_BITS), .OUT_BIAS(OUT_BIAS)
                ) u_thresholds (
                    .acc(d_max[q*ACC_BITS +: ACC_BITS]),
                    .thresholds(t_word[q*N_THRES*T_BITS +: N_THRES*T_BITS]),
                    .out(result[q*OUT_BITS +: OUT_BITS])
                );
            end
        end else if (OUT_MODE == 1) begin : g_trunc
            /* verilator lint_off UNUSEDSIGNAL */
            wire [OCW-1:0] unused_oc = oc;
            /* verilator lint_on UNUSEDSIGNAL */
            for (q = 0; q < PE; q = q + 1) begin : g_lane
                wire signed [ACC_BITS:0] sum = {d_max[q*ACC_BITS + ACC_BITS-1], d_max[q*ACC_BITS +: ACC_BITS]};
                wire signed [ACC_BITS:0] floor_q = sum >>> SHIFT;
                wire up;
                if (ROUND != 0 && SHIFT > 0) begin : g_round
                    wire [SHIFT-1:0] rest = sum[SHIFT-1:0];
                    localparam [SHIFT-1:0] HALF = {1'b1, {(SHIFT - 1){1'b0}}};
                    assign up = rest > HALF || (rest == HALF && floor_q[0]);
                end else begin : g_floor
                    assign up = 1'b0;
                end
                wire signed [ACC_BITS:0] rounded = floor_q + {{ACC_BITS{1'b0}}, up};
                localparam signed [ACC_BITS:0] LO = OUT_MIN[ACC_BITS:0];
                localparam signed [ACC_BITS:0] HI = OUT_MAX[ACC_BITS:0];
                wire signed [ACC_BITS:0] clipped = rounded < LO ? LO : (rounded > HI ? HI : rounded);
                /* verilator lint_off UNUSEDSIGNAL */
                wire [ACC_BITS:0] clipped_bits = clipped;
                /* verilator lint_on UNUSEDSIGNAL */
                assign result[q*OUT_BITS +: OUT_BITS] = clipped_bits[OUT_BITS-1:0];
            end
        end else begin : g_raw
            /* verilator lint_off UNUSEDSIGNAL */
            wire [OCW-1:0] unused_oc = oc;
            wire [BW-1:0] raw = d_max;
            /* verilator lint_on UNUSEDSIGNAL */
            for (q = 0; q < PE; q = q + 1) begin : g_lane
                assign result[q*OUT_BITS +: OUT_BITS] = raw[q*ACC_BITS +: OUT_BITS];
            end
        end
    endgenerate

    // ---------------- output FIFO ----------------
    // An input is accepted only when the FIFO has room for every result in flight: credits
    // (rtl/axgen_credits.v; an emitting item takes one entering stage B, a pop gives one back) whose
    // full flag is a register, so no sum or comparison sits between ready and the counters it enables.
    // The FIFO (rtl/axgen_fifo.v) has its head, valid and ready in registers; its ready is not read.
    wire f_pop = m_axis_tvalid && m_axis_tready;
    axgen_credits #(.CREDITS(FD)) u_room (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .take(a_v && row_out), .give(f_pop), .full(full)
    );
    /* verilator lint_off PINCONNECTEMPTY */
    axgen_fifo #(.WIDTH(OBW), .DEPTH(FD)) u_out_fifo (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n),
        .s_axis_tdata(result), .s_axis_tvalid(f_push), .s_axis_tready(),
        .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid), .m_axis_tready(m_axis_tready)
    );
    /* verilator lint_on PINCONNECTEMPTY */
endmodule

`default_nettype wire
