"""01.1: ``peak_memory(fn, *args, **kwargs)`` calls ``fn`` and returns its result with the peak bytes it allocated.

The checks want the peak rather than what is left at the end, only ``fn``'s own memory
(also when the caller was tracing), tracemalloc left on or off as it was found, and an
exception from ``fn`` re-raised after that clean-up. tracemalloc sees only its own process,
so the workloads handed to ``peak_memory`` and the tracing caller run in the learner's
(``_worker_side``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from depipe_course.checking import expect, fail
from depipe_course.exercises import exercise
from depipe_course.judging.codec import raised_as
from depipe_course.judging.judge import learner_module

peak = exercise("01.1", "Measure peak memory", ["peak_memory"])

_TEN_MB = 10 * 1024 * 1024


def _worker_side() -> Any:
    """The workloads and the tracing caller, in the learner's process (``_worker_side`` says why)."""
    return learner_module("depipe_course.exercises.worker_side.part01")


def _tracemalloc() -> Any:
    """``tracemalloc`` as the learner's ``peak_memory`` sees it."""
    return learner_module("tracemalloc")


@peak.check("returns the function's result and an int", points=1,
            hint="Return a tuple: (whatever fn returned, peak bytes as an int).")
def _returns_pair(peak_memory: Callable[..., Any]) -> None:
    out = peak_memory(_worker_side().allocate_and_free, 1024)
    expect(isinstance(out, tuple) and len(out) == 2, "peak_memory must return a pair",
           expected="(result, peak_bytes)", seen=out)
    result, size = out
    expect(result == "done", "the first item must be fn's own result", expected="'done'", seen=result)
    expect(isinstance(size, int) and not isinstance(size, bool), "the peak must be an int of bytes",
           expected="int", seen=type(size).__name__)


@peak.check("forwards positional and keyword arguments", points=1,
            hint="Call fn(*args, **kwargs).")
def _forwards(peak_memory: Callable[..., Any]) -> None:
    result, _ = peak_memory(lambda a, b=0, *, c: (a, b, c), 1, 2, c=3)
    expect(result == (1, 2, 3), "arguments did not reach fn unchanged", expected=(1, 2, 3), seen=result)


@peak.check("reports the peak, not what is left at the end", points=1,
            hint="tracemalloc.get_traced_memory() returns (current, peak): a block freed "
                 "before fn returns only shows in the peak.")
def _measures_peak(peak_memory: Callable[..., Any]) -> None:
    workload = _worker_side()
    _, size = peak_memory(workload.allocate_and_free, _TEN_MB)
    expect(_TEN_MB <= size < 2 * _TEN_MB, "a 10 MiB block that fn frees before returning "
           "must show in the peak", expected="between 10 and 20 MiB", seen=f"{size:,} bytes")
    _, small = peak_memory(workload.nothing)
    expect(small < 256 * 1024, "a function that allocates nothing should show almost no peak",
           expected="under 256 KiB", seen=f"{small:,} bytes")


@peak.check("counts only what fn allocates, also when the caller was tracing", points=1,
            hint="Call tracemalloc.reset_peak() just before fn, and subtract the memory traced "
                 "before the call (get_traced_memory()[0]) from the peak.")
def _only_fn(peak_memory: Callable[..., Any]) -> None:
    # The caller traces, holds 10 MiB during the call and had peaked at 30 MiB before it.
    _, size = _worker_side().traced_caller(peak_memory, held=_TEN_MB, earlier=2 * _TEN_MB)
    if size >= 2 * _TEN_MB:
        fail("the caller was tracing and had peaked at 30 MiB before the call; fn allocates "
             "nothing, yet your peak includes the caller's earlier peak", expected="under 256 KiB",
             seen=f"{size:,} bytes", hint="tracemalloc's peak is the highest point since tracing "
             "started: call tracemalloc.reset_peak() just before fn.")
    expect(size < 256 * 1024, "the caller was tracing and held 10 MiB during the call; fn allocates "
           "nothing, yet your peak includes the caller's memory", expected="under 256 KiB",
           seen=f"{size:,} bytes", hint="Read get_traced_memory()[0] before calling fn and subtract "
           "it from the peak: what the caller already held was not allocated by fn.")


@peak.check("leaves tracemalloc off if it was off, on if it was on", points=1,
            hint="Remember tracemalloc.is_tracing() before starting, and only stop it if you started it.")
def _restores_state(peak_memory: Callable[..., Any]) -> None:
    tracemalloc, nothing = _tracemalloc(), _worker_side().nothing
    if tracemalloc.is_tracing():
        tracemalloc.stop()
    peak_memory(nothing)
    expect(not tracemalloc.is_tracing(), "tracemalloc was left running", expected="off afterwards", seen="on")
    tracemalloc.start()
    try:
        peak_memory(nothing)
        expect(tracemalloc.is_tracing(), "tracemalloc was on before the call and is off after it",
               expected="still on (the caller was tracing)", seen="off")
    finally:
        tracemalloc.stop()


@peak.check("re-raises fn's exception and still restores tracemalloc", points=1,
            hint="Use try/finally so the clean-up runs when fn raises, and do not catch the error.")
def _on_error(peak_memory: Callable[..., Any]) -> None:
    tracemalloc = _tracemalloc()
    if tracemalloc.is_tracing():
        tracemalloc.stop()
    try:
        peak_memory(_worker_side().explode)
    except Exception as exc:
        if not raised_as(exc, "_Boom"):
            raise
    else:
        fail("fn raised, but peak_memory did not re-raise it", expected="_Boom raised", seen="no exception")
    finally:
        left_on = tracemalloc.is_tracing()
        tracemalloc.stop()
    expect(not left_on, "tracemalloc was left running after fn raised", expected="off", seen="on")
