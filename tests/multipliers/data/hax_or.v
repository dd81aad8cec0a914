// Another 8x8 core whose helper module has the same name as hax_exact.v's but other behaviour:
// PDKGENHAX1 here gives (A | B, 0).
module hax_or ( A, B, O );
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
  assign YS = A | B;
  assign YC = 1'b0;
endmodule
