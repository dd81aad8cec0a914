"""Stream faults (issue 21) on the test networks (the digits MLP, the small CNN, the residual CNN),
in cocotb and in the C++ harness, under random back-pressure:

- ap_rst_n pulsed in the middle of an input sample, of an output sample, and while samples are
  inside the layers; then every sample again: all outputs bit-exact (golden), nothing from before
  the reset comes out (it would shift every later sample, or be a beat too many);
- the consumer, then the producer, stalled for 10,000 cycles in the middle of a sample: nothing
  lost or duplicated, and the cycles per sample measured after the stalls are the steady state's;
- TLAST on exactly the last beat of every sample throughout.
"""

import numpy as np
import pytest

import models
from generator import config
from generator.execute import golden_outputs, pack_outputs, run_harness, run_rtl
from generator.frontend import load_network
from generator.project import build, open_project
from generator.sim.harness import FAULT_PHASES
from generator.verify import random_inputs

# name: (model factory, input shape, folding)
NETWORKS = {
    "mlp": (models.digits_mlp, (64,), models.DIGITS_FOLDINGS[0]),
    "cnn": (models.small_cnn, (3, 12, 10), models.SMALL_CNN_FOLDINGS[1]),
    "residual": (models.residual_cnn, (3, 8, 8), models.RESIDUAL_FOLDINGS[0]),
}
SAMPLES = 8


@pytest.fixture(scope="module", params=sorted(NETWORKS))
def project(request, model_dir, tmp_path_factory):
    make, shape, folding = NETWORKS[request.param]
    path = models.export(make(), shape, model_dir / f"faults_{request.param}.onnx")
    root = tmp_path_factory.mktemp("faults") / request.param
    build(load_network(path), root, config.from_dict(folding))
    return open_project(root)


def test_harness_survives_resets_and_stalls(project):
    values = random_inputs(project, SAMPLES, 11)
    expected = pack_outputs(project, golden_outputs(project, values))
    result = run_harness(project, values, 11, SAMPLES, faults=True)
    assert set(result.fault_outputs) == set(FAULT_PHASES)
    for phase, got in result.fault_outputs.items():
        assert got.shape == expected.shape and np.array_equal(got, expected), phase
    bad, first = result.mismatched(expected)
    assert bad.size == 0 and first is None and not result.tlast_errors, (first, result.tlast_errors)
    assert result.stall_cycles_per_sample == result.cycles_per_sample  # back to the steady state
    assert result.cycles > 2 * 10_000  # both stalls happened


def test_cocotb_survives_resets_and_stalls(project):
    values = random_inputs(project, SAMPLES, 12)
    expected = golden_outputs(project, values)
    result = run_rtl(project, values, expected, 12, modes=("stream", *FAULT_PHASES))
    assert result.mismatches == 0 and not result.tlast_errors, (result.mismatched_samples, result.tlast_errors)
    assert np.array_equal(result.outputs, expected)
    assert result.stall_cycles_per_sample == result.cycles_per_sample
    assert result.sim_cycles > 2 * 10_000
