"""Part 04 — Errors and retries.

The checks build real exceptions (an ``HTTPError`` raised by ``raise_for_status`` on a
real ``requests.Response``, a "database is locked" from two real SQLite connections, a
pydantic ``ValidationError`` from a real model), because learner code may look at
attributes a hand-made instance lacks (``response.status_code``, ``sqlite_errorname``).
PostgreSQL errors (04.5) need a server to happen for real, so they are built from
psycopg's classes with the diagnostics a server would send, so that ``error.sqlstate``
and ``error.diag.sqlstate`` both answer; psycopg is imported inside the checks only.
The check of ``failed_at`` (04.3) sets the process's local time zone away from UTC
while the learner's code runs, so local time cannot pass for UTC on a UTC machine.

Nothing here really waits. Retry checks inject a recording ``sleep``; they also patch
``time.sleep`` (and any global of the learner's that *is* ``time.sleep``, such as
``from time import sleep``), so code that ignores the injected ``sleep`` is still
graded in milliseconds and the one check about injection tells it so. Log records are
captured on the root logger while a check runs, so nothing reaches the notebook's
stderr.

Exercise 04.2's default ``retry_if=is_transient`` is bound when the learner's cell
runs: in the notebook it is the learner's own 04.1 function, when grading it is the
reference (supplied before the cell runs). Checks that test the retry mechanics pass
``retry_if=`` explicitly, and the one check about the default accepts any function
named ``is_transient``, so a 04.1 mistake never costs points in 04.2.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from unittest import mock

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import exercise

_REAL_SLEEP = time.sleep


# ---------------------------------------------------------------- real exceptions


def _http_error(status: int) -> Exception:
    """The HTTPError ``raise_for_status`` raises for a response with this status."""
    from http import HTTPStatus

    import requests

    response = requests.Response()
    response.status_code = status
    response.reason = HTTPStatus(status).phrase
    response.url = "https://api.example.test/v1/orders?page=3"
    try:
        response.raise_for_status()
    except requests.HTTPError as exc:
        return exc
    raise AssertionError(f"raise_for_status did not raise for {status}")  # pragma: no cover


def _sqlite_errors(folder: Path) -> dict[str, sqlite3.Error]:
    """Real SQLite errors: a locked database, a missing table, a duplicate key."""
    found: dict[str, sqlite3.Error] = {}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "orders.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    other = sqlite3.connect(path, timeout=0)
    try:
        holder.execute("CREATE TABLE orders (order_id INTEGER PRIMARY KEY)")
        holder.execute("INSERT INTO orders VALUES (1)")
        try:
            other.execute("SELECT * FROM no_such_table")
        except sqlite3.OperationalError as exc:
            found["OperationalError('no such table')"] = exc
        try:
            holder.execute("INSERT INTO orders VALUES (1)")
        except sqlite3.IntegrityError as exc:
            found["IntegrityError('UNIQUE constraint failed')"] = exc
        holder.execute("BEGIN EXCLUSIVE")
        try:
            other.execute("SELECT * FROM orders")
        except sqlite3.OperationalError as exc:
            found["OperationalError('database is locked')"] = exc
        holder.execute("ROLLBACK")
    finally:
        other.close()
        holder.close()
    if len(found) != 3:  # pragma: no cover - SQLite itself misbehaving
        raise AssertionError(f"could not provoke the SQLite errors, got {sorted(found)}")
    return found


def _validation_error() -> Exception:
    """A pydantic ValidationError for a payment whose amount is not a number."""
    from pydantic import BaseModel, ValidationError

    class Payment(BaseModel):
        payment_id: str
        amount: int

    try:
        Payment.model_validate({"payment_id": "pay_1", "amount": "380.50 INR"})
    except ValidationError as exc:
        return exc
    raise AssertionError("pydantic accepted a bad amount")  # pragma: no cover


def _missing_file(folder: Path) -> FileNotFoundError:
    try:
        (folder / "does-not-exist.csv").open(encoding="utf-8")
    except FileNotFoundError as exc:
        return exc
    raise AssertionError("a missing file opened")  # pragma: no cover


def _classify(is_transient: Callable[[BaseException], Any], cases: dict[str, BaseException],
              expected: bool, *, hint: str | None = None) -> None:
    seen = {label: is_transient(error) for label, error in cases.items()}
    wrong = {label: result for label, result in seen.items() if result != expected}
    if wrong:
        fail(f"{len(wrong)} of {len(cases)} errors classified wrongly",
             expected={label: expected for label in wrong}, seen=wrong, hint=hint)


# ---------------------------------------------------------------- 04.1 is_transient

transient = exercise("04.1", "Transient or permanent?", ["is_transient"])


@transient.check("network failures are transient", points=2,
                 hint="requests has its own ConnectionError, Timeout (ReadTimeout, ConnectTimeout) and "
                      "ChunkedEncodingError in requests.exceptions. They are not the built-in "
                      "ConnectionError and TimeoutError, so isinstance against those misses them.")
def _network(is_transient: Callable[[BaseException], Any]) -> None:
    import requests

    _classify(is_transient, {
        "requests.ConnectionError": requests.exceptions.ConnectionError("Connection reset by peer"),
        "requests.ReadTimeout": requests.exceptions.ReadTimeout("Read timed out. (read timeout=10)"),
        "requests.ConnectTimeout": requests.exceptions.ConnectTimeout("Connection to api timed out"),
        "requests.ChunkedEncodingError": requests.exceptions.ChunkedEncodingError(
            "Connection broken: IncompleteRead(512 bytes read, 1536 more expected)"),
    }, True)


@transient.check("HTTP 429, 500, 502, 503 and 504 are transient", points=2,
                 hint="An HTTPError from raise_for_status carries the response: look at "
                      "error.response.status_code.")
def _retryable_statuses(is_transient: Callable[[BaseException], Any]) -> None:
    _classify(is_transient, {f"HTTPError {s}": _http_error(s) for s in (429, 500, 502, 503, 504)}, True)


@transient.check("other HTTP error statuses are permanent", points=2,
                 hint="400, 401, 403, 404, 409 and 422 mean the request itself is wrong: sending it "
                      "again gives the same answer. Do not treat every RequestException as transient. "
                      "Only the five listed statuses are transient: not every status >= 500 (a 501 Not "
                      "Implemented stays unimplemented).")
def _client_errors(is_transient: Callable[[BaseException], Any]) -> None:
    _classify(is_transient, {f"HTTPError {s}": _http_error(s) for s in (400, 401, 403, 404, 409, 422)}, False,
              hint="400, 401, 403, 404, 409 and 422 mean the request itself is wrong: sending it again gives "
                   "the same answer. Do not treat every RequestException (or every HTTPError) as transient.")
    _classify(is_transient, {f"HTTPError {s}": _http_error(s) for s in (501, 505)}, False,
              hint="Only 500, 502, 503 and 504 of the 5xx are transient: list them rather than testing "
                   "status >= 500. 501 Not Implemented and 505 HTTP Version Not Supported answer the same "
                   "way every time.")


@transient.check("a locked SQLite database is transient, other SQLite errors are not", points=2,
                 hint="sqlite3.OperationalError covers both 'database is locked' (another writer, "
                      "try again) and 'no such table' (never works): look at the message. "
                      "IntegrityError is a bad record.")
def _sqlite(is_transient: Callable[[BaseException], Any], tmp_path: Path) -> None:
    errors = _sqlite_errors(tmp_path)
    locked = "OperationalError('database is locked')"
    _classify(is_transient, {locked: errors[locked]}, True)
    _classify(is_transient, {k: v for k, v in errors.items() if k != locked}, False)


@transient.check("bad data and missing things are permanent", points=2,
                 hint="ValueError (pydantic's ValidationError is one), KeyError, FileNotFoundError and "
                      "PermissionError fail the same way on every attempt. Careful: FileNotFoundError and "
                      "PermissionError are OSErrors, like the network errors.")
def _permanent(is_transient: Callable[[BaseException], Any], tmp_path: Path) -> None:
    _classify(is_transient, {
        "ValueError": ValueError("invalid literal for int() with base 10: '12,50'"),
        "pydantic.ValidationError": _validation_error(),
        "KeyError": KeyError("customer_id"),
        "FileNotFoundError": _missing_file(tmp_path),
        "PermissionError": PermissionError(13, "Permission denied", "/data/exports/orders.csv"),
    }, False)


@transient.check("an error it does not know is not retried", points=1,
                 hint="List what is known to be transient and return False for everything else; "
                      "retrying an error nobody understood only repeats it. An HTTPError raised by hand has "
                      "error.response None: check for None before reading status_code.")
def _unknown(is_transient: Callable[[BaseException], Any]) -> None:
    import requests

    class VendorSDKError(Exception):
        pass

    _classify(is_transient, {
        "RuntimeError": RuntimeError("unexpected state"),
        "VendorSDKError (a custom Exception)": VendorSDKError("boom"),
    }, False)
    _classify(is_transient, {
        "requests.TooManyRedirects": requests.exceptions.TooManyRedirects("Exceeded 30 redirects."),
        "requests.InvalidURL": requests.exceptions.InvalidURL("Invalid URL 'https://api.example.test:99999/v1'"),
    }, False, hint="Of the requests exceptions that are not HTTPErrors, only ConnectionError, Timeout and "
                   "ChunkedEncodingError mean the transport failed. A redirect loop or a malformed URL fails "
                   "the same way every time: do not call every RequestException transient.")
    _classify(is_transient, {"HTTPError without a response": requests.exceptions.HTTPError("503 Server Error")},
              False, hint="An HTTPError raised by hand has error.response None: no status, so not known to be "
                          "transient. Check `error.response is not None` before reading status_code.")


# ---------------------------------------------------------------- 04.2 with_retry

retry = exercise("04.2", "A retry decorator with backoff and jitter", ["with_retry"], uses=["04.1"])


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


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def _captured_logs() -> Iterator[_Records]:
    """Keep log records (WARNING and above) instead of printing them, while a check runs."""
    records = _Records()
    root = logging.getLogger()
    saved_level, saved_handlers = root.level, root.handlers[:]
    root.handlers = [records]  # the notebook's own handlers would print the learner's logs
    root.setLevel(min(saved_level or logging.WARNING, logging.WARNING))
    try:
        yield records
    finally:
        root.handlers = saved_handlers
        root.setLevel(saved_level)


def _logs_captured(check_fn: Callable[..., None]) -> Callable[..., None]:
    """Run a check with log output captured (the learner's logging stays out of the notebook)."""

    @functools.wraps(check_fn)  # the runner reads the check's parameters through __wrapped__
    def run(**kwargs: Any) -> None:
        with _captured_logs():
            check_fn(**kwargs)

    return run


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


def _raised(fn: Callable[[], Any]) -> BaseException | None:
    """The exception ``fn()`` raises, or None. NotImplementedError passes through."""
    try:
        fn()
    except NotImplementedError:
        raise
    except Exception as exc:
        return exc
    return None


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


# ---------------------------------------------------------------- 04.3 DeadLetterQueue

dlq_ex = exercise("04.3", "A dead letter queue on NDJSON", ["DeadLetterQueue"])

_FIELDS = ("failed_at", "error_type", "error_message", "record", "context")


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _file_entries(path: Path, count: int) -> list[dict[str, Any]]:
    """The file's lines parsed independently of the learner's reader."""
    import json

    expect(path.exists(), "nothing was written to the queue's path", expected=str(path.name), seen="no file")
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    expect(len(lines) == count, f"{_plural(count, 'entry', 'entries')} written, the file has "
           f"{_plural(len(lines), 'line', 'lines')}", expected=f"{_plural(count, 'line', 'lines')}, one JSON "
           "object each", seen=text)
    expect(text.endswith("\n"), "every entry must end with a newline, so the next one starts a new line",
           expected="text ending in '\\n'", seen=text[-80:])
    entries = []
    for number, line in enumerate(lines, 1):
        try:
            entry = json.loads(line)
        except ValueError:
            fail(f"line {number} is not a JSON object on its own", expected="one JSON object per line", seen=line)
        expect(isinstance(entry, dict), f"line {number} is JSON but not an object", expected="{...}", seen=line)
        missing = [f for f in _FIELDS if f not in entry]
        expect(not missing, f"line {number} lacks {', '.join(missing)}", expected=list(_FIELDS), seen=sorted(entry))
        entries.append(entry)
    return entries


_CASES: list[tuple[dict[str, Any], Exception, dict[str, Any] | None]] = [
    ({"order_id": 1_000_001, "amount": "12,50"}, ValueError("amount '12,50' is not a number"),
     {"pipeline": "orders", "run_id": "run-42"}),
    ({"order_id": 1_000_002}, KeyError("customer_id"), None),
    ({"order_id": 1_000_003, "status": "deliverd"}, ValueError("unknown status 'deliverd'"),
     {"pipeline": "orders"}),
]


@dlq_ex.check("writes one JSON line per entry with the agreed fields", points=2,
              hint="Each entry is a dict with failed_at, error_type (type(error).__name__), error_message "
                   "(str(error)), record and context ({} when None), written as json.dumps(entry) + '\\n' "
                   "to a file opened for appending.")
@_logs_captured
def _lines(DeadLetterQueue: type, tmp_path: Path) -> None:
    path = tmp_path / "orders_dlq.ndjson"
    queue = DeadLetterQueue(str(path))
    for record, error, context in _CASES:
        queue.write(record, error, context=context)
    entries = _file_entries(path, len(_CASES))
    for entry, (record, error, context) in zip(entries, _CASES, strict=True):
        wanted = {"error_type": type(error).__name__, "error_message": str(error), "record": record,
                  "context": context or {}}
        expect_equal({k: entry[k] for k in wanted}, wanted, f"the entry for order {record['order_id']}")


@dlq_ex.check("an error message with newlines still makes one line", points=2,
              hint="Let json.dumps escape newlines inside strings, and never pass indent=: NDJSON readers "
                   "split on newlines, so one entry must be exactly one line.")
@_logs_captured
def _newlines(DeadLetterQueue: type, tmp_path: Path) -> None:
    path = tmp_path / "dlq.ndjson"
    error = ValueError("row 7 is malformed:\n  amount='12,50'\n  status=None")
    record = {"order_id": 7, "note": "first line\nsecond line", "raw": "a\tb\r\nc"}
    DeadLetterQueue(path).write(record, error)
    (entry,) = _file_entries(path, 1)
    expect_equal((entry["error_message"], entry["record"]), (str(error), record),
                 "the message and record read back")


# POSIX TZ syntax (no tz database needed): five and a half hours east of UTC, as in India.
_NOT_UTC = "IST-5:30"


@contextlib.contextmanager
def _local_time_zone(tz: str) -> Iterator[None]:
    """Set the process's local time zone while a check runs, so "local" cannot pass for UTC.

    Where ``time.tzset`` does not exist (Windows) the zone stays as it is.
    """
    import os

    tzset = getattr(time, "tzset", None)
    if tzset is None:  # pragma: no cover - Windows
        yield
        return
    saved = os.environ.get("TZ")
    os.environ["TZ"] = tz
    tzset()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        tzset()


@dlq_ex.check("failed_at is timezone-aware UTC in ISO-8601", points=1,
              hint="datetime.now(timezone.utc).isoformat() gives '2026-03-01T09:30:00.123456+00:00'. "
                   "datetime.utcnow() is naive (no offset) and deprecated.")
@_logs_captured
def _failed_at(DeadLetterQueue: type, tmp_path: Path) -> None:
    path = tmp_path / "dlq.ndjson"
    before = datetime.now(UTC)
    with _local_time_zone(_NOT_UTC):
        DeadLetterQueue(path).write({"order_id": 1}, ValueError("bad"))
    after = datetime.now(UTC)
    (entry,) = _file_entries(path, 1)
    stamp = entry["failed_at"]
    expect(isinstance(stamp, str), "failed_at must be an ISO-8601 string", expected="'2026-...+00:00'", seen=stamp)
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        fail("failed_at is not ISO-8601", expected="datetime.now(timezone.utc).isoformat()", seen=stamp)
    expect(when.tzinfo is not None, "failed_at must carry the UTC offset", expected="an offset of +00:00 (or Z)",
           seen=stamp)
    expect(when.utcoffset() == timedelta(0), "failed_at is in the machine's local time zone, not UTC",
           expected="an offset of +00:00 (or Z)", seen=f"{stamp} (written while the local zone was UTC+05:30)",
           hint="datetime.now().astimezone() is aware but local: on a server outside UTC every entry "
                "carries another offset. Use datetime.now(timezone.utc).")
    slack = timedelta(seconds=2)
    expect(before - slack <= when <= after + slack, "failed_at is not the moment of the write",
           expected=f"between {before.isoformat()} and {after.isoformat()}", seen=stamp)


@dlq_ex.check("stores records holding Decimal and datetime values", points=2,
              hint="json.dumps raises TypeError on Decimal and datetime: pass default= a function that "
                   "turns a Decimal into str (exact; float would round it) and a date or datetime into "
                   "value.isoformat(). A queue that crashes loses the very record it exists for.")
@_logs_captured
def _decimals(DeadLetterQueue: type, tmp_path: Path) -> None:
    path = tmp_path / "dlq.ndjson"
    amount = Decimal("12345678901234567.89")
    captured = datetime(2026, 3, 1, 9, 30, 15, tzinfo=UTC)
    day = date(2026, 3, 1)
    record = {"payment_id": "pay_8Fz2kQ0aLm3Xyb", "amount": amount, "captured_at": captured, "day": day}
    try:
        DeadLetterQueue(path).write(record, ValueError("currency 'inr' is not allowed"))
    except TypeError as exc:
        fail("writing a record with Decimal and datetime values crashed",
             expected="the entry written", seen=f"TypeError: {exc}")
    (entry,) = _file_entries(path, 1)
    stored = entry["record"]
    expect(isinstance(stored, dict) and stored.get("payment_id") == record["payment_id"],
           "the record must be stored as a JSON object with its fields", expected="{'payment_id': ...}",
           seen=stored)
    expect(_same_decimal(stored.get("amount"), amount), "the Decimal amount must keep every digit",
           expected=str(amount), seen=stored.get("amount"))
    expect(_same_moment(stored.get("captured_at"), captured), "the datetime must read back as the same moment",
           expected=captured.isoformat(), seen=stored.get("captured_at"))
    expect(_same_day(stored.get("day"), day), "the date must read back as the same day",
           expected=day.isoformat(), seen=stored.get("day"))


def _same_decimal(value: Any, expected: Decimal) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    try:
        return Decimal(str(value)) == expected
    except (InvalidOperation, ValueError):
        return False


def _same_moment(value: Any, expected: datetime) -> bool:
    try:
        return isinstance(value, str) and datetime.fromisoformat(value) == expected
    except ValueError:
        return False


def _same_day(value: Any, expected: date) -> bool:
    return isinstance(value, str) and value[:10] == expected.isoformat()


@dlq_ex.check("appends: earlier entries survive later writes", points=1,
              hint="Open the file in append mode ('a'): a second queue on the same path, like the next "
                   "run of the pipeline, must add to it, not replace it.")
@_logs_captured
def _appends(DeadLetterQueue: type, tmp_path: Path) -> None:
    path = tmp_path / "dlq.ndjson"
    first = DeadLetterQueue(path)
    first.write({"order_id": 1}, ValueError("one"))
    first.write({"order_id": 2}, ValueError("two"))
    DeadLetterQueue(path).write({"order_id": 3}, ValueError("three"))
    entries = _file_entries(path, 3)
    expect_equal([e["record"]["order_id"] for e in entries], [1, 2, 3], "order ids in the file")


@dlq_ex.check("iterating gives back every stored entry, oldest first", points=1,
              hint="__iter__ opens the file and yields json.loads(line) for each non-empty line; a queue "
                   "whose file does not exist yet has no entries.")
@_logs_captured
def _iterates(DeadLetterQueue: type, tmp_path: Path) -> None:
    path = tmp_path / "dlq.ndjson"
    empty = list(DeadLetterQueue(path))
    expect_equal(empty, [], "entries of a queue nothing was written to")
    queue = DeadLetterQueue(path)
    for record, error, context in _CASES:
        queue.write(record, error, context=context)
    from_file = _file_entries(path, len(_CASES))
    expect_equal(list(queue), from_file, "iterating over the queue (compared with the file's lines)")
    expect_equal(list(DeadLetterQueue(path)), from_file, "iterating over a new queue on the same file")


@dlq_ex.check("creates the folder it writes to", points=1,
              hint="path.parent.mkdir(parents=True, exist_ok=True) before the first write.")
@_logs_captured
def _creates_folder(DeadLetterQueue: type, tmp_path: Path) -> None:
    path = tmp_path / "dlq" / "2026-03-01" / "payments.ndjson"
    DeadLetterQueue(path).write({"payment_id": "pay_1"}, ValueError("bad"))
    _file_entries(path, 1)


# ---------------------------------------------------------------- 04.4 process_records

process = exercise("04.4", "Dead-letter bad records, stop on the unexpected", ["process_records"],
                   uses=["04.1", "04.3"])


class _RecordingDLQ:
    """Stands in for a DeadLetterQueue and remembers every write."""

    def __init__(self) -> None:
        self.entries: list[tuple[Any, BaseException]] = []

    def write(self, record: Any, error: BaseException, context: Any = None) -> None:
        self.entries.append((record, error))

    @property
    def ids(self) -> list[Any]:
        return [r.get("id") if isinstance(r, dict) else r for r, _ in self.entries]


class _Handler:
    """``handle`` that raises the given error for some record ids and remembers what it saw."""

    def __init__(self, failures: dict[int, BaseException]) -> None:
        self.failures = failures
        self.seen: list[int] = []

    def __call__(self, record: dict[str, Any]) -> None:
        self.seen.append(record["id"])
        if record["id"] in self.failures:
            raise self.failures[record["id"]]


def _records(n: int) -> list[dict[str, Any]]:
    return [{"id": i, "amount": 100 + i} for i in range(n)]


def _counts(result: Any) -> dict[str, Any]:
    expect(isinstance(result, dict), "process_records must return a dict",
           expected="{'ok': ..., 'dead_lettered': ...}", seen=result)
    return {k: result.get(k) for k in ("ok", "dead_lettered")}


@process.check("counts every record handled without error", points=1,
               hint="Call handle(record) for each record and count the successes in 'ok'.")
@_logs_captured
def _all_ok(process_records: Callable[..., Any]) -> None:
    handle, dlq = _Handler({}), _RecordingDLQ()
    result = process_records(_records(6), handle, dlq)
    expect_equal(_counts(result), {"ok": 6, "dead_lettered": 0}, "the counts")
    expect_equal(handle.seen, list(range(6)), "records handed to handle, in order")
    expect_equal(dlq.ids, [], "records written to the dead letter queue")


@process.check("dead-letters bad records and carries on", points=3,
               hint="A ValueError (pydantic's ValidationError included), KeyError or sqlite3.IntegrityError "
                    "means this record is bad: dlq.write(record, error) with the exception itself, count it, "
                    "and go on with the next record.")
@_logs_captured
def _bad_records(process_records: Callable[..., Any], tmp_path: Path) -> None:
    integrity = _sqlite_errors(tmp_path)["IntegrityError('UNIQUE constraint failed')"]
    failures: dict[int, BaseException] = {
        2: ValueError("amount '12,50' is not a number"),
        4: KeyError("customer_id"),
        6: _validation_error(),
        8: integrity,
    }
    handle, dlq = _Handler(failures), _RecordingDLQ()
    results: list[Any] = []
    raised = _raised(lambda: results.append(process_records(_records(10), handle, dlq)))
    expect(raised is None, "a bad record stopped the run", expected="the run carries on to record 9",
           seen=f"{type(raised).__name__} raised at record {handle.seen[-1] if handle.seen else '?'}")
    (result,) = results
    expect_equal(handle.seen, list(range(10)), "records handed to handle (every one, bad ones included)")
    expect_equal(dlq.ids, [2, 4, 6, 8], "records written to the dead letter queue")
    not_same = [type(failures[i]).__name__ for (_, e), i in zip(dlq.entries, [2, 4, 6, 8], strict=True)
                if e is not failures[i]]
    expect(not not_same, "the queue must receive the exception that handle raised",
           expected="the exception object itself", seen=f"something else for {not_same}")
    expect_equal(_counts(result), {"ok": 6, "dead_lettered": 4}, "the counts")


@process.check("unexpected errors are dead-lettered and re-raised", points=2,
               hint="Any other exception means something is wrong beyond this record: write the record to "
                    "the queue (so you know where the run stopped), then re-raise the same exception with "
                    "a bare `raise`. Not every error that is_transient calls permanent is a bad record.")
@_logs_captured
def _unexpected(process_records: Callable[..., Any]) -> None:
    for boom in (RuntimeError("disk quota exceeded on the warehouse volume"),
                 TypeError("unsupported operand type(s) for *: 'NoneType' and 'int'"),
                 AttributeError("'NoneType' object has no attribute 'upper'")):
        name = type(boom).__name__
        handle = _Handler({1: ValueError("bad amount"), 3: boom})
        dlq = _RecordingDLQ()
        raised = _raised(lambda h=handle, d=dlq: process_records(_records(6), h, d))
        bug = "" if isinstance(boom, RuntimeError) else (
            f" A {name} usually means a bug in handle, not a bad record: it would fail every next record too.")
        expect(raised is boom, f"the unexpected {name} must reach the caller unchanged",
               expected=f"{name}: {boom}",
               seen="no exception (the run carried on)" if raised is None else f"{type(raised).__name__}: {raised}",
               hint="Only ValueError, KeyError and sqlite3.IntegrityError are bad records. Any other exception: "
                    "write the record to the queue, then re-raise it with a bare `raise`." + bug)
        expect_equal(dlq.ids, [1, 3],
                     f"records in the dead letter queue (the bad one, then the one whose {name} stopped the run)")
        expect_equal(handle.seen, [0, 1, 2, 3], f"records handed to handle (none after the {name})")


@process.check("errors that are not about the record stop the run", points=1,
               hint="A network error that outlived handle's retries, a PermissionError or a missing table "
                    "(sqlite3.OperationalError) would fail every next record too: dead-letter the record and "
                    "re-raise. Of the SQLite errors only IntegrityError is about the record.")
@_logs_captured
def _environment_errors(process_records: Callable[..., Any], tmp_path: Path) -> None:
    import requests

    no_table = _sqlite_errors(tmp_path)["OperationalError('no such table')"]
    for error in (requests.exceptions.ConnectionError("payments API unreachable after 5 attempts"),
                  PermissionError(13, "Permission denied", "/warehouse/orders.sqlite"),
                  no_table):
        handle, dlq = _Handler({2: error}), _RecordingDLQ()
        raised = _raised(lambda h=handle, d=dlq: process_records(_records(5), h, d))
        name = type(error).__name__
        expect(raised is error, f"a {name} must stop the run and reach the caller", expected=f"{name} raised",
               seen="no exception (the run carried on)" if raised is None else f"{type(raised).__name__}: {raised}")
        expect_equal(dlq.ids, [2], f"records written to the dead letter queue for a {name}")


@process.check("ok + dead_lettered equals the number of records, also from a generator", points=1,
               hint="Count as you go; do not call len(records): records may be a generator, read once.")
@_logs_captured
def _generator(process_records: Callable[..., Any]) -> None:
    failures: dict[int, BaseException] = {i: ValueError(f"bad record {i}") for i in range(0, 25, 5)}
    handle, dlq = _Handler(failures), _RecordingDLQ()
    result = process_records((r for r in _records(25)), handle, dlq)
    expect_equal(_counts(result), {"ok": 20, "dead_lettered": 5}, "the counts for 25 records, 5 of them bad")


# ---------------------------------------------------------------- 04.5 is_transient_db_error

db_errors = exercise("04.5", "Transient or permanent? PostgreSQL errors", ["is_transient_db_error"])


def _server_error(name: str, message: str) -> BaseException:
    """The psycopg error PostgreSQL's answer becomes: the class for its SQLSTATE, diagnostics filled in.

    Built by hand (no server), but carrying what a real one carries, so ``error.sqlstate``
    and ``error.diag.sqlstate`` both work.
    """
    import psycopg.errors
    from psycopg.pq import DiagnosticField

    cls = getattr(psycopg.errors, name)
    info = {DiagnosticField.SEVERITY: b"ERROR", DiagnosticField.SEVERITY_NONLOCALIZED: b"ERROR",
            DiagnosticField.SQLSTATE: cls.sqlstate.encode(), DiagnosticField.MESSAGE_PRIMARY: message.encode()}
    return cls(message, info=info)


def _server_errors(cases: dict[str, str]) -> dict[str, BaseException]:
    """``{"ClassName": message}`` -> ``{"ClassName (SQLSTATE)": error}``."""
    errors = {}
    for name, message in cases.items():
        error = _server_error(name, message)
        errors[f"{name} ({getattr(error, 'sqlstate', '?')})"] = error
    return errors


@db_errors.check("serialization failures, deadlocks and lock timeouts are transient", points=2,
                 hint="SQLSTATE 40001 (SerializationFailure), 40P01 (DeadlockDetected) and 55P03 "
                      "(LockNotAvailable): another transaction got in the way, and running yours again from "
                      "the start will work. Compare error.sqlstate with the codes, or use isinstance with "
                      "the psycopg.errors classes.")
def _concurrency(is_transient_db_error: Callable[[BaseException], Any]) -> None:
    _classify(is_transient_db_error, _server_errors({
        "SerializationFailure": "could not serialize access due to concurrent update",
        "DeadlockDetected": "deadlock detected",
        "LockNotAvailable": "canceling statement due to lock timeout",
    }), True)


@db_errors.check("a lost connection and a restarting server are transient", points=1,
                 hint="Every class 08 code (connection exception) is transient, and so are 57P01, 57P02 "
                      "and 57P03 (the server is stopping, restarting or starting up). When the connection "
                      "itself fails, psycopg raises an OperationalError whose sqlstate is None: transient too.")
def _connections(is_transient_db_error: Callable[[BaseException], Any]) -> None:
    import psycopg

    _classify(is_transient_db_error, {
        "OperationalError without SQLSTATE (connection dropped)": psycopg.OperationalError(
            "consuming input failed: server closed the connection unexpectedly\n\tThis probably means the "
            "server terminated abnormally\n\tbefore or while processing the request."),
        "OperationalError without SQLSTATE (could not connect)": psycopg.OperationalError(
            'connection failed: connection to server at "10.0.0.5", port 5432 failed: Connection refused'),
        "ConnectionTimeout (no SQLSTATE)": psycopg.errors.ConnectionTimeout("connection timeout expired"),
        **_server_errors({
            "ConnectionFailure": "could not receive data from client: Connection reset by peer",
            "SqlclientUnableToEstablishSqlconnection": "could not connect to the primary server",
            "AdminShutdown": "terminating connection due to administrator command",
            "CrashShutdown": "terminating connection because of crash of another server process",
            "CannotConnectNow": "the database system is starting up",
        }),
    }, True)


@db_errors.check("broken constraints, bad data and wrong SQL are permanent", points=2,
                 hint="Class 23 (IntegrityError: unique, foreign-key, not-null, check violations), class 22 "
                      "(DataError: invalid input, out of range, division by zero) and class 42 "
                      "(ProgrammingError: undefined table, syntax error, permission denied) fail the same "
                      "way on every attempt. Retrying a unique violation loops until the retries run out.")
def _permanent_db(is_transient_db_error: Callable[[BaseException], Any]) -> None:
    _classify(is_transient_db_error, _server_errors({
        "UniqueViolation": 'duplicate key value violates unique constraint "payments_pkey"',
        "ForeignKeyViolation": 'insert or update on table "payments" violates foreign key constraint '
                               '"payments_merchant_id_fkey"',
        "NotNullViolation": 'null value in column "currency" of relation "payments" violates not-null constraint',
        "CheckViolation": 'new row for relation "payments" violates check constraint "payments_amount_check"',
        "InvalidTextRepresentation": 'invalid input syntax for type integer: "380.50 INR"',
        "NumericValueOutOfRange": "integer out of range",
        "DivisionByZero": "division by zero",
        "UndefinedTable": 'relation "refunds" does not exist',
        "SyntaxError": 'syntax error at or near "FORM"',
        "InsufficientPrivilege": "permission denied for table payments",
    }), False)


@db_errors.check("an OperationalError is not transient for its class alone", points=1,
                 hint="psycopg files serialization failures and deadlocks under OperationalError, next to "
                      "errors that never clear, such as 54000 program_limit_exceeded (a value too big for an "
                      "index) or 55000 object_not_in_prerequisite_state. Match the SQLSTATE codes (only "
                      "55P03 of class 55), not isinstance(error, psycopg.OperationalError).")
def _operational_permanent(is_transient_db_error: Callable[[BaseException], Any]) -> None:
    _classify(is_transient_db_error, _server_errors({
        "ProgramLimitExceeded": 'index row size 2720 exceeds btree version 4 maximum 2704 for index '
                                '"payments_note_idx"',
        "ObjectNotInPrerequisiteState": 'cannot refresh materialized view "public.daily_totals" concurrently',
    }), False)


@db_errors.check("judges by class or SQLSTATE, not by the message", points=1,
                 hint="Messages are translated (lc_messages), reworded between PostgreSQL versions and hold "
                      "your own table and constraint names: 'could not serialize' in str(error) misses the "
                      "same failure reported in German, and 'deadlock' in str(error) retries a unique "
                      "violation on a table called deadlock_reports. Look at error.sqlstate or the "
                      "exception's class.")
def _not_by_message(is_transient_db_error: Callable[[BaseException], Any]) -> None:
    _classify(is_transient_db_error, {
        "DeadlockDetected, server messages in German": _server_error(
            "DeadlockDetected", "Verklemmung (Deadlock) entdeckt"),
        "SerializationFailure, server messages in German": _server_error(
            "SerializationFailure", "konnte Zugriff nicht serialisieren wegen gleichzeitiger Aktualisierung"),
    }, True)
    _classify(is_transient_db_error, _server_errors({
        "UniqueViolation": 'duplicate key value violates unique constraint "deadlock_reports_pkey"',
        "CheckViolation": 'new row for relation "connection_log" violates check constraint '
                          '"connection_log_lost_connection_check"',
    }), False)


@db_errors.check("returns False for errors psycopg did not raise", points=1,
                 hint="Start with isinstance(error, psycopg.Error): other exceptions have no sqlstate "
                      "(reading it raises AttributeError), and they are not database errors. Return False "
                      "for them; is_transient from 04.1 judges network and SQLite errors.")
def _not_psycopg(is_transient_db_error: Callable[[BaseException], Any]) -> None:
    import requests

    _classify(is_transient_db_error, {
        "ValueError": ValueError("invalid literal for int() with base 10: '12,50'"),
        "KeyError": KeyError("merchant_id"),
        "sqlite3.OperationalError('database is locked')": sqlite3.OperationalError("database is locked"),
        "requests.ConnectionError": requests.exceptions.ConnectionError("Connection reset by peer"),
        "TimeoutError": TimeoutError("timed out"),
    }, False)
