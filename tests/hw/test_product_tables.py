"""A multiplier family on constant weights (generator/hw/product_tables.py): the matrix over the
activations and the product tables computes sum_k mul(x_k, W[m, k]) exactly for every family,
signed and unsigned inputs, a table serves w and -w where they are negations, exact products stay
coefficients, and inputs wider than the tables take are refused."""

import numpy as np
import pytest

from generator.datatypes import DataType
from generator.errors import AxgenError
from generator.hw.product_tables import product_matrix
from generator.multipliers import parse


@pytest.mark.parametrize("spec", ["trunc:k=3", "drum:k=2", "mitchell", "roba", "exact"])
@pytest.mark.parametrize("x_name", ["UINT4", "INT5"])
def test_the_tables_compute_the_family_exactly(spec, x_name):
    rng = np.random.default_rng(0)
    x_dt, w_dt = DataType[x_name], DataType["INT4"]
    weights = rng.integers(-8, 8, size=(6, 10))
    mul = parse(spec)
    matrix, tables = product_matrix(weights, mul, x_dt, w_dt, "test")
    x = rng.integers(int(x_dt.min()), int(x_dt.max()) + 1, size=(200, 10))
    codes = np.where(x < 0, x + (1 << x_dt.bitwidth()), x)
    inputs = np.concatenate([x, np.stack([np.array(t.values)[codes[:, t.column]] for t in tables], axis=1)
                             if tables else np.zeros((200, 0), np.int64)], axis=1)
    expected = mul(x[:, None, :], weights[None, :, :], x_dt, w_dt).sum(axis=2)
    assert np.array_equal(inputs @ matrix.T, expected)
    if spec == "exact":
        assert not tables and np.array_equal(matrix, weights)
    else:
        assert tables and len(tables) < np.count_nonzero(weights)  # shared per column and sign


def test_wide_inputs_are_refused():
    with pytest.raises(AxgenError, match="for inputs of at most 8 bits; this one is INT16"):
        product_matrix(np.ones((2, 2), np.int64), parse("trunc:k=2"), DataType["INT16"], DataType["INT4"], "layer fc0")
