"""Wrong answers for part 04: the mistakes the checks must catch."""

from __future__ import annotations

import functools
import json
import random
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from solutions.part04 import (
    TRANSIENT_HTTP_STATUSES,
    DeadLetterQueue,
    backoff_delay,
    is_bad_record,
    is_transient,
    to_json_value,
)
from tests.wrong_versions import wrong

# ---------------------------------------------------------------- 04.1 is_transient


@wrong("04.1", "built-in ConnectionError and TimeoutError only", catches="network failures are transient")
def is_transient_builtins(error: BaseException) -> bool:
    if isinstance(error, requests.HTTPError):
        return error.response is not None and error.response.status_code in TRANSIENT_HTTP_STATUSES
    if isinstance(error, sqlite3.OperationalError):
        return "database is locked" in str(error)
    return isinstance(error, ConnectionError | TimeoutError)


@wrong("04.1", "forgets ChunkedEncodingError", catches="network failures are transient")
def is_transient_no_chunked(error: BaseException) -> bool:
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return False
    return is_transient(error)


@wrong("04.1", "every RequestException is transient", catches="other HTTP 4xx errors are permanent")
def is_transient_any_request_error(error: BaseException) -> bool:
    return isinstance(error, requests.RequestException) or is_transient(error)


@wrong("04.1", "only 5xx, not 429", catches="HTTP 429, 500, 502, 503 and 504 are transient")
def is_transient_no_429(error: BaseException) -> bool:
    if isinstance(error, requests.HTTPError) and error.response is not None:
        return error.response.status_code >= 500
    return is_transient(error)


@wrong("04.1", "every sqlite3.OperationalError is transient",
       catches="a locked SQLite database is transient, other SQLite errors are not")
def is_transient_all_operational(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError) or is_transient(error)


@wrong("04.1", "IntegrityError retried", catches="a locked SQLite database is transient, other SQLite errors are not")
def is_transient_integrity(error: BaseException) -> bool:
    return isinstance(error, sqlite3.IntegrityError) or is_transient(error)


@wrong("04.1", "every OSError is transient", catches="bad data and missing things are permanent")
def is_transient_oserror(error: BaseException) -> bool:
    if isinstance(error, requests.HTTPError):
        return is_transient(error)
    return isinstance(error, OSError) or is_transient(error)


@wrong("04.1", "a list of permanent errors, everything else retried",
       catches="an error it does not know is not retried")
def is_transient_denylist(error: BaseException) -> bool:
    if isinstance(error, requests.HTTPError):
        return is_transient(error)
    if isinstance(error, sqlite3.Error):
        return is_transient(error)
    return not isinstance(error, ValueError | KeyError | FileNotFoundError | PermissionError)


@wrong("04.1", "returns None for permanent errors", catches="other HTTP 4xx errors are permanent")
def is_transient_none(error: BaseException) -> bool | None:
    return True if is_transient(error) else None


# ---------------------------------------------------------------- 04.2 with_retry


