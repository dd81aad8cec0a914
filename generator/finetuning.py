"""Approximation-aware fine-tuning of a Brevitas model: a few epochs with each layer's chosen
multiplier in the forward pass (straight-through gradient), then the model goes back to axgen.

Each QuantLinear / QuantConv2d computes its products as the accelerator will: integer activation
codes (from the quantizer that feeds it) times integer weight codes (tuned, when the layer tunes
its weights) through the layer's multiplier, summed, scaled back to floats, plus the bias. The
backward pass takes the exact product's gradient (out = exact + (approx - exact).detach()).
What the accelerator computes is still only what the golden model says after export: fine-tuning
changes the weights, it proves nothing.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from generator.config import Config
from generator.datatypes import DataType
from generator.errors import AxgenError
from generator.multipliers import EXACT, parse
from generator.multipliers.csd import constant_rounding
from generator.multipliers.tuning import tune_weights

BIPOLAR = DataType["BIPOLAR"]
KINDS = {"fc": "QuantLinear", "conv": "QuantConv2d", "maxpool": "MaxPool2d"}


def layer_modules(model, network) -> list[tuple[object, object, object]]:
    """(IR layer, module, activation quantizer that feeds it) for every matrix layer, pairing the
    network's layers with the model's QuantLinear / QuantConv2d / MaxPool2d modules in order."""
    found, feeding, last_act = [], [], None
    for module in model.modules():
        kind = type(module).__name__
        if getattr(module, "act_quant", None) is not None:
            last_act = module.act_quant
        if kind in KINDS.values() or kind == "QuantMaxPool2d":
            found.append(module)
            feeding.append(last_act)
    kinds = [KINDS.get(layer.kind, layer.kind) for layer in network.layers]
    names = ["MaxPool2d" if type(m).__name__ == "QuantMaxPool2d" else type(m).__name__ for m in found]
    if names != kinds:
        raise AxgenError("fine-tuning pairs the network's layers with the model's modules in order, but the model has "
                         f"[{', '.join(names)}] where the network has [{', '.join(kinds)}]; it supports chains of "
                         "QuantLinear, QuantConv2d and MaxPool2d modules")
    out = []
    for layer, module, act in zip(network.layers, found, feeding):
        if layer.kind == "maxpool":
            continue
        if act is None:
            raise AxgenError(f"layer {layer.name}: no activation quantizer feeds it; fine-tuning needs the integer "
                             "activation codes (a QuantIdentity or QuantReLU before it)")
        out.append((layer, module, act))
    return out


def _values(dt: DataType) -> np.ndarray:
    return np.arange(int(dt.min()), int(dt.max()) + 1, dtype=np.int64)


class _Products:
    """One layer's products as a table over every (activation, weight) value pair."""

    def __init__(self, layer, spec: str, tune: bool):
        import torch
        self.layer, self.tune = layer, tune
        self.rounding = constant_rounding(spec)  # an unrolled layer's approximate constants: exact products
        self.mul = EXACT if self.rounding else parse(spec)
        x_dt, w_dt = layer.in_dtype, layer.weight_dtype
        self.mul.check_operands(x_dt, w_dt, f"layer {layer.name}")
        self.exact = (self.mul.is_exact and self.rounding is None) or BIPOLAR in (x_dt, w_dt)
        self.xv, self.wv = _values(x_dt), _values(w_dt)
        self.table = torch.from_numpy(self.mul(self.xv[:, None], self.wv[None, :], x_dt, w_dt).astype(np.float64))

    def weight_codes(self, w_int):
        """Integer weight codes (M, K), tuned as the build tunes them when the layer asks for it, or
        rounded as an unrolled layer's csd:k=K[,drop=D] rounds its constants."""
        import torch
        codes = w_int.detach().cpu().numpy().reshape(w_int.shape[0], -1).astype(np.int64)
        if self.rounding is not None:
            codes = self.rounding(codes)
        elif self.tune:
            codes = tune_weights(codes, self.mul, self.layer.in_dtype, self.layer.weight_dtype)
        return torch.from_numpy(codes)

    def accumulate(self, x_codes, w_codes):
        """acc[n, m, l] = sum_k mul(x[n, k, l], w[m, k]) for x (N, K, L) and w (M, K), as float64."""
        import torch
        if self.mul.is_exact:  # rounded constants (they may leave the weight type: csd:k=1 makes 7 an 8)
            return torch.einsum("nkl,mk->nml", x_codes.double(), w_codes.double())
        w_idx = w_codes - int(self.wv[0])
        acc = torch.zeros(x_codes.shape[0], w_codes.shape[0], x_codes.shape[2], dtype=torch.float64)
        for i, v in enumerate(self.xv):
            mask = (x_codes == int(v)).to(torch.float64)
            if mask.any():
                acc += torch.einsum("nkl,mk->nml", mask, self.table[i][w_idx])
        return acc


