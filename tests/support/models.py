"""Networks for the tests: FINN's reference FC networks with random weights and random
batch-norm statistics (negative gains included), and small hand-made Brevitas models."""

from __future__ import annotations

from pathlib import Path

import numpy as np

# Two foldings per network: a fast one and a more folded one. Bound = max over layers of
# MH/PE * MW/SIMD. PE of a layer and SIMD of the next differ on purpose (width converters).
FOLDINGS = {
    "tfc_1w1a": [
        {"layers": {0: {"pe": 16, "simd": 16}, 1: {"pe": 4, "simd": 4}, 2: {"pe": 4, "simd": 4}, 3: {"pe": 2, "simd": 4}}},
        {"layers": {0: {"pe": 8, "simd": 8}, 1: {"pe": 2, "simd": 4}, 2: {"pe": 2, "simd": 2}, 3: {"pe": 1, "simd": 2}}},
    ],
    "tfc_2w2a": [
        {"layers": {0: {"pe": 16, "simd": 16}, 1: {"pe": 4, "simd": 4}, 2: {"pe": 4, "simd": 4}, 3: {"pe": 2, "simd": 4}}},
        {"layers": {0: {"pe": 4, "simd": 28}, 1: {"pe": 8, "simd": 1}, 2: {"pe": 1, "simd": 8}, 3: {"pe": 5, "simd": 1}}},
    ],
    "sfc_1w2a": [
        {"layers": {0: {"pe": 32, "simd": 16}, 1: {"pe": 8, "simd": 16}, 2: {"pe": 8, "simd": 16}, 3: {"pe": 1, "simd": 16}}},
        {"layers": {0: {"pe": 16, "simd": 16}, 1: {"pe": 8, "simd": 8}, 2: {"pe": 4, "simd": 16}, 3: {"pe": 2, "simd": 8}}},
    ],
}
DIGITS_FOLDINGS = [
    {"defaults": {"pe": 2, "simd": 4}},
    {"layers": {0: {"pe": 8, "simd": 8}, 1: {"pe": 4, "simd": 8}, 2: {"pe": 2, "simd": 4}}},
]
# 8 -> 16 and 3 -> 2 element width conversions between layers
MIXED_FOLDING = {"layers": {0: {"pe": 8, "simd": 3}, 1: {"pe": 3, "simd": 16}, 2: {"pe": 4, "simd": 2},
                            3: {"pe": 5, "simd": 8}}}

# Small CNN (tests/models.small_cnn): conv0 3x3/2 padded, pool1 2x2, conv2 (2,1), fc3.
SMALL_CNN_FOLDINGS = [
    # MVAU-bound: conv0 30 pixels x NF 2 x SF 27
    {"layers": {"conv0": {"pe": 4, "simd": 1}, "pool1": {"pe": 2}, "conv2": {"pe": 2, "simd": 4},
                "fc3": {"pe": 1, "simd": 24}}},
    # sliding window and MVAU of conv0 both at 270 cycles; width converters 8 -> 2 -> 8, 6 -> 4
    {"layers": {"conv0": {"pe": 8, "simd": 3}, "conv2": {"pe": 6, "simd": 2}, "fc3": {"pe": 5, "simd": 4}}},
]
# Strided CNN (tests/models.strided_cnn): the 1x1 stride-2 convolution's window generator reads
# four input pixels per window, so it bounds the network at the fastest folding.
STRIDED_CNN_FOLDINGS = [
    {"layers": {"conv0": {"pe": 6, "simd": 2}, "conv2": {"pe": 4, "simd": 3}, "fc3": {"pe": 3, "simd": 8}}},
    {"defaults": {"multiplier": "trunc:k=2"},
     "layers": {"conv0": {"pe": 3, "simd": 1, "multiplier": "drum:k=2"}, "pool1": {"pe": 2},
                "conv2": {"pe": 2, "simd": 2, "multiplier": "mitchell"}, "fc3": {"pe": 1, "simd": 4}}},
]
# Depthwise-separable CNN (tests/models.depthwise_cnn): conv0, dwconv1, conv2 (1x1), dwconv3 (stride 2), fc4.
DEPTHWISE_FOLDINGS = [
    # SIMD = 1, PE < C: the depthwise layers take PE channels of one tap per beat; dwconv1 bounds
    # (20 pixels x 9 taps x 2 channel folds = 360)
    {"layers": {"conv0": {"pe": 4, "simd": 2}, "dwconv1": {"pe": 2, "simd": 1}, "conv2": {"pe": 3, "simd": 4},
                "dwconv3": {"pe": 3}, "fc4": {"pe": 2, "simd": 6}}},
    # PE = C, SIMD > 1: a kernel row (3 taps) or the whole window (9) of every channel per beat,
    # approximate products on both depthwise layers; dwconv1 bounds (20 pixels x 3 = 60)
    {"layers": {"conv0": {"pe": 4, "simd": 18}, "dwconv1": {"pe": 4, "simd": 3, "multiplier": "trunc:k=2"},
                "conv2": {"pe": 6, "simd": 4}, "dwconv3": {"pe": 6, "simd": 9, "multiplier": "drum:k=2"},
                "fc4": {"pe": 4, "simd": 36}}},
]
# FINN's folding of CNV (finn-examples' cnv folding config): 32768 cycles per sample, under the
# issue's ~100k. Pools follow their producer's PE.
CNV_FOLDING = {"layers": {
    "conv0": {"pe": 16, "simd": 3}, "conv1": {"pe": 32, "simd": 32}, "conv3": {"pe": 16, "simd": 32},
    "conv4": {"pe": 16, "simd": 32}, "conv6": {"pe": 4, "simd": 32}, "conv7": {"pe": 1, "simd": 32},
    "fc8": {"pe": 1, "simd": 4}, "fc9": {"pe": 1, "simd": 8}, "fc10": {"pe": 5, "simd": 1}}}

