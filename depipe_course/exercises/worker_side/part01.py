"""01.1's workloads and its tracing caller, run in the learner's process.

``tracemalloc`` sees only the process it runs in. Under the judge the learner's
``peak_memory`` runs in the worker, so what ``fn`` allocates, and a caller that was
already tracing, must be there too: the checks reach this module with
``learner_module`` (in the same process, it is simply this module).
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any


class _Boom(Exception):
    """What ``explode`` raises: the exception ``peak_memory`` must let through."""


def allocate_and_free(size: int) -> str:
    """Allocate ``size`` bytes and free them before returning: only the peak shows them."""
    block = bytearray(size)
    del block
    return "done"


def nothing() -> None:
    """A function that allocates nothing."""


def explode() -> None:
    raise _Boom("fn failed")


def traced_caller(peak_memory: Callable[..., Any], *, held: int, earlier: int) -> Any:
    """``peak_memory(nothing)`` called by a caller that traces, holds ``held`` bytes during the
    call and had peaked at ``held + earlier`` bytes before it; tracing stops afterwards."""
    if tracemalloc.is_tracing():
        tracemalloc.stop()
    tracemalloc.start()
    try:
        block = bytearray(held)  # the caller's own data, alive during the call
        allocate_and_free(earlier)  # the caller's earlier peak
        out = peak_memory(nothing)
        del block
    finally:
        tracemalloc.stop()
    return out
