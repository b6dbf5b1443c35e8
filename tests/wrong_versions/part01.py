"""Wrong answers for part 01."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

from solutions.part01 import incident_skills as _right
from tests.wrong_versions import wrong


@wrong("01.1", "current instead of peak", catches="reports the peak, not what is left at the end",
       requirement="the peak bytes while fn ran, not what is left at the end")
def peak_memory_current(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        result = fn(*args, **kwargs)
        current, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, current


@wrong("01.1", "no try/finally", catches="re-raises fn's exception and still restores tracemalloc",
       requirement="tracemalloc restored also when fn raises")
def peak_memory_leaks_tracing(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, int]:
    tracemalloc.start()
    result = fn(*args, **kwargs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, peak


@wrong("01.1", "stops the caller's tracing", catches="leaves tracemalloc off if it was off, on if it was on",
       requirement="tracemalloc left as found: off if it was off, still on if the caller was tracing")
def peak_memory_always_stops(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = fn(*args, **kwargs)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@wrong("01.1", "swallows the exception", catches="re-raises fn's exception and still restores tracemalloc",
       requirement="fn's exception reaches the caller unchanged")
def peak_memory_swallows(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        return fn(*args, **kwargs), tracemalloc.get_traced_memory()[1]
    except Exception:
        return None, 0
    finally:
        tracemalloc.stop()


def _peak(fn: Callable[..., Any], args: Any, kwargs: Any, *, reset: bool, subtract: bool) -> tuple[Any, int]:
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        if reset:
            tracemalloc.reset_peak()
        result = fn(*args, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return result, peak - before if subtract else peak


@wrong("01.1", "the peak in MiB, as a float", catches="returns the function's result and an int",
       requirement="returns a pair: fn's result and the peak bytes as an int")
def peak_memory_mib(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    result, size = _peak(fn, args, kwargs, reset=True, subtract=True)
    return result, size / 2**20


@wrong("01.1", "keyword arguments dropped", catches="forwards positional and keyword arguments",
       requirement="calls fn(*args, **kwargs)")
def peak_memory_no_kwargs(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, int]:
    return _peak(fn, args, {}, reset=True, subtract=True)


@wrong("01.1", "no reset_peak: a tracing caller's earlier peak counts",
       catches="counts only what fn allocates, also when the caller was tracing",
       requirement="only what fn allocates: not the caller's memory or its earlier peak")
def peak_memory_stale_peak(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, int]:
    return _peak(fn, args, kwargs, reset=False, subtract=True)


@wrong("01.1", "the caller's live memory counts", catches="counts only what fn allocates, also when the caller "
       "was tracing", requirement="only what fn allocates: not the caller's memory or its earlier peak")
def peak_memory_with_baseline(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, int]:
    return _peak(fn, args, kwargs, reset=True, subtract=False)


# The quiz's answer is data, not a function: register the wrong dict directly.
_first_incident = next(iter(_right))
wrong("01.2", "generators for the OOM", catches=_first_incident,
      requirement="each incident mapped to the skill that prevents it")(
    {**_right, _first_incident: "generators"}
)
wrong("01.2", "a skill misspelled", catches=_first_incident,
      requirement="each answer one of the six skills, spelled as in the table")(
    {**_right, _first_incident: "file IO"}
)