FINN_FC = ["tfc_1w1a", "tfc_1w2a", "tfc_2w2a", "sfc_1w1a", "sfc_1w2a", "sfc_2w2a", "lfc_1w1a", "lfc_1w2a"]


def busy_norms(model, seed: int) -> None:
    """Batch-norm statistics that keep small activation ranges busy (no saturation), a quarter
    of the gains negative: for small networks of 3- and 4-bit activations."""
    import torch
    import torch.nn as nn
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for mod in model.modules():
            if isinstance(mod, nn.BatchNorm2d):
                n = mod.running_mean.numel()
                mod.running_mean.copy_(torch.randn(n, generator=gen) * 0.1)
                mod.running_var.copy_(torch.rand(n, generator=gen) * 0.05 + 0.02)
                sign = torch.where(torch.rand(n, generator=gen) < 0.25, -1.0, 1.0)
                mod.weight.copy_(sign * (torch.rand(n, generator=gen) * 0.1 + 0.1))
                mod.bias.copy_(torch.randn(n, generator=gen) * 0.1 + 0.4)


def randomize_norms(model, seed: int) -> None:
    """Random BatchNorm / TensorNorm statistics so thresholds are not trivial; about a quarter
    of the gains negative, which exercises the row negation for decreasing channels."""
    import torch
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for mod in model.modules():
            if hasattr(mod, "running_mean") and hasattr(mod, "running_var") and mod.running_mean is not None:
                n = mod.running_mean.numel()
                mod.running_mean.copy_(torch.randn(n, generator=gen) * 3)
                mod.running_var.copy_(torch.rand(n, generator=gen) * 4 + 0.5)
                if getattr(mod, "weight", None) is not None:
                    sign = torch.where(torch.rand(n, generator=gen) < 0.25, -1.0, 1.0)
                    mod.weight.copy_(sign * (torch.rand(n, generator=gen) + 0.2))
                    mod.bias.copy_(torch.randn(n, generator=gen) * 0.5)


def finn_fc(name: str, seed: int = 0):
    import torch
    from brevitas_examples.bnn_pynq import models
    torch.manual_seed(seed)
    model = getattr(models, name)(pretrained=False)
    randomize_norms(model, seed)
    return model.eval()


def export(model, input_shape, path: Path) -> Path:
    from generator.frontend.loading import export_brevitas
    path.write_bytes(export_brevitas(model, tuple(input_shape)).SerializeToString())
    return path


def mixed_mlp(seed: int = 0):
    """Float (non power-of-two) scales, per-channel weight scales, biases (quantized and float),
    BatchNorm, QuantReLU, QuantHardTanh, 2- to 8-bit, signed and unsigned."""
    import torch
    import torch.nn as nn
    import brevitas.nn as qnn
    from brevitas.quant import Int8Bias, Int8WeightPerChannelFloat
    torch.manual_seed(seed)
    model = nn.Sequential(
        qnn.QuantIdentity(bit_width=8, return_quant_tensor=True),
        qnn.QuantLinear(24, 16, bias=True, weight_bit_width=5, weight_quant=Int8WeightPerChannelFloat,
                        bias_quant=Int8Bias, return_quant_tensor=False),
        nn.BatchNorm1d(16),
        qnn.QuantReLU(bit_width=3),
        qnn.QuantLinear(16, 12, bias=True, weight_bit_width=3),
        qnn.QuantHardTanh(bit_width=2, max_val=1.0, min_val=-1.0),
        nn.Flatten(),
        qnn.QuantLinear(12, 8, bias=False, weight_bit_width=8),
        nn.BatchNorm1d(8),
        qnn.QuantIdentity(bit_width=6),
        qnn.QuantLinear(8, 5, bias=True, weight_bit_width=2),
    )
    randomize_norms(model, seed)
    return model.eval()


def onnx_reference(path: Path, x: np.ndarray) -> np.ndarray:
    """What qonnx's own execute_onnx computes for the model file."""
    import onnx
    from generator.onnx_exec import run
    return run(onnx.load(str(path)), x)


