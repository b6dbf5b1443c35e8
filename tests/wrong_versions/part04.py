"""Wrong answers for part 04: the mistakes the checks must catch."""

from __future__ import annotations

import functools
import json
import logging
import random
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import requests

from solutions.part04 import (
    TRANSIENT_HTTP_STATUSES,
    TRANSIENT_SQLSTATE_CLASSES,
    TRANSIENT_SQLSTATES,
    DeadLetterQueue,
    backoff_delay,
    is_bad_record,
    is_transient,
    is_transient_db_error,
    to_json_value,
)
from tests.wrong_versions import wrong

# The requirement (in tests/requirements/part04.py's words) that each wrong version violates.
# 04.1
NETWORK_TRANSIENT = "requests' ConnectionError, Timeout and ChunkedEncodingError are transient"
STATUSES_TRANSIENT = "HTTP 429, 500, 502, 503 and 504 are transient"
OTHER_STATUSES_PERMANENT = "every other HTTP status is permanent"
NO_RESPONSE_PERMANENT = "an HTTPError without a response is not transient"
LOCKED_TRANSIENT = "SQLite 'database is locked' is transient"
OTHER_SQLITE_PERMANENT = "other SQLite errors (no such table, IntegrityError) are permanent"
BAD_DATA_PERMANENT = "ValueError, ValidationError, KeyError, FileNotFoundError and PermissionError are permanent"
UNKNOWN_PERMANENT = "anything not known to be transient is permanent"
RETURNS_BOOL = "returns False, not None"
# 04.2
PASSES_THROUGH = "returns the function's result and passes its arguments"
WRAPS = "keeps the wrapped function's name and docstring (functools.wraps)"
SCHEDULE = "before retry k waits base_delay_s * backoff_factor**(k-1)"
CAPPED = "every wait capped at max_delay_s"
JITTER = "with jitter=True each wait is random in [d/2, d] of the capped delay"
NO_JITTER = "no jitter when jitter=False"
REJECTED_AT_ONCE = "an error retry_if rejects is raised after one call, without waiting"
RETRY_IF_DECIDES = "retry_if decides what is retried"
RETRY_IF_DEFAULT = "retry_if defaults to is_transient"
LAST_ERROR_RERAISED = "at most max_attempts calls, then the last original error re-raised"
NO_FINAL_WAIT = "no wait after the last attempt"
WARNING_PER_RETRY = "one WARNING log per retry, naming the error"
INJECTED_SLEEP = "waits by calling the injected sleep"
# 04.3
JSON_LINES = "one JSON object per line with failed_at, error_type, error_message, record and context"
ERROR_FIELDS = "error_type is type(error).__name__ and error_message is str(error)"
EMPTY_CONTEXT = "context is {} when None"
ONE_LINE_EACH = "one line per entry whatever the message holds"
FAILED_AT_UTC = "failed_at is timezone-aware UTC in ISO-8601"
EXACT_VALUES = "records with Decimal and datetime values stored without crashing, exactly"
APPENDS = "appends: a second queue on the same path adds to the file"
CREATES_FOLDER = "creates the folder the file lives in"
ITERATES_OLDEST_FIRST = "iterating yields the stored entries as dicts, oldest first"
ITERATES_EMPTY = "iterating a queue whose file does not exist yet yields nothing"
# 04.4
OK_COUNT = "ok counts exactly the records handle accepted"
BAD_RECORDS_CARRY_ON = ("ValueError, ValidationError, KeyError and sqlite3.IntegrityError: dead-lettered, counted, "
                        "and the run goes on")
SAME_EXCEPTION = "the queue gets the exception itself"
OTHERS_RERAISED = "any other exception: the record dead-lettered, then the same exception re-raised"
STOPS_AT_UNEXPECTED = "no record handled after an unexpected error"
ENVIRONMENT_STOPS = "errors about the environment (network, permissions, a missing table) stop the run"
COUNTS_ADD_UP = "ok + dead_lettered equals the number of records, also from a generator"
# 04.5
DB_CONCURRENCY_TRANSIENT = "serialization failures (40001), deadlocks (40P01) and lock timeouts (55P03) are transient"
DB_CONNECTIONS_TRANSIENT = ("a lost connection (class 08, or an OperationalError without SQLSTATE) and a stopping or "
                            "starting server (57P01, 57P02, 57P03) are transient")
