"""cocotb testbenches: `stream_test` drives any axgen stream block (layer wrapper or top)."""