def onnx_hidden_codes(path, x):
    """execute_onnx's activation quantizer outputs after each matrix layer, as integer codes."""
    from qonnx.core.onnx_exec import execute_onnx
    from generator.frontend.loading import clean, read_onnx
    from generator.frontend.quantizers import quant_info
    model = clean(read_onnx(path))
    acts = [n for n in model.graph.node if n.op_type == "Quant" and model.get_initializer(n.input[0]) is None]
    codes = [[] for _ in acts]
    for sample in x:
        ctx = execute_onnx(model, {model.graph.input[0].name: sample[None]}, return_full_exec_context=True)
        for i, node in enumerate(acts):
            codes[i].append(quant_info(model, node).values(ctx[node.output[0]])[0])
    return [np.array(c) for c in codes]


def digits_mlp(epochs: int = 3):
    """The demo's digits MLP, trained briefly (realistic statistics; accuracy is not the point)."""
    from generator import digits
    return digits.train(digits.quantized_mlp(), digits.load_digits_split(0), epochs=epochs)


FINN_CNV = ["cnv_1w1a", "cnv_1w2a", "cnv_2w2a"]


def small_cnn(seed: int = 0):
    """Power-of-two scales, a padded stride-2 convolution, max-pool, a second convolution, and a
    flatten of a 2x2 image into the classifier; non-square input (3, 12, 10)."""
    import torch
    import torch.nn as nn
    import brevitas.nn as qnn
    from brevitas.quant import Int8ActPerTensorFixedPoint, Int8WeightPerTensorFixedPoint, Uint8ActPerTensorFixedPoint
    torch.manual_seed(seed)
    w = dict(weight_quant=Int8WeightPerTensorFixedPoint)
    model = nn.Sequential(
        qnn.QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, bit_width=6),
        qnn.QuantConv2d(3, 8, 3, stride=2, padding=1, bias=True, weight_bit_width=4, **w),
        nn.BatchNorm2d(8),
        qnn.QuantReLU(act_quant=Uint8ActPerTensorFixedPoint, bit_width=3),
        nn.MaxPool2d(2),
        qnn.QuantConv2d(8, 6, (2, 1), bias=False, weight_bit_width=3, **w),
        nn.BatchNorm2d(6),
        qnn.QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, bit_width=4),
        nn.Flatten(),
        qnn.QuantLinear(6 * 2 * 2, 5, bias=True, weight_bit_width=4, **w),
    )
    randomize_norms(model, seed)
    return model.eval()


def strided_cnn(seed: int = 0):
    """A 1x1 stride-2 convolution (input-bound window generator), a signed activation into an
    overlapping 3x3/2 max-pool, a (1, 2) kernel padded top and bottom only; input (2, 11, 9)."""
    import torch
    import torch.nn as nn
    import brevitas.nn as qnn
    from brevitas.quant import Int8ActPerTensorFixedPoint, Int8WeightPerTensorFixedPoint
    torch.manual_seed(seed)
    w = dict(weight_quant=Int8WeightPerTensorFixedPoint)
    model = nn.Sequential(
        qnn.QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, bit_width=4),
        qnn.QuantConv2d(2, 6, 1, stride=2, bias=True, weight_bit_width=3, **w),
        nn.BatchNorm2d(6),
        qnn.QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, bit_width=3),
        nn.MaxPool2d(3, stride=2),
        qnn.QuantConv2d(6, 4, (1, 2), padding=(1, 0), bias=False, weight_bit_width=4, **w),
        nn.BatchNorm2d(4),
        qnn.QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, bit_width=4),
        nn.Flatten(),
        qnn.QuantLinear(4 * 4 * 1, 3, bias=True, weight_bit_width=4, **w),
    )
    randomize_norms(model, seed)
    return model.eval()


def unpadded_stride2_cnn(seed: int = 0):
    """A 3x3 stride-2 convolution without padding on (6, 11, 11): its window generator's ring
    (K_H + STRIDE_H rows) cannot hold the next image's first window while the last output row is
    read, so it pauses once per image; then a classifier."""
    import torch
    import torch.nn as nn
    import brevitas.nn as qnn
    from brevitas.quant import Int8ActPerTensorFixedPoint, Int8WeightPerTensorFixedPoint, Uint8ActPerTensorFixedPoint
    torch.manual_seed(seed)
    w = dict(weight_quant=Int8WeightPerTensorFixedPoint)
    model = nn.Sequential(
        qnn.QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, bit_width=4),
        qnn.QuantConv2d(6, 8, 3, stride=2, bias=True, weight_bit_width=3, **w),
        nn.BatchNorm2d(8),
        qnn.QuantReLU(act_quant=Uint8ActPerTensorFixedPoint, bit_width=2),
        nn.Flatten(),
        qnn.QuantLinear(8 * 5 * 5, 4, bias=True, weight_bit_width=3, **w),
    )
    randomize_norms(model, seed)
    return model.eval()


