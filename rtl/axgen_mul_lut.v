// axgen_mul_lut: a multiplier given as a table (`lut:` multipliers). The product of the raw
// operand codes a (A_BITS) and b (B_BITS) is entry {a, b} (activation code high) of a ROM loaded
// with $readmemh from TABLE_FILE: 2^(A_BITS+B_BITS) lines, each a P_BITS two's-complement value.
`default_nettype none

module axgen_mul_lut #(
    parameter integer A_BITS = 4,
    parameter integer B_BITS = 4,
    parameter integer P_BITS = 16,
    parameter TABLE_FILE = "mul_table.mem"
) (
    input  wire [A_BITS-1:0]        a,
    input  wire [B_BITS-1:0]        b,
    output wire signed [P_BITS-1:0] p
);
    localparam integer ENTRIES = 1 << (A_BITS + B_BITS);

    reg [P_BITS-1:0] table_rom [0:ENTRIES-1];
    initial $readmemh(TABLE_FILE, table_rom);
    assign p = table_rom[{a, b}];
endmodule

`default_nettype wire
