"""DSE datasets: digits, .npz files with and without a test split, and the messages for broken ones."""

import numpy as np
import pytest

from generator.dse.dataset import encode, load_dataset
from generator.errors import AxgenError


def _arrays(n=6, features=64):
    rng = np.random.default_rng(0)
    return {name: rng.uniform(0, 16, (n, features)).astype(np.float32) if name.startswith("x")
            else rng.integers(0, 10, n) for name in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")}


def test_digits_halves_the_demo_test_split_into_validation_and_test():
    from generator.digits import load_digits_split
    data, demo = load_dataset("digits"), load_digits_split(0)
    assert len(data.x_val) + len(data.x_test) == len(demo.x_test) and abs(len(data.x_val) - len(data.x_test)) <= 1
    pairs = sorted((row.tobytes(), int(y)) for row, y in zip(demo.x_test, demo.y_test))
    assert sorted((row.tobytes(), int(y)) for x, ys in ((data.x_val, data.y_val), (data.x_test, data.y_test))
                  for row, y in zip(x, ys)) == pairs
    assert set(data.y_val) == set(range(10))


def test_npz_with_and_without_test_split(tmp_path):
    arrays = _arrays()
    np.savez(tmp_path / "full.npz", **arrays)
    full = load_dataset(tmp_path / "full.npz")
    assert np.array_equal(full.x_val, arrays["x_val"]) and np.array_equal(full.y_test, arrays["y_test"])
    np.savez(tmp_path / "val.npz", **{k: v for k, v in arrays.items() if not k.endswith("test")})
    assert load_dataset(tmp_path / "val.npz").x_test is None


def test_missing_arrays_are_named_in_one_message(tmp_path):
    arrays = _arrays()
    np.savez(tmp_path / "bad.npz", x_train=arrays["x_train"], x_val=arrays["x_val"])
    with pytest.raises(AxgenError, match=r"lacks the array\(s\) y_train, y_val; it needs x_train, y_train, x_val, y_val"):
        load_dataset(tmp_path / "bad.npz")


@pytest.mark.parametrize("name, content, message", [
    ("missing.npz", None, "does not exist"),
    ("broken.npz", b"not a zip", "not a readable .npz"),
    ("data.csv", b"1,2", "supported are digits or an .npz"),
])
def test_unreadable_datasets(tmp_path, name, content, message):
    if content is not None:
        (tmp_path / name).write_bytes(content)
    with pytest.raises(AxgenError, match=message):
        load_dataset(tmp_path / name)


def test_labels_must_match_the_samples(tmp_path):
    arrays = _arrays()
    arrays["y_val"] = arrays["y_val"][:3]
    np.savez(tmp_path / "short.npz", **arrays)
    with pytest.raises(AxgenError, match="x_val has 6 samples but y_val has shape"):
        load_dataset(tmp_path / "short.npz")


def test_encode_runs_the_head_once_and_checks_the_shape(digits_model, tmp_path):
    from generator.frontend import load_network
    net = load_network(digits_model)
    arrays = _arrays()
    encoded = encode(load_dataset(_saved(tmp_path, arrays)), net)
    assert encoded.val.shape == (6, 64) and encoded.val.dtype == np.int64 and encoded.test.shape == (6, 64)
    arrays["x_val"] = arrays["x_val"][:, :60]
    with pytest.raises(AxgenError, match=r"inputs of shape \(60,\) per sample do not fit the model"):
        encode(load_dataset(_saved(tmp_path, arrays)), net)


def _saved(tmp_path, arrays):
    path = tmp_path / "d.npz"
    np.savez(path, **arrays)
    return path