def depthwise_cnn(seed: int = 0):
    """A depthwise-separable CNN: conv 3x3 -> QuantReLU -> depthwise 3x3 (padding 1) + BN ->
    QuantReLU -> pointwise 1x1 -> depthwise 3x3 stride 2 (padding 1) + BN -> signed quantizer ->
    flatten -> classifier; input (2, 7, 6), power-of-two scales."""
    import torch
    import torch.nn as nn
    import brevitas.nn as qnn
    from brevitas.quant import Int8ActPerTensorFixedPoint, Int8WeightPerTensorFixedPoint, Uint8ActPerTensorFixedPoint
    torch.manual_seed(seed)
    w = dict(weight_quant=Int8WeightPerTensorFixedPoint)
    relu = dict(act_quant=Uint8ActPerTensorFixedPoint)
    model = nn.Sequential(
        qnn.QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, bit_width=5),
        qnn.QuantConv2d(2, 4, 3, bias=True, weight_bit_width=4, **w),
        qnn.QuantReLU(bit_width=4, **relu),
        qnn.QuantConv2d(4, 4, 3, padding=1, groups=4, bias=True, weight_bit_width=4, **w),
        nn.BatchNorm2d(4),
        qnn.QuantReLU(bit_width=3, **relu),
        qnn.QuantConv2d(4, 6, 1, bias=False, weight_bit_width=3, **w),
        nn.BatchNorm2d(6),
        qnn.QuantReLU(bit_width=4, **relu),
        qnn.QuantConv2d(6, 6, 3, stride=2, padding=1, groups=6, bias=False, weight_bit_width=4, **w),
        nn.BatchNorm2d(6),
        qnn.QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, bit_width=4),
        nn.Flatten(),
        qnn.QuantLinear(6 * 3 * 2, 4, bias=True, weight_bit_width=4, **w),
    )
    busy_norms(model, seed)
    return model.eval()


def grouped_conv(groups: int, out_channels: int = 4):
    """A convolution with 1 < groups < channels (or a channel multiplier), which axgen refuses."""
    import torch.nn as nn
    import brevitas.nn as qnn
    from brevitas.quant import Int8ActPerTensorFixedPoint, Int8WeightPerTensorFixedPoint
    return nn.Sequential(
        qnn.QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, bit_width=4),
        qnn.QuantConv2d(4, out_channels, 3, groups=groups, bias=False, weight_bit_width=4,
                        weight_quant=Int8WeightPerTensorFixedPoint),
        qnn.QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, bit_width=4),
        nn.Flatten(),
        qnn.QuantLinear(out_channels * 4, 2, bias=False, weight_bit_width=4, weight_quant=Int8WeightPerTensorFixedPoint),
    ).eval()


# Residual CNN (residual_cnn): conv0, an identity block (dup1, conv2, conv3, add4) and a strided
# block with a 1x1 stride-2 convolution shortcut (dup5, conv6, conv7 | conv8, add9), fc10.
RESIDUAL_FOLDINGS = [
    {"defaults": {"pe": 2, "simd": 2}, "layers": {"conv0": {"simd": 3}, "fc10": {"pe": 1, "simd": 4}}},
    # width converters around the branch blocks, an approximate shortcut and residual convolution
    {"layers": {"conv0": {"pe": 3, "simd": 3}, "dup1": {"pe": 6}, "conv2": {"pe": 6, "simd": 6},
                "conv3": {"pe": 2, "simd": 3, "multiplier": "trunc:k=1"}, "add4": {"pe": 1},
                "conv6": {"pe": 4, "simd": 6}, "conv7": {"pe": 8, "simd": 8},
                "conv8": {"pe": 2, "simd": 1, "multiplier": "drum:k=2"}, "add9": {"pe": 4},
                "fc10": {"pe": 5, "simd": 8}}},
]


def residual_cnn(seed: int = 0):
    """Two residual blocks as Brevitas' ResNet builds them (a QuantReLU shared by both inputs of
    each add, a QuantReLU after it): an identity shortcut, then a stride-2 block whose shortcut is a
    1x1 stride-2 convolution; input (3, 8, 8)."""
    import torch
    import torch.nn as nn
    import brevitas.nn as qnn
    from brevitas.quant import Int8ActPerTensorFixedPoint, Int8WeightPerTensorFixedPoint, Uint8ActPerTensorFixedPoint

    def conv(cin, cout, k, stride=1, padding=0):
        return qnn.QuantConv2d(cin, cout, k, stride=stride, padding=padding, bias=False,
                               weight_quant=Int8WeightPerTensorFixedPoint, weight_bit_width=4)

    def relu():
        return qnn.QuantReLU(act_quant=Uint8ActPerTensorFixedPoint, bit_width=3, return_quant_tensor=True)

    class Residual(nn.Module):
        def __init__(self):
            super().__init__()
            self.inp = qnn.QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, bit_width=4, return_quant_tensor=True)
            self.c0, self.b0, self.shared = conv(3, 6, 3, padding=1), nn.BatchNorm2d(6), relu()
            self.c1, self.b1, self.r1 = conv(6, 6, 3, padding=1), nn.BatchNorm2d(6), relu()
            self.c2, self.b2, self.out1 = conv(6, 6, 3, padding=1), nn.BatchNorm2d(6), relu()
            self.c3, self.b3, self.r3 = conv(6, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), relu()
            self.c4, self.b4, self.shared2 = conv(8, 8, 3, padding=1), nn.BatchNorm2d(8), relu()
            self.ds, self.bds, self.out2 = conv(6, 8, 1, stride=2), nn.BatchNorm2d(8), relu()
            self.fc = qnn.QuantLinear(8 * 4 * 4, 5, bias=True, weight_quant=Int8WeightPerTensorFixedPoint,
                                      weight_bit_width=4)

        def forward(self, x):
            x = self.shared(self.b0(self.c0(self.inp(x))))
            y = self.shared(self.b2(self.c2(self.r1(self.b1(self.c1(x))))))
            x = self.out1(y + x)
            y = self.shared2(self.b4(self.c4(self.r3(self.b3(self.c3(x))))))
            x = self.out2(y + self.shared2(self.bds(self.ds(x))))
            return self.fc(x.flatten(1))

    torch.manual_seed(seed)
    model = Residual()
    busy_norms(model, seed)  # the adds' inputs and outputs vary (random statistics saturate them)
    return model.eval()