DB_PERMANENT = "integrity errors (class 23), data errors (class 22) and programming errors (class 42) are permanent"
OPERATIONAL_NOT_ENOUGH = "an OperationalError is not transient for its class alone"
NOT_BY_MESSAGE = "judged by class or SQLSTATE, not by the message text"
NOT_PSYCOPG_FALSE = "False for errors that psycopg did not raise"

# ---------------------------------------------------------------- 04.1 is_transient


@wrong("04.1", "built-in ConnectionError and TimeoutError only", catches="network failures are transient",
       requirement=NETWORK_TRANSIENT)
def is_transient_builtins(error: BaseException) -> bool:
    if isinstance(error, requests.HTTPError):
        return error.response is not None and error.response.status_code in TRANSIENT_HTTP_STATUSES
    if isinstance(error, sqlite3.OperationalError):
        return "database is locked" in str(error)
    return isinstance(error, ConnectionError | TimeoutError)


@wrong("04.1", "forgets ChunkedEncodingError", catches="network failures are transient",
       requirement=NETWORK_TRANSIENT)
def is_transient_no_chunked(error: BaseException) -> bool:
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return False
    return is_transient(error)


@wrong("04.1", "every RequestException is transient", catches="other HTTP error statuses are permanent",
       requirement=OTHER_STATUSES_PERMANENT)
def is_transient_any_request_error(error: BaseException) -> bool:
    return isinstance(error, requests.RequestException) or is_transient(error)


@wrong("04.1", "only 500, 502, 503, 504: 429 forgotten", catches="HTTP 429, 500, 502, 503 and 504 are transient",
       requirement=STATUSES_TRANSIENT)
def is_transient_no_429(error: BaseException) -> bool:
    if isinstance(error, requests.HTTPError) and error.response is not None:
        return error.response.status_code in {500, 502, 503, 504}
    return is_transient(error)


@wrong("04.1", "429 or any status >= 500", catches="other HTTP error statuses are permanent",
       requirement=OTHER_STATUSES_PERMANENT)
def is_transient_all_5xx(error: BaseException) -> bool:
    if isinstance(error, requests.HTTPError) and error.response is not None:
        return error.response.status_code == 429 or error.response.status_code >= 500
    return is_transient(error)


@wrong("04.1", "reads error.response.status_code without checking for None",
       catches="an error it does not know is not retried", requirement=NO_RESPONSE_PERMANENT)
def is_transient_no_none_check(error: BaseException) -> bool:
    if isinstance(error, requests.HTTPError):
        return error.response.status_code in TRANSIENT_HTTP_STATUSES  # type: ignore[union-attr]
    return is_transient(error)


@wrong("04.1", "every sqlite3.OperationalError is transient",
       catches="a locked SQLite database is transient, other SQLite errors are not", requirement=OTHER_SQLITE_PERMANENT)
def is_transient_all_operational(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError) or is_transient(error)


@wrong("04.1", "IntegrityError retried", catches="a locked SQLite database is transient, other SQLite errors are not",
       requirement=OTHER_SQLITE_PERMANENT)
def is_transient_integrity(error: BaseException) -> bool:
    return isinstance(error, sqlite3.IntegrityError) or is_transient(error)


@wrong("04.1", "no SQLite case: a locked database is not retried",
       catches="a locked SQLite database is transient, other SQLite errors are not", requirement=LOCKED_TRANSIENT)
def is_transient_no_sqlite(error: BaseException) -> bool:
    return not isinstance(error, sqlite3.Error) and is_transient(error)


@wrong("04.1", "every OSError outside requests is transient (an I/O hiccup)",
       catches="bad data and missing things are permanent", requirement=BAD_DATA_PERMANENT)
