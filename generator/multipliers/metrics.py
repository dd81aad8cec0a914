"""Exhaustive error metrics of a multiplier over every operand pair of two datatypes."""

from __future__ import annotations

import numpy as np

from generator.datatypes import all_values
from generator.multipliers import Multiplier


def error_metrics(mul: Multiplier, x_dt, w_dt) -> dict:
    """MAE, WCE, MSE and bias in absolute units; MRE (mean |error| / |exact| over pairs whose
    exact product is non-zero) and EP (fraction of pairs in error) as fractions."""
    if mul.is_exact:  # no error, without enumerating a wide type's pairs
        return {"mae": 0.0, "wce": 0, "mre": 0.0, "ep": 0.0, "mse": 0.0, "bias": 0.0}
    a = all_values(x_dt)[:, None]
    b = all_values(w_dt)[None, :]
    exact = a * b
    err = mul(a, b, x_dt, w_dt) - exact
    nz = exact != 0
    abs_err = np.abs(err)
    return {
        "mae": float(abs_err.mean()), "wce": int(abs_err.max()),
        "mre": float((abs_err[nz] / np.abs(exact[nz])).mean()) if nz.any() else 0.0,
        "ep": float((err != 0).mean()), "mse": float((err.astype(np.float64) ** 2).mean()),
        "bias": float(err.mean()),
    }
