// A 4x3 unsigned core for the tests: P = X * (W with its lowest bit cleared). The output comes
// first and the inputs are not named A/B: ports are found by direction and width.
module odd43(output [6:0] P, input [3:0] X, input [2:0] W);
    assign P = X * {W[2:1], 1'b0};
endmodule