def is_transient_oserror(error: BaseException) -> bool:
    if isinstance(error, requests.RequestException):
        return is_transient(error)
    return isinstance(error, OSError) or is_transient(error)


@wrong("04.1", "a list of permanent errors, everything else retried",
       catches="an error it does not know is not retried", requirement=UNKNOWN_PERMANENT)
def is_transient_denylist(error: BaseException) -> bool:
    if isinstance(error, requests.HTTPError):
        return is_transient(error)
    if isinstance(error, sqlite3.Error):
        return is_transient(error)
    return not isinstance(error, ValueError | KeyError | FileNotFoundError | PermissionError)


@wrong("04.1", "returns None for permanent errors", catches="other HTTP error statuses are permanent",
       requirement=RETURNS_BOOL)
def is_transient_none(error: BaseException) -> bool | None:
    return True if is_transient(error) else None


@wrong("04.1", "every requests exception but HTTPError is transient",
       catches="an error it does not know is not retried", requirement=UNKNOWN_PERMANENT)
def is_transient_request_exceptions(error: BaseException) -> bool:
    if isinstance(error, requests.HTTPError):
        return is_transient(error)
    return isinstance(error, requests.RequestException) or is_transient(error)


# ---------------------------------------------------------------- 04.2 with_retry


def _retry(
    *,
    delay_for: Callable[[int, float, float, float, bool], float],
    should_retry: Callable[[BaseException, Callable[[BaseException], bool]], bool] = lambda e, retry_if: retry_if(e),
    give_up: Callable[[BaseException], BaseException] = lambda e: e,
    wraps: bool = True,
    log: bool = True,
    use_injected_sleep: bool = True,
    pass_kwargs: bool = True,
    wait_after_last: bool = False,
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
                        return func(*args, **kwargs) if pass_kwargs else func(*args)
                    except Exception as error:
                        if not should_retry(error, retry_if):
                            raise
                        if attempt == max_attempts:
                            if wait_after_last:
                                sleep(delay_for(attempt, base_delay_s, backoff_factor, max_delay_s, jitter))
                            raise give_up(error) from None
                        delay = delay_for(attempt, base_delay_s, backoff_factor, max_delay_s, jitter)
                        if log:
                            logging.getLogger("wrong").warning("retrying after %r", error)
                        (sleep if use_injected_sleep else time.sleep)(delay)
                raise AssertionError("unreachable")

            return functools.wraps(func)(wrapper) if wraps else wrapper

        return decorator

    return with_retry


def _right_delay(attempt: int, base: float, factor: float, cap: float, jitter: bool) -> float:
    delay = backoff_delay(attempt, base, factor, cap)
    return random.uniform(delay / 2, delay) if jitter else delay


wrong("04.2", "no cap", catches="caps every delay at max_delay_s",
      requirement=CAPPED)(
    _retry(delay_for=lambda a, base, f, cap, j: base * f ** (a - 1) * (random.uniform(0.5, 1) if j else 1))
)
wrong("04.2", "jitter=True ignored", catches="with jitter, each delay is random in [d/2, d]",
      requirement=JITTER)(
    _retry(delay_for=lambda a, base, f, cap, j: backoff_delay(a, base, f, cap))
)
wrong("04.2", "full jitter: uniform(0, d)", catches="with jitter, each delay is random in [d/2, d]",
      requirement=JITTER)(
    _retry(delay_for=lambda a, base, f, cap, j: random.uniform(0, backoff_delay(a, base, f, cap))
           if j else backoff_delay(a, base, f, cap))
)
wrong("04.2", "a seeded generator per decorator: every client in lockstep",
      catches="with jitter, each delay is random in [d/2, d]",
      requirement=JITTER)(
    _retry(delay_for=lambda a, base, f, cap, j: (random.Random(a).uniform(0.5, 1) if j else 1)
           * backoff_delay(a, base, f, cap))
)
wrong("04.2", "jitter even when jitter=False", catches="waits base_delay_s * backoff_factor**(k-1) before retry k",
      requirement=NO_JITTER)(
    _retry(delay_for=lambda a, base, f, cap, j: random.uniform(0.5, 1) * backoff_delay(a, base, f, cap))
)
wrong("04.2", "factor**k instead of factor**(k-1)",
      catches="waits base_delay_s * backoff_factor**(k-1) before retry k",
      requirement=SCHEDULE)(
    _retry(delay_for=lambda a, base, f, cap, j: _right_delay(a + 1, base, f, cap, j))
)
wrong("04.2", "retries a ValueError (catches every Exception)", catches="raises a permanent error after one call",
      requirement=REJECTED_AT_ONCE)(
    _retry(delay_for=_right_delay, should_retry=lambda e, retry_if: True)
)
wrong("04.2", "raises a new RuntimeError after the last attempt",
      catches="re-raises the last original error after the final attempt",
      requirement=LAST_ERROR_RERAISED)(
    _retry(delay_for=_right_delay, give_up=lambda e: RuntimeError(f"gave up after retries: {e}"))
)
wrong("04.2", "no functools.wraps", catches="keeps the wrapped function's name and docstring",
      requirement=WRAPS)(
    _retry(delay_for=_right_delay, wraps=False)
)
wrong("04.2", "no log line per retry", catches="logs a WARNING for each retry",
      requirement=WARNING_PER_RETRY)(
    _retry(delay_for=_right_delay, log=False)
)
wrong("04.2", "calls time.sleep, not the injected sleep", catches="waits through the injected sleep",
      requirement=INJECTED_SLEEP)(
    _retry(delay_for=_right_delay, use_injected_sleep=False)
)
wrong("04.2", "ignores retry_if: its own list of exceptions", catches="retry_if decides what is retried",
      requirement=RETRY_IF_DECIDES)(
    _retry(delay_for=_right_delay,
           should_retry=lambda e, retry_if: isinstance(e, requests.ConnectionError | requests.Timeout))
)


def _cap_after_jitter(attempt: int, base: float, factor: float, cap: float, jitter: bool) -> float:
    delay = base * factor ** (attempt - 1)
    return min(random.uniform(delay / 2, delay) if jitter else delay, cap)


wrong("04.2", "jitter on the uncapped delay, capped afterwards: long waits all exactly max_delay_s",
      catches="with jitter, each delay is random in [d/2, d]",
      requirement=JITTER)(_retry(delay_for=_cap_after_jitter))
wrong("04.2", "calls func(*args): keyword arguments dropped",
      catches="returns the function's result and passes its arguments",
      requirement=PASSES_THROUGH)(_retry(delay_for=_right_delay, pass_kwargs=False))
wrong("04.2", "sleeps once more after the last attempt, then raises",
      catches="waits base_delay_s * backoff_factor**(k-1) before retry k",
      requirement=NO_FINAL_WAIT)(_retry(delay_for=_right_delay, wait_after_last=True))


@wrong("04.2", "waits before asking retry_if: a permanent error costs a sleep",
       catches="raises a permanent error after one call", requirement=REJECTED_AT_ONCE)
def with_retry_waits_first(
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
            for attempt in range(1, max_attempts + 1):
                try:
                    return func(*args, **kwargs)
                except Exception as error:
                    if attempt == max_attempts:
                        raise
                    delay = _right_delay(attempt, base_delay_s, backoff_factor, max_delay_s, jitter)
                    sleep(delay)
                    if not retry_if(error):
                        raise
                    logging.getLogger("wrong").warning("retrying after %r", error)
            raise AssertionError("unreachable")

        return wrapper

    return decorator


@wrong("04.2", "retry_if defaults to retrying everything", catches="retry_if defaults to is_transient",
       requirement=RETRY_IF_DEFAULT)
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
       catches="re-raises the last original error after the final attempt",
       requirement=LAST_ERROR_RERAISED)
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
       catches="stores records holding Decimal and datetime values",
       requirement=EXACT_VALUES)
