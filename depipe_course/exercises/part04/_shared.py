"""What two or more of part 04's exercises use: real exceptions and captured logs.

The exceptions are built for real (an ``HTTPError`` raised by ``raise_for_status`` on a
real ``requests.Response``, a "database is locked" from two real SQLite connections, a
pydantic ``ValidationError`` from a real model), because learner code may look at
attributes a hand-made instance lacks (``response.status_code``, ``sqlite_errorname``).
Log records are captured on the root logger while a check runs, so nothing reaches the
notebook's stderr.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from depipe_course.checking import fail


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


def _classify(is_transient: Callable[[BaseException], Any], cases: dict[str, BaseException],
              expected: bool, *, hint: str | None = None) -> None:
    seen = {label: is_transient(error) for label, error in cases.items()}
    wrong = {label: result for label, result in seen.items() if result != expected}
    if wrong:
        fail(f"{len(wrong)} of {len(cases)} errors classified wrongly",
             expected={label: expected for label in wrong}, seen=wrong, hint=hint)


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


def _raised(fn: Callable[[], Any]) -> BaseException | None:
    """The exception ``fn()`` raises, or None. NotImplementedError passes through."""
    try:
        fn()
    except NotImplementedError:
        raise
    except Exception as exc:
        return exc
    return None
