"""The demo's embedded models: scikit-learn's 8x8 digits and a small quantized MLP (64 pixels)
and CNN (1x8x8 images) for them.

Quantizers use power-of-two scales (Brevitas *FixedPoint), so the QONNX model, the golden
model and the accelerator agree exactly."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generator.brevitas_quiet import quiet_import

HELD_OUT = 0.25  # of the digits never trained on (the demo's test split; the search's validation and test halves)
INPUT_SHAPE = (64,)  # the MLP's input: the 64 pixels
HIDDEN = (64, 32)
CLASSES = 10
CNN_INPUT_SHAPE = (1, 8, 8)  # the CNN's input: one 8x8 image
CNN_CHANNELS = (8, 16)  # conv 3x3 padded -> max-pool 2x2 -> conv 3x3 (a 2x2 image) -> classifier


@dataclass
class Digits:
    x_train: np.ndarray  # float32 raw pixel values 0..16, (N, 64)
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_digits_split(seed: int = 0) -> Digits:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    data = load_digits()
    x = data.data.astype(np.float32)
    xtr, xte, ytr, yte = train_test_split(x, data.target, test_size=HELD_OUT, random_state=seed, stratify=data.target)
    return Digits(xtr, ytr.astype(np.int64), xte, yte.astype(np.int64))


def on_pixels(features, input_shape: tuple[int, ...]):
    """A digits model as trained and exported: raw pixels 0..16 scaled to [0, 1] (this runs on the
    host), then `features`; `input_shape` is the per-sample shape the model takes."""
    import torch.nn as nn

    class OnPixels(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = features
            self.input_shape = input_shape

        def forward(self, x):
            return self.features(x / 16.0)

    return OnPixels()


def quantized_mlp(weight_bits: int = 4, act_bits: int = 4):
    import torch.nn as nn
    with quiet_import():
        import brevitas.nn as qnn
        from brevitas.quant import Int8WeightPerTensorFixedPoint, Uint8ActPerTensorFixedPoint

    layers = [qnn.QuantIdentity(act_quant=Uint8ActPerTensorFixedPoint, bit_width=act_bits, max_val=1.0)]
    width = INPUT_SHAPE[0]
    for hidden in HIDDEN:
        layers += [qnn.QuantLinear(width, hidden, bias=True, weight_quant=Int8WeightPerTensorFixedPoint,
                                   weight_bit_width=weight_bits),
                   nn.BatchNorm1d(hidden),
                   qnn.QuantReLU(act_quant=Uint8ActPerTensorFixedPoint, bit_width=act_bits, max_val=2.0)]
        width = hidden
    layers.append(qnn.QuantLinear(width, CLASSES, bias=True, weight_quant=Int8WeightPerTensorFixedPoint,
                                  weight_bit_width=weight_bits))
    return on_pixels(nn.Sequential(*layers), INPUT_SHAPE)


def float_mlp():
    import torch.nn as nn

    layers, width = [], INPUT_SHAPE[0]
    for hidden in HIDDEN:
        layers += [nn.Linear(width, hidden), nn.BatchNorm1d(hidden), nn.ReLU()]
        width = hidden
    layers.append(nn.Linear(width, CLASSES))
    return on_pixels(nn.Sequential(*layers), INPUT_SHAPE)


def quantized_cnn(weight_bits: int = 4, act_bits: int = 4):
    """QuantConv2d(1, 8, 3, padding=1) -> BN -> QuantReLU -> MaxPool2d(2) -> QuantConv2d(8, 16, 3)
    -> BN -> QuantReLU -> Flatten -> QuantLinear(16*2*2, 10), power-of-two scales throughout."""
    import torch.nn as nn
    with quiet_import():
        import brevitas.nn as qnn
        from brevitas.quant import Int8WeightPerTensorFixedPoint, Uint8ActPerTensorFixedPoint

    w = dict(bias=True, weight_quant=Int8WeightPerTensorFixedPoint, weight_bit_width=weight_bits)

    def act(max_val):
        return qnn.QuantReLU(act_quant=Uint8ActPerTensorFixedPoint, bit_width=act_bits, max_val=max_val)

    c1, c2 = CNN_CHANNELS
    return on_pixels(nn.Sequential(
        qnn.QuantIdentity(act_quant=Uint8ActPerTensorFixedPoint, bit_width=act_bits, max_val=1.0),
        qnn.QuantConv2d(CNN_INPUT_SHAPE[0], c1, 3, padding=1, **w), nn.BatchNorm2d(c1), act(2.0),
        nn.MaxPool2d(2),
        qnn.QuantConv2d(c1, c2, 3, **w), nn.BatchNorm2d(c2), act(2.0),
        nn.Flatten(),
        qnn.QuantLinear(c2 * 2 * 2, CLASSES, **w)), CNN_INPUT_SHAPE)


def float_cnn():
    import torch.nn as nn
    c1, c2 = CNN_CHANNELS
    return on_pixels(nn.Sequential(
        nn.Conv2d(CNN_INPUT_SHAPE[0], c1, 3, padding=1), nn.BatchNorm2d(c1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, 3), nn.BatchNorm2d(c2), nn.ReLU(), nn.Flatten(),
        nn.Linear(c2 * 2 * 2, CLASSES)), CNN_INPUT_SHAPE)


def shaped(model, x: np.ndarray) -> np.ndarray:
    """Flat (N, 64) pixel rows in the model's input shape ((N, 64) or (N, 1, 8, 8))."""
    return x.reshape(len(x), *model.input_shape)