class DeadLetterQueueNoDefault(_Queue):
    def line(self, record: Any, error: BaseException, context: dict[str, Any] | None) -> str:
        return json.dumps(_entry(record, error, context, self.now()))


@wrong("04.3", "Decimal written as float", catches="stores records holding Decimal and datetime values",
       requirement=EXACT_VALUES)
class DeadLetterQueueFloat(_Queue):
    def line(self, record: Any, error: BaseException, context: dict[str, Any] | None) -> str:
        def default(value: Any) -> Any:
            return float(value) if hasattr(value, "as_tuple") else str(value)

        return json.dumps(_entry(record, error, context, self.now()), default=default)


@wrong("04.3", "datetime.utcnow() (naive)", catches="failed_at is timezone-aware UTC in ISO-8601",
       requirement=FAILED_AT_UTC)
class DeadLetterQueueNaive(_Queue):
    def now(self) -> str:
        return datetime.utcnow().isoformat()


@wrong("04.3", "json.dumps(indent=2): one entry over many lines",
       catches="an error message with newlines still makes one line",
       requirement=ONE_LINE_EACH)
class DeadLetterQueueIndented(_Queue):
    def line(self, record: Any, error: BaseException, context: dict[str, Any] | None) -> str:
        return json.dumps(_entry(record, error, context, self.now()), default=to_json_value, indent=2)


