"""Tests for depipe_course.db: the course's SQLite connection and tables."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from depipe_course import db

ROW = (1, 42, "380.50", "delivered", "2026-03-01T10:00:00+00:00")


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = db.connect(tmp_path / "course.db")
    db.create_orders_table(connection)
    yield connection
    connection.close()


def test_connect_creates_a_file_backed_database(tmp_path: Path) -> None:
    """connect() creates the database file at the given path (str or Path)."""
    for path in (tmp_path / "a.db", str(tmp_path / "b.db")):
        db.connect(path).close()
        assert Path(path).is_file()


def test_connect_sets_the_pragmas(conn: sqlite3.Connection) -> None:
    """The connection uses WAL, synchronous=NORMAL and enforces foreign keys."""
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_connect_keeps_default_transactions(conn: sqlite3.Connection) -> None:
    """A data statement opens a transaction, so `with conn:` groups writes."""
    conn.execute("INSERT INTO orders VALUES (?, ?, ?, ?, ?)", ROW)
    assert conn.in_transaction
    conn.rollback()
    assert conn.execute("SELECT count(*) FROM orders").fetchone()[0] == 0


def test_create_orders_table_is_idempotent(conn: sqlite3.Connection) -> None:
    """Creating the table again keeps it and its rows."""
    with conn:
        conn.execute("INSERT INTO orders VALUES (?, ?, ?, ?, ?)", ROW)
    db.create_orders_table(conn)
    assert conn.execute("SELECT * FROM orders").fetchall() == [ROW]


def test_orders_table_has_the_documented_columns(conn: sqlite3.Connection) -> None:
    """Columns, types, NOT NULL and the primary key are as the module docstring says."""
    info = [(name, kind, notnull, pk) for _, name, kind, notnull, _, pk
            in conn.execute("PRAGMA table_info(orders)")]
    assert info == [
        ("order_id", "INTEGER", 0, 1),
        ("customer_id", "INTEGER", 1, 0),
        ("amount", "TEXT", 1, 0),
        ("status", "TEXT", 1, 0),
        ("created_at", "TEXT", 1, 0),
    ]


def test_amount_text_round_trips_exactly(conn: sqlite3.Connection) -> None:
    """An amount written as '2.68' reads back as the same text, not as a float."""
    with conn:
        conn.execute("INSERT INTO orders VALUES (?, ?, ?, ?, ?)", (2, 42, "2.68", "placed",
                                                                   ROW[4]))
    assert conn.execute("SELECT amount, typeof(amount) FROM orders").fetchone() == ("2.68", "text")


@pytest.mark.parametrize("status", db.ORDER_STATUSES)
def test_status_check_accepts_the_four_statuses(conn: sqlite3.Connection, status: str) -> None:
    """Each of placed/confirmed/delivered/cancelled is accepted."""
    with conn:
        conn.execute("INSERT INTO orders VALUES (?, ?, ?, ?, ?)", (*ROW[:3], status, ROW[4]))


@pytest.mark.parametrize("status", ["shipped", "Delivered", " placed", ""])
def test_status_check_rejects_anything_else(conn: sqlite3.Connection, status: str) -> None:
    """Any other status, including case and space variants, fails the CHECK."""
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"), conn:
        conn.execute("INSERT INTO orders VALUES (?, ?, ?, ?, ?)", (*ROW[:3], status, ROW[4]))


@pytest.mark.parametrize("column", ["customer_id", "amount", "status", "created_at"])
def test_required_columns_reject_null(conn: sqlite3.Connection, column: str) -> None:
    """Every column but the key is NOT NULL."""
    values = dict(zip(("order_id", "customer_id", "amount", "status", "created_at"), ROW,
                      strict=True))
    values[column] = None
    with pytest.raises(sqlite3.IntegrityError, match="NOT NULL"), conn:
        conn.execute("INSERT INTO orders VALUES (?, ?, ?, ?, ?)", tuple(values.values()))


def test_portable_upsert_updates_in_place(conn: sqlite3.Connection) -> None:
    """ON CONFLICT (order_id) DO UPDATE SET ... = excluded.... works on this table."""
    upsert = ("INSERT INTO orders VALUES (?, ?, ?, ?, ?) ON CONFLICT (order_id) DO UPDATE SET "
              "amount = excluded.amount, status = excluded.status")
    with conn:
        conn.execute(upsert, ROW)
        conn.execute(upsert, (1, 42, "400.00", "cancelled", ROW[4]))
    assert conn.execute("SELECT amount, status FROM orders").fetchall() == [("400.00", "cancelled")]
