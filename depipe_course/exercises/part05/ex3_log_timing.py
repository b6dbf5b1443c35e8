"""05.3: ``log_timing(logger)`` is a decorator factory that logs how long each call took.

A call that returns logs INFO with a numeric ``duration_seconds`` measuring the call
and naming the function; a call that raises logs ERROR with the duration and the
traceback, then re-raises the same exception. Arguments, result, name and docstring
pass through. The checks' clock is fake, so no call really waits.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from unittest import mock

from depipe_course.checking import expect, expect_equal
from depipe_course.exercises import exercise
from depipe_course.exercises.part05._shared import _capture
from depipe_course.exercises.worker_side.part05 import extras_of

timing = exercise("05.3", "A timing decorator", ["log_timing"])

_REAL_CLOCKS = {name: getattr(time, name) for name in ("perf_counter", "monotonic")}


class _FakeTime:
    """A clock that only moves when the timed function says so: no real waiting.

    It is injected as ``clock=`` when ``log_timing`` accepts one, and also patched
    into ``time.perf_counter`` and ``time.monotonic`` (the real time plus the fake
    advance) for a learner who calls those directly. ``time.time`` is left alone:
    logging itself reads it for ``record.created``. ``reads`` counts the fake readings
    made by the checking thread only, so another thread's clock cannot affect it.
    """

    def __init__(self) -> None:
        self.advance = 0.0
        self.reads = 0
        self.raised: BaseException | None = None  # what the timed function raised
        self._owner = threading.get_ident()

    def injected(self) -> float:
        self.reads += 1
        return 1_000.0 + self.advance

    def patched(self, real: Callable[[], float]) -> Callable[[], float]:
        def read() -> float:
            if threading.get_ident() != self._owner:
                return real()
            self.reads += 1
            return real() + self.advance

        return read


@dataclass
class _Timed:
    result: Any
    error: BaseException | None
    records: list[logging.LogRecord]
    clock: _FakeTime


def _run_timed(log_timing: Callable[..., Any], fn: Callable[..., Any], *args: Any,
               **kwargs: Any) -> _Timed:
    clock = _FakeTime()
    with _capture() as cap, contextlib.ExitStack() as patches:
        accepts_clock = "clock" in inspect.signature(log_timing).parameters
        decorator = log_timing(cap.logger, clock=clock.injected) if accepts_clock else log_timing(cap.logger)
        for name, real in _REAL_CLOCKS.items():
            patches.enter_context(mock.patch.object(time, name, clock.patched(real)))
        wrapped = decorator(fn)
        try:
            result, error = wrapped(*args, clock=clock, **kwargs), None
        except Exception as exc:  # the check inspects what the wrapper let through
            result, error = None, exc
    return _Timed(result, error, list(cap.records), clock)


def load_orders(source: str, *, clock: _FakeTime, limit: int = 10) -> list[str]:
    """Pretend to load orders; the work 'takes' 2.5 seconds of fake time."""
    clock.advance += 2.5
    return [f"{source}:{i}" for i in range(limit)]


class _ApiDown(ConnectionError):
    pass


def fetch_payments(*, clock: _FakeTime) -> None:
    """Fail after 1.25 seconds of fake time (a new exception object on every call)."""
    clock.advance += 1.25
    clock.raised = _ApiDown("payments API unreachable")
    raise clock.raised


def _timing_records(records: list[logging.LogRecord], level: int) -> list[logging.LogRecord]:
    return [r for r in records if r.levelno == level and hasattr(r, "duration_seconds")]


def _describe(records: list[logging.LogRecord]) -> list[str]:
    return [f"{r.levelname}: {r.getMessage()} {extras_of(r)}" for r in records] or ["(nothing)"]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@timing.check("returns a decorator that passes arguments and the result through", points=1,
              hint="log_timing(logger) returns decorate(fn), which returns wrapper(*args, **kwargs) "
                   "that calls fn(*args, **kwargs) and returns its result.")
def _passes_through(log_timing: Callable[..., Any]) -> None:
    run = _run_timed(log_timing, load_orders, "s3://exports", limit=3)
    expect(run.error is None, "the decorated function raised", expected="no exception",
           seen=repr(run.error))
    expect_equal(run.result, ["s3://exports:0", "s3://exports:1", "s3://exports:2"],
                 "the decorated function's return value")


@timing.check("keeps the function's name and docstring", points=1,
              hint="Decorate the wrapper with @functools.wraps(fn).")
def _wraps(log_timing: Callable[..., Any]) -> None:
    with _capture() as cap:
        wrapped = log_timing(cap.logger)(load_orders)
    seen = (getattr(wrapped, "__name__", None), getattr(wrapped, "__doc__", None))
    expect_equal(seen, (load_orders.__name__, load_orders.__doc__), "(__name__, __doc__)")
    expect(getattr(wrapped, "__wrapped__", None) is load_orders,
           "__wrapped__ should point at the original function", expected="load_orders",
           seen=getattr(wrapped, "__wrapped__", "(missing)"))


@timing.check("logs INFO with a numeric duration_seconds on success", points=2,
              hint="logger.info('%s succeeded', name, extra={'duration_seconds': elapsed}) on "
                   "the logger given to log_timing; elapsed is a float, not a string.")
def _logs_success(log_timing: Callable[..., Any]) -> None:
    run = _run_timed(log_timing, load_orders, "s3://exports")
    found = _timing_records(run.records, logging.INFO)
    expect(len(found) == 1, "expected one INFO record carrying duration_seconds on the logger "
           "passed to log_timing", expected="1 INFO record with extra duration_seconds",
           seen=_describe(run.records))
    value = found[0].duration_seconds
    expect(_is_number(value), "duration_seconds must be a number", expected="a float",
           seen=repr(value))


def _duration_is(run: _Timed, found: list[logging.LogRecord], wanted: float) -> None:
    value = found[0].duration_seconds
    if run.clock.reads:
        expect(_is_number(value) and abs(value - wanted) < 0.25,
               f"the timed call took {wanted} s (on the check's fake clock)",
               expected=wanted, seen=value)
    else:  # a clock the check cannot move (time.time, `from time import perf_counter`)
        expect(_is_number(value) and 0 <= value < 1, "duration_seconds is not a plausible time",
               expected="a small non-negative number of seconds", seen=value)


@timing.check("duration_seconds measures the call", points=1,
              hint="start = clock() before calling fn, clock() - start after it returns; "
                   "the check passes a fake clock= that only moves while fn runs.")
def _measures(log_timing: Callable[..., Any]) -> None:
    run = _run_timed(log_timing, load_orders, "s3://exports")
    found = _timing_records(run.records, logging.INFO)
    expect(len(found) == 1, "no INFO record with duration_seconds to read",
           expected="1 INFO record with extra duration_seconds", seen=_describe(run.records))
    _duration_is(run, found, 2.5)


@timing.check("the record names the timed function", points=1,
              hint="Put fn.__name__ (or __qualname__) in the message or an extra field: the "
                   "record's own funcName is the wrapper's.")
def _names_function(log_timing: Callable[..., Any]) -> None:
    run = _run_timed(log_timing, load_orders, "s3://exports")
    found = _timing_records(run.records, logging.INFO)
    expect(len(found) == 1, "no INFO record with duration_seconds to read",
           expected="1 INFO record with extra duration_seconds", seen=_describe(run.records))
    texts = [found[0].getMessage(), *(str(v) for v in extras_of(found[0]).values())]
    expect(any("load_orders" in t for t in texts), "nothing in the record says which function ran",
           expected="'load_orders' in the message or an extra field", seen=_describe(found))


def _failure_record(run: _Timed) -> logging.LogRecord:
    found = _timing_records(run.records, logging.ERROR)
    expect(len(found) == 1, "expected one ERROR record carrying duration_seconds when the "
           "function raises", expected="1 ERROR record with extra duration_seconds",
           seen=_describe(run.records))
    return found[0]


@timing.check("logs ERROR with duration_seconds on failure", points=1,
              hint="except Exception: log at ERROR (logger.exception adds the traceback) with "
                   "extra={'duration_seconds': ...}, then raise.")
def _logs_failure(log_timing: Callable[..., Any]) -> None:
    run = _run_timed(log_timing, fetch_payments)
    record = _failure_record(run)
    expect(not _timing_records(run.records, logging.INFO),
           "a failed call was also logged as a success", expected="no INFO timing record",
           seen=_describe(run.records),
           hint="Log the success only after fn returned (not in a `finally:`), so a failed "
                "call leaves one ERROR record and no INFO one.")
    _duration_is(run, [record], 1.25)


@timing.check("the ERROR record carries the traceback", points=1,
              hint="logger.exception(...) inside the except block (or logger.error(..., "
                   "exc_info=True)) attaches the exception: a formatter then writes its "
                   "traceback, which says where and why the step failed.")
def _failure_traceback(log_timing: Callable[..., Any]) -> None:
    run = _run_timed(log_timing, fetch_payments)
    record = _failure_record(run)
    attached = record.exc_info[1] if isinstance(record.exc_info, tuple) else None
    expect(attached is run.clock.raised,
           "the ERROR record does not carry the exception, so no traceback is logged",
           expected=f"record.exc_info holding {run.clock.raised!r}",
           seen=f"record.exc_info = {record.exc_info!r}")


@timing.check("re-raises the same exception", points=1,
              hint="A bare `raise` inside the except block re-raises the original exception "
                   "object with its traceback; do not wrap it or return None.")
def _reraises(log_timing: Callable[..., Any]) -> None:
    run = _run_timed(log_timing, fetch_payments)
    expect(run.error is not None, "the function raised, but the decorated call did not",
           expected="_ApiDown raised", seen=f"returned {run.result!r}")
    expect(run.error is run.clock.raised, "a different exception reached the caller",
           expected=f"the very same object: {run.clock.raised!r}", seen=repr(run.error))
