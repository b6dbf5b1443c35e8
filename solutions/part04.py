"""Part 04 — Errors and retries: reference solutions."""

# %% [04.1]
import sqlite3

import requests

# 429: the server asks us to slow down. 500/502/503/504: the server, or a proxy in
# front of it, had a bad moment. Every other status means the request itself is wrong.
TRANSIENT_HTTP_STATUSES = frozenset({429, 500, 502, 503, 504})

# The transport failed before an answer arrived: the same request may well succeed.
# requests' ConnectionError and Timeout are not the built-in ConnectionError and
# TimeoutError, so both families are listed.
TRANSIENT_TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    ConnectionError,
    TimeoutError,
)


def is_transient(error: BaseException) -> bool:
    """True when the same call may succeed later; False when retrying cannot help.

    Anything not known to be transient is treated as permanent: retrying an error
    nobody understood hides a bug and multiplies its cost.
    """
    if isinstance(error, requests.exceptions.HTTPError):
        response = error.response
        return response is not None and response.status_code in TRANSIENT_HTTP_STATUSES
    if isinstance(error, TRANSIENT_TRANSPORT_ERRORS):
        return True
    if isinstance(error, sqlite3.OperationalError):
        # Another writer holds the lock (SQLITE_BUSY). Other operational errors,
        # such as "no such table", fail the same way every time.
        return "database is locked" in str(error)
    return False


# %% [04.2]
import functools
import logging
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

# `is_transient` is exercise 04.1's function: the cell above defines it.

P = ParamSpec("P")
R = TypeVar("R")

logger = logging.getLogger(__name__)


def backoff_delay(retry: int, base_delay_s: float, backoff_factor: float, max_delay_s: float) -> float:
    """Seconds to wait before retry number ``retry`` (1, 2, ...): base * factor**(retry-1), capped."""
    return min(base_delay_s * backoff_factor ** (retry - 1), max_delay_s)


def with_jitter(delay_s: float) -> float:
    """A random delay in [delay/2, delay]: clients that failed together retry apart."""
    return random.uniform(delay_s / 2, delay_s)


