// axgen_mvau: streaming matrix-vector-threshold unit.
//
// Per sample, out[m] = sum_k mul(x[k], W[m][k]) over MW inputs and MH outputs, then, with
// N_THRES > 0, out_code[m] = #{i : acc[m] >= T[m][i]} + OUT_BIAS (low OUT_BITS bits), else the
// accumulator itself. The input vector arrives as MW/SIMD beats of SIMD elements, the output
// leaves as MH/PE beats of PE elements (element i of a beat in bits [i*W, (i+1)*W)).
//
// Schedule: output folds nf = 0..NF-1, each running input folds sf = 0..SF-1, one (nf, sf)
// step per cycle. The nf == 0 pass takes its input beats from s_axis and keeps them in an input
// buffer that the later folds re-read; the next sample's nf == 0 pass follows with no gap.
//
// Pipeline (never stalls once a step is issued):
//   S0 issue : step counters, synchronous reads of weights (address nf*SF+sf) and input buffer
//   MEM_REG  : (1) an output register behind the reads: no memory clock-to-out in the products
//   S1       : SIMD lane products (MUL_REG = 1: registered, so a DSP has registers on both
//              sides) and their sum, a tree with a register every TREE_STAGE adder levels
//              (rtl/axgen_addtree.v; 0: the whole sum in one cycle)
//   S2       : accumulate; thresholds of row group nf read (and registered with MEM_REG)
//   S3       : threshold count (or raw accumulator) into the output FIFO, registered with
//              THR_REG = 1; THR_REG = 2 registers the comparisons as well
// The control (valid, first, last, nf) follows the data through a delay line of the same depth:
// a step issued in cycle t writes its beat into the output FIFO at the end of cycle t + PIPE
// (PIPE = 3 + MEM_REG + MUL_REG + tree registers + THR_REG; generator/hw/timing.py mirrors it).
// Back-pressure is handled by credits: a step that completes an output beat issues only if
// the output FIFO's occupancy plus the beats in flight is below its depth, which grows with PIPE
// so that an unstalled stream still runs one step per cycle.
//
// Operand kinds: 0 unsigned, 1 signed two's complement, 2 bipolar (bit b = value 2b-1).
// ACC_BITS is a signed width holding every partial sum; T_BITS signed thresholds.
//
// Split products (MUL_SPLIT = 1: an approximate family on integer operands). The family is
// defined on magnitudes with the product negated when exactly one operand is negative; here
// that wrapper costs almost nothing. The weights are constants, so each weight lane holds its
// sign and magnitude, computed at build time: {sign, |w|} in W_LANE_BITS = W_BITS + 1 bits for
// signed weights, |w| = w in W_BITS bits for unsigned ones. The activation's magnitude is taken
// once per SIMD lane and shared by every PE lane. The negation moves into the sum: a negative
// product adds (|p| XOR 1...1) + 1, so the SIMD sum is sum(|p_k| XOR neg_k) + #neg -- one adder
// tree with a small count, no negation per product. The result is bit for bit axgen_mul's.
`default_nettype none

module axgen_mvau #(
    parameter integer MW = 4,
    parameter integer MH = 4,
    parameter integer PE = 1,
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
    parameter integer BUF_LUTRAM = 0,
    parameter MUL_TABLE_FILE = "",
    parameter WEIGHTS_FILE = "weights.mem",
    parameter WEIGHTS_BANK_PREFIX = "weights_b",
    parameter THRESH_FILE = "thresholds.mem"
) (
    input  wire                     ap_clk,
    input  wire                     ap_rst_n,
    input  wire [SIMD*IN_BITS-1:0]  s_axis_tdata,
    input  wire                     s_axis_tvalid,
    output wire                     s_axis_tready,
    output wire [PE*OUT_BITS-1:0]   m_axis_tdata,
    output wire                     m_axis_tvalid,
    input  wire                     m_axis_tready
);
    localparam integer SF = MW / SIMD;
    localparam integer NF = MH / PE;
    localparam integer STEPS = NF * SF;
    localparam integer IN_W = SIMD * IN_BITS;
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
    // Output FIFO depth = credits. A beat issued in cycle t enters the FIFO at the end of t+PIPE
    // and can leave in t+PIPE+1, so PIPE+2 credits keep an unstalled stream at one beat per
    // cycle; three more, as the unpipelined block had (8 for PIPE = 3).
    localparam integer OFIFO_DEPTH = PIPE + 5;

    // ---------------------------------------------------------------- S0: issue
    // The decision reads flip-flops only (the walks' first/last flags, the credits' full flag),
    // so the path from a register to everything `issue` enables is one LUT and its fan-out.
    /* verilator lint_off UNUSEDSIGNAL */
    wire [SF_BITS-1:0] sf;  // read by the input buffer only
    wire [NF_BITS-1:0] nf;  // read by the threshold memory only
    /* verilator lint_on UNUSEDSIGNAL */
    wire first_sf, last_sf, first_fold, last_nf, full;
    wire step_ok = !last_sf || !full;
    wire issue = step_ok && (!first_fold || s_axis_tvalid);
    wire out_pop = m_axis_tvalid && m_axis_tready;

    assign s_axis_tready = first_fold && step_ok;

    axgen_walk #(.N(SF)) u_sf (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .step(issue), .value(sf), .first(first_sf), .last(last_sf)
    );
    axgen_walk #(.N(NF)) u_nf (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .step(issue && last_sf), .value(nf), .first(first_fold), .last(last_nf)
    );
    axgen_credits #(.CREDITS(OFIFO_DEPTH)) u_credits (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .take(issue && last_sf), .give(out_pop), .full(full)
    );

    // Weights: word nf*SF+sf (the step), lane (p, s) in bits [(p*SIMD+s)*W_LANE_BITS, +W_LANE_BITS),
    // read in slices of W_CHUNK bits, each with its own copy of the step counter (rtl/axgen_rom.v).
    wire [W_W-1:0] w_q;
    axgen_rom #(.WIDTH(W_W), .DEPTH(STEPS), .CHUNK(W_CHUNK), .STRIDE(1), .OUT_REG(ROM_REG), .BANK(W_BANK),
                .FILE(WEIGHTS_FILE), .BANK_PREFIX(WEIGHTS_BANK_PREFIX)) u_weights (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .advance(issue), .load(last_sf && last_nf),
        .load_addr({STEP_BITS{1'b0}}), .data(w_q)
    );

    // Input beat of this step: straight from s_axis in the first fold, else from the buffer.
    reg [IN_W-1:0] in_q;
    wire [IN_W-1:0] x;
    always @(posedge ap_clk) in_q <= s_axis_tdata;

    generate
        if (NF > 1) begin : g_buffer
            reg [IN_W-1:0] buffer_q;
            reg            from_in_q;
            // Written while a first-fold beat is offered, issued or not: an unaccepted beat stays
            // on s_axis (AXI-Stream) and is written again at the same sf, so the wide enable comes
            // from two flip-flops' worth of logic, not from the credit check. In LUT RAM when
            // BUF_LUTRAM (the plan's choice for a small buffer: a block RAM's clock-to-out would
            // lead into the select below).
            if (BUF_LUTRAM != 0) begin : g_lutram
                (* ram_style = "distributed" *) reg [IN_W-1:0] buffer [0:SF-1];
                always @(posedge ap_clk) begin
                    if (first_fold && s_axis_tvalid) buffer[sf] <= s_axis_tdata;
                    buffer_q <= buffer[sf];
                end
            end else begin : g_any
                reg [IN_W-1:0] buffer [0:SF-1];
                always @(posedge ap_clk) begin
                    if (first_fold && s_axis_tvalid) buffer[sf] <= s_axis_tdata;
                    buffer_q <= buffer[sf];
                end
            end
            always @(posedge ap_clk) from_in_q <= first_fold;
            assign x = from_in_q ? in_q : buffer_q;
        end else begin : g_no_buffer
            assign x = in_q;
        end
    endgenerate

    // Split products: each activation's sign and magnitude, once per SIMD lane for all PE lanes.
    /* verilator lint_off UNUSEDSIGNAL */
    wire [SIMD*IN_BITS-1:0] x_mag;
    wire [SIMD-1:0]         x_neg;
    /* verilator lint_on UNUSEDSIGNAL */

    // MEM_REG: the operands of the products from registers (weights, input beat, magnitudes).
    /* verilator lint_off UNUSEDSIGNAL */
    wire [W_W-1:0]     w_op;
    wire [IN_W-1:0]    x_op;
    wire [SIMD*IN_BITS-1:0] mag_op;
    wire [SIMD-1:0] neg_op;
    /* verilator lint_on UNUSEDSIGNAL */
    // (with MEM_REG > 1 all but the last of the weights' registers are inside the ROM: rtl/axgen_rom.v's OUT_REG)
    axgen_delay #(.WIDTH(W_W), .DEPTH(MEM_REG - ROM_REG)) u_w_operand (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .in(w_q), .out(w_op)
    );
    axgen_delay #(.WIDTH(IN_W + SIMD*IN_BITS + SIMD), .DEPTH(MEM_REG)) u_operands (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .in({x, x_mag, x_neg}), .out({x_op, mag_op, neg_op})
    );
    genvar a;
    generate
        for (a = 0; a < SIMD; a = a + 1) begin : g_act
            wire [IN_BITS-1:0] code = x[a*IN_BITS +: IN_BITS];
            if (MUL_SPLIT != 0 && IN_KIND == SIGNED_KIND) begin : g_signed
                assign x_neg[a] = code[IN_BITS-1];
                assign x_mag[a*IN_BITS +: IN_BITS] = (code ^ {IN_BITS{x_neg[a]}}) + {{(IN_BITS - 1){1'b0}}, x_neg[a]};
            end else begin : g_unsigned
                assign x_neg[a] = 1'b0;
                assign x_mag[a*IN_BITS +: IN_BITS] = code;
            end
        end
    endgenerate

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

    // Thresholds: word nf, threshold i of lane p in bits [(p*N_THRES+i)*T_BITS, +T_BITS).
    // (Without thresholds t_q is one constant bit per lane nobody reads.)
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
    genvar p;
    generate
        for (p = 0; p < PE; p = p + 1) begin : g_lane
            // S1: SIMD products and their sum (rtl/axgen_dot.v).
            wire [ACC_BITS-1:0] dot;
            axgen_dot #(
                .SIMD(SIMD), .IN_BITS(IN_BITS), .IN_KIND(IN_KIND), .W_BITS(W_BITS), .W_KIND(W_KIND),
                .ACC_BITS(ACC_BITS), .MUL_FAMILY(MUL_FAMILY), .MUL_K1(MUL_K1), .MUL_K2(MUL_K2),
                .MUL_SPLIT(MUL_SPLIT), .W_LANE_BITS(W_LANE_BITS), .MUL_REG(MUL_REG), .TREE_STAGE(TREE_STAGE),
                .MUL_FABRIC(MUL_FABRIC), .MUL_TABLE_FILE(MUL_TABLE_FILE)
            ) u_dot (
                .ap_clk(ap_clk), .x(x_op), .x_mag(mag_op), .x_neg(neg_op),
                .w(w_op[p*SIMD*W_LANE_BITS +: SIMD*W_LANE_BITS]), .dot(dot)
            );

            // S2: accumulate over the input folds.
            reg [ACC_BITS-1:0] dot_q;
            reg [ACC_BITS-1:0] acc;
            always @(posedge ap_clk) begin
                // Loaded only by an issued step (acc reads dot_q only then): a clock enable
                // that also lets a simulator skip the lane's products in idle cycles.
                if (s1_valid) dot_q <= dot;
                if (s2_valid) acc <= (s2_first ? {ACC_BITS{1'b0}} : acc) + dot_q;
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
    // The credit counter guarantees room for every write, so the FIFO's ready is not needed.
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
