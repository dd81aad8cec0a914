// axgen_umul_fit: an unsigned N_BITS product at the P_BITS width the caller asks for, shared by
// the approximate multiplier cores. P_BITS > N_BITS zero-extends; P_BITS <= N_BITS keeps the low
// P_BITS bits (the product wraps, as every product does in the accumulator).
`default_nettype none

module axgen_umul_fit #(
    parameter integer N_BITS = 16,
    parameter integer P_BITS = 16
) (
    input  wire [N_BITS-1:0] x,
    output wire [P_BITS-1:0] p
);
    generate
        if (P_BITS > N_BITS) begin : g_pad
            assign p = {{(P_BITS - N_BITS){1'b0}}, x};
        end else begin : g_fit
            // With P_BITS < N_BITS the product wraps: its high bits are not needed.
            /* verilator lint_off UNUSEDSIGNAL */
            wire [N_BITS-1:0] x_bits = x;
            /* verilator lint_on UNUSEDSIGNAL */
            assign p = x_bits[P_BITS-1:0];
        end
    endgenerate
endmodule

`default_nettype wire
