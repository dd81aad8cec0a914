// An 8x8 core in the netlist style of published approximate-multiplier libraries: the product
// with its two low bits passed through a helper half adder PDKGENHAX1 (sum, carry).
module hax_exact ( A, B, O );
  input [7:0] A;
  input [7:0] B;
  output [15:0] O;
  wire [15:0] p;
  wire s, c;
  assign p = A * B;
  PDKGENHAX1 u_low ( .A(p[1]), .B(p[0]), .YS(s), .YC(c) );
  assign O = { p[15:2], s, c };
endmodule

module PDKGENHAX1( input A, input B, output YS, output YC );
  assign YS = A ^ B;
  assign YC = A & B;
endmodule
