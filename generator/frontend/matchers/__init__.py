"""One matcher per layer kind: each turns a node (plus, for matrix layers, the float path after
it) into an IR layer. `MATCHERS` maps an ONNX op type to its matcher."""

from generator.frontend.matchers.avgpool import match_avgpool
from generator.frontend.matchers.conv import match_conv
from generator.frontend.matchers.fc import match_fc
from generator.frontend.matchers.pool import match_maxpool

MATCHERS = {"MatMul": match_fc, "Conv": match_conv, "MaxPool": match_maxpool,
            "AveragePool": match_avgpool, "GlobalAveragePool": match_avgpool, "ReduceMean": match_avgpool}