def _retry(
    *,
    delay_for: Callable[[int, float, float, float, bool], float],
    should_retry: Callable[[BaseException, Callable[[BaseException], bool]], bool] = lambda e, retry_if: retry_if(e),
    give_up: Callable[[BaseException], BaseException] = lambda e: e,
    wraps: bool = True,
    log: bool = True,
    use_injected_sleep: bool = True,
) -> Callable[..., Any]:
    """A with_retry whose parts can each be made wrong."""

    def with_retry(
        max_attempts: int = 5,
        base_delay_s: float = 1.0,
        max_delay_s: float = 60.0,
        backoff_factor: float = 2.0,
        jitter: bool = True,
        retry_if: Callable[[BaseException], bool] = is_transient,
        sleep: Callable[[float], object] = time.sleep,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                for attempt in range(1, max_attempts + 1):
                    try:
                        return func(*args, **kwargs)
                    except Exception as error:
                        if not should_retry(error, retry_if):
                            raise
                        if attempt == max_attempts:
                            raise give_up(error) from None
                        delay = delay_for(attempt, base_delay_s, backoff_factor, max_delay_s, jitter)
                        if log:
                            import logging

                            logging.getLogger("wrong").warning("retrying after %r", error)
                        (sleep if use_injected_sleep else time.sleep)(delay)
                raise AssertionError("unreachable")

            return functools.wraps(func)(wrapper) if wraps else wrapper

        return decorator

    return with_retry


def _right_delay(attempt: int, base: float, factor: float, cap: float, jitter: bool) -> float:
    delay = backoff_delay(attempt, base, factor, cap)
    return random.uniform(delay / 2, delay) if jitter else delay


wrong("04.2", "no cap", catches="caps every delay at max_delay_s")(
    _retry(delay_for=lambda a, base, f, cap, j: base * f ** (a - 1) * (random.uniform(0.5, 1) if j else 1))
)
wrong("04.2", "jitter=True ignored", catches="with jitter, each delay is random in [d/2, d]")(
    _retry(delay_for=lambda a, base, f, cap, j: backoff_delay(a, base, f, cap))
)
wrong("04.2", "full jitter: uniform(0, d)", catches="with jitter, each delay is random in [d/2, d]")(
    _retry(delay_for=lambda a, base, f, cap, j: random.uniform(0, backoff_delay(a, base, f, cap))
           if j else backoff_delay(a, base, f, cap))
)
wrong("04.2", "a seeded generator per decorator: every client in lockstep",
      catches="with jitter, each delay is random in [d/2, d]")(
    _retry(delay_for=lambda a, base, f, cap, j: (random.Random(a).uniform(0.5, 1) if j else 1)
           * backoff_delay(a, base, f, cap))
)
wrong("04.2", "jitter even when jitter=False", catches="waits base_delay_s * backoff_factor**(k-1) before retry k")(
    _retry(delay_for=lambda a, base, f, cap, j: random.uniform(0.5, 1) * backoff_delay(a, base, f, cap))
)
wrong("04.2", "factor**k instead of factor**(k-1)",
      catches="waits base_delay_s * backoff_factor**(k-1) before retry k")(
    _retry(delay_for=lambda a, base, f, cap, j: _right_delay(a + 1, base, f, cap, j))
)
wrong("04.2", "retries a ValueError (catches every Exception)", catches="raises a permanent error after one call")(
    _retry(delay_for=_right_delay, should_retry=lambda e, retry_if: True)
)
wrong("04.2", "raises a new RuntimeError after the last attempt",
      catches="re-raises the last original error after the final attempt")(
    _retry(delay_for=_right_delay, give_up=lambda e: RuntimeError(f"gave up after retries: {e}"))
)
wrong("04.2", "no functools.wraps", catches="keeps the wrapped function's name and docstring")(
    _retry(delay_for=_right_delay, wraps=False)
)
wrong("04.2", "no log line per retry", catches="logs a WARNING for each retry")(
    _retry(delay_for=_right_delay, log=False)
)
wrong("04.2", "calls time.sleep, not the injected sleep", catches="waits through the injected sleep")(
    _retry(delay_for=_right_delay, use_injected_sleep=False)
)
wrong("04.2", "ignores retry_if: its own list of exceptions", catches="retry_if decides what is retried")(
    _retry(delay_for=_right_delay,
           should_retry=lambda e, retry_if: isinstance(e, requests.ConnectionError | requests.Timeout))
)


@wrong("04.2", "retry_if defaults to retrying everything", catches="retry_if defaults to is_transient")
def with_retry_retries_all_by_default(
    max_attempts: int = 5,
    base_delay_s: float = 1.0,
    max_delay_s: float = 60.0,
    backoff_factor: float = 2.0,
    jitter: bool = True,
    retry_if: Callable[[BaseException], bool] = lambda error: True,
    sleep: Callable[[float], object] = time.sleep,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return _retry(delay_for=_right_delay)(
        max_attempts, base_delay_s, max_delay_s, backoff_factor, jitter, retry_if, sleep
    )


@wrong("04.2", "sleeps after the last attempt too (and calls once more)",
       catches="re-raises the last original error after the final attempt")
def with_retry_one_too_many(
    max_attempts: int = 5,
    base_delay_s: float = 1.0,
    max_delay_s: float = 60.0,
    backoff_factor: float = 2.0,
    jitter: bool = True,
    retry_if: Callable[[BaseException], bool] = is_transient,
    sleep: Callable[[float], object] = time.sleep,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            attempt = 0
            while True:
                try:
                    return func(*args, **kwargs)
                except Exception as error:
                    if not retry_if(error) or attempt > max_attempts - 1:
                        raise
                    attempt += 1
                    sleep(_right_delay(attempt, base_delay_s, backoff_factor, max_delay_s, jitter))

        return wrapper

    return decorator


# ---------------------------------------------------------------- 04.3 DeadLetterQueue


def _entry(record: Any, error: BaseException, context: dict[str, Any] | None, failed_at: str) -> dict[str, Any]:
    return {"failed_at": failed_at, "error_type": type(error).__name__, "error_message": str(error),
            "record": record, "context": context or {}}


class _Queue(DeadLetterQueue):
    """The reference with one step replaced by the subclass."""

    def line(self, record: Any, error: BaseException, context: dict[str, Any] | None) -> str:
        return json.dumps(_entry(record, error, context, self.now()), default=to_json_value)

    def now(self) -> str:
        from datetime import UTC

        return datetime.now(UTC).isoformat()

    def write(self, record: Any, error: BaseException, context: dict[str, Any] | None = None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as sink:
            sink.write(self.line(record, error, context) + "\n")


@wrong("04.3", "json.dumps without default= (TypeError on Decimal)",
       catches="stores records holding Decimal and datetime values")
class DeadLetterQueueNoDefault(_Queue):
    def line(self, record: Any, error: BaseException, context: dict[str, Any] | None) -> str:
        return json.dumps(_entry(record, error, context, self.now()))


@wrong("04.3", "Decimal written as float", catches="stores records holding Decimal and datetime values")
class DeadLetterQueueFloat(_Queue):
    def line(self, record: Any, error: BaseException, context: dict[str, Any] | None) -> str:
        def default(value: Any) -> Any:
            return float(value) if hasattr(value, "as_tuple") else str(value)

        return json.dumps(_entry(record, error, context, self.now()), default=default)


@wrong("04.3", "datetime.utcnow() (naive)", catches="failed_at is timezone-aware UTC in ISO-8601")
class DeadLetterQueueNaive(_Queue):
    def now(self) -> str:
        return datetime.utcnow().isoformat()


@wrong("04.3", "json.dumps(indent=2): one entry over many lines",
       catches="an error message with newlines still makes one line")
class DeadLetterQueueIndented(_Queue):
    def line(self, record: Any, error: BaseException, context: dict[str, Any] | None) -> str:
        return json.dumps(_entry(record, error, context, self.now()), default=to_json_value, indent=2)


@wrong("04.3", "tab-separated text with the raw message", catches="an error message with newlines still makes one line")
class DeadLetterQueueTabs(_Queue):
    def line(self, record: Any, error: BaseException, context: dict[str, Any] | None) -> str:
        entry = _entry(record, error, context, self.now())
        return "\t".join(str(v) for v in entry.values())


@wrong("04.3", "opens the file with 'w'", catches="appends: earlier entries survive later writes")
class DeadLetterQueueOverwrites(_Queue):
    def write(self, record: Any, error: BaseException, context: dict[str, Any] | None = None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(self.line(record, error, context) + "\n", encoding="utf-8")


@wrong("04.3", "no newline after each entry", catches="writes one JSON line per entry with the agreed fields")
class DeadLetterQueueNoNewline(_Queue):
    def write(self, record: Any, error: BaseException, context: dict[str, Any] | None = None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as sink:
            sink.write(self.line(record, error, context))


@wrong("04.3", "reads the file with one json.load", catches="iterating gives back every stored entry, oldest first")
class DeadLetterQueueJsonLoad(_Queue):
    def __iter__(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return iter([])
        with self.path.open(encoding="utf-8") as source:
            return iter([json.load(source)])


@wrong("04.3", "no mkdir of the parent folder", catches="creates the folder it writes to")
class DeadLetterQueueNoMkdir(_Queue):
    def write(self, record: Any, error: BaseException, context: dict[str, Any] | None = None) -> None:
        with Path(self.path).open("a", encoding="utf-8") as sink:
            sink.write(self.line(record, error, context) + "\n")


# ---------------------------------------------------------------- 04.4 process_records

Records = Iterable[Any]
Handle = Callable[[Any], object]


def _process(
    records: Iterable[Any], handle: Callable[[Any], object], dlq: Any, *,
    keep_going: Callable[[BaseException], bool], write_before_raise: bool = True,
) -> dict[str, int]:
    counts = {"ok": 0, "dead_lettered": 0}
    for record in records:
        try:
            handle(record)
        except Exception as error:
            if keep_going(error):
                dlq.write(record, error)
                counts["dead_lettered"] += 1
                continue
            if write_before_raise:
                dlq.write(record, error)
            raise
        counts["ok"] += 1
    return counts


@wrong("04.4", "except Exception: dead-letter and continue, whatever the error",
       catches="unexpected errors are dead-lettered and re-raised")
def process_records_swallows(records: Records, handle: Handle, dlq: Any) -> dict[str, int]:
    return _process(records, handle, dlq, keep_going=lambda error: True)


@wrong("04.4", "re-raises without dead-lettering", catches="unexpected errors are dead-lettered and re-raised")
def process_records_no_dlq_on_raise(records: Records, handle: Handle, dlq: Any) -> dict[str, int]:
    return _process(records, handle, dlq, keep_going=is_bad_record, write_before_raise=False)


@wrong("04.4", "permanent means 'not is_transient'", catches="unexpected errors are dead-lettered and re-raised")
def process_records_not_transient(records: Records, handle: Handle, dlq: Any) -> dict[str, int]:
    return _process(records, handle, dlq, keep_going=lambda error: not is_transient(error))


@wrong("04.4", "PermissionError treated as a bad record", catches="errors that are not about the record stop the run")
def process_records_permission(records: Records, handle: Handle, dlq: Any) -> dict[str, int]:
    return _process(records, handle, dlq,
                    keep_going=lambda error: is_bad_record(error) or isinstance(error, PermissionError))


@wrong("04.4", "only ValueError is a bad record", catches="dead-letters bad records and carries on")
def process_records_value_error_only(records: Records, handle: Handle, dlq: Any) -> dict[str, int]:
    return _process(records, handle, dlq, keep_going=lambda error: isinstance(error, ValueError))


@wrong("04.4", "wraps the error in a new exception", catches="unexpected errors are dead-lettered and re-raised")
def process_records_wraps(records: Records, handle: Handle, dlq: Any) -> dict[str, int]:
    try:
        return _process(records, handle, dlq, keep_going=is_bad_record)
    except Exception as error:
        raise RuntimeError(f"pipeline failed: {error}") from error


@wrong("04.4", "writes the message, not the exception, to the queue", catches="dead-letters bad records and carries on")
def process_records_str_error(records: Records, handle: Handle, dlq: Any) -> dict[str, int]:
    class AsText:
        def write(self, record: Any, error: BaseException, context: Any = None) -> None:
            dlq.write(record, str(error))  # type: ignore[arg-type]

    return _process(records, handle, AsText(), keep_going=is_bad_record)


@wrong("04.4", "len(records): fails on a generator",
       catches="ok + dead_lettered equals the number of records, also from a generator")
def process_records_len(records: Records, handle: Handle, dlq: Any) -> dict[str, int]:
    total = len(records)  # type: ignore[arg-type]
    counts = _process(records, handle, dlq, keep_going=is_bad_record)
    return {"ok": total - counts["dead_lettered"], "dead_lettered": counts["dead_lettered"]}
