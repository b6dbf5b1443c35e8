"""The databases the pipeline tests run against: SQLite always, PostgreSQL when one is there.

Policy (nothing is skipped silently):

* ``DATABASE_URL`` set: the PostgreSQL tests run against that server, each in a fresh
  schema that is dropped afterwards. If the server cannot be reached, they *fail*.
* ``DATABASE_URL`` not set and ``CI`` set (``true``/``1``/``yes``): they *fail*, saying
  that CI was supposed to start a server (``.ci/run`` does).
* ``DATABASE_URL`` not set, not CI: they are *skipped* with a reason that ``pytest -rs``
  prints, naming the command that starts a throw-away server.

A ``Database`` is a *target* (a SQLite path, or a URL whose ``search_path`` is the test's
schema) that any process can open with ``db.connect_database``, so the kill-and-restart
harness, which runs the pipeline in child processes, opens the same database as the test.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from depipe_course import db

KINDS = ("sqlite", "postgresql")
START_HINT = "make test-postgres (or .ci/run) starts a throw-away PostgreSQL and runs the tests against it"


@dataclass(frozen=True)
class Database:
    """One empty database for one test: what kind it is and how to reach it."""

    kind: str
    target: str | Path

    def connect(self) -> Any:
        return db.connect_database(self.target)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def postgres_url() -> str:
    """``$DATABASE_URL``, or fail (CI) / skip (elsewhere) with a reason that says what to do."""
    url = os.environ.get(db.DATABASE_URL_ENV, "").strip()
    if url:
        if not db.is_postgres_url(url):
            pytest.fail(f"DATABASE_URL must be a postgresql:// URL, got {url.split(':', 1)[0]}:...", pytrace=False)
        return url
    if in_ci():
        pytest.fail("PostgreSQL tests cannot run: CI is set but DATABASE_URL is not. .ci/run starts a server "
                    "and exports DATABASE_URL before `make test`; it did not run, or could not start one.",
                    pytrace=False)
    pytest.skip(f"PostgreSQL: DATABASE_URL is not set; {START_HINT}")


def with_search_path(url: str, schema: str) -> str:
    """``url`` with libpq ``options`` that make ``schema`` the connection's search_path."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query["options"] = f"{query.get('options', '')} -csearch_path={schema}".strip()
    return urlunsplit(parts._replace(query=urlencode(query)))


def _admin(url: str) -> Any:
    import psycopg

    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as error:
        pytest.fail(f"DATABASE_URL is set but PostgreSQL cannot be reached: {error}".strip(), pytrace=False)


@dataclass
class Schemas:
    """Creates throw-away schemas on one server and drops them all at the end."""

    url: str
    made: list[str]

    def new(self, label: str = "t") -> Database:
        schema = f"depipe_{re.sub(r'[^a-z0-9]', '', label.lower())[:20]}_{uuid.uuid4().hex[:10]}"
        with _admin(self.url) as admin:
            admin.execute(f'CREATE SCHEMA "{schema}"')
        self.made.append(schema)
        return Database("postgresql", with_search_path(self.url, schema))

    def drop_all(self) -> None:
        if not self.made:
            return
        with _admin(self.url) as admin:
            for schema in self.made:
                admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@dataclass
class Factory:
    """Fresh, empty databases of one kind, as many as a test needs."""

    kind: str
    folder: Path
    schemas: Schemas | None = None

    def new(self, label: str = "db") -> Database:
        if self.schemas is not None:
            return self.schemas.new(label)
        return Database("sqlite", self.folder / f"{label}-{uuid.uuid4().hex[:8]}.db")


def provide(kind: str, tmp_path: Path) -> Iterator[Factory]:
    """A ``Factory`` for ``kind``; PostgreSQL schemas are dropped when the test ends."""
    if kind == "sqlite":
        yield Factory("sqlite", tmp_path)
        return
    schemas = Schemas(postgres_url(), [])
    try:
        yield Factory("postgresql", tmp_path, schemas)
    finally:
        schemas.drop_all()
