// Does not elaborate: a syntax error.
module broken(input [3:0] A, input [3:0] B, output [7:0] O);
    assign O = A * ;
endmodule