def integer_input_cnn(seed: int = 0):
    """No input quantizer (the input is taken as 8-bit integers, as Brevitas' ResNet-18 takes RGB):
    a convolution straight on the float input, then a classifier; input (3, 6, 6)."""
    import torch
    import torch.nn as nn
    import brevitas.nn as qnn
    from brevitas.quant import Int8WeightPerTensorFixedPoint, Uint8ActPerTensorFixedPoint
    torch.manual_seed(seed)
    w = dict(weight_quant=Int8WeightPerTensorFixedPoint, weight_bit_width=4)
    model = nn.Sequential(
        qnn.QuantConv2d(3, 4, 3, bias=False, **w), nn.BatchNorm2d(4),
        qnn.QuantReLU(act_quant=Uint8ActPerTensorFixedPoint, bit_width=4),
        nn.Flatten(), qnn.QuantLinear(4 * 4 * 4, 3, bias=True, **w))
    randomize_norms(model, seed)
    return model.eval()


def resnet18_4w4a(seed: int = 0):
    """FINN's ResNet-18 for CIFAR-10 from brevitas_examples.bnn_pynq (4-bit weights and
    activations, no input quantizer: it takes 8-bit RGB), random weights and batch-norm."""
    import torch
    from brevitas_examples.bnn_pynq.models import model_with_cfg
    torch.manual_seed(seed)
    model, _ = model_with_cfg("resnet18_4w4a", pretrained=False)
    randomize_norms(model, seed)
    return model.eval()


def mobilenet_v1_4b(seed: int = 0):
    """Brevitas' 4-bit MobileNet-v1 for ImageNet (224x224; depthwise convolutions, per-channel
    activation scales before them, TruncAvgPool2d), random weights and batch-norm."""
    import torch
    from brevitas_examples.imagenet_classification.models import model_with_cfg
    torch.manual_seed(seed)
    model, _ = model_with_cfg("quant_mobilenet_v1_4b", pretrained=None)
    randomize_norms(model, seed)
    return model.eval()


def trunc_pool_net(rounding: str = "FLOOR", signed: bool = False, kernel: int = 3, stride: int = 2, seed: int = 0):
    """Brevitas' TruncAvgPool2d (exported as AveragePool + qonnx Trunc) on a 4-bit input (3, 7, 7),
    its 6-bit truncated output flattened into a classifier."""
    import torch
    import torch.nn as nn
    import brevitas.nn as qnn
    from brevitas.quant import Int8ActPerTensorFixedPoint, Int8WeightPerTensorFixedPoint, Uint8ActPerTensorFixedPoint
    torch.manual_seed(seed)
    out = (7 - kernel) // stride + 1
    model = nn.Sequential(
        qnn.QuantIdentity(act_quant=Int8ActPerTensorFixedPoint if signed else Uint8ActPerTensorFixedPoint, bit_width=4,
                          return_quant_tensor=True),
        qnn.TruncAvgPool2d(kernel, stride=stride, bit_width=6, float_to_int_impl_type=rounding),
        nn.Flatten(),
        qnn.QuantLinear(3 * out * out, 4, bias=False, weight_bit_width=4, weight_quant=Int8WeightPerTensorFixedPoint),
    )
    return model.eval()


class MeanHW:
    """torch.mean over H and W (exported as ReduceMean), as a module; keepdim either way."""

    def __new__(cls, keepdim: bool):
        import torch.nn as nn

        class _Mean(nn.Module):
            def forward(self, x):
                return x.mean(dim=(2, 3), keepdim=keepdim)
        return _Mean()


