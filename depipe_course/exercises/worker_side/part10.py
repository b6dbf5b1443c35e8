"""What part 10's checks hand the learner's code, built in the learner's process.

Under the judge the learner's stages run in the worker, so what they are given must be
real there: ``depipe_course.db`` accepts only a real ``sqlite3.Connection`` (the checks
open the learner's connection here and read the database file back with their own), a
``requests.Session`` whose requests the check's fake API answers, an ``AuthBase`` that
``requests`` calls on each request, and a *kill*: a ``BaseException`` raised where the
learner's code runs, so nothing of theirs can catch it. ``sleep_defaults`` and
``seeded_random`` set the stage for the learner's functions where they are defined. The
checks reach this module with ``learner_module`` (in the same process, it is simply this
module).
"""

from __future__ import annotations

import contextlib
import random
import sqlite3
import time
import types
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import requests


class Killed(BaseException):
    """The process died here (as with SIGKILL, nothing after this point runs)."""


def _writes(sql: str) -> bool:
    return sql.lstrip().upper().startswith(("INSERT", "REPLACE", "UPDATE"))


class CountingCursor(sqlite3.Cursor):
    """Counts the writing statements run through a cursor onto its ``CountingConnection``."""

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        if _writes(sql):
            self.connection.written["execute"] += 1  # type: ignore[attr-defined]
        return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:
        if _writes(sql):
            self.connection.written["executemany"] += 1  # type: ignore[attr-defined]
        return super().executemany(sql, parameters)


class CountingConnection(sqlite3.Connection):
    """A SQLite connection that counts its writing ``execute`` and ``executemany`` calls.

    The task asks for one ``executemany`` per batch; ``conn.execute``, ``conn.executemany``
    and a cursor's methods are all counted, whichever the learner's code uses.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.written: Counter[str] = Counter()

    def cursor(self, factory: Any = CountingCursor) -> Any:  # type: ignore[override]
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:  # type: ignore[override]
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:  # type: ignore[override]
        return self.cursor().executemany(sql, parameters)


class KillingConnection(CountingConnection):
    """A counting SQLite connection that dies right after its ``kill_after``-th executemany, uncommitted."""

    kill_after: int | None = None
    writes = 0

    def executemany(self, sql: str, rows: Iterable[Any], /) -> sqlite3.Cursor:  # type: ignore[override]
        cursor = super().executemany(sql, rows)
        self.writes += 1
        if self.writes == self.kill_after:
            raise Killed(f"killed after write {self.writes}, before its commit")
        return cursor


def connection(path: str | Path, *, kill_after: int | None = None) -> KillingConnection:
    """The learner's connection to the SQLite file at ``path``: counting, killable when ``kill_after``."""
    from depipe_course import db

    conn = sqlite3.connect(path, timeout=db.BUSY_TIMEOUT_S, factory=KillingConnection)
    conn.kill_after = kill_after
    try:
        conn.execute("PRAGMA journal_mode = WAL")  # as db.connect: a commit is not a full flush
        conn.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        conn.close()
        raise
    return conn


def session(kill_at: int | None = None, kill_on: str | None = None) -> requests.Session:
    """A ``requests.Session``; its ``kill_at``-th request (or any to a URL holding ``kill_on``) dies."""
    import requests

    class Session(requests.Session):
        sent = 0

        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            self.sent += 1
            if self.sent == kill_at or (kill_on is not None and kill_on in str(url)):
                raise Killed(f"killed at request {self.sent}")
            return super().request(method, url, *args, **kwargs)

    return Session()


def bearer(token: str) -> Any:
    """An ``AuthBase`` that sends ``token`` as a bearer token (``auth`` need not be a pair)."""
    import requests

    class Bearer(requests.auth.AuthBase):
        def __init__(self, token: str) -> None:
            self.token = token

        def __call__(self, request: Any) -> Any:
            request.headers["Authorization"] = f"Bearer {self.token}"
            return request

    return Bearer(token)


def _is_real_sleep(value: Any) -> bool:
    """``time.sleep`` itself (not a stand-in a check has put in its place)."""
    return isinstance(value, types.BuiltinFunctionType) and value.__name__ == "sleep" \
        and getattr(value, "__self__", None) is time


def _sleep_now(seconds: float) -> None:
    """``time.sleep`` as it is at the call: the check's recorder while a check runs."""
    time.sleep(seconds)


@contextlib.contextmanager
def sleep_defaults(reach: Any) -> Iterator[None]:
    """Defaults that hold the real ``time.sleep`` call ``time.sleep`` as patched, for the block.

    ``def f(..., sleep=time.sleep)`` binds the function object when ``def`` runs, so
    patching ``time.sleep`` misses it: a call that leaves ``sleep`` out (a stage, a
    helper, ``with_retry``) would sleep for real and hold the check up for a minute.
    ``reach`` is the learner's function: it and the functions of its namespace are covered.
    """
    namespace = getattr(reach, "__globals__", {})
    saved: list[tuple[types.FunctionType, str, Any]] = []
    for fn in [reach, *list(namespace.values())]:
        if isinstance(fn, types.FunctionType):
            saved += _redirect(fn)
    try:
        yield
    finally:
        for fn, attribute, value in reversed(saved):
            setattr(fn, attribute, value)


def _redirect(fn: types.FunctionType) -> list[tuple[types.FunctionType, str, Any]]:
    saved: list[tuple[types.FunctionType, str, Any]] = []
    kwdefaults = fn.__kwdefaults__
    if kwdefaults and any(_is_real_sleep(v) for v in kwdefaults.values()):
        saved.append((fn, "__kwdefaults__", kwdefaults))
        fn.__kwdefaults__ = {k: _sleep_now if _is_real_sleep(v) else v for k, v in kwdefaults.items()}
    defaults = fn.__defaults__
    if defaults and any(_is_real_sleep(v) for v in defaults):
        saved.append((fn, "__defaults__", defaults))
        fn.__defaults__ = tuple(_sleep_now if _is_real_sleep(v) else v for v in defaults)
    return saved


@contextlib.contextmanager
def seeded_random(seed: int) -> Iterator[None]:
    """The ``random`` module seeded for the block, then put back as it was.

    Jittered waits are then the same on every run, so a check on how waits grow
    gives one answer for a given piece of code, never a lucky one.
    """
    state = random.getstate()
    random.seed(seed)
    try:
        yield
    finally:
        random.setstate(state)
