// axgen_swg: streaming sliding-window generator (im2col), channels-last.
//
// Input: an IFM_H x IFM_W x CH image, row by row, pixel by pixel, CH/ISIMD beats per pixel of
// ISIMD = SIMD/P elements (element i of a beat in bits [i*ELEM_BITS, (i+1)*ELEM_BITS)). Output:
// for each output pixel (oy, ox) in raster order, its K_H x K_W x CH window in the order
// (kh, kw, c), in beats of SIMD elements -- golden_conv.im2col flattened. Positions outside the
// image (PAD_T, PAD_L, PAD_B, PAD_R rows/columns of padding) give elements of PAD_CODE. Images
// follow one another with no gap.
//
// Window parallelism: P = 1 moves SIMD (a divisor of CH) channels of one kernel position per
// beat. P > 1 (SIMD = CH*P) moves P consecutive kernel positions of the window order per beat:
// P a divisor of K_W (P positions of one kernel row) or P = K_W*r with r a divisor of K_H (r whole
// kernel rows); the input then carries one whole pixel per beat (ISIMD = CH). The caller passes
// KW_STEP = min(P, K_W) and KH_STEP = max(1, P/K_W), the walker's strides. RING_LUTRAM = 1 keeps
// the ring in distributed RAM (the plan's choice for a small ring: a block RAM's clock-to-out is
// too slow for the clock).
//
// Buffer scheme: a ring of R = K_H + STRIDE_H image rows in a simple dual-port memory of
// R * IFM_W * CH/ISIMD beats (ISIMD*ELEM_BITS bits each); never the whole image unless it has at
// most R rows. With P > 1 there are P identical copies of that memory, written together; copy j
// serves position j of a beat. Rows are numbered globally across images and row g lives in slot
// g mod R, so the writer just advances its address, wrapping at the end of the memory. The
// reader, working on output row oy, needs image rows lo..hi (the window's rows clipped to the
// image); the writer may fill rows up to lo + R - 1, i.e. the STRIDE_H rows of the next output
// row (and the first rows of the next image) while the reader emits the current one. The two
// sides share one count, fill = (rows written) - (first row of the reader's image) + IFM_H: a
// row completed adds 1, an image completed by the reader subtracts IFM_H. Writer may write while
// fill < lo + R + IFM_H; reader may read while fill >= hi + 1 + IFM_H. The count is kept as the
// two margins to those limits, so each side's permission is a register's sign bit. Row-granular
// handshaking means a slot is never written while it can be read, so the memory needs no
// read-during-write behaviour.
//
// The reader walks (oy, ox, kh, kw, c-beat), kw in steps of KW_STEP and kh of KH_STEP; copy j
// reads position (kh + j/K_W, kw + j%K_W) at its own address, or gives padding there. It issues
// one beat per cycle into an offset stage (the row's and the column's offsets and the padding
// registered), an address stage (their sum registered), a registered read stage, a write stage
// and an 8-entry output FIFO; it issues only when
// the FIFO has room for everything in flight, so m_axis_tvalid, m_axis_tdata and s_axis_tready
// come from registers and there is no combinational path between the two ports. Throughput: one
// output beat per cycle when the input keeps up, one input beat per cycle when the output keeps
// up; cycles per image ~ max(IFM_H*IFM_W*CH/ISIMD, OH*OW*K_H*K_W*CH/SIMD) plus a short refill
// bubble at image boundaries when output-bound.
`default_nettype none

module axgen_swg #(
    parameter integer IFM_H = 4,
    parameter integer IFM_W = 4,
    parameter integer CH = 2,
    parameter integer K_H = 3,
    parameter integer K_W = 3,
    parameter integer STRIDE_H = 1,
    parameter integer STRIDE_W = 1,
    parameter integer PAD_T = 0,
    parameter integer PAD_L = 0,
    parameter integer PAD_B = 0,
    parameter integer PAD_R = 0,
    parameter integer SIMD = 1,
    parameter integer ELEM_BITS = 4,
    parameter integer PAD_CODE = 0,
    parameter integer P = 1,
    parameter integer KW_STEP = 1,
    parameter integer KH_STEP = 1,
    parameter integer RING_LUTRAM = 0
) (
    input  wire                      ap_clk,
    input  wire                      ap_rst_n,
    input  wire [SIMD/P*ELEM_BITS-1:0] s_axis_tdata,
    input  wire                      s_axis_tvalid,
    output wire                      s_axis_tready,
    output wire [SIMD*ELEM_BITS-1:0] m_axis_tdata,
    output wire                      m_axis_tvalid,
    input  wire                      m_axis_tready
);
    localparam integer BW = SIMD * ELEM_BITS;
    localparam integer ISIMD = SIMD / P;                                // input elements per beat
    localparam integer IBW = ISIMD * ELEM_BITS;
    localparam integer CF = CH / ISIMD;                                 // beats per pixel
    localparam integer OH = (IFM_H + PAD_T + PAD_B - K_H) / STRIDE_H + 1;
    localparam integer OW = (IFM_W + PAD_L + PAD_R - K_W) / STRIDE_W + 1;
    localparam integer R = K_H + STRIDE_H;                              // rows in the ring
    localparam integer ROWB = IFM_W * CF;                               // beats per row
    localparam integer DEPTH = R * ROWB;
    localparam integer AW = DEPTH > 1 ? $clog2(DEPTH) : 1;
    // One width for every counter and comparison (all values stay below 2^CW).
    // (ROWB: the writer's column counter w_col counts a row's beats, IFM_W * CF of them; without
    // it a short image with wide rows, e.g. 1 x 9 pixels of 6 beats, overflowed the counter.)
    localparam integer CMAX = 2 * IFM_H + R + PAD_T + PAD_B + K_H + STRIDE_H + IFM_W + PAD_L + PAD_R
                              + K_W + STRIDE_W + CF + ROWB + 2;
    localparam integer CW = $clog2(CMAX + 1);
    localparam integer BW1 = AW + 1;                                    // ring offsets (< 2 * DEPTH)
    localparam integer FD = 8;                                          // output FIFO depth

    localparam integer C_KWS_I = KW_STEP;
    localparam [CW-1:0] C_KWS = C_KWS_I[CW-1:0];
    localparam integer C_KHS_I = KH_STEP;
    localparam [CW-1:0] C_KHS = C_KHS_I[CW-1:0];
    // The value before the last one of each walker counter (its "last" flag is a register
    // loaded when the counter steps onto it); 0 where the counter has a single value.
    localparam integer C_CF2_I = CF > 1 ? CF - 2 : 0;
    localparam [CW-1:0] C_CF2 = C_CF2_I[CW-1:0];
    localparam integer C_KWP_I = K_W > KW_STEP ? K_W - 2 * KW_STEP : 0;
    localparam [CW-1:0] C_KWP = C_KWP_I[CW-1:0];
    localparam integer C_KHP_I = K_H > KH_STEP ? K_H - 2 * KH_STEP : 0;
    localparam [CW-1:0] C_KHP = C_KHP_I[CW-1:0];
    localparam integer C_OW2_I = OW > 1 ? OW - 2 : 0;
    localparam [CW-1:0] C_OW2 = C_OW2_I[CW-1:0];
    localparam integer C_OH2_I = OH > 1 ? OH - 2 : 0;
    localparam [CW-1:0] C_OH2 = C_OH2_I[CW-1:0];
    localparam integer C_SW_I = STRIDE_W;
    localparam [CW-1:0] C_SW = C_SW_I[CW-1:0];
    localparam integer C_SH_I = STRIDE_H;
    localparam [CW-1:0] C_SH = C_SH_I[CW-1:0];
    localparam integer C_PT_I = PAD_T;
    localparam [CW-1:0] C_PT = C_PT_I[CW-1:0];
    localparam integer C_PL_I = PAD_L;
    localparam [CW-1:0] C_PL = C_PL_I[CW-1:0];
    localparam integer C_PTH_I = PAD_T + IFM_H;
    localparam [CW-1:0] C_PTH = C_PTH_I[CW-1:0];
    localparam integer C_PLW_I = PAD_L + IFM_W;
    localparam [CW-1:0] C_PLW = C_PLW_I[CW-1:0];
    // Ring offsets (slot * ROWB) and column offsets (pixel * CF) as constants: the read address
    // is kept as such offsets, stepped by additions, never multiplied out.
    localparam integer B_HM_I = (IFM_H % R) * ROWB;
    localparam [BW1-1:0] B_HM = B_HM_I[BW1-1:0];
    localparam integer B_PM_I = ((R - PAD_T % R) % R) * ROWB;
    localparam [BW1-1:0] B_PM = B_PM_I[BW1-1:0];
    localparam integer B_OY1_I = (B_HM_I + B_PM_I) % DEPTH;   // oy_base at image 1's first row
    localparam [BW1-1:0] B_OY1 = B_OY1_I[BW1-1:0];
    localparam integer B_SH_I = STRIDE_H * ROWB;
    localparam [BW1-1:0] B_SH = B_SH_I[BW1-1:0];
    localparam integer B_KHS_I = KH_STEP * ROWB;
    localparam [BW1-1:0] B_KHS = B_KHS_I[BW1-1:0];
    localparam integer B_DEPTH_I = DEPTH;
    localparam [BW1-1:0] B_DEPTH = B_DEPTH_I[BW1-1:0];
    localparam integer A_SW_I = (STRIDE_W * CF) % (1 << AW);
    localparam [AW-1:0] A_SW = A_SW_I[AW-1:0];
    localparam integer A_KWS_I = (KW_STEP * CF) % (1 << AW);
    localparam [AW-1:0] A_KWS = A_KWS_I[AW-1:0];
    localparam integer A_PL_I = (PAD_L * CF) % (1 << AW);
    localparam [AW-1:0] A_PL = A_PL_I[AW-1:0];
    localparam integer C_ROWB2_I = ROWB > 1 ? ROWB - 2 : 0;
    localparam [CW-1:0] C_ROWB2 = C_ROWB2_I[CW-1:0];
    localparam integer A_LAST_I = DEPTH - 1;
    localparam [AW-1:0] A_LAST = A_LAST_I[AW-1:0];
    localparam [ELEM_BITS-1:0] PAD_ELEM = PAD_CODE[ELEM_BITS-1:0];
    localparam [IBW-1:0] PAD_PART = {ISIMD{PAD_ELEM}};

    // ---------------- shared row accounting ----------------
    function integer clip_row(input integer row);  // an image row index clipped to the image
        clip_row = row <= 0 ? 0 : (row > IFM_H - 1 ? IFM_H - 1 : row);
    endfunction
    function integer rd_limit(input integer o);
        rd_limit = IFM_H + clip_row(o * STRIDE_H + K_H - 1 - PAD_T);
    endfunction
    function integer wr_limit(input integer o);
        wr_limit = R + IFM_H + clip_row(o * STRIDE_H - PAD_T);
    endfunction
    // How far each limit moves (plus IFM_H, fill's drop, as output row o starts a new image)
    // when output row o starts.
    function integer rd_rise(input integer o);
        rd_rise = rd_limit(o) - rd_limit(o == 0 ? OH - 1 : o - 1) + (o == 0 ? IFM_H : 0);
    endfunction
    function integer wr_rise(input integer o);
        wr_rise = wr_limit(o) - wr_limit(o == 0 ? OH - 1 : o - 1) + (o == 0 ? IFM_H : 0);
    endfunction

    reg  [CW-1:0] py0;        // padded row of the window's top (oy * STRIDE_H)
    // Image rows lo..hi output row o needs (its window's rows clipped to the image) give the
    // limits wr_limit(o) = lo + R + IFM_H and rd_limit(o) = hi + IFM_H. With fill the shared
    // count, the margins rd_m = fill - rd_limit(oy) - 1 and wr_m = wr_limit(oy) - fill - 1 are
    // registers (CW + 1 bits, signed): the reader reads while rd_m >= 0, the writer writes while
    // wr_m >= 0, so the handshake is two sign bits, no comparison. A completed row adds 1 to rd_m
    // and takes 1 from wr_m; an output row completed by the reader moves them by the change of
    // the limits to the next output row (and by IFM_H at the end of an image), a constant per
    // row held in registers ahead of time (rd_d0, ...: the whole change with and without a row
    // completed in the same cycle), so each margin is one adder from registers and two flags.
    reg  [CW:0]   rd_m, wr_m;
    reg  [CW:0]   rd_d0, rd_d1, wr_d0, wr_d1;
    wire          wr_ok = !wr_m[CW];
    wire          rd_ok = !rd_m[CW];

    // ---------------- writer ----------------
    reg  [AW-1:0] w_addr;
    reg  [CW-1:0] w_col;
    reg           w_last;     // w_col == ROWB - 1, loaded as w_col steps
    wire push_in = s_axis_tvalid && wr_ok;
    wire row_done = push_in && w_last;
    assign s_axis_tready = wr_ok;

    always @(posedge ap_clk) begin
        if (!ap_rst_n) begin
            w_addr <= 0;
            w_col <= 0;
            w_last <= ROWB == 1;
        end else if (push_in) begin
            w_addr <= w_addr == A_LAST ? {AW{1'b0}} : w_addr + 1'b1;
            w_col <= row_done ? {CW{1'b0}} : w_col + 1'b1;
            w_last <= ROWB == 1 || (!w_last && w_col == C_ROWB2);
        end
    end

    // ---------------- reader ----------------
    reg [CW-1:0] cf, kw, kh, ox, oy, px0;
    reg [BW1-1:0] oy_base;    // ROWB * (ring slot of image row py0 - PAD_T, mod R)
    reg [BW1-1:0] oy_first;   // oy_base at the next image's first output row
    reg [BW1-1:0] kh_base;    // ROWB * kh
    reg [AW-1:0]  px0_col;    // CF * px0 (mod 2^AW)
    reg [AW-1:0]  kw_col;     // CF * kw
    reg [AW-1:0]  cf_a;       // cf
    reg          rd_v;        // a read (or padding beat) is in the read stage
    reg [P-1:0]  rd_pad;

    reg          b_v;         // an issued beat is in the offset stage
    reg [P-1:0]  b_pad;
    reg          a_v;         // ... in the address stage
    reg [P-1:0]  a_pad;
    // Room for everything in flight (FIFO words, w_v, rd_v, a_v, b_v): credits (rtl/axgen_credits.v;
    // issue takes one, a pop gives one back) whose full flag is a register, so that issue is one
    // LUT of registers, not a sum and compare.
    wire         full;
    wire         f_pop = m_axis_tvalid && m_axis_tready;
    wire          issue = rd_ok && !full;
    axgen_credits #(.CREDITS(FD)) u_room (.ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .take(issue), .give(f_pop), .full(full));

    // Registers, loaded as their counters step (cycle for cycle the comparisons they replace), so
    // the walk's enables are a LUT of flip-flops: one-value counters are always last.
    localparam [0:0] ONE_CF = CF == 1, ONE_KW = K_W == KW_STEP, ONE_KH = K_H == KH_STEP, ONE_OX = OW == 1,
                     ONE_OY = OH == 1;
    reg last_cf, last_kw, last_kh, last_ox, last_oy;
    // last_cf && last_kw as a register of its own: the kernel row's counters step on `issue` and
    // one flip-flop, not on `issue` and two (CNV's conv1: issue, then three LUTs to kh_base's enable)
    reg last_cw;
    wire next_cf = last_cf ? ONE_CF : cf == C_CF2;
    wire next_kw = last_cf ? (last_kw ? ONE_KW : kw == C_KWP) : last_kw;
    // A pixel's and an output row's last beat from counters of their own beats (axgen_walk: the
    // last position a flip-flop), not as the AND of the walker's flags: `issue` meets one register
    // beside each of the registers it decides (the margins' adders, ox, oy), wherever the placer
    // puts the walker (CNV's conv7: 2.6 ns to the walker's flags and 2.2 ns back).
    localparam integer N_KW = ONE_KW ? 1 : C_KWP_I / KW_STEP + 2, N_KH = ONE_KH ? 1 : C_KHP_I / KH_STEP + 2;
    localparam integer PIXEL_BEATS = CF * N_KW * N_KH;
    wire pixel_last, orow_last;
    /* verilator lint_off PINCONNECTEMPTY */
    axgen_walk #(.N(PIXEL_BEATS)) u_pixel (.ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .step(issue), .value(), .first(),
                                          .last(pixel_last));
    axgen_walk #(.N(PIXEL_BEATS * OW)) u_orow (.ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .step(issue), .value(), .first(),
                                              .last(orow_last));
    /* verilator lint_on PINCONNECTEMPTY */
    wire pixel_done = issue && pixel_last;
    wire orow_done = issue && orow_last;

    // Copy j of the ring serves kernel position (kh + j/K_W, kw + j%K_W) of the beat.
    wire [P-1:0]  pad;
    wire [BW-1:0] w_word;     // the beat in the write stage, padding applied
    reg  [P-1:0]  w_pad;
    genvar j;
    generate
        for (j = 0; j < P; j = j + 1) begin : g_copy
            localparam integer DKH_I = j / K_W;
            localparam integer DKW_I = j % K_W;
            localparam [CW-1:0] DKH = DKH_I[CW-1:0];
            localparam [CW-1:0] DKW = DKW_I[CW-1:0];
            wire [CW-1:0] py = py0 + kh + DKH;
            wire [CW-1:0] px = px0 + kw + DKW;
            // With PAD_T or PAD_L = 0 the "< pad" test is constantly false, as it should be.
            /* verilator lint_off UNSIGNED */
            assign pad[j] = py < C_PT || py >= C_PTH || px < C_PL || px >= C_PLW;
            /* verilator lint_on UNSIGNED */
            localparam integer B_DKH_I = DKH_I * ROWB;
            localparam [BW1-1:0] B_DKH = B_DKH_I[BW1-1:0];
            localparam integer A_DKW_I = (DKW_I * CF) % (1 << AW);
            localparam [AW-1:0] A_DKW = A_DKW_I[AW-1:0];
            // The row's offset in the ring, slot * ROWB with slot = (slot of py0 + kh + DKH) mod R
            // (below 2 * DEPTH before the wrap), plus the column's, (px - PAD_L) * CF + cf: below
            // ROWB for in-image positions (padding positions are not read), so the sum needs no wrap.
            wire [BW1-1:0] row_sum = oy_base + kh_base + B_DKH;
            /* verilator lint_off UNUSEDSIGNAL */
            wire [BW1-1:0] row_off = row_sum >= B_DEPTH ? row_sum - B_DEPTH : row_sum;
            /* verilator lint_on UNUSEDSIGNAL */
            wire [AW-1:0] col_off = px0_col + kw_col + A_DKW - A_PL + cf_a;
            reg  [IBW-1:0] rd_part;
            reg  [IBW-1:0] w_part;    // rd_part registered: nothing between a block RAM and this register
            reg  [AW-1:0]  b_row;     // the offset stage: row_off and col_off registered
            reg  [AW-1:0]  b_col;
            reg  [AW-1:0]  a_addr;    // the address stage: their sum registered

            // The ring: in distributed RAM (LUTs, read through a small multiplexer) when RING_LUTRAM,
            // else wherever synthesis puts it (block RAM for a large ring, whose clock-to-out alone
            // is 6 ns on an ECP5).
            if (RING_LUTRAM != 0) begin : g_lutram
                (* ram_style = "distributed" *) reg [IBW-1:0] mem [0:DEPTH-1];
                always @(posedge ap_clk) begin
                    if (push_in) mem[w_addr] <= s_axis_tdata;
                    if (a_v && !a_pad[j]) rd_part <= mem[a_addr];
                end
            end else begin : g_any
                reg [IBW-1:0] mem [0:DEPTH-1];
                always @(posedge ap_clk) begin
                    if (push_in) mem[w_addr] <= s_axis_tdata;
                    if (a_v && !a_pad[j]) rd_part <= mem[a_addr];
                end
            end

            always @(posedge ap_clk) begin
                // Pipeline registers without enables (b_v, a_v say which hold a beat): issue's
                // fanout stays on the walker's counters.
                b_row <= row_off[AW-1:0];
                b_col <= col_off;
                a_addr <= b_row + b_col;
                w_part <= rd_part;
            end

            assign w_word[j*IBW +: IBW] = w_pad[j] ? PAD_PART : w_part;
        end
    endgenerate

    // The margins' changes at the end of output row (o1 - 1) mod OH, o1 the next output row held in
    // oy1, in tables indexed by oy1 so that they are loaded into rd_d0, ... one row ahead.
    wire [CW-1:0] py0_next = last_oy ? {CW{1'b0}} : py0 + C_SH;
    localparam integer OYW = OH > 1 ? $clog2(OH) : 1;
    localparam integer OH1_I = OH - 1;
    localparam [OYW-1:0] Y_OH1 = OH1_I[OYW-1:0];
    localparam integer ONE_I = OH > 1 ? 1 : 0;
    localparam [OYW-1:0] Y_ONE = ONE_I[OYW-1:0];
    reg  [OYW-1:0] oy1;       // the next output row, (oy + 1) mod OH
    reg  [CW:0] rd_tab0 [0:(1 << OYW)-1];
    reg  [CW:0] rd_tab1 [0:(1 << OYW)-1];
    reg  [CW:0] wr_tab0 [0:(1 << OYW)-1];
    reg  [CW:0] wr_tab1 [0:(1 << OYW)-1];
    localparam integer RD_M0_I = IFM_H - rd_limit(0) - 1;
    localparam integer WR_M0_I = wr_limit(0) - IFM_H - 1;
    localparam [CW:0] RD_M0 = RD_M0_I[CW:0];
    localparam [CW:0] WR_M0 = WR_M0_I[CW:0];
    localparam integer RD_D0_I = -rd_rise(ONE_I), WR_D0_I = wr_rise(ONE_I);
    localparam [CW:0] RD_D0 = RD_D0_I[CW:0];
    localparam [CW:0] WR_D0 = WR_D0_I[CW:0];
    localparam integer RD_D1_I = 1 - rd_rise(ONE_I), WR_D1_I = wr_rise(ONE_I) - 1;
    localparam [CW:0] RD_D1 = RD_D1_I[CW:0];
    localparam [CW:0] WR_D1 = WR_D1_I[CW:0];
    localparam [CW:0] M_ONE = {1'b0, {(CW - 1){1'b0}}, 1'b1};
    integer t_o, t_n;
    /* verilator lint_off UNUSEDSIGNAL */
    integer t_v;              // only its low CW + 1 bits are kept
    /* verilator lint_on UNUSEDSIGNAL */
    initial begin
        for (t_o = 0; t_o < (1 << OYW); t_o = t_o + 1) begin
            t_n = t_o == OH - 1 ? 0 : t_o + 1;  // the row after the next (rows past OH: unused)
            t_v = -rd_rise(t_n);
            rd_tab0[t_o] = t_v[CW:0];
            t_v = 1 - rd_rise(t_n);
            rd_tab1[t_o] = t_v[CW:0];
            t_v = wr_rise(t_n);
            wr_tab0[t_o] = t_v[CW:0];
            t_v = wr_rise(t_n) - 1;
            wr_tab1[t_o] = t_v[CW:0];
        end
    end

    wire [BW1-1:0] oy_step = oy_base + B_SH;
    // Each image starts IFM_H rows (B_HM mod DEPTH) further round the ring than the one before.
    wire [BW1-1:0] first_sum = oy_first + B_HM;

    always @(posedge ap_clk) begin
        if (!ap_rst_n) begin
            rd_m <= RD_M0;
            wr_m <= WR_M0;
            rd_d0 <= RD_D0;
            rd_d1 <= RD_D1;
            wr_d0 <= WR_D0;
            wr_d1 <= WR_D1;
            cf <= 0;
            kw <= 0;
            kh <= 0;
            ox <= 0;
            oy <= 0;
            last_cf <= ONE_CF;
            last_kw <= ONE_KW;
            last_kh <= ONE_KH;
            last_cw <= ONE_CF && ONE_KW;
            last_ox <= ONE_OX;
            last_oy <= ONE_OY;
            px0 <= 0;
            py0 <= 0;
            oy1 <= Y_ONE;
            oy_first <= B_OY1;
            oy_base <= B_PM;
            kh_base <= 0;
            px0_col <= 0;
            kw_col <= 0;
            cf_a <= 0;
            b_v <= 1'b0;
            b_pad <= {P{1'b0}};
            a_v <= 1'b0;
            a_pad <= {P{1'b0}};
            rd_v <= 1'b0;
            rd_pad <= {P{1'b0}};
        end else begin
            rd_m <= rd_m + (orow_done ? (row_done ? rd_d1 : rd_d0) : (row_done ? M_ONE : {(CW + 1){1'b0}}));
            wr_m <= wr_m + (orow_done ? (row_done ? wr_d1 : wr_d0) : (row_done ? {(CW + 1){1'b1}} : {(CW + 1){1'b0}}));
            b_v <= issue;
            a_v <= b_v;
            rd_v <= a_v;
            b_pad <= pad;
            a_pad <= b_pad;
            rd_pad <= a_pad;
            if (issue) begin
                cf <= last_cf ? {CW{1'b0}} : cf + 1'b1;
                last_cf <= next_cf;
                last_cw <= next_cf && next_kw;
                cf_a <= last_cf ? {AW{1'b0}} : cf_a + 1'b1;
                if (last_cf) begin
                    kw <= last_kw ? {CW{1'b0}} : kw + C_KWS;
                    last_kw <= next_kw;
                    kw_col <= last_kw ? {AW{1'b0}} : kw_col + A_KWS;
                end
                if (last_cw) begin
                    kh <= last_kh ? {CW{1'b0}} : kh + C_KHS;
                    last_kh <= last_kh ? ONE_KH : kh == C_KHP;
                    kh_base <= last_kh ? {BW1{1'b0}} : kh_base + B_KHS;
                end
            end
            if (pixel_done) begin
                ox <= last_ox ? {CW{1'b0}} : ox + 1'b1;
                last_ox <= last_ox ? ONE_OX : ox == C_OW2;
                px0 <= last_ox ? {CW{1'b0}} : px0 + C_SW;
                px0_col <= last_ox ? {AW{1'b0}} : px0_col + A_SW;
            end
            if (orow_done) begin
                oy <= last_oy ? {CW{1'b0}} : oy + 1'b1;
                last_oy <= last_oy ? ONE_OY : oy == C_OH2;
                py0 <= py0_next;
                oy1 <= oy1 == Y_OH1 ? {OYW{1'b0}} : oy1 + 1'b1;
                rd_d0 <= rd_tab0[oy1];
                rd_d1 <= rd_tab1[oy1];
                wr_d0 <= wr_tab0[oy1];
                wr_d1 <= wr_tab1[oy1];
                if (last_oy) begin
                    oy_first <= first_sum >= B_DEPTH ? first_sum - B_DEPTH : first_sum;
                    oy_base <= oy_first;
                end else begin
                    oy_base <= oy_step >= B_DEPTH ? oy_step - B_DEPTH : oy_step;
                end
            end
        end
    end

    // ---------------- write stage and output FIFO ----------------
    // The read beat is registered before the padding select and the FIFO (a block RAM's
    // clock-to-out and one route are the whole path); the FIFO (rtl/axgen_fifo.v) has its head,
    // valid and ready in registers. The credits guarantee space for every write, so its
    // ready is not read.
    reg          w_v;
    always @(posedge ap_clk) begin
        if (!ap_rst_n) w_v <= 1'b0;
        else w_v <= rd_v;
        w_pad <= rd_pad;
    end
    /* verilator lint_off PINCONNECTEMPTY */
    axgen_fifo #(.WIDTH(BW), .DEPTH(FD)) u_out_fifo (
        .ap_clk(ap_clk), .ap_rst_n(ap_rst_n),
        .s_axis_tdata(w_word), .s_axis_tvalid(w_v), .s_axis_tready(),
        .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid), .m_axis_tready(m_axis_tready)
    );
    /* verilator lint_on PINCONNECTEMPTY */
endmodule

`default_nettype wire
