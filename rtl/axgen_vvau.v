// axgen_vvau: streaming vector-vector-threshold unit (a depthwise convolution's products).
//
// Per window, acc[c] = sum_t mul(x[t][c], W[c][t]) over MW = K_H*K_W taps t of each of MH
// channels c, then, with N_THRES > 0, out_code[c] = #{i : acc[c] >= T[c][i]} + OUT_BIAS (low
// OUT_BITS bits), else the accumulator itself. The window arrives from the sliding-window
// generator as SF*NF beats (SF = MW/SIMD tap folds, NF = MH/PE channel folds) in the order
// sf*NF + nf, each holding SIMD taps x PE channels: element s*PE + p is tap sf*SIMD+s of channel
// nf*PE+p. The output leaves as NF beats of PE channels (element p in bits [p*W, (p+1)*W)),
// emitted during the last tap fold.
//
// Schedule: one beat per cycle, each used once (no input buffer). Accumulators acc[nf][p] for
// the NF channel folds live in a register array per PE lane: at beat (sf, nf),
// acc[nf][p] = (sf == 0 ? 0 : acc[nf][p]) + sum_s mul(x[s][p], W[nf*PE+p][sf*SIMD+s]).
// Weights are the MVAU's memory (word nf*SF+sf, lane p*SIMD+s), read at the address
// nf*SF + sf; thresholds the MVAU's (word nf).
//
// Pipeline, as rtl/axgen_mvau.v (same parameters MEM_REG, MUL_REG, TREE_STAGE, THR_REG, same
// depth PIPE): S0 issue (counters, weight read, input register), MEM_REG operand registers, S1
// lane products and their SIMD sum (rtl/axgen_dot.v), S2 accumulate and threshold read, S3
// threshold count into the output FIFO; back-pressure by credits (an output beat issues only with
// room in the FIFO).
//
// Products: axgen_mul on the raw codes, or, with MUL_SPLIT = 1 (an approximate family on integer
// operands), the weight lane holds {sign, |w|} (W_LANE_BITS = W_BITS + 1 for signed weights) and
// each lane takes its activation's sign and magnitude, multiplies the magnitudes in axgen_umul
// and negates the product when exactly one operand is negative -- bit for bit axgen_mul's.
`default_nettype none

module axgen_vvau #(
    parameter integer MW = 9,
    parameter integer MH = 4,
    parameter integer PE = 2,
    parameter integer SIMD = 1,
    parameter integer IN_BITS = 4,
    parameter integer IN_KIND = 0,
    parameter integer W_BITS = 4,
    parameter integer W_KIND = 1,
    parameter integer ACC_BITS = 12,
    parameter integer N_THRES = 0,
    parameter integer T_BITS = 13,
    parameter integer OUT_BITS = 12,
    parameter integer OUT_BIAS = 0,
    parameter integer MUL_FAMILY = 0,
    parameter integer MUL_K1 = 0,
    parameter integer MUL_K2 = 0,
    parameter integer MUL_SPLIT = 0,
    parameter integer W_LANE_BITS = 4,
    parameter integer MEM_REG = 1,
    parameter integer MUL_REG = 1,
    parameter integer MUL_FABRIC = 0,
    parameter integer TREE_STAGE = 2,
    parameter integer THR_REG = 1,
    parameter integer W_CHUNK = 0,
    parameter integer W_BANK = 0,
    parameter MUL_TABLE_FILE = "",
    parameter WEIGHTS_FILE = "weights.mem",
    parameter WEIGHTS_BANK_PREFIX = "weights_b",
    parameter THRESH_FILE = "thresholds.mem"
) (
    input  wire                        ap_clk,
    input  wire                        ap_rst_n,
    input  wire [PE*SIMD*IN_BITS-1:0]  s_axis_tdata,
    input  wire                        s_axis_tvalid,
    output wire                        s_axis_tready,
    output wire [PE*OUT_BITS-1:0]      m_axis_tdata,
    output wire                        m_axis_tvalid,
    input  wire                        m_axis_tready
);
    localparam integer SF = MW / SIMD;
    localparam integer NF = MH / PE;
    localparam integer STEPS = NF * SF;
    localparam integer IN_W = PE * SIMD * IN_BITS;
    localparam integer W_W = PE * SIMD * W_LANE_BITS;
    localparam integer T_W = PE * N_THRES * T_BITS;
    localparam integer T_LANE = N_THRES > 0 ? N_THRES * T_BITS : 1;  // a lane's thresholds
    localparam integer OUT_W = PE * OUT_BITS;
    localparam integer SF_BITS = SF > 1 ? $clog2(SF) : 1;
    localparam integer NF_BITS = NF > 1 ? $clog2(NF) : 1;
    localparam integer STEP_BITS = STEPS > 1 ? $clog2(STEPS) : 1;
    localparam integer SIGNED_KIND = 1;
    localparam integer TREE_LEVELS = SIMD > 1 ? $clog2(SIMD) : 0;
    localparam integer TREE_REGS = TREE_STAGE > 0 && TREE_LEVELS > 1 ? (TREE_LEVELS - 1) / TREE_STAGE : 0;
    localparam integer ROM_REG = MEM_REG > 1 ? MEM_REG - 1 : 0;  // registers inside the weight ROM (its banks')
    localparam integer D1 = 1 + MEM_REG + MUL_REG + TREE_REGS;  // issue -> the sum of the step is ready
    localparam integer PIPE = D1 + 2 + THR_REG;  // issue -> written into the output FIFO
    localparam integer OFIFO_DEPTH = PIPE + 5;  // credits, as in axgen_mvau

    // ---------------------------------------------------------------- S0: issue
    // The decision reads flip-flops only, as in axgen_mvau.
    wire [SF_BITS-1:0] sf;
    /* verilator lint_off UNUSEDSIGNAL */
    wire [NF_BITS-1:0] nf;  // read by the threshold memory only
    /* verilator lint_on UNUSEDSIGNAL */
    wire first_sf, last_sf, last_nf, full;
    wire step_ok = !last_sf || !full;
    wire issue = step_ok && s_axis_tvalid;
    wire out_pop = m_axis_tvalid && m_axis_tready;
    wire [STEP_BITS-1:0] sf_next = last_sf ? {STEP_BITS{1'b0}} : {{(STEP_BITS - SF_BITS){1'b0}}, sf} + 1'b1;

    assign s_axis_tready = step_ok;

    /* verilator lint_off PINCONNECTEMPTY */
    axgen_walk #(.N(NF)) u_nf (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .step(issue), .value(nf), .first(), .last(last_nf)
    );
    /* verilator lint_on PINCONNECTEMPTY */
    axgen_walk #(.N(SF)) u_sf (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .step(issue && last_nf), .value(sf), .first(first_sf), .last(last_sf)
    );
    axgen_credits #(.CREDITS(OFIFO_DEPTH)) u_credits (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .take(issue && last_sf), .give(out_pop), .full(full)
    );

    // Weights: word nf*SF + sf, walked with stride SF within a column of output folds, read in
    // slices of W_CHUNK bits, each with its own copy of the address counter (rtl/axgen_rom.v).
    wire [W_W-1:0] w_q;
    reg [IN_W-1:0] x;
    axgen_rom #(.WIDTH(W_W), .DEPTH(STEPS), .CHUNK(W_CHUNK), .STRIDE(SF), .OUT_REG(ROM_REG), .BANK(W_BANK),
                .FILE(WEIGHTS_FILE), .BANK_PREFIX(WEIGHTS_BANK_PREFIX)) u_weights (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .advance(issue), .load(last_nf), .load_addr(sf_next), .data(w_q)
    );
    always @(posedge ap_clk) x <= s_axis_tdata;

    // Split products: every element's sign and magnitude.
    /* verilator lint_off UNUSEDSIGNAL */
    wire [IN_W-1:0]         x_mag;
    wire [PE*SIMD-1:0]      x_neg;
    /* verilator lint_on UNUSEDSIGNAL */
    genvar e;
    generate
        for (e = 0; e < PE * SIMD; e = e + 1) begin : g_act
            wire [IN_BITS-1:0] code = x[e*IN_BITS +: IN_BITS];
            if (MUL_SPLIT != 0 && IN_KIND == SIGNED_KIND) begin : g_signed
                assign x_neg[e] = code[IN_BITS-1];
                assign x_mag[e*IN_BITS +: IN_BITS] = (code ^ {IN_BITS{x_neg[e]}}) + {{(IN_BITS - 1){1'b0}}, x_neg[e]};
            end else begin : g_unsigned
                assign x_neg[e] = 1'b0;
                assign x_mag[e*IN_BITS +: IN_BITS] = code;
            end
        end
    endgenerate

    // MEM_REG: the operands of the products from registers (weights, input beat, magnitudes).
    /* verilator lint_off UNUSEDSIGNAL */
    wire [W_W-1:0]     w_op;
    wire [IN_W-1:0]    x_op;
    wire [IN_W-1:0] mag_op;
    wire [PE*SIMD-1:0] neg_op;
    /* verilator lint_on UNUSEDSIGNAL */
    // (with MEM_REG > 1 all but the last of the weights' registers are inside the ROM: rtl/axgen_rom.v's OUT_REG)
    axgen_delay #(.WIDTH(W_W), .DEPTH(MEM_REG - ROM_REG)) u_w_operand (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .in(w_q), .out(w_op)
    );
    axgen_delay #(.WIDTH(IN_W + IN_W + PE*SIMD), .DEPTH(MEM_REG)) u_operands (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .in({x, x_mag, x_neg}), .out({x_op, mag_op, neg_op})
    );

    // ---------------------------------------------------------------- S1..S3 control
    // The step's valid, first and last flags delayed D1 cycles: S1, where the step's sum is ready.
    wire s1_valid, s1_first, s1_last;
    reg s2_valid, s2_first, s2_last;
    reg s3_valid;
    axgen_delay #(.WIDTH(1), .DEPTH(D1), .RESET(1)) u_valid (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .in(issue), .out(s1_valid)
    );
    axgen_delay #(.WIDTH(2), .DEPTH(D1)) u_flags (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .in({first_sf, last_sf}), .out({s1_first, s1_last})
    );
    always @(posedge ap_clk) begin
        if (!ap_rst_n) begin
            s2_valid <= 1'b0;
            s3_valid <= 1'b0;
        end else begin
            s2_valid <= s1_valid;
            s3_valid <= s2_valid && s2_last;
        end
        s2_first <= s1_first;
        s2_last <= s1_last;
    end
    wire [NF_BITS-1:0] s2_nf;  // the channel fold S2 accumulates
    axgen_delay #(.WIDTH(NF_BITS), .DEPTH(D1 + 1)) u_s2_nf (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .in(nf), .out(s2_nf)
    );

    /* verilator lint_off UNUSEDSIGNAL */
    wire [PE*T_LANE-1:0] t_q;
    /* verilator lint_on UNUSEDSIGNAL */
    generate
        if (N_THRES > 0) begin : g_thresholds
            // Word nf out in S3, the cycle the accumulator holds the step's sum: read in S2, or with
            // MEM_REG in S1 and registered once more.
            wire [NF_BITS-1:0] t_nf;
            reg [T_W-1:0] thresholds [0:NF-1];
            reg [T_W-1:0] t_r;
            initial $readmemh(THRESH_FILE, thresholds);
            axgen_delay #(.WIDTH(NF_BITS), .DEPTH(D1 + 1 - MEM_REG)) u_nf (
                .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .in(nf), .out(t_nf)
            );
            always @(posedge ap_clk) t_r <= thresholds[t_nf];
            axgen_delay #(.WIDTH(T_W), .DEPTH(MEM_REG)) u_read (
                .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .in(t_r), .out(t_q)
            );
        end else begin : g_no_thresholds
            assign t_q = {(PE * T_LANE){1'b0}};
        end
    endgenerate

    // ---------------------------------------------------------------- PE lanes
    wire [OUT_W-1:0] result;
    genvar p, s;
    generate
        for (p = 0; p < PE; p = p + 1) begin : g_lane
            // S1: this channel's SIMD tap products and their sum (rtl/axgen_dot.v); tap s of
            // channel p is element s*PE + p of the beat.
            wire [SIMD*IN_BITS-1:0] codes, mags;
            wire [SIMD-1:0] negs;
            for (s = 0; s < SIMD; s = s + 1) begin : g_simd
                assign codes[s*IN_BITS +: IN_BITS] = x_op[(s*PE+p)*IN_BITS +: IN_BITS];
                assign mags[s*IN_BITS +: IN_BITS] = mag_op[(s*PE+p)*IN_BITS +: IN_BITS];
                assign negs[s] = neg_op[s*PE+p];
            end
            wire [ACC_BITS-1:0] dot;
            axgen_dot #(
                .SIMD(SIMD), .IN_BITS(IN_BITS), .IN_KIND(IN_KIND), .W_BITS(W_BITS), .W_KIND(W_KIND),
                .ACC_BITS(ACC_BITS), .MUL_FAMILY(MUL_FAMILY), .MUL_K1(MUL_K1), .MUL_K2(MUL_K2),
                .MUL_SPLIT(MUL_SPLIT), .W_LANE_BITS(W_LANE_BITS), .MUL_REG(MUL_REG), .TREE_STAGE(TREE_STAGE),
                .MUL_FABRIC(MUL_FABRIC), .MUL_TABLE_FILE(MUL_TABLE_FILE)
            ) u_dot (
                .ap_clk(ap_clk), .x(codes), .x_mag(mags), .x_neg(negs),
                .w(w_op[p*SIMD*W_LANE_BITS +: SIMD*W_LANE_BITS]), .dot(dot)
            );

            // S2: accumulate channel fold s2_nf over the tap folds.
            reg [ACC_BITS-1:0] dot_q;
            reg [ACC_BITS-1:0] acc;
            reg [ACC_BITS-1:0] accs [0:NF-1];
            wire [ACC_BITS-1:0] sum = (s2_first ? {ACC_BITS{1'b0}} : accs[s2_nf]) + dot_q;
            always @(posedge ap_clk) begin
                if (s1_valid) dot_q <= dot;
                if (s2_valid) begin
                    accs[s2_nf] <= sum;
                    acc <= sum;
                end
            end

            // S3: threshold count (rtl/axgen_thresholds.v), or the accumulator itself; with
            // THR_REG = 2 the comparisons (or the raw accumulator) are registered before the count.
            axgen_thresholds_pipe #(
                .ACC_BITS(ACC_BITS), .N_THRES(N_THRES), .T_BITS(T_BITS), .OUT_BITS(OUT_BITS), .OUT_BIAS(OUT_BIAS),
                .REG(THR_REG > 1 ? 1 : 0)
            ) u_count (
                .ap_clk(ap_clk), .acc(acc), .thresholds(t_q[p*T_LANE +: T_LANE]),
                .out(result[p*OUT_BITS +: OUT_BITS])
            );
        end
    endgenerate

    // THR_REG > 0: the count registered on its way into the FIFO.
    wire [OUT_W-1:0] fifo_in;
    wire             fifo_valid;
    axgen_delay #(.WIDTH(1), .DEPTH(THR_REG), .RESET(1)) u_out_valid (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .in(s3_valid), .out(fifo_valid)
    );
    axgen_delay #(.WIDTH(OUT_W), .DEPTH(THR_REG > 0 ? 1 : 0)) u_out (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .in(result), .out(fifo_in)
    );

    // ---------------------------------------------------------------- output FIFO
    /* verilator lint_off PINCONNECTEMPTY */
    axgen_fifo #(.WIDTH(OUT_W), .DEPTH(OFIFO_DEPTH)) u_out_fifo (
        .ap_clk(ap_clk),
        .ap_rst_n(ap_rst_n),
        .s_axis_tdata(fifo_in),
        .s_axis_tvalid(fifo_valid),
        .s_axis_tready(),
        .m_axis_tdata(m_axis_tdata),
        .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready)
    );
    /* verilator lint_on PINCONNECTEMPTY */
endmodule

`default_nettype wire
