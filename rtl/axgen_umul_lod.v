// axgen_umul_lod: leading-one detector of an unsigned N_BITS value, shared by the DRUM,
// Mitchell, ETM and RoBA multiplier cores.
//
// pos = floor(log2 x) for x != 0 (0 for x == 0), nz = (x != 0). A priority encoder: the
// highest set bit wins.
`default_nettype none

module axgen_umul_lod #(
    parameter integer N_BITS = 8,
    parameter integer POS_BITS = N_BITS > 1 ? $clog2(N_BITS) : 1
) (
    input  wire [N_BITS-1:0]   x,
    output wire [POS_BITS-1:0] pos,
    output wire                nz
);
    reg [POS_BITS-1:0] pos_r;
    integer i;
    always @(*) begin
        pos_r = {POS_BITS{1'b0}};
        for (i = 0; i < N_BITS; i = i + 1)
            if (x[i]) pos_r = i[POS_BITS-1:0];
    end
    assign pos = pos_r;
    assign nz = |x;
endmodule

`default_nettype wire
