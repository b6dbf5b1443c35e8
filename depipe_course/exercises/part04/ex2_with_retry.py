"""04.2: ``with_retry(...)`` decorates a function so transient errors are retried with backoff.

The checks demand delays of ``base_delay_s * backoff_factor**(k-1)`` capped at
``max_delay_s`` (random in ``[d/2, d]`` with jitter), one call only for a permanent
error, the last original error re-raised after the final attempt, a WARNING per retry,
``functools.wraps``, waiting through the injected ``sleep``, and ``retry_if`` defaulting
to ``is_transient``.

Nothing here really waits. The checks inject a recording ``sleep``; they also patch
``time.sleep`` (and any global of the learner's that *is* ``time.sleep``, such as
``from time import sleep``), so code that ignores the injected ``sleep`` is still
graded in milliseconds and the one check about injection tells it so.

The default ``retry_if=is_transient`` is bound when the learner's cell runs: in the
notebook it is the learner's own 04.1 function, when grading it is the reference
(supplied before the cell runs). Checks of the retry mechanics pass ``retry_if=``
explicitly, and the one check about the default accepts any function named
``is_transient``, so a 04.1 mistake never costs points here.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import exercise
from depipe_course.exercises.part04._shared import _captured_logs, _http_error, _raised, _Records

retry = exercise("04.2", "A retry decorator with backoff and jitter", ["with_retry"], uses=["04.1"])

_REAL_SLEEP = time.sleep


def _transient_for_checks(error: BaseException) -> bool:
    """The checks' own classifier, so that 04.2 never depends on the learner's 04.1."""
    import requests

    if isinstance(error, requests.exceptions.HTTPError):
        return error.response is not None and error.response.status_code in {429, 500, 502, 503, 504}
    return isinstance(error, requests.exceptions.ConnectionError | requests.exceptions.Timeout)


class _Sleeps:
    """A ``sleep`` that records how long it was asked to wait and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(float(seconds))


class _Flaky:
    """A function that raises the given errors one per call, then returns ``result``.

    Call ``.function`` (a real function, as a decorator usually gets); ``.calls`` counts.
    """

    def __init__(self, errors: list[BaseException], result: Any = "page 3") -> None:
        self.errors = list(errors)
        self.result = result
        self.calls = 0

        def fetch_orders_page(*args: Any, **kwargs: Any) -> Any:
            """Fetch one page of orders (a stand-in that fails on purpose)."""
            self.calls += 1
            if self.calls <= len(self.errors):
                raise self.errors[self.calls - 1]
            return self.result

        self.function = fetch_orders_page


@contextlib.contextmanager
def _harness(learner: Any, patched: _Sleeps | None = None) -> Iterator[tuple[_Sleeps, _Records]]:
    """No real sleeping and no log output while learner retry code runs.

    Yields the recorder that stands in for ``time.sleep`` (and for any global of the
    learner's bound to it) and the captured log records. Checks pass the same
    recorder as ``sleep=``, so code that ignores the injected ``sleep`` and calls
    ``time.sleep`` is timed just the same: only the injection check tells them apart.
    """
    patched = patched if patched is not None else _Sleeps()
    namespace = getattr(learner, "__globals__", {})
    aliases = [name for name, value in namespace.items() if value is _REAL_SLEEP]
    for name in aliases:
        namespace[name] = patched
    try:
        with _captured_logs() as records, mock.patch("time.sleep", patched):
            yield patched, records
    finally:
        for name in aliases:
            namespace[name] = _REAL_SLEEP


def _connection_errors(n: int) -> list[BaseException]:
    import requests

    return [requests.exceptions.ConnectionError(f"connection reset (attempt {i + 1})") for i in range(n)]


def _always_failing_delays(with_retry: Callable[..., Any], **options: Any) -> list[float]:
    """The waits with_retry(**options) asks for around a function that never succeeds."""
    flaky = _Flaky(_connection_errors(50))
    with _harness(with_retry) as (sleeps, _logs):
        _raised(with_retry(retry_if=_transient_for_checks, sleep=sleeps, **options)(flaky.function))
    return sleeps.delays