def global_pool_net(pool: str = "adaptive", seed: int = 0, quantize_pool: bool = True):
    """conv 3x3 -> ReLU (4-bit) on (3, 6, 5) -> 4x3 image -> global average pooling (AdaptiveAvgPool2d(1), or
    a mean over H, W with keepdim: `pool` = "adaptive", "mean", "mean_flat") -> QuantIdentity (thresholds)
    -> classifier; without `quantize_pool` the integer part ends with the pool (raw sum, host tail)."""
    import torch
    import torch.nn as nn
    import brevitas.nn as qnn
    from brevitas.quant import Int8ActPerTensorFixedPoint, Int8WeightPerTensorFixedPoint, Uint8ActPerTensorFixedPoint
    torch.manual_seed(seed)
    w = dict(weight_quant=Int8WeightPerTensorFixedPoint)
    pooling = {"adaptive": nn.AdaptiveAvgPool2d(1), "mean": MeanHW(True), "mean_flat": MeanHW(False)}[pool]
    layers = [
        qnn.QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, bit_width=5),
        qnn.QuantConv2d(3, 8, 3, bias=True, weight_bit_width=4, **w),
        nn.BatchNorm2d(8),
        qnn.QuantReLU(act_quant=Uint8ActPerTensorFixedPoint, bit_width=4),
        pooling,
    ]
    if quantize_pool:
        layers += [qnn.QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, bit_width=4), nn.Flatten(),
                   qnn.QuantLinear(8, 5, bias=True, weight_bit_width=4, **w)]
    else:
        layers += [nn.Flatten()]
    model = nn.Sequential(*layers)
    randomize_norms(model, seed)
    return model.eval()


def trunc_pool_cnn(rounding: str = "FLOOR", seed: int = 0):
    """conv 3x3 padded -> signed 4-bit activation (quant tensor) on (2, 8, 6) -> TruncAvgPool2d 2x2/2
    (signed 4-bit out: negative sums and ties) -> classifier; power-of-two scales throughout."""
    import torch
    import torch.nn as nn
    import brevitas.nn as qnn
    from brevitas.quant import Int8ActPerTensorFixedPoint, Int8WeightPerTensorFixedPoint
    torch.manual_seed(seed)
    w = dict(weight_quant=Int8WeightPerTensorFixedPoint)
    model = nn.Sequential(
        qnn.QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, bit_width=5),
        qnn.QuantConv2d(2, 6, 3, padding=1, bias=True, weight_bit_width=4, **w),
        nn.BatchNorm2d(6),
        qnn.QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, bit_width=4, return_quant_tensor=True),
        qnn.TruncAvgPool2d(2, stride=2, bit_width=4, float_to_int_impl_type=rounding),
        nn.Flatten(),
        qnn.QuantLinear(6 * 4 * 3, 5, bias=True, weight_bit_width=4, **w),
    )
    randomize_norms(model, seed)
    return model.eval()


def requantized_pool_net(pool: str = "trunc_avg"):
    """conv 3x3 -> ReLU (3-bit) on (2, 6, 6) -> TruncAvgPool2d 2x2/2 ("trunc_avg") or a global average
    ("global_avg") -> QuantIdentity (4-bit: thresholds on the window sum, through the Trunc) -> classifier."""
    import torch.nn as nn
    import brevitas.nn as qnn
    from brevitas.quant import Int8ActPerTensorFixedPoint, Int8WeightPerTensorFixedPoint, Uint8ActPerTensorFixedPoint
    layer = qnn.TruncAvgPool2d(2, 2, bit_width=4) if pool == "trunc_avg" else nn.AdaptiveAvgPool2d(1)
    side = 2 if pool == "trunc_avg" else 1
    return nn.Sequential(
        qnn.QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, bit_width=4, return_quant_tensor=True),
        qnn.QuantConv2d(2, 4, 3, weight_quant=Int8WeightPerTensorFixedPoint, weight_bit_width=4),
        qnn.QuantReLU(act_quant=Uint8ActPerTensorFixedPoint, bit_width=3, return_quant_tensor=True), layer,
        qnn.QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, bit_width=4), nn.Flatten(),
        qnn.QuantLinear(4 * side * side, 3, weight_quant=Int8WeightPerTensorFixedPoint, weight_bit_width=4)).eval()


# Depthwise-separable CNN with global average pooling (separable_gap_cnn): conv0, dwconv1, conv2,
# avgpool3 (global), fc4.
SEPARABLE_GAP_FOLDINGS = [
    # SIMD = 1 and PE < C on the depthwise layer
    {"layers": {"conv0": {"pe": 2, "simd": 2}, "dwconv1": {"pe": 2, "simd": 1}, "conv2": {"pe": 3, "simd": 2},
                "avgpool3": {"pe": 3}, "fc4": {"pe": 2, "simd": 3}}},
    # PE = C and SIMD = 3 (a kernel row per beat) on the depthwise layer, which bounds (20 pixels x 3),
    # with approximate products
    {"layers": {"conv0": {"pe": 4, "simd": 18}, "dwconv1": {"pe": 4, "simd": 3, "multiplier": "drum:k=2"},
                "conv2": {"pe": 6, "simd": 4}, "avgpool3": {"pe": 6}, "fc4": {"pe": 4, "simd": 6}}},
]