def with_retry(
    max_attempts: int = 5,
    base_delay_s: float = 1.0,
    max_delay_s: float = 60.0,
    backoff_factor: float = 2.0,
    jitter: bool = True,
    retry_if: Callable[[BaseException], bool] = is_transient,
    sleep: Callable[[float], object] = time.sleep,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Retry the decorated function on errors that ``retry_if`` calls transient.

    At most ``max_attempts`` calls. Before retry k the wrapper waits
    ``min(base_delay_s * backoff_factor**(k-1), max_delay_s)`` seconds, or with
    ``jitter`` a random time between half that and that. An error ``retry_if``
    rejects is raised at once; after the last attempt the last error is raised
    unchanged, traceback and all.
    """
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")

    def decorator(func: Callable[P, R]) -> Callable[P, R]:
        name = getattr(func, "__qualname__", repr(func))

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            attempt = 1
            while True:
                try:
                    return func(*args, **kwargs)
                except Exception as error:
                    if attempt >= max_attempts or not retry_if(error):
                        raise
                    delay = backoff_delay(attempt, base_delay_s, backoff_factor, max_delay_s)
                    if jitter:
                        delay = with_jitter(delay)
                    logger.warning(
                        "%s failed on attempt %d of %d with %s: %s; retrying in %.2f s",
                        name, attempt, max_attempts, type(error).__name__, error, delay,
                    )
                    sleep(delay)
                    attempt += 1

        return wrapper

    return decorator


# %% [04.3]
import dataclasses
import json
import logging
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


def to_json_value(value: Any) -> Any:
    """What ``json.dumps`` cannot encode itself, as something it can, losing nothing.

    Decimals become strings (a float would round ``12345678901234567.89``), dates and
    times ISO-8601 strings; anything unknown becomes its ``repr``, because a dead
    letter queue that crashes on an odd record loses exactly the record it exists for.
    """
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="backslashreplace")
    if isinstance(value, Path):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if hasattr(value, "model_dump"):  # a pydantic model
        return value.model_dump(mode="json")
    return repr(value)


class DeadLetterQueue:
    """Failed records with the reason they failed, one JSON object per line (NDJSON).

    Appending a line is cheap and never rewrites earlier entries, so the queue can
    grow during a run and be read, fixed and replayed afterwards.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def write(self, record: Any, error: BaseException, context: Mapping[str, Any] | None = None) -> None:
        """Append one entry: when, which error, the record as it was, and context."""
        entry = {
            "failed_at": datetime.now(UTC).isoformat(),
            "error_type": type(error).__name__,
            "error_message": str(error),
            "record": record,
            "context": dict(context or {}),
        }
        # json.dumps escapes newlines inside strings, so an entry is always one line.
        line = json.dumps(entry, default=to_json_value, ensure_ascii=False)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as sink:
            sink.write(line + "\n")
        logger.warning("dead-lettered a record after %s: %s", entry["error_type"], entry["error_message"])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """The stored entries, oldest first; none when nothing has failed yet."""
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as source:
            for line in source:
                if line.strip():
                    yield json.loads(line)


# %% [04.4]
import logging
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

# `is_transient` (04.1) and `DeadLetterQueue` (04.3) come from the cells above.

logger = logging.getLogger(__name__)

# Errors that say "this record is bad": the record goes to the dead letter queue and
# the run carries on. pydantic's ValidationError and json's JSONDecodeError are
# ValueErrors. Anything else (a TypeError from a bug in `handle`, a PermissionError,
# a network error that outlived its retries) would hit the next record too: stop.
RECORD_ERRORS: tuple[type[Exception], ...] = (ValueError, KeyError, sqlite3.IntegrityError)


def is_bad_record(error: BaseException) -> bool:
    """True for a permanent error caused by the record itself (see RECORD_ERRORS)."""
    return isinstance(error, RECORD_ERRORS) and not is_transient(error)


def process_records(records: Iterable[Any], handle: Callable[[Any], object], dlq: DeadLetterQueue) -> dict[str, int]:
    """Hand every record to ``handle``; bad records go to ``dlq`` and the run goes on.

    An unexpected error is dead-lettered too (so the record that stopped the run is
    on file) and then re-raised unchanged. On success ``ok + dead_lettered`` equals
    the number of records.
    """
    counts = {"ok": 0, "dead_lettered": 0}
    for position, record in enumerate(records):
        try:
            handle(record)
        except Exception as error:
            dlq.write(record, error, context={"position": position})
            counts["dead_lettered"] += 1
            if not is_bad_record(error):
                logger.error("stopping at record %d: unexpected %s", position, type(error).__name__)
                raise
        else:
            counts["ok"] += 1
    return counts


# %% [04.5]
import psycopg

# SQLSTATEs after which running the same transaction again, from its start, may succeed.
TRANSIENT_SQLSTATES = frozenset({
    "40001",  # serialization_failure: a concurrent transaction changed what yours read
    "40P01",  # deadlock_detected: PostgreSQL rolled yours back to break a lock cycle
    "55P03",  # lock_not_available: lock_timeout or NOWAIT gave up; the holder will finish
    "57P01",  # admin_shutdown: the server is being stopped or restarted
    "57P02",  # crash_shutdown: another server process crashed; the server is restarting
    "57P03",  # cannot_connect_now: the server is starting up
})
# Class 08, connection exceptions: the connection broke, not the statement.
TRANSIENT_SQLSTATE_CLASSES = frozenset({"08"})


def is_transient_db_error(error: BaseException) -> bool:
    """True when running the transaction again may succeed; False when it cannot help.

    Judged by SQLSTATE, the code PostgreSQL attaches to every error, never by the
    message: messages are translated, reworded between versions and full of your own
    table and constraint names. psycopg raises an ``OperationalError`` without a
    SQLSTATE when the connection itself failed (the server went away, the network
    dropped, connecting timed out): transient. Errors that psycopg did not raise are
    not database errors: False (``is_transient`` from 04.1 judges those).
    """
    if not isinstance(error, psycopg.Error):
        return False
    sqlstate = error.sqlstate
    if sqlstate is None:
        return isinstance(error, psycopg.OperationalError)
    return sqlstate in TRANSIENT_SQLSTATES or sqlstate[:2] in TRANSIENT_SQLSTATE_CLASSES
