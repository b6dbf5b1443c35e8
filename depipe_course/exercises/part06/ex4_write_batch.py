"""06.4: ``write_batch(batch, conn)`` upserts a batch into the ``orders`` table in one transaction.

Every row is written (amount as exact two-place text, ``created_at`` as ISO-8601 UTC
text) and counted, the commit is visible to another connection, an ``order_id`` written
again updates every column in place, and a batch with a bad row raises and leaves the
table unchanged.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import exercise
from depipe_course.exercises.part06._shared import _TEN_UTC, _database, _no_stub, _rows

write = exercise("06.4", "Upsert a batch in one transaction", ["write_batch"])


def _order(order_id: int, *, customer_id: int = 42, amount: str = "380.50",
           status: str = "delivered", created_at: datetime = _TEN_UTC) -> dict[str, Any]:
    return {"order_id": order_id, "customer_id": customer_id, "amount": Decimal(amount),
            "status": status, "created_at": created_at}


def _table(conn: Any) -> list[dict[str, Any]]:
    """The orders table as records, so that a difference is named by order_id and column."""
    columns = ("order_id", "customer_id", "amount", "status", "created_at")
    return [dict(zip(columns, row, strict=True)) for row in _rows(conn)]


def _seed(conn: Any, rows: list[tuple[Any, ...]]) -> None:
    with conn:
        conn.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?)", rows)


def _batch() -> list[dict[str, Any]]:
    """Three new orders, fresh each time (a write_batch that edits its input spoils nothing)."""
    return [
        _order(1, amount="380.50"),
        _order(2, amount="2.68", status="placed",
               created_at=datetime(2026, 3, 2, 23, 59, 59, tzinfo=UTC)),
        _order(3, amount="0.10", status="cancelled"),
    ]


@write.check("writes every row of the batch and returns how many", points=2,
             hint="executemany an INSERT ... ON CONFLICT with one tuple per order; return "
                  "len(batch). An empty batch writes nothing and returns 0.")
def _writes(write_batch: Callable[..., Any], tmp_path: Path) -> None:
    with contextlib.closing(_database(tmp_path)) as conn:
        written = write_batch(_batch(), conn)
        expect_equal(written, 3, "the return value for a batch of 3 new orders")
        ids = [r[0] for r in _rows(conn)]
        expect_equal(ids, [1, 2, 3], "the order_ids in the table")
        expect_equal(write_batch([], conn), 0, "the return value for an empty batch")


@write.check("stores amount as exact text with two places ('380.50')", points=2,
             hint="sqlite3 cannot store a Decimal and a float loses digits: pass "
                  "format(amount, 'f') (or str(amount)), which gives '380.50'.")
def _amount_text(write_batch: Callable[..., Any], tmp_path: Path) -> None:
    with contextlib.closing(_database(tmp_path)) as conn:
        write_batch(_batch(), conn)
        seen = conn.execute("SELECT amount, typeof(amount) FROM orders ORDER BY order_id").fetchall()
    expect_equal(seen, [("380.50", "text"), ("2.68", "text"), ("0.10", "text")],
                 "the stored (amount, type) pairs")


@write.check("stores created_at as ISO-8601 UTC text", points=1,
             hint="Pass created_at.isoformat() of the UTC datetime: "
                  "'2026-03-01T10:00:00+00:00'.")
def _time_text(write_batch: Callable[..., Any], tmp_path: Path) -> None:
    with contextlib.closing(_database(tmp_path)) as conn:
        write_batch(_batch(), conn)
        seen = conn.execute("SELECT created_at, typeof(created_at) FROM orders "
                            "ORDER BY order_id").fetchall()
    wrong = []
    for (text, kind), order in zip(seen, _batch(), strict=True):
        try:
            value = datetime.fromisoformat(text) if kind == "text" else None
        except ValueError:
            value = None
        if value is None or value.utcoffset() != timedelta(0) or value != order["created_at"]:
            wrong.append((text, kind))
    expect(not wrong, "created_at must be stored as ISO-8601 text with a UTC offset",
           expected="e.g. '2026-03-01T10:00:00+00:00'", seen=wrong)


@write.check("commits: another connection sees the rows", points=1,
             hint="Nothing is saved until commit(): use `with conn:` around the writes.")
def _commits(write_batch: Callable[..., Any], tmp_path: Path) -> None:
    from depipe_course import db

    with contextlib.closing(_database(tmp_path)) as conn:
        write_batch(_batch(), conn)
        with contextlib.closing(db.connect(tmp_path / "orders.db")) as other:
            (count,) = other.execute("SELECT count(*) FROM orders").fetchone()
    expect_equal(count, 3, "the row count seen from a second connection")


def _as_iso(text: Any) -> Any:
    """Stored time text in one spelling, so that only the instant is compared here."""
    try:
        return datetime.fromisoformat(text).isoformat()
    except (TypeError, ValueError):
        return text


@write.check("upserts: an order_id written again updates every column, no duplicate", points=2,
             hint="ON CONFLICT (order_id) DO UPDATE SET customer_id = excluded.customer_id, "
                  "amount = excluded.amount, status = excluded.status, "
                  "created_at = excluded.created_at.")
def _upserts(write_batch: Callable[..., Any], tmp_path: Path) -> None:
    later = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)
    with contextlib.closing(_database(tmp_path)) as conn:
        write_batch(_batch(), conn)
        again = [_order(1, customer_id=99, amount="400.00", status="cancelled", created_at=later),
                 *_batch()[1:]]
        expect_equal(write_batch(again, conn), 3, "the return value when re-writing 3 orders")
        rows = _rows(conn)
    expect_equal(len(rows), 3, "the number of rows after writing the same 3 order_ids twice")
    columns = ("order_id", "customer_id", "amount", "status", "created_at")
    seen = [{**dict(zip(columns, row, strict=True)), "created_at": _as_iso(row[4])}
            for row in rows[:1]]
    expected = [{"order_id": 1, "customer_id": 99, "amount": "400.00", "status": "cancelled",
                 "created_at": later.isoformat()}]
    expect_equal(seen, expected, "order 1 after it was written again with new values in every "
                 "column", hint="The second write must change every column that changed: "
                 "DO NOTHING (or OR IGNORE) keeps the old row, and DO UPDATE SET status = "
                 "excluded.status alone keeps the old amount, customer and time.")


@write.check("a batch with a bad row raises and leaves the table unchanged", points=3,
             hint="One transaction per batch: `with conn:` commits if every row went in and "
                  "rolls back if any failed; let the error propagate. Never commit per row.")
def _all_or_nothing(write_batch: Callable[..., Any], tmp_path: Path) -> None:
    import sqlite3

    with contextlib.closing(_database(tmp_path)) as conn:
        _seed(conn, [(1, 42, "380.50", "delivered", "2026-03-01T10:00:00+00:00"),
                     (2, 42, "12.00", "placed", "2026-03-01T10:00:00+00:00")])
        before = _table(conn)
        bad = [_order(1, status="cancelled"), _order(3), _order(4, status="shipped")]
        try:
            returned = write_batch(bad, conn)
        except Exception as exc:
            _no_stub(exc)
        else:
            fail("a batch with a row that breaks the status CHECK must raise",
                 expected="an exception (sqlite3.IntegrityError)",
                 seen=f"write_batch returned {returned!r}",
                 hint="Let the error propagate: a caller that gets a number back believes the "
                      "batch was written. `with conn:` rolls back and re-raises for you.")
        expect_equal(_table(conn), before, "the table after the failed batch (orders 1 and 2 "
                     "as they were, no order 3)")
        try:
            write_batch([_order(5)], conn)
        except sqlite3.Error as exc:
            fail("after a failed batch the connection must still work",
                 expected="the next batch written", seen=f"{type(exc).__name__}: {exc}")
        ids = [r[0] for r in _rows(conn)]
    expect_equal(ids, [1, 2, 5], "the order_ids after the failed batch and one good batch "
                 "(rows of the failed batch must not be committed later)",
                 hint="Roll the failed batch back: without a rollback its first rows stay pending "
                      "in the open transaction, and the next batch's commit saves them. `with "
                      "conn:` commits or rolls back for you.")


@write.check("updates rows in place (no delete and re-insert)", points=1,
             hint="INSERT OR REPLACE deletes the old row and inserts a new one: rows elsewhere "
                  "that reference it are deleted with it. Use ON CONFLICT ... DO UPDATE.")
def _in_place(write_batch: Callable[..., Any], tmp_path: Path) -> None:
    with contextlib.closing(_database(tmp_path)) as conn:
        write_batch(_batch(), conn)
        with conn:
            conn.execute("CREATE TABLE order_notes (order_id INTEGER NOT NULL "
                         "REFERENCES orders (order_id) ON DELETE CASCADE, note TEXT)")
            conn.execute("INSERT INTO order_notes VALUES (1, 'gift wrap')")
        write_batch([_order(1, status="cancelled")], conn)
        notes = conn.execute("SELECT order_id, note FROM order_notes").fetchall()
    expect_equal(notes, [(1, "gift wrap")], "a note that references order 1, after order 1 was "
                 "updated")
