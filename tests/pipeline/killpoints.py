"""Kill the reference pipeline with SIGKILL at seeded points, restart it, and audit what is left.

Run as a command; it forks, so it needs a fresh single-threaded process of its own::

    python -m tests.pipeline.killpoints --database sqlite --points 50 --seed 10
    python -m tests.pipeline.killpoints --database postgresql://... --points 50

A run of the pipeline is a sequence of *events*: each HTTP request (the kill lands
before it is sent), each batch written with ``executemany`` (the kill lands after the
rows are written and before the commit) and each ``commit`` (the kill lands just after
it). A dry run counts the events; then, for each of ``--points`` distinct event numbers
drawn with ``--seed``, a child process runs the pipeline on an empty database and sends
itself ``SIGKILL`` at that event: no ``finally``, no rollback, no flush. The parent then
restarts the pipeline on what the dead child left and audits the table and the dead
letter file against a complete load.

Output: one JSON object per kill point, then a summary object (the last line).
With ``--database postgresql://...`` each kill point gets its own schema, dropped after.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import signal
import sqlite3
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import requests

from depipe_course import db
from tests.pipeline.scenario import Expected, Scenario, audit

Event = Callable[[str], None]


class Events:
    """Counts events; at event number ``kill_at`` the process kills itself with SIGKILL."""

    def __init__(self, kill_at: int | None = None) -> None:
        self.kill_at = kill_at
        self.seen = 0
        self.last = ""

    def __call__(self, what: str) -> None:
        self.seen += 1
        self.last = what
        if self.seen == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)


def watched_session(event: Event) -> requests.Session:
    class Session(requests.Session):
        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            event(f"before request {url.rsplit('/', 1)[-1]}")
            return super().request(method, url, *args, **kwargs)

    return Session()


def sqlite_connection(path: Path, event: Event) -> sqlite3.Connection:
    class Connection(sqlite3.Connection):
        def executemany(self, sql: str, rows: Iterable[Any], /) -> sqlite3.Cursor:  # type: ignore[override]
            cursor = super().executemany(sql, rows)
            event("after a batch was written, before its commit")
            return cursor

        def commit(self) -> None:
            super().commit()
            event("after a commit")

    conn = sqlite3.connect(path, timeout=db.BUSY_TIMEOUT_S, factory=Connection)
    conn.execute("PRAGMA journal_mode = WAL")  # as db.connect does
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def postgres_connection(url: str, event: Event) -> Any:
    import psycopg

    class Cursor(psycopg.Cursor[Any]):
        def executemany(self, query: Any, params_seq: Iterable[Any], *, returning: bool = False) -> None:
            super().executemany(query, params_seq, returning=returning)
            event("after a batch was written, before its commit")

    class Connection(psycopg.Connection[Any]):
        def commit(self) -> None:
            super().commit()
            event("after a commit")

    return Connection.connect(url, cursor_factory=Cursor)


def watched_connection(target: str | Path, event: Event) -> Any:
    if db.is_postgres_url(target):
        return postgres_connection(str(target), event)
    return sqlite_connection(Path(target), event)


def with_search_path(url: str, schema: str) -> str:
    from tests.pipeline.databases import with_search_path as add

    return add(url, schema)


class Targets:
    """A fresh empty database per kill point: a SQLite file, or a PostgreSQL schema."""

    def __init__(self, database: str, folder: Path) -> None:
        self.database = database
        self.folder = folder
        self.schemas: list[str] = []

    def new(self, label: str) -> str | Path:
        if not db.is_postgres_url(self.database):
            return self.folder / f"{label}.db"
        import psycopg

        schema = f"depipe_kill_{label}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.database, autocommit=True) as admin:
            admin.execute(f'CREATE SCHEMA "{schema}"')
        self.schemas.append(schema)
        return with_search_path(self.database, schema)

    def drop(self) -> None:
        if not self.schemas:
            return
        import psycopg

        with psycopg.connect(self.database, autocommit=True) as admin:
            for schema in self.schemas:
                admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        self.schemas.clear()


def run_until(scenario: Scenario, target: str | Path, dlq_path: Path, events: Events) -> dict[str, Any]:
    """One run of the pipeline with every event counted (and possibly fatal)."""
    conn = watched_connection(target, events)
    try:
        return scenario.run(conn, dlq_path, session=watched_session(events))
    finally:
        conn.close()


def killed_child(scenario: Scenario, target: str | Path, dlq_path: Path, kill_at: int) -> tuple[bool, str]:
    """Run the pipeline in a child that SIGKILLs itself at event ``kill_at``; (was it killed, how far)."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the parent's code
        code = 0
        try:
            run_until(scenario, target, dlq_path, Events(kill_at))
        except BaseException:  # noqa: BLE001 - report and leave, whatever happened
            code = 3
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
        return True, f"event {kill_at}"
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        return False, "finished before the kill point"
    raise RuntimeError(f"the child failed instead of dying at event {kill_at} (status {status})")


