"""The hardware plan between the IR and the backends: per-stage implementation (folding,
multiplier, widths), names, memory layouts, the multiplier encoding, the cycle and resource
models and the stitching graph (links with width converters and FIFO depths)."""

from generator.hw.plan import HardwarePlan, Impl, annotate, make_plan, plan_of, reopen_plan

__all__ = ["HardwarePlan", "Impl", "annotate", "make_plan", "plan_of", "reopen_plan"]
