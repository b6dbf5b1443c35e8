"""The course's database: a file-backed SQLite connection and the tables the parts write.

Storage decisions, made once here so every part reads the same rows:

* ``amount`` is exact decimal **text** with two places (``'380.50'``): SQLite has no
  DECIMAL type, and a REAL column would store binary floats (``2.675`` becomes
  ``2.67499999...``). Write ``format(amount, "f")`` of a ``Decimal`` quantized to two
  places; read it back with ``Decimal(text)``. Do arithmetic in Python with ``Decimal``:
  ``SUM(amount)`` in SQLite converts the text to floating point.
* ``created_at`` is ISO-8601 **UTC** text (``'2026-03-01T10:00:00+00:00'``, what
  ``datetime.isoformat()`` gives for a UTC datetime). Convert to UTC *before* writing:
  text in one offset sorts and compares correctly, mixed offsets do not.
* ``status`` is checked by the table itself, so a bad value fails the whole statement
  (and, inside a transaction, the whole batch) instead of landing in the table.

The SQL is kept portable to PostgreSQL (part 10): ``ON CONFLICT (order_id) DO UPDATE
SET col = excluded.col`` works in both. What differs is the parameter style: the
standard library's ``sqlite3`` uses ``?``, psycopg 3 uses ``%s``.

Part 10 runs one pipeline against either database, so this module also holds the small
layer that hides their differences (everything else is the same SQL):

=====================  ==========================  ===================================
difference             SQLite (``sqlite3``)        PostgreSQL (psycopg 3)
=====================  ==========================  ===================================
parameters             ``?``                       ``%s`` (and ``%`` must be ``%%``)
``with conn:``         commit or roll back         commit or roll back, then **close**
bulk write             ``conn.executemany``        ``cursor.executemany``
exact amounts          ``TEXT`` ``'380.50'``       ``NUMERIC(14, 2)``
instants               ``TEXT`` ISO-8601 UTC       ``TIMESTAMPTZ``
a row refused          ``IntegrityError``          ``IntegrityError``, ``DataError``
=====================  ==========================  ===================================

Write SQL with ``?`` and run it through ``execute`` / ``executemany``; group writes with
``transaction(conn)``; catch ``row_errors(conn)``. Values go in as text (``'380.50'``,
``'2026-03-01T10:00:00+00:00'``), which both accept: PostgreSQL casts text parameters
to the column's type. ``read_payments`` reads rows back as ``Decimal`` and aware UTC
``datetime`` from either database.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

ORDER_STATUSES = ("placed", "confirmed", "delivered", "cancelled")

_STATUS_LIST = ", ".join(f"'{status}'" for status in ORDER_STATUSES)

ORDERS_DDL = f"""
CREATE TABLE IF NOT EXISTS orders (
    order_id    INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    amount      TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ({_STATUS_LIST})),
    created_at  TEXT    NOT NULL
)
"""

#: Seconds a connection waits for another writer's lock before "database is locked".
BUSY_TIMEOUT_S = 5.0


def connect(path: str | Path, *, timeout_s: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    """Open (creating if needed) the SQLite database file at ``path``.

    Pragmas: WAL journaling (readers do not block the writer, and a crash mid-commit
    leaves the last committed state), ``synchronous=NORMAL`` (safe with WAL, far fewer
    fsyncs), and foreign keys enforced (SQLite leaves them off by default).

    The connection keeps the standard library's default transaction handling: a data
    statement opens a transaction and nothing is saved until ``commit()``;
    ``with conn:`` commits on success and rolls back on an exception.
    """
    conn = sqlite3.connect(path, timeout=timeout_s)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def create_orders_table(conn: sqlite3.Connection) -> None:
    """Create the ``orders`` table if it does not exist yet (safe to call every run)."""
    with conn:
        conn.execute(ORDERS_DDL)


# ------------------------------------------------------------------ part 10: two databases

# Functions below take ``conn: Any``: a ``sqlite3.Connection`` or a ``psycopg.Connection``
# (psycopg is imported only when PostgreSQL is used).
Dialect = Literal["sqlite", "postgresql"]

#: The environment variable that points the pipeline (and its tests) at PostgreSQL.
DATABASE_URL_ENV = "DATABASE_URL"

_POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(target: str | Path) -> bool:
    """True for a ``postgresql://`` (or ``postgres://``) URL, False for a file path."""
    return isinstance(target, str) and target.startswith(_POSTGRES_SCHEMES)


def target_from_env(default: str | Path) -> str | Path:
    """``$DATABASE_URL`` when it is set and not empty, else ``default`` (a SQLite path)."""
    return os.environ.get(DATABASE_URL_ENV) or default


def connect_database(target: str | Path) -> Any:
    """Open ``target``: a ``postgresql://`` URL (psycopg 3) or a SQLite file path.

    Both connections start outside a transaction and commit only when told to
    (psycopg's default is not autocommit), so ``transaction(conn)`` means the same
    thing for both.
    """
    if is_postgres_url(target):
        import psycopg

        return psycopg.connect(str(target))
    return connect(target)


def dialect(conn: Any) -> Dialect:
    """Which database ``conn`` talks to; ``TypeError`` for anything else."""
    if isinstance(conn, sqlite3.Connection):
        return "sqlite"
    psycopg = sys.modules.get("psycopg")  # a psycopg connection means psycopg is imported
    if psycopg is not None and isinstance(conn, psycopg.Connection):
        return "postgresql"
    raise TypeError(f"not a sqlite3 or psycopg connection: {type(conn).__name__}")


def placeholders(conn: Any, statement: str) -> str:
    """``statement``, written with ``?`` parameters, in the style ``conn``'s driver wants."""
    return statement if dialect(conn) == "sqlite" else pyformat(statement)


