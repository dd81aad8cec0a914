"""One matcher per layer kind: each turns a matrix node plus the float path after it into an
IR layer. `MATCHERS` maps an ONNX op type to its matcher."""

from generator.frontend.matchers.fc import match_fc

MATCHERS = {"MatMul": match_fc}
