"""axgen: quantized neural networks to bit-exact FPGA streaming accelerators.

The public API (see generator.api): `load`, `inspect`, `build`, `open_project`, `finetune`, and on the
Accelerator they return, `verify`, `predict` and `synth`."""

from generator.version import __version__  # noqa: F401  (generator.__version__)

__all__ = ["load", "inspect", "build", "open_project", "finetune", "Accelerator", "AxgenError"]


def __getattr__(name: str):
    """The API is imported on first use, so `import generator` stays fast."""
    if name in __all__:
        if name == "AxgenError":
            from generator.errors import AxgenError
            return AxgenError
        from generator import api
        return getattr(api, name)
    raise AttributeError(f"module 'generator' has no attribute {name!r}")