@wrong("04.3", "tab-separated text with the raw message", catches="an error message with newlines still makes one line",
       requirement=ONE_LINE_EACH)
class DeadLetterQueueTabs(_Queue):
    def line(self, record: Any, error: BaseException, context: dict[str, Any] | None) -> str:
        entry = _entry(record, error, context, self.now())
        return "\t".join(str(v) for v in entry.values())


@wrong("04.3", "opens the file with 'w'", catches="appends: earlier entries survive later writes",
       requirement=APPENDS)
class DeadLetterQueueOverwrites(_Queue):
    def write(self, record: Any, error: BaseException, context: dict[str, Any] | None = None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(self.line(record, error, context) + "\n", encoding="utf-8")


@wrong("04.3", "no newline after each entry", catches="writes one JSON line per entry with the agreed fields",
       requirement=JSON_LINES)
class DeadLetterQueueNoNewline(_Queue):
    def write(self, record: Any, error: BaseException, context: dict[str, Any] | None = None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as sink:
            sink.write(self.line(record, error, context))


@wrong("04.3", "reads the file with one json.load", catches="iterating gives back every stored entry, oldest first",
       requirement=ITERATES_OLDEST_FIRST)
class DeadLetterQueueJsonLoad(_Queue):
    def __iter__(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return iter([])
        with self.path.open(encoding="utf-8") as source:
            return iter([json.load(source)])


@wrong("04.3", "no mkdir of the parent folder", catches="creates the folder it writes to",
       requirement=CREATES_FOLDER)
class DeadLetterQueueNoMkdir(_Queue):
    def write(self, record: Any, error: BaseException, context: dict[str, Any] | None = None) -> None:
        with Path(self.path).open("a", encoding="utf-8") as sink:
            sink.write(self.line(record, error, context) + "\n")


@wrong("04.3", "datetime.now().astimezone(): aware, but in the local time zone",
       catches="failed_at is timezone-aware UTC in ISO-8601", requirement=FAILED_AT_UTC)
class DeadLetterQueueLocalTime(_Queue):
    def now(self) -> str:
        return datetime.now().astimezone().isoformat()


@wrong("04.3", "context written as null when None", catches="writes one JSON line per entry with the agreed fields",
       requirement=EMPTY_CONTEXT)
class DeadLetterQueueNullContext(_Queue):
    def line(self, record: Any, error: BaseException, context: dict[str, Any] | None) -> str:
        entry = _entry(record, error, context, self.now()) | {"context": context}
        return json.dumps(entry, default=to_json_value)


@wrong("04.3", "error_type with its module, error_message as repr",
       catches="writes one JSON line per entry with the agreed fields", requirement=ERROR_FIELDS)
class DeadLetterQueueQualifiedType(_Queue):
    def line(self, record: Any, error: BaseException, context: dict[str, Any] | None) -> str:
        kind = type(error)
        entry = _entry(record, error, context, self.now()) | {
            "error_type": f"{kind.__module__}.{kind.__qualname__}", "error_message": repr(error)}
        return json.dumps(entry, default=to_json_value)


@wrong("04.3", "iterates newest first", catches="iterating gives back every stored entry, oldest first",
       requirement=ITERATES_OLDEST_FIRST)
class DeadLetterQueueNewestFirst(_Queue):
    def __iter__(self) -> Iterator[dict[str, Any]]:
        return reversed(list(super().__iter__()))


@wrong("04.3", "iterating opens the file unconditionally: FileNotFoundError before the first write",
       catches="iterating gives back every stored entry, oldest first", requirement=ITERATES_EMPTY)
class DeadLetterQueueMissingFile(_Queue):
    def __iter__(self) -> Iterator[dict[str, Any]]:
        with self.path.open(encoding="utf-8") as source:
            return iter([json.loads(line) for line in source if line.strip()])


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
       catches="unexpected errors are dead-lettered and re-raised",
       requirement=OTHERS_RERAISED)
def process_records_swallows(records: Records, handle: Handle, dlq: Any) -> dict[str, int]:
    return _process(records, handle, dlq, keep_going=lambda error: True)


@wrong("04.4", "re-raises without dead-lettering", catches="unexpected errors are dead-lettered and re-raised",
       requirement=OTHERS_RERAISED)
def process_records_no_dlq_on_raise(records: Records, handle: Handle, dlq: Any) -> dict[str, int]:
    return _process(records, handle, dlq, keep_going=is_bad_record, write_before_raise=False)


@wrong("04.4", "permanent means 'not is_transient'", catches="unexpected errors are dead-lettered and re-raised",
       requirement=OTHERS_RERAISED)
def process_records_not_transient(records: Records, handle: Handle, dlq: Any) -> dict[str, int]:
    return _process(records, handle, dlq, keep_going=lambda error: not is_transient(error))


@wrong("04.4", "PermissionError treated as a bad record", catches="errors that are not about the record stop the run",
       requirement=ENVIRONMENT_STOPS)
def process_records_permission(records: Records, handle: Handle, dlq: Any) -> dict[str, int]:
    return _process(records, handle, dlq,
                    keep_going=lambda error: is_bad_record(error) or isinstance(error, PermissionError))


@wrong("04.4", "only ValueError is a bad record", catches="dead-letters bad records and carries on",
       requirement=BAD_RECORDS_CARRY_ON)
def process_records_value_error_only(records: Records, handle: Handle, dlq: Any) -> dict[str, int]:
    return _process(records, handle, dlq, keep_going=lambda error: isinstance(error, ValueError))


@wrong("04.4", "wraps the error in a new exception", catches="unexpected errors are dead-lettered and re-raised",
       requirement=OTHERS_RERAISED)
def process_records_wraps(records: Records, handle: Handle, dlq: Any) -> dict[str, int]:
    try:
        return _process(records, handle, dlq, keep_going=is_bad_record)
    except Exception as error:
        raise RuntimeError(f"pipeline failed: {error}") from error


@wrong("04.4", "writes the message, not the exception, to the queue", catches="dead-letters bad records and carries on",
       requirement=SAME_EXCEPTION)
def process_records_str_error(records: Records, handle: Handle, dlq: Any) -> dict[str, int]:
    class AsText:
        def write(self, record: Any, error: BaseException, context: Any = None) -> None:
            dlq.write(record, str(error))  # type: ignore[arg-type]

    return _process(records, handle, AsText(), keep_going=is_bad_record)


@wrong("04.4", "len(records): fails on a generator",
       catches="ok + dead_lettered equals the number of records, also from a generator",
       requirement=COUNTS_ADD_UP)
def process_records_len(records: Records, handle: Handle, dlq: Any) -> dict[str, int]:
    total = len(records)  # type: ignore[arg-type]
    counts = _process(records, handle, dlq, keep_going=is_bad_record)
    return {"ok": total - counts["dead_lettered"], "dead_lettered": counts["dead_lettered"]}


@wrong("04.4", "forgets sqlite3.IntegrityError", catches="dead-letters bad records and carries on",
       requirement=BAD_RECORDS_CARRY_ON)
def process_records_no_integrity(records: Records, handle: Handle, dlq: Any) -> dict[str, int]:
    return _process(records, handle, dlq, keep_going=lambda error: isinstance(error, ValueError | KeyError))


@wrong("04.4", "TypeError and AttributeError treated as bad records",
       catches="unexpected errors are dead-lettered and re-raised",
       requirement=OTHERS_RERAISED)
def process_records_type_error(records: Records, handle: Handle, dlq: Any) -> dict[str, int]:
    return _process(records, handle, dlq,
                    keep_going=lambda error: is_bad_record(error) or isinstance(error, TypeError | AttributeError))


@wrong("04.4", "every sqlite3 error treated as a bad record",
       catches="errors that are not about the record stop the run",
       requirement=ENVIRONMENT_STOPS)
def process_records_any_sqlite_error(records: Records, handle: Handle, dlq: Any) -> dict[str, int]:
    return _process(records, handle, dlq,
                    keep_going=lambda error: isinstance(error, ValueError | KeyError | sqlite3.Error))


@wrong("04.4", "keeps going after an unexpected error and raises it at the end",
       catches="unexpected errors are dead-lettered and re-raised", requirement=STOPS_AT_UNEXPECTED)
def process_records_raises_at_end(records: Records, handle: Handle, dlq: Any) -> dict[str, int]:
    counts = {"ok": 0, "dead_lettered": 0}
    first_unexpected: Exception | None = None
    for record in records:
        try:
            handle(record)
        except Exception as error:
            dlq.write(record, error)
            counts["dead_lettered"] += 1
            if not is_bad_record(error) and first_unexpected is None:
                first_unexpected = error
        else:
            counts["ok"] += 1
    if first_unexpected is not None:
        raise first_unexpected
    return counts


@wrong("04.4", "counts ok before handle runs: a failed record is ok too",
       catches="dead-letters bad records and carries on",
       requirement=OK_COUNT)
def process_records_ok_first(records: Records, handle: Handle, dlq: Any) -> dict[str, int]:
    counts = {"ok": 0, "dead_lettered": 0}
    for record in records:
        counts["ok"] += 1
        try:
            handle(record)
        except Exception as error:
            dlq.write(record, error)
            counts["dead_lettered"] += 1
            if not is_bad_record(error):
                raise
    return counts


# ---------------------------------------------------------------- 04.5 is_transient_db_error



def _by_sqlstate(error: BaseException, codes: frozenset[str], classes: frozenset[str] = frozenset({"08"}),
                 *, no_sqlstate: bool = True) -> bool:
    """The reference's rule with its tables replaced: what a learner's slip changes."""
    if not isinstance(error, psycopg.Error):
        return False
    if error.sqlstate is None:
        return no_sqlstate and isinstance(error, psycopg.OperationalError)
    return error.sqlstate in codes or error.sqlstate[:2] in classes


@wrong("04.5", "only SerializationFailure: deadlocks forgotten",
       catches="serialization failures, deadlocks and lock timeouts are transient",
       requirement=DB_CONCURRENCY_TRANSIENT)
def is_transient_db_error_no_deadlock(error: BaseException) -> bool:
    return _by_sqlstate(error, TRANSIENT_SQLSTATES - {"40P01"})


@wrong("04.5", "deadlock compared with 40002, not 40P01",
       catches="serialization failures, deadlocks and lock timeouts are transient",
       requirement=DB_CONCURRENCY_TRANSIENT)
def is_transient_db_error_wrong_code(error: BaseException) -> bool:
    return _by_sqlstate(error, TRANSIENT_SQLSTATES - {"40P01"} | {"40002"})


@wrong("04.5", "lock_not_available (55P03) forgotten",
       catches="serialization failures, deadlocks and lock timeouts are transient",
       requirement=DB_CONCURRENCY_TRANSIENT)
def is_transient_db_error_no_lock_timeout(error: BaseException) -> bool:
    return _by_sqlstate(error, TRANSIENT_SQLSTATES - {"55P03"})


@wrong("04.5", "SQLSTATE only: a dropped connection (no SQLSTATE) is not retried",
       catches="a lost connection and a restarting server are transient", requirement=DB_CONNECTIONS_TRANSIENT)
def is_transient_db_error_needs_sqlstate(error: BaseException) -> bool:
    return _by_sqlstate(error, TRANSIENT_SQLSTATES, no_sqlstate=False)


@wrong("04.5", "only 08006 of the connection exceptions",
       catches="a lost connection and a restarting server are transient", requirement=DB_CONNECTIONS_TRANSIENT)
def is_transient_db_error_one_connection_code(error: BaseException) -> bool:
    return _by_sqlstate(error, TRANSIENT_SQLSTATES | {"08006"}, classes=frozenset())


@wrong("04.5", "server shutdown and start-up (57P01, 57P02, 57P03) forgotten",
       catches="a lost connection and a restarting server are transient", requirement=DB_CONNECTIONS_TRANSIENT)
def is_transient_db_error_no_shutdown(error: BaseException) -> bool:
    return _by_sqlstate(error, TRANSIENT_SQLSTATES - {"57P01", "57P02", "57P03"})


@wrong("04.5", "IntegrityError treated as transient",
       catches="broken constraints, bad data and wrong SQL are permanent", requirement=DB_PERMANENT)
def is_transient_db_error_integrity(error: BaseException) -> bool:
    return isinstance(error, psycopg.IntegrityError) or is_transient_db_error(error)


@wrong("04.5", "every psycopg.Error is transient",
       catches="broken constraints, bad data and wrong SQL are permanent", requirement=DB_PERMANENT)
def is_transient_db_error_any_psycopg(error: BaseException) -> bool:
    return isinstance(error, psycopg.Error)


@wrong("04.5", "every OperationalError is transient (SerializationFailure and DeadlockDetected are ones)",
       catches="an OperationalError is not transient for its class alone",
       requirement=OPERATIONAL_NOT_ENOUGH)
def is_transient_db_error_operational(error: BaseException) -> bool:
    return isinstance(error, psycopg.OperationalError)


@wrong("04.5", "matches the message text ('deadlock' in str(error), ...)",
       catches="judges by class or SQLSTATE, not by the message",
       requirement=NOT_BY_MESSAGE)
def is_transient_db_error_by_message(error: BaseException) -> bool:
    if not isinstance(error, psycopg.Error):
        return False
    message = str(error).lower()
    return any(words in message for words in (
        "could not serialize", "deadlock", "lock timeout", "could not obtain lock", "connection", "could not connect",
        "database system is starting up", "database system is shutting down", "timeout expired",
    ))


@wrong("04.5", "reads error.sqlstate on any exception: AttributeError for ValueError",
       catches="returns False for errors psycopg did not raise",
       requirement=NOT_PSYCOPG_FALSE)
def is_transient_db_error_sqlstate_everywhere(error: BaseException) -> bool:
    sqlstate = error.sqlstate  # type: ignore[attr-defined]
    if sqlstate is None:
        return isinstance(error, psycopg.OperationalError)
    return sqlstate in TRANSIENT_SQLSTATES or sqlstate[:2] in TRANSIENT_SQLSTATE_CLASSES


@wrong("04.5", "hands other errors to is_transient (04.1) instead of returning False",
       catches="returns False for errors psycopg did not raise",
       requirement=NOT_PSYCOPG_FALSE)
def is_transient_db_error_defers(error: BaseException) -> bool:
    return is_transient_db_error(error) if isinstance(error, psycopg.Error) else is_transient(error)
