import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "support"))

import models  # noqa: E402


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def finn_model(model_dir):
    """Path to a FINN FC network exported to QONNX (cached per session)."""
    cache = {}

    def get(name: str) -> Path:
        if name not in cache:
            cache[name] = models.export(models.finn_fc(name), (1, 28, 28), model_dir / f"{name}.onnx")
        return cache[name]
    return get


@pytest.fixture(scope="session")
def mixed_model(model_dir):
    return models.export(models.mixed_mlp(), (24,), model_dir / "mixed.onnx")


@pytest.fixture(scope="session")
def digits_model(model_dir):
    from generator.digits import INPUT_SHAPE
    return models.export(models.digits_mlp(), INPUT_SHAPE, model_dir / "digits.onnx")