def separable_gap_cnn(seed: int = 0):
    """conv 3x3 -> QuantReLU -> depthwise 3x3 (padding 1) + BN -> QuantReLU -> pointwise 1x1 + BN
    -> QuantReLU -> global average pooling -> QuantIdentity -> classifier; input (2, 7, 6)."""
    import torch
    import torch.nn as nn
    import brevitas.nn as qnn
    from brevitas.quant import Int8ActPerTensorFixedPoint, Int8WeightPerTensorFixedPoint, Uint8ActPerTensorFixedPoint
    torch.manual_seed(seed)
    w = dict(weight_quant=Int8WeightPerTensorFixedPoint, weight_bit_width=4)
    relu = dict(act_quant=Uint8ActPerTensorFixedPoint)
    model = nn.Sequential(
        qnn.QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, bit_width=5),
        qnn.QuantConv2d(2, 4, 3, bias=True, **w),
        qnn.QuantReLU(bit_width=4, **relu),
        qnn.QuantConv2d(4, 4, 3, padding=1, groups=4, bias=False, **w),
        nn.BatchNorm2d(4),
        qnn.QuantReLU(bit_width=3, **relu),
        qnn.QuantConv2d(4, 6, 1, bias=False, **w),
        nn.BatchNorm2d(6),
        qnn.QuantReLU(bit_width=4, **relu),
        nn.AdaptiveAvgPool2d(1),
        qnn.QuantIdentity(act_quant=Uint8ActPerTensorFixedPoint, bit_width=4),
        nn.Flatten(),
        qnn.QuantLinear(6, 4, bias=True, **w),
    )
    randomize_norms(model, seed)
    return model.eval()


def intrusion_mlp(in_features: int = 600, hidden: tuple[int, ...] = (64, 64, 64), bits: int = 2, seed: int = 0):
    """The shape of FINN's network-intrusion MLP (its end-to-end tutorial): bipolar inputs mapped
    to {0, 1} by (x + 1) / 2 in the graph, 2-bit weights and activations, one output. Random weights
    and batch-norm; `annotate_input` puts the tutorial's BIPOLAR annotation on the exported input."""
    import torch
    import torch.nn as nn
    import brevitas.nn as qnn
    torch.manual_seed(seed)

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            layers, width = [], in_features
            for h in hidden:
                layers += [qnn.QuantLinear(width, h, bias=True, weight_bit_width=bits), nn.BatchNorm1d(h, momentum=None),
                           qnn.QuantReLU(bit_width=bits)]
                width = h
            layers.append(qnn.QuantLinear(width, 1, bias=True, weight_bit_width=bits))
            self.body = nn.Sequential(*layers)

        def forward(self, x):
            return self.body((x + 1) / 2)

    gen = torch.Generator().manual_seed(seed)
    return spread_norms(Model(), torch.randint(0, 2, (512, in_features), generator=gen).float() * 2 - 1, gen)


def spread_norms(model, inputs, gen):
    """Batch-norm statistics of `inputs` (cumulative: momentum None), then gains and offsets that
    spread each channel over a low-bit activation's range, a quarter of the gains negative; the
    model in eval mode."""
    import torch
    with torch.no_grad():
        model.train()
        model(inputs)
        for mod in model.modules():
            if isinstance(mod, torch.nn.BatchNorm1d):
                n = mod.num_features
                sign = torch.where(torch.rand(n, generator=gen) < 0.25, -1.0, 1.0)
                mod.weight.copy_(sign * (torch.rand(n, generator=gen) + 1.0) * 2)
                mod.bias.copy_(torch.randn(n, generator=gen) + 2.5)
    return model.eval()


def annotate_input(path: Path, datatype: str) -> Path:
    """Put a qonnx datatype annotation on the graph input of the QONNX file at `path` (in place)."""
    from qonnx.core.datatype import DataType
    from qonnx.core.modelwrapper import ModelWrapper
    model = ModelWrapper(str(path))
    model.set_tensor_datatype(model.graph.input[0].name, DataType[datatype])
    model.save(str(path))
    return path


def jet_tagger(bits: int = 6, seed: int = 0):
    """The shape of hls4ml's jet-tagging MLP (16 real inputs, 64-32-32-5, 6-bit weights and
    activations, softmax at the end) as QKeras gives it to hls4ml: no input quantizer, the input
    taken as fixed point (`--input-type FIXED<16,6>`, hls4ml's default ap_fixed<16,6>). Random
    weights; batch-norm statistics of inputs of the fixed-point range, spread over the activations."""
    import torch
    import torch.nn as nn
    import brevitas.nn as qnn
    torch.manual_seed(seed)
    layers, width = [], 16
    for h in (64, 32, 32):
        layers += [qnn.QuantLinear(width, h, bias=True, weight_bit_width=bits), nn.BatchNorm1d(h, momentum=None),
                   qnn.QuantReLU(bit_width=bits)]
        width = h
    layers += [qnn.QuantLinear(width, 5, bias=True, weight_bit_width=bits), nn.Softmax(dim=1)]
    gen = torch.Generator().manual_seed(seed)
    return spread_norms(nn.Sequential(*layers), torch.randn(512, 16, generator=gen) * 4, gen)


