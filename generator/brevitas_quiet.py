"""Brevitas imported without its import-time notice that an optional accelerator package
(fast_hadamard_transform, for a transform axgen never uses) is missing: a user can do nothing about
it. Only that warning, only around the import (issue 21); everything else Brevitas says stays."""

from __future__ import annotations

import contextlib
import warnings

NOTICE = "fast_hadamard_transform package not found"


@contextlib.contextmanager
def quiet_import():
    """Around the first `import brevitas...` of a code path."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=NOTICE, category=UserWarning)
        yield
