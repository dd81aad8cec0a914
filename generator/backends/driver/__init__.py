"""The PYNQ driver backend: renders DIR/driver/ (the driver, its README, the host head and tail,
and copies of the standalone stream packing and ONNX runner axgen itself uses)."""

from generator.backends.driver.render import render_driver

__all__ = ["render_driver"]