def carried_net(conv: bool = False, second_pad: int = 0, between: str = "affine", seed: int = 0):
    """Two matrix layers with no activation quantizer between them (QKeras' QDense or QConv2D
    followed by another, in Brevitas): power-of-two weight and activation scales, and between the
    two `between`: "affine" (x * 0.5 plus a per-channel dyadic shift, exported as Mul and Add),
    "gains" (a per-channel gain: scales that differ per channel) or "relu" (an unquantized ReLU).
    Then a QuantReLU and a last fully-connected layer. MLP 16 -> 24 -> 12 -> 3, or with `conv` a
    (2, 8, 8) image: 3x3 padded, then 2x2 stride 2 (`second_pad` its padding), then a classifier."""
    import torch
    import torch.nn as nn
    import brevitas.nn as qnn
    from brevitas.quant import Int8ActPerTensorFixedPoint, Int8WeightPerTensorFixedPoint, Uint8ActPerTensorFixedPoint
    torch.manual_seed(seed)
    w = dict(weight_quant=Int8WeightPerTensorFixedPoint, weight_bit_width=4, bias=False)
    channels = 4 if conv else 24
    gen = torch.Generator().manual_seed(seed)
    shape = (1, channels, 1, 1) if conv else (1, channels)

    class Between(nn.Module):
        def __init__(self):
            super().__init__()
            gain = (2.0 ** -torch.randint(0, 3, shape, generator=gen).float()) if between == "gains" else torch.tensor(0.5)
            self.register_buffer("gain", gain)
            self.register_buffer("shift", torch.randint(-24, 24, shape, generator=gen).float() / 8)

        def forward(self, x):
            return torch.relu(x) if between == "relu" else x * self.gain + self.shift

    if conv:
        first = qnn.QuantConv2d(2, channels, 3, padding=1, **w)
        second = [qnn.QuantConv2d(channels, 6, 2, stride=2, padding=second_pad, **w)]
        side = (8 + 2 * second_pad - 2) // 2 + 1
        last = [nn.Flatten(), qnn.QuantLinear(6 * side * side, 3, **w)]
    else:
        first, second, last = qnn.QuantLinear(16, channels, **w), [qnn.QuantLinear(channels, 12, **w)], \
            [qnn.QuantLinear(12, 3, **w)]
    return nn.Sequential(qnn.QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, bit_width=6), first, Between(),
                         *second, qnn.QuantReLU(act_quant=Uint8ActPerTensorFixedPoint, bit_width=3), *last).eval()


def qkeras_jet_tagger(path: Path, bits: int = 6, relu_integer_bits: int = 2, seed: int = 0,
                      rounding: str = "ROUND") -> Path:
    """hls4ml's jet-tagging MLP (16 inputs, 64-32-32-5, softmax) written as qonnx's QKeras converter
    writes a QKeras model (the form of its test files in tests/frontend/data/qkeras): per layer a
    Quant on the weights and one on the bias (quantized_bits(bits, 0, alpha=1): signed, scale
    2^-(bits-1)), MatMul, Add, then Relu and an unsigned Quant (quantized_relu(bits,
    relu_integer_bits)); Softmax and Identity at the end; no input quantizer. Random weights,
    drawn so that every layer's activations spread over their codes; `rounding` is the activations'
    Quant rounding_mode (FLOOR: da4ml's and ap_fixed's default truncation). Written to `path`."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(seed)
    nodes, inits = [], []
    qonnx = "qonnx.custom_op.general"

    def const(name, value):
        inits.append(numpy_helper.from_array(np.asarray(value, dtype=np.float32), name))
        return name

    def quant(tensor, scale, signed, n, mode="ROUND"):
        i = len([x for x in nodes if x.op_type == "Quant"])
        params = [const(f"Quant_{i}_param{k}", v) for k, v in enumerate((scale, 0.0, float(bits)))]
        nodes.append(helper.make_node("Quant", [tensor, *params], [f"Quant_{i}_out0"], f"Quant_{i}", domain=qonnx,
                                      narrow=0, rounding_mode=mode, signed=int(signed)))
        return nodes[-1].output[0]

    def op(kind, inputs, **attrs):
        i = len([x for x in nodes if x.op_type == kind])
        nodes.append(helper.make_node(kind, inputs, [f"{kind}_{i}_out0"], f"{kind}_{i}", **attrs))
        return nodes[-1].output[0]

    step = 2.0 ** -(bits - 1)
    x, width = "global_in", 16
    widths = (64, 32, 32, 5)
    for i, out in enumerate(widths):
        gain = 1.5 / np.sqrt(width) if i else 0.5 / np.sqrt(width)
        w = const(f"W_{i}", np.clip(rng.normal(0, gain, size=(width, out)), -1, 1 - step))
        b = const(f"b_{i}", rng.uniform(-0.5, 0.5, size=out))
        x = op("Add", [op("MatMul", [x, quant(w, step, True, bits)]), quant(b, step, True, bits)])
        if i < len(widths) - 1:
            x = quant(op("Relu", [x]), 2.0 ** (relu_integer_bits - bits), False, bits, rounding)
        width = out
    x = op("Identity", [op("Softmax", [x], axis=1)])
    nodes[-1].output[0] = "global_out"
    graph = helper.make_graph(nodes, "qkeras_jet_tagger", [helper.make_tensor_value_info("global_in", TensorProto.FLOAT, [1, 16])],
                              [helper.make_tensor_value_info("global_out", TensorProto.FLOAT, [1, 5])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 9), helper.make_opsetid(qonnx, 1)],
                              producer_name="axgen tests (qonnx QKeras converter's form)")
    model.ir_version = 7
    onnx.save(model, str(path))
    return path
