"""The average-pool stage in the hardware plan: automatic folding, resource estimate, config
validation, and `inspect`."""

import json

import pytest
from click.testing import CliRunner

import models
from generator import config
from generator.cli import main
from generator.errors import AxgenError
from generator.frontend import load_network
from generator.hw import annotate
from generator.hw.autofold import AutoFolder


@pytest.fixture(scope="module")
def global_cnn(model_dir):
    return models.export(models.global_pool_net(), (3, 6, 5), model_dir / "global_cnn_hw.onnx")


def test_autofold_folds_the_pool(global_cnn):
    """The 4x3x8 pool takes 96 cycles at PE 1: a 48-cycle target needs PE 2, and no more."""
    folder = AutoFolder(load_network(global_cnn), config.Config(), None)
    assert folder.options[1].stage.fold_choices() == {"pe": [1, 2, 4, 8]}
    stages = folder.plan(48).stages
    assert stages[1].kind == "avgpool" and stages[1].pe == 2 and max(s.cycles for s in stages) <= 48
    assert folder.reachable() < 48


def test_resource_estimate_grows_with_pe(global_cnn):
    net = load_network(global_cnn)
    costs = [annotate(net.layers, config.from_dict({"layers": {"avgpool1": {"pe": pe}}}))[1].resources for pe in (1, 8)]
    assert 0 < costs[0]["lut"] < costs[1]["lut"] and 0 < costs[0]["ff"] < costs[1]["ff"]


@pytest.mark.parametrize("entry, message", [
    ({"simd": 2}, "layer avgpool1: avgpool layers take only ['pe'], not ['simd']"),
    ({"pe": 3}, "layer avgpool1: pe=3 does not fold the channels (8); valid values: 1, 2, 4, 8"),
])
def test_bad_pool_folding_is_one_message(global_cnn, entry, message):
    with pytest.raises(AxgenError) as err:
        annotate(load_network(global_cnn).layers, config.from_dict({"layers": {"avgpool1": entry}}))
    assert str(err.value) == message


def test_inspect_shows_the_pool(model_dir):
    path = models.export(models.global_pool_net(quantize_pool=False), (3, 6, 5), model_dir / "gap_tail_hw.onnx")
    result = CliRunner().invoke(main, ["inspect", str(path), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["kind"], r["out_dtype"], r["macs"]) for r in rows][1] == ("avgpool", "accumulator", 0)
    assert rows[1]["in_shape"] == [4, 3, 8] and rows[1]["out_shape"] == [1, 1, 8]
