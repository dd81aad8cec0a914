// axgen_umul_bam: broken-array multiplier (Mahdiani et al., IEEE TCAS-I 2010) on unsigned
// operands: the partial product a_i * b_j * 2^(i+j) exists only where j >= H (horizontal break
// line) and i + j >= V (vertical break line); every other partial product is absent from the
// array, so its AND gate and its adder cells are never built.
//
// Row i of the array keeps the weight bits j >= max(H, V - i). The rows i >= V - H are cut by
// the horizontal line only: together they are the rectangle a[A_BITS-1:I0] x b[B_BITS-1:H],
// an exact sub-multiplier placed at column I0 + H. Each row i < I0 is cut by the vertical line:
// a_i AND b[B_BITS-1:V-i], placed at column V; rows that keep no bit are left out. Everything is
// summed in A_BITS + B_BITS bits (the product never needs more) and p is that sum zero-extended
// or wrapped to P_BITS.
`default_nettype none

module axgen_umul_bam #(
    parameter integer A_BITS = 8,
    parameter integer B_BITS = 8,
    parameter integer P_BITS = 16,
    parameter integer H = 0,
    parameter integer V = 0
) (
    // Operand bits whose partial products are all absent are not used (e.g. V >= A+B-2).
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [A_BITS-1:0] a,
    input  wire [B_BITS-1:0] b,
    /* verilator lint_on UNUSEDSIGNAL */
    output wire [P_BITS-1:0] p
);
    localparam integer N = A_BITS + B_BITS;
    localparam integer I0 = V - H > 0 ? V - H : 0;  // first row cut by the horizontal line only

    // The rectangle: rows I0 .. A_BITS-1, weight bits H .. B_BITS-1.
    wire [N-1:0] rect;
    generate
        if (I0 < A_BITS && H < B_BITS) begin : g_rect
            localparam integer RA = A_BITS - I0;
            localparam integer RB = B_BITS - H;
            wire [RA-1:0] ra = a[A_BITS-1:I0];
            wire [RB-1:0] rb = b[B_BITS-1:H];
            wire [RA+RB-1:0] rp;
            axgen_fmul #(.A_BITS(RA), .B_BITS(RB)) u_rect (.a(ra), .b(rb), .p(rp));
            if (I0 + H > 0) begin : g_shift
                assign rect = {rp, {(I0 + H){1'b0}}};
            end else begin : g_noshift
                assign rect = rp;
            end
        end else begin : g_no_rect
            assign rect = {N{1'b0}};
        end
    endgenerate

    // The rows cut by the vertical line: row i keeps b[B_BITS-1:V-i], at column V.
    localparam integer CUT = I0 < A_BITS ? I0 : A_BITS;
    localparam integer NCUT = CUT > 0 ? CUT : 1;
    wire [NCUT*N-1:0] rows;
    genvar i;
    generate
        if (CUT == 0) begin : g_no_cut
            assign rows = {N{1'b0}};
        end
        for (i = 0; i < CUT; i = i + 1) begin : g_row
            localparam integer LOW = V - i;  // > H for every cut row
            if (LOW >= B_BITS) begin : g_absent
                assign rows[i*N +: N] = {N{1'b0}};
            end else begin : g_kept
                localparam integer KEPT = B_BITS - LOW;
                wire [KEPT-1:0] pp = b[B_BITS-1:LOW] & {KEPT{a[i]}};
                // V + KEPT = B_BITS + i < N, so there is always a zero above the row.
                assign rows[i*N +: N] = {{(N - KEPT - V){1'b0}}, pp, {V{1'b0}}};
            end
        end
    endgenerate

    reg [N-1:0] sum;
    integer r;
    always @(*) begin
        sum = rect;
        for (r = 0; r < CUT; r = r + 1) sum = sum + rows[r*N +: N];
    end

    axgen_umul_fit #(.N_BITS(N), .P_BITS(P_BITS)) u_fit (.x(sum), .p(p));
endmodule

`default_nettype wire
