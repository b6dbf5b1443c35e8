"""10.3: ``load_payments`` upserts payments into the payments table in batches.

Exact amounts and UTC times are stored as the table documents; loading again changes
nothing and a changed payment is updated in every column; each batch is one
``executemany`` in one transaction, committed before the next is read; a refused batch
is loaded row by row with the refused row dead-lettered and counted (or, without a
dlq, raised after a rollback).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import exercise
from depipe_course.exercises._errors import in_chain as _in_chain
from depipe_course.exercises.part10._shared import (
    _describe,
    _entry_payment_id,
    _expected_rows,
    _n,
    _payment_model,
    _quiet_time,
    _raw_payments,
    _recorder,
    _RecordingDLQ,
    _worker_side,
)

load = exercise("10.3", "Upsert payments in batches", ["load_payments"], uses=["09.3"])

_L_SEED, _L_COUNT, _L_BATCH = 103, 100, 30


def _valid_payments(count: int = _L_COUNT, seed: int = _L_SEED) -> list[Any]:
    Payment = _payment_model()
    raw, _ = _raw_payments(count, 0, seed)
    return [Payment.model_validate(r) for r in raw]


def _poison(payment: Any) -> Any:
    """A payment the table refuses (a status the gateway does not have), past the model."""
    return payment.model_copy(update={"status": "disputed"})


@dataclass
class _Db:
    """The learner's connection (``conn``), the statements it ran, and the check's own connection."""

    conn: Any  # a counting connection, opened where the learner's code runs
    trace: list[str]  # every statement ``conn`` ran, recorded here as it runs
    own: sqlite3.Connection  # the check's: it reads the table back, whatever the learner's code did

    def commits(self) -> int:
        return sum(1 for s in self.trace if s.strip().upper() == "COMMIT")

    def written(self) -> Counter[str]:
        """Writing statements ``conn`` ran by ``execute`` and by ``executemany``."""
        return Counter(self.conn.written)


@contextlib.contextmanager
def _database(tmp_path: Path, name: str = "payments.db") -> Iterator[_Db]:
    from depipe_course import db

    path = tmp_path / name
    own = db.connect(path)
    try:
        db.create_payments_table(own)
        conn = _worker_side().connection(path)
        try:
            trace: list[str] = []
            conn.set_trace_callback(trace.append)
            yield _Db(conn, trace, own)
        finally:
            conn.close()
    finally:
        own.close()


def _load(load_payments: Callable[..., Any], payments: Iterable[Any], conn: Any, **kwargs: Any) -> Any:
    with _quiet_time(_recorder()):
        return load_payments(payments, conn, **kwargs)


def _read(d: _Db) -> list[Any]:
    """The table as ``db.read_payments`` reads it; a value it cannot read fails the check, named."""
    from depipe_course import db

    try:
        return db.read_payments(d.own)
    except (ValueError, ArithmeticError) as error:  # decimal.InvalidOperation is an ArithmeticError
        fail("the table holds a value db.read_payments cannot read back", expected="amounts as decimal text "
             "('380.50'), captured_at as ISO-8601 UTC text or NULL", seen=f"{type(error).__name__}: {error}")


@load.check("loads every payment into the payments table", points=2,
            hint="INSERT INTO payments (payment_id, merchant_id, amount, currency, status, method, "
                 "captured_at) VALUES (?, ?, ?, ?, ?, ?, ?), one tuple per payment.")
def _ld_all(load_payments: Callable[..., Any], tmp_path: Path) -> None:
    payments = _valid_payments()
    with _database(tmp_path) as d:
        _load(load_payments, payments, d.conn, batch_size=_L_BATCH)
        rows = _read(d)
    expect(len(rows) == len(payments), "every payment should be in the table",
           expected=_n(len(payments), "row"), seen=_n(len(rows), "row"))
    for want, got in zip(_expected_rows(payments), rows, strict=True):
        expect_equal(got, want, f"the row of {want[0]} (as read back by db.read_payments)")


@load.check("stores exact amounts and UTC times, as the table documents", points=2,
            hint="SQLite has no exact decimal: store format(amount, 'f') ('380.50'), never float(amount) "
                 "('380.5', and binary rounding); store captured_at.astimezone(timezone.utc).isoformat(), "
                 "and None as NULL.")
def _ld_values(load_payments: Callable[..., Any], tmp_path: Path) -> None:
    from datetime import UTC, datetime

    payments = _valid_payments(40)
    with _database(tmp_path) as d:
        _load(load_payments, payments, d.conn, batch_size=_L_BATCH)
        stored = dict((r[0], r[1:]) for r in d.own.execute("SELECT payment_id, amount, captured_at FROM payments"))
    for p in payments:
        amount, captured = stored.get(p.payment_id, (None, None))
        want = format(Decimal(p.amount).quantize(Decimal("0.01")), "f")
        expect(amount == want, f"the stored amount of {p.payment_id}", expected=repr(want), seen=repr(amount))
        if p.captured_at is None:
            expect(captured is None, "a payment never captured has no captured_at: store NULL",
                   expected=None, seen=captured)
            continue
        try:
            moment = datetime.fromisoformat(captured) if isinstance(captured, str) else None
        except ValueError:
            moment = None
        ok = moment is not None and moment.utcoffset() is not None and not moment.utcoffset() \
            and moment == p.captured_at
        expect(ok, f"captured_at of {p.payment_id} should be ISO-8601 text in UTC",
               expected=p.captured_at.astimezone(UTC).isoformat(), seen=repr(captured))


@load.check("loading the same payments again changes nothing", points=1,
            hint="INSERT ... ON CONFLICT (payment_id) DO UPDATE SET ...: a plain INSERT fails on the key the "
                 "second time, so a re-run or a restart would crash.")
def _ld_again(load_payments: Callable[..., Any], tmp_path: Path) -> None:
    payments = _valid_payments()
    with _database(tmp_path) as d:
        _load(load_payments, payments, d.conn, batch_size=_L_BATCH)
        first = _read(d)
        _load(load_payments, payments, d.conn, batch_size=_L_BATCH)
        expect_equal(_read(d), first, "the table after loading the same payments twice")


_L_CHANGED = 6  # payments that change at the gateway between two loads, in every column


def _changed(payment: Any, k: int) -> Any:
    """``payment`` as the gateway reports it later: every column but the key has changed."""
    from datetime import UTC, datetime, timedelta

    captured = payment.captured_at
    return payment.model_copy(update={
        "merchant_id": f"mer_moved{k:02d}",
        "amount": (Decimal(payment.amount) + Decimal("1.25")).quantize(Decimal("0.01")),
        "currency": "EUR" if payment.currency != "EUR" else "USD",
        "status": "refunded" if payment.status != "refunded" else "failed",
        "method": f"{payment.method}_v2",
        "captured_at": (datetime(2026, 3, 9, 12, k, tzinfo=UTC) if captured is None
                        else captured + timedelta(hours=1, seconds=k)),
    })


@load.check("a changed payment is updated in place, in every column", points=2,
            hint="ON CONFLICT (payment_id) DO UPDATE SET merchant_id = excluded.merchant_id, amount = "
                 "excluded.amount, currency = excluded.currency, status = excluded.status, method = "
                 "excluded.method, captured_at = excluded.captured_at: every column but the key.")
def _ld_updates(load_payments: Callable[..., Any], tmp_path: Path) -> None:
    from depipe_course.db import PAYMENT_COLUMNS

    payments = _valid_payments(_L_BATCH)
    changed = [_changed(p, k) for k, p in enumerate(payments[::5][:_L_CHANGED])]
    with _database(tmp_path) as d:
        _load(load_payments, payments, d.conn, batch_size=_L_BATCH)
        _load(load_payments, changed, d.conn, batch_size=_L_BATCH)
        rows = {r[0]: r for r in _read(d)}
    latest = {p.payment_id: p for p in payments} | {p.payment_id: p for p in changed}
    want = {r[0]: r for r in _expected_rows(latest.values())}
    expect_equal(len(rows), len(want), "the number of rows after re-loading changed payments")
    stale = {PAYMENT_COLUMNS[i] for p in changed for i in range(1, len(PAYMENT_COLUMNS))
             if p.payment_id in rows and rows[p.payment_id][i] != want[p.payment_id][i]}
    expect(not stale, f"{_L_CHANGED} payments changed at the gateway in every column and were loaded again: "
           "their rows should now hold the new values", expected="every column updated",
           seen=f"still the old {', '.join(c for c in PAYMENT_COLUMNS if c in stale)}")
    for pid in sorted(latest):
        expect_equal(rows.get(pid), want[pid], f"the row of {pid} (as read back by db.read_payments)")


@load.check("returns loaded and batches", points=1,
            hint="Count the rows written and the batches: 100 payments at batch_size=30 make 4 batches.")
def _ld_counts(load_payments: Callable[..., Any], tmp_path: Path) -> None:
    payments = _valid_payments()
    with _database(tmp_path) as d:
        stats = _load(load_payments, iter(payments), d.conn, batch_size=_L_BATCH)
    expect(isinstance(stats, Mapping), "return a dict", expected="{'loaded': ..., 'batches': ...}", seen=stats)
    expect_equal({k: stats.get(k) for k in ("loaded", "batches")}, {"loaded": 100, "batches": 4},
                 "loaded and batches for 100 payments at batch_size=30")


@load.check("writes each batch with one executemany, in one transaction", points=1,
            hint="One `with db.transaction(conn):` (or `with conn:`) around one db.executemany(conn, ...) "
                 "of the whole batch: a commit per row is a disk flush per row, and a statement per row "
                 "a round trip per row on PostgreSQL.")
def _ld_one_transaction(load_payments: Callable[..., Any], tmp_path: Path) -> None:
    payments = _valid_payments()
    with _database(tmp_path) as d:
        _load(load_payments, payments, d.conn, batch_size=_L_BATCH)
        commits, written = d.commits(), d.written()
    expect(commits == 4, "100 payments at batch_size=30 are 4 transactions", expected="4 commits",
           seen=_n(commits, "commit"))
    expect(written["executemany"] == 4 and not written["execute"], "write each batch with one executemany",
           expected="4 executemany calls, no INSERT by execute",
           seen=f"{written['executemany']} executemany, {written['execute']} execute")


@load.check("commits each batch before reading the next", points=1,
            hint="Take batch_size payments (itertools.islice), write and commit them, then take the next "
                 "ones: never list() the input, never keep the commit for the end.")
def _ld_streams(load_payments: Callable[..., Any], tmp_path: Path) -> None:
    payments = _valid_payments()
    with _database(tmp_path) as d:
        seen: list[tuple[int, int]] = []

        def source() -> Iterator[Any]:
            for position, payment in enumerate(payments):
                if position and position % _L_BATCH == 0:
                    seen.append((position, d.commits()))
                yield payment

        _load(load_payments, source(), d.conn, batch_size=_L_BATCH)
    late = [(pos, n) for pos, n in seen if n < pos // _L_BATCH]
    expect(seen and not late, "when payment k * batch_size is read, k batches should be committed",
           expected=[(pos, pos // _L_BATCH) for pos, _ in seen], seen=seen)


def _poisoned(count: int = _L_COUNT) -> tuple[list[Any], Any]:
    payments = _valid_payments(count)
    bad = _poison(payments[40])
    return [*payments[:40], bad, *payments[41:]], bad


@load.check("a batch the database refuses is loaded row by row; the refused row is dead-lettered", points=2,
            hint="except db.row_errors(conn) (sqlite3.IntegrityError here): the batch was rolled back; "
                 "write its rows one at a time, each in its own transaction, and dlq.write(payment, error, "
                 "context={'payment_id': ..., ...}) for a row that fails again.")
def _ld_bisect(load_payments: Callable[..., Any], tmp_path: Path) -> None:
    payments, bad = _poisoned()
    dlq = _RecordingDLQ()
    with _database(tmp_path) as d:
        _load(load_payments, payments, d.conn, batch_size=_L_BATCH, dlq=dlq)
        ids = {r[0] for r in _read(d)}
    want = {p.payment_id for p in payments} - {bad.payment_id}
    expect(ids == want, "every payment but the refused one should be loaded",
           expected=_n(len(want), "row"), seen=f"{_n(len(ids), 'row')}; missing {len(want - ids)}, "
                                                f"refused one loaded: {bad.payment_id in ids}")
    named = [_entry_payment_id(e.record, e.context) for e in dlq]
    expect(named == [bad.payment_id], "the refused payment should be dead-lettered once, named by its payment_id",
           expected=[bad.payment_id], seen=named)


@load.check("counts every dead letter it writes (dead_lettered)", points=2,
            hint="Add 1 to the dead_lettered count each time you call dlq.write, and return it: loaded + "
                 "dead_lettered must equal the payments handed in, or the run cannot reconcile.")
def _ld_counter(load_payments: Callable[..., Any], tmp_path: Path) -> None:
    payments, _ = _poisoned()
    dlq = _RecordingDLQ()
    with _database(tmp_path) as d:
        stats = _load(load_payments, payments, d.conn, batch_size=_L_BATCH, dlq=dlq)
    expect(isinstance(stats, Mapping), "return a dict", expected="{'loaded', 'batches', 'dead_lettered'}",
           seen=stats)
    counts = {k: stats.get(k) for k in ("loaded", "dead_lettered")}
    expect_equal(counts, {"loaded": len(payments) - 1, "dead_lettered": len(dlq)},
                 f"loaded and dead_lettered, with {len(dlq)} in the dead letter queue")


@load.check("without a dlq, a refused batch raises and is rolled back", points=1,
            hint="With dlq=None there is nowhere to put the bad row: let the database error propagate "
                 "(after the rollback), and keep the batches committed before it.")
def _ld_raises(load_payments: Callable[..., Any], tmp_path: Path) -> None:
    payments, _ = _poisoned()
    error: BaseException | None = None
    with _database(tmp_path) as d:
        try:
            _load(load_payments, payments, d.conn, batch_size=_L_BATCH)
        except NotImplementedError:
            raise
        except Exception as exc:
            error = exc
        d.conn.rollback()  # whatever the learner left open is not committed by the check
        count = len(_read(d))
    expect(_in_chain(error, sqlite3.IntegrityError) is not None, "the database refused a row and there is no "
           "dead letter queue: raise", expected="sqlite3.IntegrityError", seen=_describe(error))
    expect_equal(count, _L_BATCH, "rows in the table: the first batch (committed), none of the refused one")
