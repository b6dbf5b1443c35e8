"""What two or more of part 06's exercises use.

Captured WARNING logs, an endless counted source for the laziness checks, the peak
memory of a call and the files it opens, a stub's ``NotImplementedError`` let through,
and the course's ``orders`` table in a fresh SQLite file.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import itertools
import logging
import os
import re
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from depipe_course.checking import fail

_STANDARD_RECORD_KEYS = frozenset(
    logging.LogRecord("x", logging.INFO, "x", 1, "x", None, None).__dict__
) | {"message", "asctime", "taskName"}


class _LogCapture(logging.Handler):
    """Collects WARNING-and-above records while a check runs (or only counts them)."""

    def __init__(self, keep: bool) -> None:
        super().__init__(logging.WARNING)
        self.keep = keep
        self.count = 0
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if self.keep:
            self.records.append(record)

    def mentions(self, value: object) -> bool:
        """Some captured record names ``value`` in its message or in an ``extra=`` field."""
        pattern = re.compile(rf"(?<![\w.]){re.escape(str(value))}(?![\w.])")
        for record in self.records:
            if pattern.search(record.getMessage()):
                return True
            extras = (v for k, v in record.__dict__.items() if k not in _STANDARD_RECORD_KEYS)
            if any(v == value or pattern.search(str(v)) for v in extras):
                return True
        return False


@contextlib.contextmanager
def _captured_logs(keep: bool = True) -> Iterator[_LogCapture]:
    """Route log records to a capture instead of the notebook's stderr, then restore."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    capture = _LogCapture(keep)
    root.handlers = [capture]
    root.setLevel(logging.WARNING)
    try:
        yield capture
    finally:
        root.handlers = saved_handlers
        root.setLevel(saved_level)


class _Pulled:
    """An endless source of copies of ``record`` that counts how many were taken.

    Laziness checks pull one item downstream and look at the count. An eager stage
    would read forever, so the source gives up after ``limit`` items.
    """

    class TooMany(Exception):
        pass

    def __init__(self, record: dict[str, Any] | None = None, limit: int = 5_000) -> None:
        self.record = record
        self.limit = limit
        self.count = 0

    def __iter__(self) -> Iterator[Any]:
        while True:
            if self.count >= self.limit:
                raise _Pulled.TooMany(f"pulled {self.limit:,} items without yielding one")
            self.count += 1
            yield dict(self.record) if self.record is not None else self.count


def _first_from(stage: Callable[..., Iterable[Any]], source: _Pulled, *args: Any) -> Any:
    """``next(stage(source))``, failing clearly when the stage is not lazy."""
    try:
        out = stage(iter(source), *args)
        return next(iter(out))
    except _Pulled.TooMany:
        fail("the stage tried to read its whole (endless) input before yielding anything",
             expected="the first result after pulling only what it needs",
             seen=f"more than {source.limit:,} items pulled")
    except StopIteration:
        fail("the stage yielded nothing from an endless stream of valid input",
             expected="a first item", seen="StopIteration")


def _take(iterable: Iterable[Any], cap: int) -> list[Any]:
    """At most ``cap`` items, so a stage that never stops cannot hang a check."""
    return list(itertools.islice(iterable, cap))


def _peak_bytes(fn: Callable[[], Any]) -> int:
    """Peak traced bytes while ``fn()`` runs; leaves tracemalloc as it was."""
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return max(0, peak - baseline)


@contextlib.contextmanager
def _files_opened(path: Path) -> Iterator[list[Any]]:
    """Record every file object opened on ``path`` (``open``, ``Path.open``, ``io.open``).

    The list keeps the objects alive, so a file that only garbage collection would
    close stays open and shows up. Whatever is still open at the end is closed here.
    """
    opened: list[Any] = []
    real_builtin, real_io = builtins.open, io.open
    target = os.path.realpath(path)

    def watching_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        handle = real_builtin(file, *args, **kwargs)
        with contextlib.suppress(TypeError, ValueError, OSError):
            if not isinstance(file, int) and os.path.realpath(os.fspath(file)) == target:
                opened.append(handle)
        return handle

    builtins.open = io.open = watching_open
    try:
        yield opened
    finally:
        builtins.open, io.open = real_builtin, real_io
        for handle in opened:
            handle.close()


def _no_stub(exc: BaseException) -> None:
    """Let a stub's NotImplementedError through a check's own ``except Exception``."""
    if isinstance(exc, NotImplementedError):
        raise exc


_TEN_UTC = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def _database(tmp_path: Path) -> Any:
    from depipe_course import db

    conn = db.connect(tmp_path / "orders.db")
    db.create_orders_table(conn)
    return conn


def _rows(conn: Any) -> list[tuple[Any, ...]]:
    return conn.execute("SELECT order_id, customer_id, amount, status, created_at "
                        "FROM orders ORDER BY order_id").fetchall()
