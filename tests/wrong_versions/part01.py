"""Wrong answers for part 01."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

from solutions.part01 import incident_skills as _right
from tests.wrong_versions import wrong


@wrong("01.1", "current instead of peak", catches="reports the peak, not what is left at the end")
def peak_memory_current(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        result = fn(*args, **kwargs)
        current, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, current


@wrong("01.1", "no try/finally", catches="re-raises fn's exception and still restores tracemalloc")
def peak_memory_leaks_tracing(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, int]:
    tracemalloc.start()
    result = fn(*args, **kwargs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, peak


@wrong("01.1", "stops the caller's tracing", catches="leaves tracemalloc off if it was off, on if it was on")
def peak_memory_always_stops(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = fn(*args, **kwargs)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@wrong("01.1", "swallows the exception", catches="re-raises fn's exception and still restores tracemalloc")
def peak_memory_swallows(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        return fn(*args, **kwargs), tracemalloc.get_traced_memory()[1]
    except Exception:
        return None, 0
    finally:
        tracemalloc.stop()


# The quiz's answer is data, not a function: register the wrong dict directly.
_first_incident = next(iter(_right))
wrong("01.2", "generators for the OOM", catches=_first_incident)(
    {**_right, _first_incident: "generators"}
)