def _rounded(delays: list[float]) -> list[float]:
    return [round(d, 6) for d in delays]


def _name_of(error: BaseException) -> str:
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    return type(error).__name__ + (f" {status}" if status else "")


@retry.check("returns the function's result and passes its arguments", points=1,
             hint="The wrapper calls func(*args, **kwargs) and returns what it returns.")
def _passes_through(with_retry: Callable[..., Any]) -> None:
    with _harness(with_retry) as (sleeps, _logs):
        decorated = with_retry(retry_if=_transient_for_checks, sleep=sleeps)(
            lambda page, limit=100, *, cursor=None: (page, limit, cursor))
        expect(callable(decorated), "with_retry(...) must return a decorator, and the decorator a function",
               expected="a callable", seen=decorated)
        result = decorated(3, 50, cursor="abc")
    expect_equal(result, (3, 50, "abc"), "the decorated function's result")
    expect(not sleeps.delays, "a call that succeeds the first time must not wait",
           expected="no sleep", seen=sleeps.delays)


@retry.check("keeps the wrapped function's name and docstring", points=1,
             hint="Decorate the inner wrapper with @functools.wraps(func).")
def _wraps(with_retry: Callable[..., Any]) -> None:
    def fetch_page(page: int) -> dict[str, Any]:
        """Fetch one page of orders."""
        return {"page": page}

    with _harness(with_retry) as (sleeps, _logs):
        decorated = with_retry(sleep=sleeps, retry_if=_transient_for_checks)(fetch_page)
    seen = {"__name__": getattr(decorated, "__name__", None), "__doc__": getattr(decorated, "__doc__", None),
            "__wrapped__ is fetch_page": getattr(decorated, "__wrapped__", None) is fetch_page}
    expect_equal(seen, {"__name__": "fetch_page", "__doc__": "Fetch one page of orders.",
                        "__wrapped__ is fetch_page": True}, "the decorated function's metadata")


@retry.check("retries a transient error until the call succeeds", points=1,
             hint="Loop over the attempts; return as soon as a call succeeds.")
def _retries_until_success(with_retry: Callable[..., Any]) -> None:
    flaky = _Flaky(_connection_errors(2), result={"items": [1, 2, 3]})
    with _harness(with_retry) as (sleeps, _logs):
        result = with_retry(max_attempts=5, jitter=False, retry_if=_transient_for_checks,
                            sleep=sleeps)(flaky.function)()
    expect_equal(flaky.calls, 3, "number of calls (2 connection errors, then success)")
    expect_equal(result, {"items": [1, 2, 3]}, "the result of the call that succeeded")


@retry.check("waits base_delay_s * backoff_factor**(k-1) before retry k", points=2,
             hint="Before the k-th retry wait base_delay_s * backoff_factor ** (k - 1): 1, 2, 4, 8 s for "
                  "the defaults. Five attempts mean four waits: never wait after the last one.")
def _schedule(with_retry: Callable[..., Any]) -> None:
    default = _always_failing_delays(with_retry, max_attempts=5, jitter=False)
    expect_equal(_rounded(default), [1.0, 2.0, 4.0, 8.0], "delays for max_attempts=5, base 1 s, factor 2, no jitter")
    other = _always_failing_delays(with_retry, max_attempts=4, base_delay_s=0.5, backoff_factor=3.0, jitter=False)
    expect_equal(_rounded(other), [0.5, 1.5, 4.5], "delays for max_attempts=4, base 0.5 s, factor 3, no jitter")


@retry.check("caps every delay at max_delay_s", points=2,
             hint="min(base_delay_s * backoff_factor ** (k - 1), max_delay_s): without the cap the 12th "
                  "retry of a 1 s schedule waits over half an hour.")
def _cap(with_retry: Callable[..., Any]) -> None:
    default = _always_failing_delays(with_retry, max_attempts=9, jitter=False)
    expect_equal(_rounded(default), [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0],
                 "delays for max_attempts=9 with the default 60 s cap")
    small = _always_failing_delays(with_retry, max_attempts=5, max_delay_s=3.0, jitter=False)
    expect_equal(_rounded(small), [1.0, 2.0, 3.0, 3.0], "delays for max_attempts=5 with max_delay_s=3")


