"""A built project per board for the Vivado / Vitis tests: the mixed MLP, built once per board
and test module."""

import pytest

import models
from generator import config
from generator.frontend import load_network
from generator.project import build


@pytest.fixture(scope="module")
def project(mixed_model, tmp_path_factory):
    """The mixed MLP built for a board, once per board (board name -> (root, project.json))."""
    net, built = load_network(mixed_model), {}

    def get(board: str, again: bool = False):
        key = (board, again)
        if key not in built:
            root = tmp_path_factory.mktemp(f"{board}{'_again' if again else ''}") / "p"
            built[key] = root, build(net, root, config.from_dict(models.MIXED_FOLDING), board=board).data
        return built[key]
    return get
