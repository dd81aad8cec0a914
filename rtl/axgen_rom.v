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
// `data` is word `addr` one cycle after `addr` held it (a synchronous read).
`default_nettype none

module axgen_rom #(
    parameter integer WIDTH = 8,
    parameter integer DEPTH = 4,
    parameter integer CHUNK = 0,
    parameter integer STRIDE = 1,
    parameter FILE = "weights.mem"
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
            assign data[LO +: BITS] = q;
        end
    endgenerate
endmodule

`default_nettype wire