_CLIENTS = 40


@retry.check("with jitter, each delay is random in [d/2, d]", points=2,
             hint="With jitter=True wait random.uniform(d / 2, d) where d is the capped delay, drawn anew "
                  "for every wait. Clients that wait exactly the same times retry together again.")
def _jitter(with_retry: Callable[..., Any]) -> None:
    nominal = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0, 60.0]
    # A fresh decorator per client, as in separate processes.
    runs = [_always_failing_delays(with_retry, max_attempts=11, jitter=True) for _client in range(_CLIENTS)]
    for delays in runs:
        expect(len(delays) == len(nominal), "eleven attempts mean ten waits", expected=len(nominal),
               seen=f"{len(delays)} waits: {delays}")
        outside = [(round(d, 3), f"[{n / 2:g}, {n:g}]") for d, n in zip(delays, nominal, strict=True)
                   if not n / 2 - 1e-9 <= d <= n + 1e-9]
        expect(not outside, "a jittered delay fell outside [d/2, d]",
               expected="each delay between half the nominal delay and the nominal delay", seen=outside)
    distinct = len({tuple(d) for d in runs})
    expect(distinct > 1, f"{_CLIENTS} clients with jitter=True all waited exactly the same times",
           expected="different random delays for different clients", seen=f"every client waited {runs[0]}")
    # Jitter drawn on the uncapped delay and capped afterwards lands on exactly 60 s
    # once the uncapped delay reaches 120 s: every client retries in lockstep again.
    lockstep = [k + 1 for k in range(len(nominal)) if len({round(run[k], 9) for run in runs}) == 1]
    expect(not lockstep, "once the cap is reached, every client waited exactly the same time",
           expected=f"waits spread over [30, 60] s for retries {lockstep}",
           seen={f"retry {k}": runs[0][k - 1] for k in lockstep},
           hint="Cap first, then jitter: d = min(base_delay_s * backoff_factor ** (k - 1), max_delay_s), "
                "then random.uniform(d / 2, d). Capping the jittered value turns every long wait into "
                "exactly max_delay_s, and the clients retry together again.")


@retry.check("raises a permanent error after one call", points=2,
             hint="Ask retry_if(error): when it says False, re-raise at once (a bare `raise`), without "
                  "waiting. Do not catch-and-retry every Exception.")
def _permanent_once(with_retry: Callable[..., Any]) -> None:
    for error in (ValueError("amount '12,50' is not a number"), _http_error(404)):
        flaky = _Flaky([error])
        with _harness(with_retry) as (sleeps, _logs):
            raised = _raised(with_retry(max_attempts=5, retry_if=_transient_for_checks, sleep=sleeps)(flaky.function))
        name = _name_of(error)
        expect_equal(flaky.calls, 1, f"calls for a {name} (retry_if says permanent)")
        expect(not sleeps.delays, f"a {name} must not wait", expected="no sleep", seen=sleeps.delays)
        expect(raised is error, f"the {name} must reach the caller unchanged", expected=repr(error),
               seen=repr(raised))


@retry.check("retry_if decides what is retried", points=1,
             hint="Call the retry_if you were given; do not hard-code a list of exceptions in the wrapper.")
def _uses_retry_if(with_retry: Callable[..., Any]) -> None:
    import requests

    def only_key_errors(error: BaseException) -> bool:
        return isinstance(error, KeyError)

    retried = _Flaky([KeyError("cursor"), KeyError("cursor")])
    stopped = _Flaky([requests.exceptions.ConnectionError("reset")])
    with _harness(with_retry) as (sleeps, _logs):
        escaped = _raised(with_retry(max_attempts=5, retry_if=only_key_errors, sleep=sleeps)(retried.function))
        raised = _raised(with_retry(max_attempts=5, retry_if=only_key_errors, sleep=sleeps)(stopped.function))
    expect(escaped is None, "retry_if accepts KeyError, yet a KeyError reached the caller",
           expected="two retries, then the result", seen=f"{type(escaped).__name__} after {retried.calls} call(s)")
    expect_equal(retried.calls, 3, "calls when retry_if accepts KeyError (two KeyErrors, then success)")
    expect_equal((stopped.calls, type(raised).__name__), (1, "ConnectionError"),
                 "calls and error when retry_if rejects ConnectionError")


