"""The demo's embedded default: scikit-learn's 8x8 digits and a small quantized MLP for them.

Quantizers use power-of-two scales (Brevitas *FixedPoint), so the QONNX model, the golden
model and the accelerator agree exactly."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

INPUT_SHAPE = (64,)
HIDDEN = (64, 32)
CLASSES = 10


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
    xtr, xte, ytr, yte = train_test_split(x, data.target, test_size=0.25, random_state=seed, stratify=data.target)
    return Digits(xtr, ytr.astype(np.int64), xte, yte.astype(np.int64))


def quantized_mlp(weight_bits: int = 4, act_bits: int = 4):
    import torch.nn as nn
    import brevitas.nn as qnn
    from brevitas.quant import Int8WeightPerTensorFixedPoint, Uint8ActPerTensorFixedPoint

    class DigitsMLP(nn.Module):
        def __init__(self):
            super().__init__()
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
            self.features = nn.Sequential(*layers)

        def forward(self, x):
            return self.features(x / 16.0)  # pixels 0..16 -> [0, 1]: runs on the host

    return DigitsMLP()


def float_mlp():
    import torch.nn as nn

    class FloatMLP(nn.Module):
        def __init__(self):
            super().__init__()
            layers, width = [], INPUT_SHAPE[0]
            for hidden in HIDDEN:
                layers += [nn.Linear(width, hidden), nn.BatchNorm1d(hidden), nn.ReLU()]
                width = hidden
            layers.append(nn.Linear(width, CLASSES))
            self.features = nn.Sequential(*layers)

        def forward(self, x):
            return self.features(x / 16.0)

    return FloatMLP()


def train(model, data: Digits, epochs: int = 40, seed: int = 0, lr: float = 0.01):
    import torch
    torch.manual_seed(seed)
    x = torch.from_numpy(data.x_train)
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


def accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(np.argmax(logits, axis=1) == labels))


def torch_logits(model, x: np.ndarray) -> np.ndarray:
    import torch
    with torch.no_grad():
        return model.eval()(torch.from_numpy(x)).detach().numpy()
