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
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

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