def pyformat(statement: str) -> str:
    """A ``?``-style statement in psycopg's style: ``?`` becomes ``%s``, ``%`` becomes ``%%``.

    ``?`` inside a quoted literal or identifier is left alone; ``%`` is doubled
    everywhere, because psycopg reads it as the start of a parameter even inside quotes.
    """
    out: list[str] = []
    quote: str | None = None
    for char in statement:
        if char == "%":
            out.append("%%")
        elif quote is not None:
            out.append(char)
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
            out.append(char)
        elif char == "?":
            out.append("%s")
        else:
            out.append(char)
    return "".join(out)


def execute(conn: Any, statement: str, params: Sequence[Any] | None = None) -> Any:
    """Run one statement (``?`` parameters) on either database; returns the cursor."""
    if params is None:
        return conn.execute(statement)
    return conn.execute(placeholders(conn, statement), params)


def executemany(conn: Any, statement: str, rows: Iterable[Sequence[Any]]) -> None:
    """Run ``statement`` (``?`` parameters) once per row, on either database."""
    if dialect(conn) == "sqlite":
        conn.executemany(statement, rows)
        return
    with conn.cursor() as cursor:
        cursor.executemany(placeholders(conn, statement), rows)


@contextlib.contextmanager
def transaction(conn: Any) -> Iterator[Any]:
    """Commit everything done inside the block, or roll all of it back, on either database.

    ``with conn:`` is not portable: ``sqlite3`` commits or rolls back and keeps the
    connection open, psycopg 3 commits or rolls back and then *closes* it. The
    exception that ended the block propagates unchanged; if the rollback itself fails
    (the connection is already gone) that second error is dropped in its favour.
    """
    try:
        yield conn
    except BaseException:
        with contextlib.suppress(Exception):
            conn.rollback()
        raise
    conn.commit()


def row_errors(conn: Any) -> tuple[type[Exception], ...]:
    """The errors by which ``conn``'s database refuses a row's values (the row is bad).

    A constraint (``CHECK``, ``NOT NULL``, a key) raises ``IntegrityError`` in both;
    PostgreSQL also refuses values its column types cannot hold with ``DataError``
    (an amount too large for ``NUMERIC(14, 2)``, a malformed timestamp). Connection and
    syntax errors are not in the tuple: they are not the row's fault.
    """
    if dialect(conn) == "sqlite":
        return (sqlite3.IntegrityError, sqlite3.DataError)
    import psycopg

    return (psycopg.IntegrityError, psycopg.DataError)


PAYMENT_STATUSES = ("created", "authorized", "captured", "refunded", "failed")
PAYMENT_COLUMNS = ("payment_id", "merchant_id", "amount", "currency", "status", "method", "captured_at")

_PAYMENT_STATUS_LIST = ", ".join(f"'{status}'" for status in PAYMENT_STATUSES)

_PAYMENTS_DDL: dict[Dialect, str] = {
    # SQLite lets a TEXT PRIMARY KEY be NULL unless it says NOT NULL.
    "sqlite": f"""
CREATE TABLE IF NOT EXISTS payments (
    payment_id  TEXT NOT NULL PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    amount      TEXT NOT NULL CHECK (CAST(amount AS REAL) > 0),
    currency    TEXT NOT NULL CHECK (length(currency) = 3 AND currency GLOB '[A-Z][A-Z][A-Z]'),
    status      TEXT NOT NULL CHECK (status IN ({_PAYMENT_STATUS_LIST})),
    method      TEXT NOT NULL,
    captured_at TEXT
)
""",
    "postgresql": f"""
CREATE TABLE IF NOT EXISTS payments (
    payment_id  TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    amount      NUMERIC(14, 2) NOT NULL CHECK (amount > 0),
    currency    TEXT NOT NULL CHECK (currency ~ '^[A-Z]{{3}}$'),
    status      TEXT NOT NULL CHECK (status IN ({_PAYMENT_STATUS_LIST})),
    method      TEXT NOT NULL,
    captured_at TIMESTAMPTZ
)
""",
}


def payments_ddl(kind: Dialect) -> str:
    """The ``CREATE TABLE`` of the ``payments`` table for one database."""
    return _PAYMENTS_DDL[kind]


def create_payments_table(conn: Any) -> None:
    """Create the ``payments`` table if it does not exist yet (safe to call every run).

    One row per payment, keyed by the gateway's ``payment_id``; the table checks what
    the ``Payment`` model already checks (amount above zero, a three-letter upper-case
    currency) plus the gateway's five statuses, so a value that slipped past the model
    is refused here instead of stored.
    """
    with transaction(conn):
        conn.execute(payments_ddl(dialect(conn)))


PaymentRow = tuple[str, str, Decimal, str, str, str, datetime | None]


def read_payments(conn: Any) -> list[PaymentRow]:
    """Every row of ``payments`` with ``Decimal`` amounts and aware UTC times, by payment_id.

    The same values come back from either database (SQLite stores text, PostgreSQL
    numbers and timestamps). Sorting happens here, in Python: ``ORDER BY`` on text
    follows the database's collation, which differs between the two.
    """
    columns = ", ".join(PAYMENT_COLUMNS)
    rows = execute(conn, f"SELECT {columns} FROM payments").fetchall()
    return sorted((_normal_payment(row) for row in rows), key=lambda row: row[0])


def _normal_payment(row: Sequence[Any]) -> PaymentRow:
    payment_id, merchant_id, amount, currency, status, method, captured_at = row
    if isinstance(captured_at, str):
        captured_at = datetime.fromisoformat(captured_at)
    if captured_at is not None:
        captured_at = captured_at.astimezone(UTC)
    return (payment_id, merchant_id, Decimal(str(amount)), currency, status, method, captured_at)