def _approximate_forward(module, products: _Products, act_quant):
    import torch
    import torch.nn.functional as F

    exact_impl = module.inner_forward_impl

    def forward(x, quant_weight, quant_bias):
        exact = exact_impl(x, quant_weight, quant_bias)
        if products.exact:
            return exact
        with torch.no_grad():
            sx = act_quant.scale().detach().double()
            sw = quant_weight.scale.detach().double().reshape(-1)
            w_codes = products.weight_codes(quant_weight.int())
            value = x.value if hasattr(x, "value") else x
            codes = torch.round(value.detach().double() / sx).long()
            if products.layer.kind == "conv":
                cols = F.unfold(codes.double(), module.kernel_size, dilation=module.dilation,
                                padding=module.padding, stride=module.stride).long()
                acc = products.accumulate(cols, w_codes)
                acc = acc.reshape(exact.shape)
                scale = (sx * sw).reshape(1, -1, 1, 1) if sw.numel() > 1 else sx * sw
            else:
                acc = products.accumulate(codes.reshape(codes.shape[0], -1, 1), w_codes)[:, :, 0]
                scale = (sx * sw).reshape(1, -1) if sw.numel() > 1 else sx * sw
            approx = acc * scale
            if quant_bias is not None:
                bias = quant_bias.value if hasattr(quant_bias, "value") else quant_bias
                approx = approx + bias.detach().double().reshape((1, -1) + (1,) * (exact.dim() - 2))
        return exact + (approx.to(exact.dtype) - exact).detach()

    return forward


@contextmanager
def approximate(model, network, config: Config):
    """Within the block, the model's matrix layers compute with their configured multipliers."""
    patched = []
    try:
        for index, (layer, module, act) in _indexed(model, network):
            settings = config.for_layer(index, layer.name)
            products = _Products(layer, str(settings.get("multiplier", "exact")), bool(settings.get("tune_weights", False)))
            module.inner_forward_impl = _approximate_forward(module, products, act)
            patched.append(module)
        yield model
    finally:
        for module in patched:
            del module.inner_forward_impl


def _indexed(model, network):
    """(IR index, ...) pairs: the config's layer index counts every layer, pools included."""
    positions = {id(layer): i for i, layer in enumerate(network.layers)}
    for layer, module, act in layer_modules(model, network):
        yield positions[id(layer)], (layer, module, act)


def approximate_accuracy(model, network, config: Config, x: np.ndarray, y: np.ndarray) -> float:
    """Accuracy of the model with the configured multipliers in its forward pass (the golden model
    gives the same predictions: the same integer products, scaled)."""
    import torch
    with approximate(model, network, config), torch.no_grad():
        logits = model.eval()(torch.from_numpy(np.asarray(x, np.float32))).numpy()
    return float(np.mean(np.argmax(logits, axis=1) == np.asarray(y)))


def finetune(model, network, config: Config, x: np.ndarray, y: np.ndarray, x_val: np.ndarray, y_val: np.ndarray,
             epochs: int = 3, lr: float = 1e-3, batch: int = 64, seed: int = 0) -> dict:
    """Train `model` (a Brevitas nn.Module; `network` is what axgen loaded from it) in place for up
    to `epochs` on (x, y) with the multipliers of `config` in the forward pass, keeping the
    weights of the epoch (or the start) with the best validation accuracy; x is float input
    shaped as the model takes it, y integer labels. Returns the validation accuracy per epoch
    ("history", the start first), "before", "after" and the "epoch" kept (0: none helped)."""
    import copy

    import torch
    if epochs < 1:
        raise AxgenError(f"fine-tuning needs at least one epoch, got {epochs}")
    torch.manual_seed(seed)
    xt, yt = torch.from_numpy(np.asarray(x, np.float32)), torch.from_numpy(np.asarray(y, np.int64))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(seed)
    history = [approximate_accuracy(model, network, config, x_val, y_val)]
    best = (history[0], 0, copy.deepcopy(model.state_dict()))
    for epoch in range(1, epochs + 1):
        with approximate(model, network, config):
            model.train()
            for idx in torch.randperm(len(xt), generator=gen).split(batch):
                opt.zero_grad()
                loss_fn(model(xt[idx]), yt[idx]).backward()
                opt.step()
        history.append(approximate_accuracy(model, network, config, x_val, y_val))
        if history[-1] > best[0]:
            best = (history[-1], epoch, copy.deepcopy(model.state_dict()))
    model.load_state_dict(best[2])
    model.eval()
    return {"before": history[0], "after": best[0], "epoch": best[1], "history": history}
