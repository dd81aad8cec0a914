// axgen_add: the join of two branches. Each beat of s0 and s1 carries PE elements of the same
// channels; out[p] = thresholds(a[p] << A_SHIFT + b[p] << B_SHIFT) (rtl/axgen_thresholds.v, the
// add's quantizer; channel group nf of NF = CH / PE selects the thresholds word), or the sum
// itself without thresholds. A beat is taken from both inputs at once when the output register is
// free or leaving: one beat per cycle.
//
// Operand kinds: 0 unsigned, 1 two's complement, 2 bipolar (code 0/1 for -1/+1).
`default_nettype none

module axgen_add #(
    parameter integer CH = 4,
    parameter integer PE = 1,
    parameter integer A_BITS = 4,
    parameter integer A_KIND = 0,
    parameter integer A_SHIFT = 0,
    parameter integer B_BITS = 4,
    parameter integer B_KIND = 0,
    parameter integer B_SHIFT = 0,
    parameter integer ACC_BITS = 6,
    parameter integer N_THRES = 0,
    parameter integer T_BITS = 7,
    parameter integer OUT_BITS = 6,
    parameter integer OUT_BIAS = 0,
    parameter THRESH_FILE = ""
) (
    input  wire                   ap_clk,
    input  wire                   ap_rst_n,
    input  wire [PE*A_BITS-1:0]   s0_axis_tdata,
    input  wire                   s0_axis_tvalid,
    output wire                   s0_axis_tready,
    input  wire [PE*B_BITS-1:0]   s1_axis_tdata,
    input  wire                   s1_axis_tvalid,
    output wire                   s1_axis_tready,
    output wire [PE*OUT_BITS-1:0] m_axis_tdata,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready
);
    localparam integer NF = CH / PE;
    localparam integer NF_BITS = NF > 1 ? $clog2(NF) : 1;
    localparam integer T_W = (N_THRES > 0 ? N_THRES : 1) * PE * T_BITS;
    localparam integer NF_LAST_I = NF - 1;
    localparam [NF_BITS-1:0] NF_LAST = NF_LAST_I[NF_BITS-1:0];

    reg [PE*OUT_BITS-1:0] out_data;
    reg out_valid;
    reg [NF_BITS-1:0] nf;

    wire room = !out_valid || m_axis_tready;
    wire take = s0_axis_tvalid && s1_axis_tvalid && room;
    assign s0_axis_tready = s1_axis_tvalid && room;
    assign s1_axis_tready = s0_axis_tvalid && room;
    assign m_axis_tdata = out_data;
    assign m_axis_tvalid = out_valid;

    // thresholds of channel group nf, lane p's N_THRES in bits [p*N_THRES*T_BITS, +N_THRES*T_BITS)
    // (without thresholds a constant nobody reads)
    /* verilator lint_off UNUSEDSIGNAL */
    wire [T_W-1:0] t_word;
    /* verilator lint_on UNUSEDSIGNAL */
    generate
        if (N_THRES > 0) begin : g_thresholds
            reg [T_W-1:0] thresholds [0:NF-1];
            initial $readmemh(THRESH_FILE, thresholds);
            assign t_word = thresholds[nf];
        end else begin : g_no_thresholds
            assign t_word = {T_W{1'b0}};
        end
    endgenerate

    wire [PE*OUT_BITS-1:0] result;
    genvar p;
    generate
        for (p = 0; p < PE; p = p + 1) begin : g_lane
            wire [A_BITS-1:0] a = s0_axis_tdata[p*A_BITS +: A_BITS];
            wire [B_BITS-1:0] b = s1_axis_tdata[p*B_BITS +: B_BITS];
            wire signed [ACC_BITS-1:0] a_value, b_value;
            if (A_KIND == 2) begin : g_a_bipolar
                assign a_value = a[0] ? 1 : -1;
            end else begin : g_a_int
                assign a_value = {{(ACC_BITS - A_BITS){A_KIND == 1 && a[A_BITS-1]}}, a};
            end
            if (B_KIND == 2) begin : g_b_bipolar
                assign b_value = b[0] ? 1 : -1;
            end else begin : g_b_int
                assign b_value = {{(ACC_BITS - B_BITS){B_KIND == 1 && b[B_BITS-1]}}, b};
            end
            wire signed [ACC_BITS-1:0] acc = (a_value <<< A_SHIFT) + (b_value <<< B_SHIFT);
            if (N_THRES > 0) begin : g_count
                axgen_thresholds #(
                    .ACC_BITS(ACC_BITS), .N_THRES(N_THRES), .T_BITS(T_BITS), .OUT_BITS(OUT_BITS), .OUT_BIAS(OUT_BIAS)
                ) u_thresholds (
                    .acc(acc),
                    .thresholds(t_word[p*N_THRES*T_BITS +: N_THRES*T_BITS]),
                    .out(result[p*OUT_BITS +: OUT_BITS])
                );
            end else begin : g_raw
                assign result[p*OUT_BITS +: OUT_BITS] = acc[OUT_BITS-1:0];
            end
        end
    endgenerate

    always @(posedge ap_clk) begin
        if (!ap_rst_n) begin
            out_valid <= 1'b0;
            nf <= {NF_BITS{1'b0}};
        end else begin
            if (take) begin
                out_valid <= 1'b1;
                nf <= nf == NF_LAST ? {NF_BITS{1'b0}} : nf + 1'b1;
            end else if (m_axis_tready) begin
                out_valid <= 1'b0;
            end
        end
        if (take) out_data <= result;
    end
endmodule

`default_nettype wire
