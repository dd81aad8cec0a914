"""`axgen multipliers`: every family at a grid of knob settings, with exhaustive error metrics,
optional FPGA cost (Yosys synth_xilinx) and the error-versus-LUTs Pareto plot."""

from __future__ import annotations

from pathlib import Path

from generator.datatypes import DataType
from generator.errors import AxgenError
from generator.multipliers import FAMILIES, parse
from generator.multipliers.metrics import error_metrics

MIN_BITS, MAX_BITS = 2, 8


def grid(bits: int) -> list[str]:
    """Knob settings worth listing for bits x bits operands, each valid for that width."""
    n = bits
    specs = ["exact"]
    specs += [f"trunc:k={k}" for k in range(1, 2 * n - 2)]
    specs += [f"bam:h={h},v={v}" for h in range(1, min(3, n)) for v in range(max(h, n - 3), n + 3, 1) if v <= 2 * n - 2]
    specs += [f"perf:j={j},k={k}" for j in range(0, min(3, n)) for k in range(1, 3) if j + k <= n]
    specs += [f"drum:k={k}" for k in range(1, n)]
    specs += ["mitchell"] + [f"mitchell:w={w}" for w in range(1, n - 1)]
    specs += [f"etm:m={m}" for m in range(1, n // 2 + 2) if m <= n]
    specs += ["roba"]
    keep = []
    for spec in specs:
        mul = parse(spec)
        if FAMILIES[mul.family].check(mul.knobs, n, n) is None:
            keep.append(spec)
    return keep


def operand_type(bits: int, signed: bool):
    return DataType[f"INT{bits}" if signed else f"UINT{bits}"]


def catalog(bits: int = 8, signed: bool = False, cost=None, progress=None, specs=None) -> list[dict]:
    """Every grid setting (or only `specs`: families, lut: tables, verilog: cores, whose magnitudes
    are zero-extended from `bits` to the core's inputs) with its exhaustive error metrics;
    `cost(spec, bits, signed)`, when given, adds its "luts" and "carry4" (e.g.
    generator.synth.synth_multiplier's figures)."""
    if not MIN_BITS <= bits <= MAX_BITS:
        raise AxgenError(f"--bits {bits} is not supported; operand widths are {MIN_BITS} to {MAX_BITS}")
    dt = operand_type(bits, signed)
    rows = []
    specs = list(specs) if specs else grid(bits)
    for spec in specs:
        mul = parse(spec)
        mul.check_operands(dt, dt, f"--spec {spec}")
        row = {"spec": spec, "bits": bits, "signed": signed, **error_metrics(mul, dt, dt)}
        if cost is not None:
            figures = cost(spec, bits, signed)
            row["luts"], row["carry4"] = figures["luts"], figures["carry4"]
        rows.append(row)
        if progress:
            progress(spec)
    return rows


def pareto(rows: list[dict], cost: str = "luts", error: str = "mre") -> list[dict]:
    """Rows no other row beats on both cost and error."""
    front = []
    for r in rows:
        if not any(o[cost] <= r[cost] and o[error] <= r[error] and (o[cost], o[error]) != (r[cost], r[error])
                   for o in rows):
            front.append(r)
    return sorted(front, key=lambda r: r[cost])


def plot(rows: list[dict], path: Path) -> None:
    """Error (MRE, %) versus LUTs, one colour per family, the Pareto front joined."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    if not all("luts" in r for r in rows):
        raise AxgenError("--plot needs LUT counts: add --synth")
    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=120)
    families = sorted({r["spec"].split(":")[0] for r in rows})
    for family in families:
        pts = [r for r in rows if r["spec"].split(":")[0] == family]
        ax.scatter([r["luts"] for r in pts], [100 * r["mre"] for r in pts], label=family, s=28)
    front = pareto(rows)
    ax.plot([r["luts"] for r in front], [100 * r["mre"] for r in front], "k--", lw=1, label="Pareto front")
    for r in front:
        ax.annotate(r["spec"], (r["luts"], 100 * r["mre"]), fontsize=6, xytext=(3, 3), textcoords="offset points")
    bits = rows[0]["bits"]
    kind = "signed" if rows[0]["signed"] else "unsigned"
    ax.set(xlabel="LUTs (Yosys synth_xilinx -nodsp, 7-series)", ylabel="mean relative error (%)",
           title=f"{bits}x{bits} {kind} multipliers: error versus LUTs")
    ax.set_yscale("symlog", linthresh=0.1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
