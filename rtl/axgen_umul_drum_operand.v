// axgen_umul_drum_operand: one operand of the DRUM multiplier (axgen_umul_drum). With
// t = floor(log2 x): if t < K, the operand is exact (m = x, s = 0); else s = t - K + 1 and
// m = (x >> s) | 1, the K bits from the leading one down with the lowest forced to 1
// (unbiasing); the operand's approximation is m << s.
//
// The leading-one detector only looks at the bits from K up, since a leading one below K needs
// no shift: s = pos(x[X_BITS-1:K]) + 1 when those bits are not all zero, else 0.
`default_nettype none

module axgen_umul_drum_operand #(
    parameter integer X_BITS = 8,
    parameter integer K = 4,
    parameter integer M_BITS = K < X_BITS ? K : X_BITS,
    // s ranges over 0 .. X_BITS - K
    parameter integer S_BITS = K < X_BITS ? $clog2(X_BITS - K + 1) : 1
) (
    input  wire [X_BITS-1:0] x,
    output wire [M_BITS-1:0] m,
    output wire [S_BITS-1:0] s
);
    generate
        if (K >= X_BITS) begin : g_exact
            assign m = x;
            assign s = {S_BITS{1'b0}};
        end else begin : g_steer
            localparam integer HIGH = X_BITS - K;  // bits K .. X_BITS-1
            localparam integer POS_BITS = HIGH > 1 ? $clog2(HIGH) : 1;
            wire [POS_BITS-1:0] pos;
            wire                shifted;  // the leading one is at bit K or above
            axgen_umul_lod #(.N_BITS(HIGH), .POS_BITS(POS_BITS)) u_lod (
                .x(x[X_BITS-1:K]),
                .pos(pos),
                .nz(shifted)
            );
            // pos + 1 <= HIGH fits S_BITS (>= POS_BITS): widen pos first.
            wire [S_BITS-1:0] pos_w;
            if (S_BITS > POS_BITS) begin : g_widen
                assign pos_w = {{(S_BITS - POS_BITS){1'b0}}, pos};
            end else begin : g_same
                assign pos_w = pos;
            end
            assign s = shifted ? pos_w + 1'b1 : {S_BITS{1'b0}};
            // x >> s keeps K significant bits; the bits above them are zero.
            /* verilator lint_off UNUSEDSIGNAL */
            wire [X_BITS-1:0] x_sh = x >> s;
            /* verilator lint_on UNUSEDSIGNAL */
            if (M_BITS > 1) begin : g_force
                assign m = {x_sh[M_BITS-1:1], x_sh[0] | shifted};
            end else begin : g_one
                assign m = x_sh[0] | shifted;
            end
        end
    endgenerate
endmodule

`default_nettype wire
