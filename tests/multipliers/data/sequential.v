// Not a multiplier core: the product goes through a register.
module sequential(input clk, input [3:0] A, input [3:0] B, output reg [7:0] O);
    always @(posedge clk) O <= A * B;
endmodule
