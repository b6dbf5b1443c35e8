"""What two or more of part 06's exercises use.

Captured WARNING logs, an endless counted source for the laziness checks, a file served
through a pipe that tells how much of it was read, the watchers that run in the learner's
process (``_worker_side``), a stub's ``NotImplementedError`` let through, and the
course's ``orders`` table in a fresh SQLite file.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import logging
import os
import re
import threading
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
    """Route log records to a capture instead of the notebook's stderr, then restore.

    Where the learner's code runs, its root logger is quiet at WARNING meanwhile: the
    records it handles reach the capture here (under the judge they are replayed here),
    and none is printed or kept there.
    """
    with _worker_side().quiet_root(logging.WARNING):
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


class _Fed:
    """``data`` served as the file ``path``: a named pipe that a thread here writes into.

    The learner's code opens ``path`` as it would a file, in whatever process it runs. A
    pipe holds little, so the writer runs ahead of the reader only by what the pipe
    holds, and ``taken()`` (bytes written here less those still in the pipe) is how much
    of the file the reader has read so far, seen from this side. Each open is served the
    whole text again, as a file would be: once a reader has had its pass, a fresh pipe
    takes the name for the next one.
    """

    def __init__(self, path: Path, data: bytes) -> None:
        self.path = path
        self.data = data
        self._written = 0
        self._fd: int | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="depipe-06-feed", daemon=True)

    def __enter__(self) -> _Fed:
        self._fresh_pipe()
        self._thread.start()
        return self

    def _fresh_pipe(self) -> None:
        """A new pipe under the name (a reader still holding the last one keeps that one)."""
        fresh = self.path.with_name(f".{self.path.name}.next")
        os.mkfifo(fresh)
        os.replace(fresh, self.path)

    def __exit__(self, *exc_info: Any) -> None:
        self._stop.set()
        self._thread.join(10)
        with contextlib.suppress(OSError):
            os.unlink(self.path)

    def taken(self) -> int:
        """Bytes of the file read so far (over every open)."""
        import array
        import fcntl
        import termios

        with self._lock:
            waiting = array.array("i", [0])
            if self._fd is not None:
                with contextlib.suppress(OSError):
                    fcntl.ioctl(self._fd, termios.FIONREAD, waiting)
            return max(0, self._written - waiting[0])

    def _serve(self) -> None:
        while not self._stop.is_set():
            fd = self._open()
            if fd is None:
                return
            try:
                self._write_all(fd)
            finally:
                with self._lock:
                    self._fd = None
                    os.close(fd)
            with contextlib.suppress(OSError):
                self._fresh_pipe()

    def _open(self) -> int | None:
        """The pipe's writing end, once a reader has opened it (``None`` when told to stop)."""
        while not self._stop.is_set():
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:
                if exc.errno != errno.ENXIO:  # ENXIO: no reader yet
                    return None
                self._stop.wait(0.002)
                continue
            with contextlib.suppress(OSError, AttributeError, ImportError):
                import fcntl

                fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 4096)  # Linux: the writer runs 4 KiB ahead at most
            with self._lock:
                self._fd = fd
            return fd
        return None

    def _write_all(self, fd: int) -> None:
        import select

        view = memoryview(self.data)
        sent = 0
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        while sent < len(view) and not self._stop.is_set():
            if not poller.poll(20):
                continue
            try:
                with self._lock:
                    count = os.write(fd, view[sent:sent + 4096])
                    self._written += count
            except BlockingIOError:
                continue
            except OSError:  # the reader closed the file (EPIPE)
                return
            sent += count


def _worker_side() -> Any:
    """``_worker_side`` as the learner's process holds it: the watchers that run where its code runs."""
    from depipe_course.judging.judge import learner_module

    return learner_module("depipe_course.exercises.worker_side.part06")


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