@retry.check("re-raises the last original error after the final attempt", points=2,
             hint="After the last attempt re-raise the error itself (`raise` inside the except block, or "
                  "`raise last_error`), not a new RuntimeError: callers and on-call engineers need its "
                  "type and message.")
def _reraises_last(with_retry: Callable[..., Any]) -> None:
    errors = _connection_errors(3)
    flaky = _Flaky(errors)
    with _harness(with_retry) as (sleeps, _logs):
        raised = _raised(with_retry(max_attempts=3, jitter=False, retry_if=_transient_for_checks,
                                    sleep=sleeps)(flaky.function))
    expect_equal(flaky.calls, 3, "calls with max_attempts=3 when every call fails")
    expect(raised is errors[-1], "after the last attempt the caller must get the last error itself",
           expected=f"{type(errors[-1]).__name__}: {errors[-1]}",
           seen="no exception" if raised is None else f"{type(raised).__name__}: {raised}")
    expect_equal(len(sleeps.delays), 2, "waits for three attempts")


@retry.check("logs a WARNING for each retry", points=1,
             hint="logger.warning(...) before each wait, naming the error (its type or message), the "
                  "attempt and the delay; use the logging module, not print.")
def _logs(with_retry: Callable[..., Any]) -> None:
    import requests

    errors = [requests.exceptions.ConnectionError("Connection reset by peer"),
              requests.exceptions.ReadTimeout("Read timed out")]
    with _harness(with_retry) as (sleeps, logs):
        with_retry(max_attempts=5, retry_if=_transient_for_checks, sleep=sleeps)(_Flaky(errors).function)()
    warnings = [r for r in logs.records if r.levelno == logging.WARNING]
    expect_equal(len(warnings), 2, "WARNING records for two retries")
    for record, error in zip(warnings, errors, strict=True):
        text = record.getMessage()
        expect(type(error).__name__ in text or str(error) in text, "each retry's warning should name the error",
               expected=f"a message mentioning {type(error).__name__} or {str(error)!r}", seen=text)


@retry.check("waits through the injected sleep", points=1,
             hint="Call the sleep you were given (sleep(delay)), not time.sleep: tests and notebooks "
                  "pass a fake so nobody waits.")
def _injected_sleep(with_retry: Callable[..., Any]) -> None:
    injected = _Sleeps()
    with _harness(with_retry) as (patched, _logs):
        with_retry(max_attempts=3, base_delay_s=0.01, jitter=False, retry_if=_transient_for_checks,
                   sleep=injected)(_Flaky(_connection_errors(2)).function)()
    expect(len(injected.delays) == 2 and not patched.delays, "the waits did not go through sleep=",
           expected="2 calls to the injected sleep, none to time.sleep",
           seen=f"{len(injected.delays)} to the injected sleep, {len(patched.delays)} to time.sleep")


@retry.check("retry_if defaults to is_transient", points=1,
             hint="Keep the signature: retry_if=is_transient (exercise 04.1's function).")
def _default_retry_if(with_retry: Callable[..., Any]) -> None:
    with _harness(with_retry) as (sleeps, _logs):
        decorator = with_retry(max_attempts=3, jitter=False, sleep=sleeps)
    try:
        default = inspect.signature(with_retry).parameters["retry_if"].default
    except (KeyError, TypeError, ValueError):
        fail("with_retry has no retry_if parameter", expected="retry_if=is_transient", seen="no such parameter")
    if getattr(default, "__name__", None) == "is_transient":
        return
    # Another spelling (None resolved at call time, say): judge by behaviour.
    flaky = _Flaky(_connection_errors(1))
    bad = _Flaky([ValueError("bad amount")])
    with _harness(with_retry, sleeps):
        decorator(flaky.function)()
        _raised(with_retry(max_attempts=3, jitter=False, sleep=sleeps)(bad.function))
    expect_equal((flaky.calls, bad.calls), (2, 1),
                 "calls with the default retry_if (a connection error, then a ValueError)")
