"""What `axgen dse` writes: pareto.csv, pareto.png (accuracy against LUTs) and one build configuration per point."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

COLUMNS = ("config", "accuracy", "luts", "cycles", "test_accuracy", "yosys_luts", "exact", "dominated")


def write_csv(rows: list[dict], path: Path) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(row.get(key)) for key in COLUMNS})
    path.write_text(out.getvalue())


def _cell(value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        return f"{value:.6f}"
    return "" if value is None else value


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def write_configs(rows: list[dict], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for row in rows:
        text = f"# axgen dse: {row['config']}, validation accuracy {row['accuracy']:.4f}, {row['luts']} LUTs (model)\n"
        (folder / f"{row['config']}.yaml").write_text(text + yaml.safe_dump(row["settings"], sort_keys=False))


def plot(front: list[dict], evaluated: list[dict], path: Path, title: str) -> None:
    """Accuracy against LUTs: every evaluated configuration in grey, the front joined and labelled, exact marked."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8, 5.5))
    ax.scatter([r["luts"] for r in evaluated], [r["accuracy"] for r in evaluated], s=10, color="0.75",
               label="evaluated")
    line = [r for r in front if not r["dominated"]]  # exact is listed even when dominated; the line skips it
    ax.plot([r["luts"] for r in line], [r["accuracy"] for r in line], "o-", color="tab:blue", label="Pareto front")
    exact = [r for r in front if r["exact"]]
    ax.scatter([r["luts"] for r in exact], [r["accuracy"] for r in exact], marker="*", s=220, color="tab:red",
               zorder=3, label="all exact")
    for r in front:
        ax.annotate(r["config"], (r["luts"], r["accuracy"]), textcoords="offset points", xytext=(4, -10), fontsize=6)
    low = min(r["accuracy"] for r in front)
    ax.set_ylim(max(0.0, low - 0.05), min(1.0, max(r["accuracy"] for r in front) + 0.02))
    ax.set_xlabel("LUTs (resource model)")
    ax.set_ylabel("validation accuracy")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=130, metadata={"Software": None})
    plt.close(fig)
