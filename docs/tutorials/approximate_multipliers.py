# %% [markdown]
# # Approximate multipliers
#
# Every PE × SIMD lane of a layer multiplies with the layer's `multiplier`, in the golden model, the
# RTL and the HLS C++ alike. An approximate multiplier costs fewer LUTs and loses some accuracy;
# this tutorial looks at the catalogue, puts a multiplier in one layer by hand, lets `axgen dse`
# search one per layer, and fine-tunes the network for the multipliers it found.
#
# ## The catalogue
#
# `axgen multipliers` lists every family and knob setting with its exact error metrics over every
# operand pair (MAE, worst-case error, mean relative error, error probability, MSE, bias), here for
# the 4-bit operands of the network below. The [multiplier catalogue](../reference/multipliers.md)
# defines each family and gives the LUTs each costs.

# %%
# !axgen multipliers --bits 4 --spec exact --spec trunc:k=2 --spec drum:k=2 --spec mitchell --spec perf:j=0,k=1 --spec bam:h=1,v=3

# %% [markdown]
# ## A network
#
# The digits MLP of `axgen demo` (64-64-32-10, 4-bit weights and activations), trained for a few
# epochs with the helpers in `generator.digits` and exported to QONNX. Its input is the raw pixels
# (0 to 16), which is what `axgen dse --dataset digits` feeds it.

# %%
import torch
from brevitas.export import export_qonnx

from generator import digits

torch.manual_seed(0)
torch.set_num_threads(1)
data = digits.load_digits_split(0)
model = digits.train(digits.quantized_mlp(), data, epochs=10)
export_qonnx(model, torch.zeros(1, 64), "mlp.onnx", dynamo=False)
print(f"Brevitas accuracy: {digits.accuracy(digits.torch_logits(model, data.x_test), data.y_test):.2%}")

# %% [markdown]
# ## One layer's multiplier, by hand
#
# A configuration file sets a layer's multiplier; `tune_weights` replaces each weight by the one
# whose approximate products come closest to the exact ones. The golden model runs with it, so
# `axgen verify` checks the approximate RTL against the approximate golden model, bit for bit.

# %%
for name, fc0 in (("exact", "{}"), ("approx", "{multiplier: 'bam:h=1,v=3', tune_weights: true}")):
    with open(f"{name}.yaml", "w") as f:
        f.write(f"defaults: {{pe: 2, simd: 8}}\nlayers:\n  fc0: {fc0}\n")
print(open("approx.yaml").read())

# %% [markdown]
# The exact and the approximate project side by side, at the same folding: the estimate of each
# layer's LUTs comes from the resource model, which counts every product lane at the LUTs measured
# for its multiplier (`bam:h=1,v=3`, the broken-array multiplier, keeps only the partial products
# at or above column 3 and weight bit 1).

# %%
# !axgen build mlp.onnx -o exact --config exact.yaml
# !axgen build mlp.onnx -o approx --config approx.yaml
# !axgen verify approx --samples 32

# %%
import json

for name in ("exact", "approx"):
    plan = json.load(open(f"{name}/project.json"))
    fc0 = plan["layers"][0]
    print(f"{name:>6}: fc0 multiplier {fc0['multiplier']['spec']:<9} estimated LUTs fc0 "
          f"{fc0['estimated_resources']['lut']:>6.0f}, whole accelerator {plan['estimated_resources']['total']['lut']:>6.0f}")

# %% [markdown]
# ## The search: `axgen dse`
#
# `axgen dse` chooses a multiplier (and weight tuning on or off) per layer. Every candidate is first
# tried alone in its layer and dropped if it loses more than `--max-loss`; then NSGA-II spends
# `--budget` evaluations of the golden model on the validation digits and the resource model for
# LUTs. The output is the Pareto front of accuracy against LUTs: `pareto.csv`, `pareto.png` and one
# configuration per front point that `axgen build --config` takes as it is. This search runs at
# the folding no `--config` gives (one lane per layer); `--no-yosys` skips measuring the front with
# Yosys, to keep this page quick.

# %%
# !axgen dse mlp.onnx --dataset digits --budget 30 --max-loss 0.03 -o dse --no-yosys

# %%
import csv

with open("dse/pareto.csv") as f:
    front = list(csv.DictReader(f))
for row in front:
    print(f"{float(row['accuracy']):.2%}  {int(float(row['luts'])):>6} LUTs  {row['config']}")

# %%
import matplotlib.pyplot as plt

plt.figure(figsize=(8, 5.5))
plt.imshow(plt.imread("dse/pareto.png"))
plt.axis("off")
plt.show()

# %% [markdown]
# ## Fine-tuning for the multipliers
#
# The cheapest front point loses the most accuracy. `axgen.finetune` trains the Brevitas module for a
# few epochs with each layer's approximate multiplier in the forward pass (the exact product's
# gradient, straight through), keeping the epoch with the best validation accuracy; build the tuned
# module with the same configuration afterwards.

# %%
import generator as axgen
from generator.dse.dataset import digits_dataset

cheapest = min(front, key=lambda row: float(row["luts"]))
config = f"dse/configs/{cheapest['config']}.yaml"
print(open(config).read())
split = digits_dataset(0)
result = axgen.finetune(model, config, data.x_train, data.y_train, split.x_val, split.y_val,
                        input_shape=(64,), epochs=2)
print(f"validation accuracy with {cheapest['config']}: {result['before']:.2%} before, {result['after']:.2%} after")
