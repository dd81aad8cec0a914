"""The data a DSE scores configurations on: digits (built in) or an .npz with train, validation and test arrays."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from generator.errors import AxgenError
from generator.golden import head_values
from generator.ir import Network

REQUIRED = ("x_train", "y_train", "x_val", "y_val")
OPTIONAL = ("x_test", "y_test")
BUILT_IN = ("digits",)
VAL_FRACTION = 0.5  # of the demo's test split (never trained on): the validation split of `digits`, the rest its test


@dataclass(frozen=True)
class Dataset:
    """Float inputs (N, *model input shape) and integer labels; test is None when the file has none."""

    name: str
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None


@dataclass(frozen=True)
class Encoded:
    """A dataset through the host head once: first-stream integer values and labels."""

    val: np.ndarray
    y_val: np.ndarray
    test: np.ndarray | None
    y_test: np.ndarray | None


def load_dataset(spec: str | Path | Dataset) -> Dataset:
    """`digits` (scikit-learn's copy, split as the demo splits it; the demo's test split, which the demo
    never trains on, halved (stratified) into validation and test) or an .npz file with x_train, y_train,
    x_val, y_val (optionally x_test, y_test)."""
    if isinstance(spec, Dataset):
        return spec
    if str(spec) == "digits":
        return digits_dataset()
    path = Path(spec)
    if path.suffix != ".npz":
        raise AxgenError(f"dataset {spec!r}: supported are {', '.join(BUILT_IN)} or an .npz file with "
                         f"{', '.join(REQUIRED)} (optionally {', '.join(OPTIONAL)})")
    if not path.is_file():
        raise AxgenError(f"dataset file {path} does not exist")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (ValueError, OSError) as exc:
        raise AxgenError(f"dataset file {path} is not a readable .npz archive ({exc})") from None
    missing = [key for key in REQUIRED if key not in arrays]
    if missing:
        raise AxgenError(f"dataset file {path} lacks the array(s) {', '.join(missing)}; it needs "
                         f"{', '.join(REQUIRED)} (optionally {', '.join(OPTIONAL)})")
    has_test = all(key in arrays for key in OPTIONAL)
    data = Dataset(path.name, arrays["x_val"], arrays["y_val"],
                   arrays["x_test"] if has_test else None, arrays["y_test"] if has_test else None)
    _check_pairs(data, str(path))
    return data


def digits_dataset(seed: int = 0) -> Dataset:
    """The digits of the demo's split `seed`: its test split halved into validation and test."""
    from sklearn.model_selection import train_test_split
    from generator.digits import load_digits_split
    split = load_digits_split(seed)
    x_test, x_val, y_test, y_val = train_test_split(split.x_test, split.y_test, test_size=VAL_FRACTION,
                                                    random_state=0, stratify=split.y_test)
    return Dataset("digits", x_val, y_val, x_test, y_test)


def _check_pairs(data: Dataset, where: str) -> None:
    for part in ("val", "test"):
        x, y = getattr(data, f"x_{part}"), getattr(data, f"y_{part}")
        if x is None:
            continue
        if not np.issubdtype(x.dtype, np.number) or not np.issubdtype(y.dtype, np.integer):
            raise AxgenError(f"dataset {where}: x_{part} must be numeric and y_{part} integer labels, "
                             f"got {x.dtype} and {y.dtype}")
        if y.ndim != 1 or len(x) != len(y) or len(y) == 0:
            raise AxgenError(f"dataset {where}: x_{part} has {len(x)} samples but y_{part} has shape {y.shape}; "
                             "one integer label per sample is needed")


def encode(data: Dataset, net: Network) -> Encoded:
    """The float inputs, shaped as the model takes them, through the host head (once per dataset)."""
    shape = tuple(net.head.input_shape)

    def values(x):
        if x is None:
            return None
        x = np.asarray(x, dtype=np.float32)
        if x.shape[1:] != shape:
            if int(np.prod(x.shape[1:])) != int(np.prod(shape)):
                raise AxgenError(f"dataset {data.name}: inputs of shape {x.shape[1:]} per sample do not fit the "
                                 f"model, which takes {shape}")
            x = x.reshape(len(x), *shape)
        return head_values(net.head, x)

    return Encoded(values(data.x_val), np.asarray(data.y_val, np.int64), values(data.x_test),
                   None if data.y_test is None else np.asarray(data.y_test, np.int64))
