"""Tests for depipe_course.db: the course's connections and tables, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from depipe_course import db
from tests.pipeline import databases

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


# ------------------------------------------------------------------ part 10: two databases

PAYMENT = ("pay_1", "mer_1", "380.50", "INR", "captured", "upi", "2026-03-01T10:00:00+00:00")
INSERT_PAYMENT = "INSERT INTO payments VALUES (?, ?, ?, ?, ?, ?, ?)"


@pytest.fixture(params=databases.KINDS)
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """An open connection to an empty database with the payments table: SQLite, then PostgreSQL.

    PostgreSQL follows the policy of tests/pipeline/databases.py: it runs when DATABASE_URL
    is set, fails in CI without it, and is skipped with a reason otherwise.
    """
    for factory in databases.provide(request.param, tmp_path):
        connection = factory.new("db").connect()
        db.create_payments_table(connection)
        try:
            yield connection
        finally:
            connection.close()


def test_is_postgres_url_tells_urls_from_paths(tmp_path: Path) -> None:
    """postgresql:// and postgres:// URLs are PostgreSQL; paths (str or Path) are SQLite files."""
    assert db.is_postgres_url("postgresql://u:p@localhost:5432/warehouse")
    assert db.is_postgres_url("postgres://localhost/warehouse")
    assert not db.is_postgres_url(str(tmp_path / "warehouse.db"))
    assert not db.is_postgres_url(tmp_path / "postgresql:")


def test_target_from_env_prefers_database_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """DATABASE_URL wins when set and not empty; otherwise the default path is used."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://localhost/warehouse")
    assert db.target_from_env(tmp_path / "a.db") == "postgresql://localhost/warehouse"
    monkeypatch.setenv("DATABASE_URL", "")
    assert db.target_from_env(tmp_path / "a.db") == tmp_path / "a.db"
    monkeypatch.delenv("DATABASE_URL")
    assert db.target_from_env("b.db") == "b.db"


def test_connect_database_opens_sqlite_for_a_path(tmp_path: Path) -> None:
    """A path gives the same kind of SQLite connection as connect() (WAL, file created)."""
    connection = db.connect_database(tmp_path / "w.db")
    try:
        assert db.dialect(connection) == "sqlite"
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        connection.close()


def test_dialect_refuses_other_objects() -> None:
    """Anything but a sqlite3 or psycopg connection is a TypeError, not a guess."""
    with pytest.raises(TypeError, match="not a sqlite3 or psycopg connection"):
        db.dialect(object())


@pytest.mark.parametrize(("statement", "converted"), [
    ("SELECT ?", "SELECT %s"),
    ("VALUES (?, ?)", "VALUES (%s, %s)"),
    ("SELECT '?' , \"a?\" , ?", "SELECT '?' , \"a?\" , %s"),
    ("SELECT 'it''s ?', ?", "SELECT 'it''s ?', %s"),
    ("SELECT 5 % 2, '100%', ?", "SELECT 5 %% 2, '100%%', %s"),
])
def test_pyformat_converts_parameters_outside_quotes(statement: str, converted: str) -> None:
    """? becomes %s outside quoted text; every % is doubled, inside quotes too."""
    assert db.pyformat(statement) == converted


def test_placeholders_leave_sqlite_statements_alone(conn: sqlite3.Connection) -> None:
    """For a SQLite connection the statement keeps its ? parameters."""
    assert db.placeholders(conn, "SELECT ?, '100%'") == "SELECT ?, '100%'"


def test_payments_ddl_uses_exact_types_on_postgresql_and_text_on_sqlite() -> None:
    """NUMERIC(14, 2)/TIMESTAMPTZ for PostgreSQL, TEXT for SQLite; both check the five statuses."""
    assert "NUMERIC(14, 2)" in db.payments_ddl("postgresql") and "TIMESTAMPTZ" in db.payments_ddl("postgresql")
    assert "NUMERIC" not in db.payments_ddl("sqlite") and "captured_at TEXT" in db.payments_ddl("sqlite")
    for kind in ("sqlite", "postgresql"):
        assert all(f"'{status}'" in db.payments_ddl(kind) for status in db.PAYMENT_STATUSES)


def test_sqlite_payments_table_refuses_a_null_key(tmp_path: Path) -> None:
    """payment_id is NOT NULL (SQLite would otherwise allow NULL in a TEXT primary key)."""
    connection = db.connect(tmp_path / "p.db")
    db.create_payments_table(connection)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="NOT NULL"), db.transaction(connection):
            db.execute(connection, INSERT_PAYMENT, (None, *PAYMENT[1:]))
    finally:
        connection.close()


def test_transaction_commits_on_success(any_db: Any) -> None:
    """Rows written inside the block are there after it, on either database."""
    with db.transaction(any_db):
        db.execute(any_db, INSERT_PAYMENT, PAYMENT)
    any_db.rollback()  # nothing left to roll back: the block committed
    assert [row[0] for row in db.read_payments(any_db)] == ["pay_1"]


def test_transaction_rolls_back_on_error_and_keeps_the_connection_open(any_db: Any) -> None:
    """An exception undoes the block's writes, propagates unchanged, and the connection stays usable."""
    with pytest.raises(ZeroDivisionError), db.transaction(any_db):
        db.execute(any_db, INSERT_PAYMENT, PAYMENT)
        raise ZeroDivisionError
    assert db.read_payments(any_db) == []
    with db.transaction(any_db):
        db.executemany(any_db, INSERT_PAYMENT, [PAYMENT, ("pay_2", *PAYMENT[1:])])
    assert len(db.read_payments(any_db)) == 2