def train(model, data: Digits, epochs: int = 40, seed: int = 0, lr: float = 0.01):
    import torch
    torch.manual_seed(seed)
    return _fit(model, data, epochs, seed, lr)


def trained(make_model, data: Digits, seed: int = 0):
    """`make_model()` trained (`train`), its initial weights seeded too: the same model every run."""
    import torch
    torch.manual_seed(seed)
    return train(make_model(), data, seed=seed)


def _fit(model, data: Digits, epochs: int, seed: int, lr: float):
    """Adam with a cosine schedule over `epochs`, batches of 64 in a seeded order; eval mode after."""
    import torch
    x = torch.from_numpy(shaped(model, data.x_train))
    y = torch.from_numpy(data.y_train)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    loss_fn = torch.nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(epochs):
        for idx in torch.randperm(len(x), generator=gen).split(64):
            opt.zero_grad()
            loss_fn(model(x[idx]), y[idx]).backward()
            opt.step()
        sched.step()
    return model.eval()


PRUNE_STEPS = 4  # magnitude pruning reaches its sparsity in this many steps, each followed by fine-tuning


def prune(model, data: Digits, sparsity: float, epochs: int = 10, seed: int = 0, lr: float = 0.005):
    """Magnitude pruning of a trained model, as hls4ml's users train for fully unrolled layers (its
    tutorials keep 25% of each layer's weights): in PRUNE_STEPS steps each fully-connected and
    convolution layer's smallest weights are zeroed (torch.nn.utils.prune, L1 unstructured, per
    layer) up to `sparsity` of them, and the model is fine-tuned `epochs` epochs after each step with
    the zeros held. A zero weight stays zero when quantized, so an unrolled layer spends no adder on
    it. Biases are kept."""
    import torch
    from torch.nn.utils import prune as torch_prune
    if not 0.0 <= sparsity < 1.0:
        raise ValueError(f"sparsity {sparsity!r}: expected a fraction of the weights in [0, 1)")
    layers = [m for m in model.modules() if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))]
    torch.manual_seed(seed)
    for step in range(1, PRUNE_STEPS + 1):
        for layer in layers:  # the zeros of the step before are the smallest weights: they stay pruned
            torch_prune.l1_unstructured(layer, "weight", amount=sparsity * step / PRUNE_STEPS)
        _fit(model, data, epochs, seed + step, lr)
        for layer in layers:
            torch_prune.remove(layer, "weight")
    return model


def accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(np.argmax(logits, axis=1) == labels))


def torch_logits(model, x: np.ndarray) -> np.ndarray:
    import torch
    with torch.no_grad():
        return model.eval()(torch.from_numpy(shaped(model, x))).detach().numpy()