def count_events(scenario: Scenario, targets: Targets, folder: Path) -> tuple[int, list[str]]:
    """A complete, counted run: how many events there are, and what each one is."""
    names: list[str] = []

    class Recorder(Events):
        def __call__(self, what: str) -> None:
            super().__call__(what)
            names.append(what)

    recorder = Recorder()
    run_until(scenario, targets.new("dry"), folder / "dry.ndjson", recorder)
    return recorder.seen, names


def emit(obj: dict[str, Any]) -> None:
    """One JSON object on one line of standard output (the command's output)."""
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="sqlite", help="'sqlite' (a temporary file) or a postgresql:// URL")
    parser.add_argument("--points", type=int, default=50, help="how many distinct kill points (default 50)")
    parser.add_argument("--seed", type=int, default=10, help="seed of the kill points and of the scenario")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)  # retries and dead letters are expected here
    if not hasattr(os, "fork"):
        emit({"error": "this platform has no os.fork"})
        return 2

    scenario = Scenario(seed=args.seed)
    expected = Expected.of(scenario)
    with tempfile.TemporaryDirectory(prefix="depipe-kill-") as scratch:
        folder = Path(scratch)
        targets = Targets(args.database, folder)
        try:
            total, names = count_events(scenario, targets, folder)
            points = sorted(random.Random(f"{args.seed}:kill-points").sample(range(1, total + 1),
                                                                             min(args.points, total)))
            totals = {"database": "sqlite" if args.database == "sqlite" else "postgresql", "events": total,
                      "kill_points": len(points), "killed": 0, "reconciled": 0, "lost": 0, "duplicated": 0,
                      "unexpected": 0, "wrong_values": 0, "dead_letters_missing": 0,
                      "dead_letters_duplicated": 0, "dead_letters_unexpected": 0}
            for number, kill_at in enumerate(points):
                target, dlq_path = targets.new(f"k{number}"), folder / f"k{number}" / "dead_letters.ndjson"
                killed, _ = killed_child(scenario, target, dlq_path, kill_at)
                conn = db.connect_database(target)
                try:
                    rows_left = db.execute(conn, "SELECT count(*) FROM payments").fetchone()[0] if killed else None
                    result = scenario.run(conn, dlq_path)
                    found = audit(conn, dlq_path, expected)
                finally:
                    conn.close()
                totals["killed"] += killed
                totals["reconciled"] += bool(result["reconciled"])
                for name in ("lost", "duplicated", "unexpected", "wrong_values", "dead_letters_missing",
                             "dead_letters_duplicated", "dead_letters_unexpected"):
                    totals[name] += getattr(found, name)
                emit({"kill_at": kill_at, "where": names[kill_at - 1], "killed": killed,
                      "rows_left_by_the_kill": rows_left, "reconciled": result["reconciled"],
                      "problems": found.problems})
            emit(totals)
        finally:
            targets.drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