@pytest.mark.parametrize(("column", "value"), [
    ("status", "disputed"), ("currency", "inr"), ("currency", "RUPEES"), ("amount", "-1.00"), ("merchant_id", None),
])
def test_payments_table_refuses_bad_values_with_a_row_error(any_db: Any, column: str, value: Any) -> None:
    """The table's checks refuse what the Payment model refuses, as one of row_errors(conn)."""
    row = list(PAYMENT)
    row[db.PAYMENT_COLUMNS.index(column)] = value
    with pytest.raises(db.row_errors(any_db)), db.transaction(any_db):
        db.execute(any_db, INSERT_PAYMENT, row)
    assert db.read_payments(any_db) == []


def test_create_payments_table_is_idempotent(any_db: Any) -> None:
    """Creating the payments table again keeps it and its rows."""
    with db.transaction(any_db):
        db.execute(any_db, INSERT_PAYMENT, PAYMENT)
    db.create_payments_table(any_db)
    assert len(db.read_payments(any_db)) == 1


def test_read_payments_gives_the_same_values_from_either_database(any_db: Any) -> None:
    """Decimal amounts and aware UTC datetimes (None stays None), sorted by payment_id in Python."""
    from datetime import UTC, datetime
    from decimal import Decimal

    rows = [("pay_b", "mer_1", "2.68", "USD", "created", "card", None),
            ("pay_A", "mer_2", "380.50", "INR", "captured", "upi", "2026-03-01T15:30:00+05:30")]
    with db.transaction(any_db):
        db.executemany(any_db, INSERT_PAYMENT, rows)
    assert db.read_payments(any_db) == [
        ("pay_A", "mer_2", Decimal("380.50"), "INR", "captured", "upi", datetime(2026, 3, 1, 10, 0, tzinfo=UTC)),
        ("pay_b", "mer_1", Decimal("2.68"), "USD", "created", "card", None),
    ]


def test_the_portable_upsert_updates_in_place(any_db: Any) -> None:
    """ON CONFLICT (payment_id) DO UPDATE SET ... = excluded.... works on both databases."""
    upsert = INSERT_PAYMENT + " ON CONFLICT (payment_id) DO UPDATE SET status = excluded.status"
    with db.transaction(any_db):
        db.execute(any_db, upsert, PAYMENT)
        db.execute(any_db, upsert, (*PAYMENT[:4], "refunded", *PAYMENT[5:]))
    assert [row[4] for row in db.read_payments(any_db)] == ["refunded"]


def test_psycopg_with_block_closes_the_connection(tmp_path: Path) -> None:
    """The trap db.transaction avoids: psycopg 3's `with conn:` commits and then closes."""
    for factory in databases.provide("postgresql", tmp_path):
        connection = factory.new("with").connect()
        with connection:
            connection.execute("SELECT 1")
        assert connection.closed
        connection = factory.new("tx").connect()
        try:
            with db.transaction(connection):
                connection.execute("SELECT 1")
            assert not connection.closed
        finally:
            connection.close()
