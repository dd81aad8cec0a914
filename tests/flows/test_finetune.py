"""Approximation-aware fine-tuning (generator/finetuning.py): the forward pass with approximate
products predicts what the golden model predicts, and fine-tuning recovers accuracy that the
golden model, on the re-loaded module, confirms."""

import numpy as np
import pytest

from generator import api, config, digits
from generator.demo import golden_accuracy
from generator.errors import AxgenError
from generator.finetuning import approximate_accuracy

TRUNC = config.from_dict({"defaults": {"multiplier": "trunc:k=3"}})


@pytest.fixture(scope="module")
def trained():
    import torch
    torch.manual_seed(0)
    data = digits.load_digits_split(0)
    model = digits.train(digits.quantized_mlp(), data, epochs=40)
    return model, data


def _split(data):
    """The demo's training set, its last quarter held out for validation."""
    cut = len(data.x_train) * 3 // 4
    return data.x_train[:cut], data.y_train[:cut], data.x_train[cut:], data.y_train[cut:]


def test_approximate_forward_predicts_what_the_golden_model_predicts(trained):
    import torch
    model, data = trained
    net = api.load(model, input_shape=digits.INPUT_SHAPE)
    for cfg in (TRUNC, config.from_dict({"defaults": {"multiplier": "drum:k=2", "tune_weights": True}}),
                config.from_dict({"layers": {0: {"multiplier": "mitchell"}, 2: {"multiplier": "trunc:k=2"}}}),
                # an unrolled layer's rounded and pruned constants (csd:k=1 makes a 4-bit 7 an 8)
                config.from_dict({"defaults": {"impl": "unrolled", "multiplier": "csd:k=1,drop=1"}})):
        from generator.finetuning import approximate
        with approximate(model, net, cfg), torch.no_grad():
            torch_pred = np.argmax(model(torch.from_numpy(data.x_test)).numpy(), axis=1)
        from generator.golden.host import head_values, tail_output
        from generator.golden.layers import run_layers
        from generator.hw import annotate
        stages = annotate(net.layers, cfg)
        golden = tail_output(net.tail, run_layers(head_values(net.head, data.x_test), [s.layer for s in stages],
                                                  [s.multiplier for s in stages]))
        assert np.mean(torch_pred == np.argmax(golden, axis=1)) >= 0.995
    exact = digits.accuracy(digits.torch_logits(model, data.x_test), data.y_test)
    assert approximate_accuracy(model, net, TRUNC, data.x_test, data.y_test) < exact - 0.1  # trunc:k=3 costs accuracy
    assert "inner_forward_impl" not in model.features[1].__dict__  # the patch is gone after the block


def test_finetuning_recovers_accuracy_the_golden_model_confirms(trained):
    import copy
    model, data = trained
    model = copy.deepcopy(model)
    x, y, x_val, y_val = _split(data)
    before = golden_accuracy(api.load(model, input_shape=digits.INPUT_SHAPE), TRUNC, data.x_test, data.y_test)
    report = api.finetune(model, TRUNC, x, y, x_val, y_val, epochs=2)
    assert report["after"] >= report["before"] and len(report["history"]) == 3
    assert report["after"] == max(report["history"]) and report["history"][report["epoch"]] == report["after"]
    after = golden_accuracy(api.load(model, input_shape=digits.INPUT_SHAPE), TRUNC, data.x_test, data.y_test)
    assert after > before + 0.1, (before, after)


def test_the_api_function_is_not_shadowed_by_its_module():
    import generator
    from generator import finetuning  # noqa: F401 (importing the module must not replace generator.finetune)
    assert callable(generator.finetune) and generator.finetune is api.finetune


def test_finetuning_refuses_what_it_cannot_train(trained, tmp_path):
    model, data = trained
    x, y, x_val, y_val = _split(data)
    with pytest.raises(AxgenError, match="needs the Brevitas nn.Module"):
        api.finetune(str(tmp_path / "model.onnx"), TRUNC, x, y, x_val, y_val)
    with pytest.raises(AxgenError, match="at least one epoch"):
        api.finetune(model, TRUNC, x, y, x_val, y_val, epochs=0)
    with pytest.raises(AxgenError, match="no layer named 'fc9'"):
        api.finetune(model, {"layers": {"fc9": {"multiplier": "trunc:k=3"}}}, x, y, x_val, y_val)
