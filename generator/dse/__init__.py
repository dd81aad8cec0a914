"""Design-space exploration: a multiplier (and weight tuning) per layer on the Pareto front of accuracy and LUTs."""

from generator.dse.explore import DseResult, cheapest_within, explore, front_and_cheapest

__all__ = ["DseResult", "cheapest_within", "explore", "front_and_cheapest"]
