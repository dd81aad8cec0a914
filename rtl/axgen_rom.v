// axgen_rom: a constant memory (weights) read once per step through a register, its address a
// counter that advances with every issued step.
//
// The address walks `addr <= load ? LOAD_ADDR : addr + STRIDE` on `advance`. With CHUNK > 0 the
// word is read in slices of CHUNK bits, each from its own copy of the address counter: a memory
// in logic (a ROM of LUTs) gets one address register per slice placed next to it, instead of one
// register driving every LUT of the word (the demo's 256-bit word: 1,000 loads and 6 ns of
// routing). Each copy counts from its own value, so synthesis cannot merge them. A slice reads
// the whole word and keeps its bits; synthesis drops the bits it does not read. CHUNK = 0: one
// counter, one read (a block RAM needs no copies).
//
// BANK > 0 (a memory of block RAMs deeper than one of them): the words are kept in banks of BANK
// words (a power of two, one block RAM deep), bank b loaded from BANK_PREFIX followed by b in three
// digits and ".mem", all banks read every cycle at the address's low bits and each read registered
// on its own by OUT_REG registers (at least 1): the block RAMs' clock-to-out never shares a path
// with the routing between banks spread over the part (the first register is the block RAM's own
// output register on ECP5: generator/tools/ecp5_bram_outreg.py). With OUT_REG = 1 the bank the high
// bits chose is selected by a multiplexer after those registers. With OUT_REG >= 2 each bank's last
// register is cleared unless the word is in that bank (one flip-flop per bank decides, loaded a
// cycle ahead) and the word is the OR of the banks: no select lines fan out from one register to
// banks spread over the part (CNV's conv7: 9 banks, 7.4 ns of routing from the select register).
// `data` is word `addr` 1 + OUT_REG cycles after `addr` held it (a synchronous read, then the
// output registers).
`default_nettype none

module axgen_rom #(
    parameter integer WIDTH = 8,
    parameter integer DEPTH = 4,
    parameter integer CHUNK = 0,
    parameter integer STRIDE = 1,
    parameter integer OUT_REG = 0,
    parameter integer BANK = 0,
    parameter FILE = "weights.mem",
    parameter BANK_PREFIX = "weights_b"
) (
    input  wire                  ap_clk,
    input  wire                  ap_rst_n,
    input  wire                  advance,
    input  wire                  load,
    input  wire [ADDR_BITS-1:0]  load_addr,
    output wire [WIDTH-1:0]      data
);
    localparam integer ADDR_BITS = DEPTH > 1 ? $clog2(DEPTH) : 1;
    localparam integer SLICE = CHUNK > 0 && CHUNK < WIDTH ? CHUNK : WIDTH;
    localparam integer SLICES = (WIDTH + SLICE - 1) / SLICE;
    localparam [ADDR_BITS-1:0] STEP = STRIDE[ADDR_BITS-1:0];

    genvar c;
    generate
        if (BANK > 0) begin : g_banked
            localparam integer LO_BITS = BANK > 1 ? $clog2(BANK) : 1;
            localparam integer BANKS = (DEPTH + BANK - 1) / BANK;
            localparam integer SEL_BITS = BANKS > 1 ? $clog2(BANKS) : 1;
            reg [ADDR_BITS-1:0] addr;
            always @(posedge ap_clk) begin
                if (!ap_rst_n) addr <= {ADDR_BITS{1'b0}};
                else if (advance) addr <= load ? load_addr : addr + STEP;
            end
            // (BANK a power of two: the low bits address a bank, the others choose it; no arithmetic)
            /* verilator lint_off UNUSEDSIGNAL */
            wire [LO_BITS+ADDR_BITS-1:0] wide = {{LO_BITS{1'b0}}, addr};
            wire [LO_BITS+ADDR_BITS-1:0] hi = wide >> LO_BITS;
            /* verilator lint_on UNUSEDSIGNAL */
            wire [LO_BITS-1:0] lo = wide[LO_BITS-1:0];
            if (OUT_REG >= 2) begin : g_or
                // The last register of each bank holds the bank's read only when the word is in that
                // bank, zero otherwise (`hit`, one flip-flop per bank loaded a cycle ahead), and the
                // word is the OR of the banks: no select lines run from one register to every bank.
                wire [SEL_BITS-1:0] sel_early;  // the bank of the word a cycle before the last registers load
                axgen_delay #(.WIDTH(SEL_BITS), .DEPTH(OUT_REG - 1)) u_sel (.ap_clk(ap_clk), .ap_rst_n(ap_rst_n),
                                                                          .in(hi[SEL_BITS-1:0]), .out(sel_early));
                wire [WIDTH-1:0] ored [0:BANKS];
                assign ored[0] = {WIDTH{1'b0}};
                for (c = 0; c < BANKS; c = c + 1) begin : g_bank
                    localparam integer WORDS = DEPTH - c * BANK < BANK ? DEPTH - c * BANK : BANK;
                    localparam integer D2 = 48 + c / 100, D1 = 48 + (c / 10) % 10, D0 = 48 + c % 10;
                    localparam [23:0] INDEX = {D2[7:0], D1[7:0], D0[7:0]};
                    localparam [SEL_BITS-1:0] MINE = c[SEL_BITS-1:0];
                    reg [WIDTH-1:0] words [0:WORDS-1];
                    reg [WIDTH-1:0] q, last;
                    reg hit;
                    wire [WIDTH-1:0] held;
                    initial $readmemh({BANK_PREFIX, INDEX, ".mem"}, words);
                    always @(posedge ap_clk) q <= words[lo];
                    axgen_delay #(.WIDTH(WIDTH), .DEPTH(OUT_REG - 1)) u_out (.ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .in(q),
                                                                           .out(held));
                    always @(posedge ap_clk) begin
                        hit <= sel_early == MINE;
                        last <= hit ? held : {WIDTH{1'b0}};
                    end
                    assign ored[c + 1] = ored[c] | last;
                end
                assign data = ored[BANKS];
            end else begin : g_mux
                wire [WIDTH-1:0] banks [0:BANKS-1];
                wire [SEL_BITS-1:0] sel;  // the bank of the word, delayed as its read and registers
                axgen_delay #(.WIDTH(SEL_BITS), .DEPTH(1 + OUT_REG)) u_sel (.ap_clk(ap_clk), .ap_rst_n(ap_rst_n),
                                                                         .in(hi[SEL_BITS-1:0]), .out(sel));
                for (c = 0; c < BANKS; c = c + 1) begin : g_bank
                    localparam integer WORDS = DEPTH - c * BANK < BANK ? DEPTH - c * BANK : BANK;
                    localparam integer D2 = 48 + c / 100, D1 = 48 + (c / 10) % 10, D0 = 48 + c % 10;
                    localparam [23:0] INDEX = {D2[7:0], D1[7:0], D0[7:0]};
                    reg [WIDTH-1:0] words [0:WORDS-1];
                    reg [WIDTH-1:0] q;
                    initial $readmemh({BANK_PREFIX, INDEX, ".mem"}, words);
                    always @(posedge ap_clk) q <= words[lo];
                    axgen_delay #(.WIDTH(WIDTH), .DEPTH(OUT_REG)) u_out (.ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .in(q),
                                                                       .out(banks[c]));
                end
                assign data = banks[sel];
            end
        end else begin : g_chunked
            wire [WIDTH-1:0] read;
            for (c = 0; c < SLICES; c = c + 1) begin : g_slice
                localparam integer LO = c * SLICE;
                localparam integer BITS = WIDTH - LO < SLICE ? WIDTH - LO : SLICE;
                reg [ADDR_BITS-1:0] addr;
                reg [WIDTH-1:0] words [0:DEPTH-1];
                reg [BITS-1:0] q;
                initial $readmemh(FILE, words);
                always @(posedge ap_clk) begin
                    if (!ap_rst_n) addr <= {ADDR_BITS{1'b0}};
                    else if (advance) addr <= load ? load_addr : addr + STEP;
                end
                always @(posedge ap_clk) q <= words[addr][LO +: BITS];
                assign read[LO +: BITS] = q;
            end
            axgen_delay #(.WIDTH(WIDTH), .DEPTH(OUT_REG)) u_out (.ap_clk(ap_clk), .ap_rst_n(ap_rst_n), .in(read), .out(data));
        end
    endgenerate
endmodule

`default_nettype wire
