"""Wrong answers for part 06: the generator pipeline's classic mistakes."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

from solutions import part06 as ref
from tests.wrong_versions import wrong

logger = logging.getLogger("orders")

# ---------------------------------------------------------------- 06.1 read_ndjson


@wrong("06.1", "reads everything into a list", catches="is lazy: the first record comes without "
       "reading the whole file")
def read_ndjson_list(path: str | Path) -> Iterator[dict[str, Any]]:
    records = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                records.append(json.loads(line))
    return iter(records)


@wrong("06.1", "f.read().splitlines()", catches="is lazy: the first record comes without "
       "reading the whole file")
def read_ndjson_read_all(path: str | Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for line in text.splitlines():
        if line.strip():
            yield json.loads(line)


@wrong("06.1", "no JSON error handling (the module's chain version)",
       catches="skips bad JSON and logs a WARNING naming its line number")
def read_ndjson_no_errors(path: str | Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


@wrong("06.1", "logs bad JSON without the line number",
       catches="skips bad JSON and logs a WARNING naming its line number")
def read_ndjson_no_line_number(path: str | Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                logger.warning("skipping invalid JSON: %s", exc)
                continue
            yield record


@wrong("06.1", "prints bad lines instead of logging",
       catches="skips bad JSON and logs a WARNING naming its line number")
def read_ndjson_prints(path: str | Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                print(f"bad JSON on line {number}")  # noqa: T201
                continue
            yield record


@wrong("06.1", "warns about blank lines as bad JSON", catches="skips blank lines quietly")
def read_ndjson_noisy_blanks(path: str | Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                logger.warning("skipping line %d: invalid JSON", number)
                continue
            yield record


@wrong("06.1", "opens the file without with", catches="closes the file when the consumer "
       "stops early")
def read_ndjson_no_with(path: str | Path) -> Iterator[dict[str, Any]]:
    f = open(path, encoding="utf-8")
    for number, line in enumerate(f, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            logger.warning("skipping line %d: invalid JSON", number)
            continue
        yield record
    f.close()


# ---------------------------------------------------------------- 06.2 validate / transform


@wrong("06.2", "the module's validate: compares a string amount with 0",
       catches="validate_orders keeps valid records, unchanged and in order", name="validate_orders")
def validate_orders_str_compare(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for record in records:
        if record.get("order_id") and record.get("amount", 0) > 0:
            yield record
        else:
            logger.warning("invalid record skipped: %s", record.get("order_id"))


@wrong("06.2", "validate checks only the amount",
       catches="validate_orders drops each kind of invalid record, without raising",
       name="validate_orders")
def validate_orders_amount_only(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for record in records:
        amount = record.get("amount")
        if amount is not None and ref._amount(amount) is not None and ref._amount(amount) > 0:
            yield record
        else:
            logger.warning("dropping order %s", record.get("order_id"))


@wrong("06.2", "validate guesses dates with pandas",
       catches="validate_orders rejects a non-ISO date like '17/03/2026 10:00'",
       name="validate_orders")
def validate_orders_pandas_dates(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    import pandas as pd

    for record in records:
        problem = ref._problem({**record, "created_at": "2026-03-01T10:00:00Z"})
        if problem is None:
            try:
                pd.Timestamp(record["created_at"])
            except (ValueError, TypeError):
                problem = "bad created_at"
        if problem is None:
            yield record
        else:
            logger.warning("dropping order %s: %s", record.get("order_id"), problem)


@wrong("06.2", "validate drops silently",
       catches="validate_orders logs each dropped record at WARNING with its order_id",
       name="validate_orders")
def validate_orders_silent(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    return (record for record in records if ref._problem(record) is None)


@wrong("06.2", "validate logs without the order_id",
       catches="validate_orders logs each dropped record at WARNING with its order_id",
       name="validate_orders")
def validate_orders_anonymous(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for record in records:
        if ref._problem(record) is None:
            yield record
        else:
            logger.warning("dropping an invalid order")


@wrong("06.2", "validate builds a list", catches="validate_orders and transform_orders are lazy",
       name="validate_orders")
def validate_orders_list(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    return iter([r for r in records if ref._problem(r) is None])


def _transform_with(amount: Any = None, created_at: Any = None, status: Any = None):
    """A transform_orders that is right except for the one field given."""

    def transform_orders(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for record in records:
            yield {
                "order_id": int(record["order_id"]),
                "customer_id": int(record["customer_id"]),
                "amount": (amount or ref._amount)(record["amount"]),
                "status": (status or (lambda s: s.strip().lower()))(record["status"]),
                "created_at": (created_at or ref._created_at)(record["created_at"]),
            }

    return transform_orders


wrong("06.2", "round(float(amount), 2)", name="transform_orders",
      catches="transform_orders: amount is rounded from its text, not through float")(
    _transform_with(amount=lambda a: round(float(a), 2))
)

wrong("06.2", "Decimal(str(round(float(amount), 2)))", name="transform_orders",
      catches="transform_orders: amount is rounded from its text, not through float")(
    _transform_with(amount=lambda a: Decimal(str(round(float(a), 2))))
)

wrong("06.2", "Decimal without quantize", name="transform_orders",
      catches="transform_orders: amount is a Decimal with exactly two places")(
    _transform_with(amount=lambda a: Decimal(str(a).strip()))
)

wrong("06.2", "Decimal(float) for JSON numbers", name="transform_orders",
      catches="transform_orders: a JSON number amount (the float 2.675) keeps its written value")(
    _transform_with(amount=lambda a: Decimal(a).quantize(Decimal("0.01")))
)


def _tz_localize(text: str) -> Any:
    import pandas as pd

    return pd.Timestamp(text).tz_localize("UTC")


wrong("06.2", "tz_localize('UTC') on an aware timestamp", name="transform_orders",
      catches="transform_orders: an offset like +05:30 is converted to UTC, not relabelled")(
    _transform_with(created_at=_tz_localize)
)

wrong("06.2", "replace(tzinfo=UTC) relabels offsets", name="transform_orders",
      catches="transform_orders: an offset like +05:30 is converted to UTC, not relabelled")(
    _transform_with(created_at=lambda t: datetime.fromisoformat(t).replace(tzinfo=UTC))
)

wrong("06.2", "naive timestamps left naive", name="transform_orders",
      catches="transform_orders: created_at is tz-aware UTC (Z and naive input)")(
    _transform_with(created_at=lambda t: datetime.fromisoformat(t))
)

wrong("06.2", "status not stripped", name="transform_orders",
      catches="transform_orders: int ids, stripped lower-case status")(
    _transform_with(status=lambda s: s.lower())
)


@wrong("06.2", "transform assigns into the input record",
       catches="transform_orders does not modify its input records", name="transform_orders")
def transform_orders_mutates(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for record in records:
        record["order_id"] = int(record["order_id"])
        record["customer_id"] = int(record["customer_id"])
        record["amount"] = ref._amount(record["amount"])
        record["status"] = record["status"].strip().lower()
        record["created_at"] = ref._created_at(record["created_at"])
        yield record


@wrong("06.2", "transform builds a list", catches="validate_orders and transform_orders are lazy",
       name="transform_orders")
def transform_orders_list(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    return iter([next(ref.transform_orders([r])) for r in records])


# ---------------------------------------------------------------- 06.3 batch_records


@wrong("06.3", "loses the final partial batch", catches="yields full batches, then the final "
       "partial batch")
def batch_records_no_tail(records: Iterable[Any], batch_size: int = 10_000) -> Iterator[list[Any]]:
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    batch = []
    for record in records:
        batch.append(record)
        if len(batch) == batch_size:
            yield batch
            batch = []


@wrong("06.3", "yields an empty last batch", catches="no empty batch: none at the end, none for "
       "empty input")
def batch_records_empty_tail(records: Iterable[Any], batch_size: int = 10_000) -> Iterator[list[Any]]:
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    batch = []
    for record in records:
        batch.append(record)
        if len(batch) == batch_size:
            yield batch
            batch = []
    yield batch


@wrong("06.3", "reuses one list with clear()", catches="each batch is a new list")
def batch_records_clear(records: Iterable[Any], batch_size: int = 10_000) -> Iterator[list[Any]]:
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    batch: list[Any] = []
    for record in records:
        batch.append(record)
        if len(batch) == batch_size:
            yield batch
            batch.clear()
    if batch:
        yield batch


@wrong("06.3", "yields tuples like itertools.batched", catches="each batch is a new list")
def batch_records_tuples(records: Iterable[Any], batch_size: int = 10_000) -> Iterator[tuple[Any, ...]]:
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    it = iter(records)
    while batch := tuple(islice(it, batch_size)):
        yield batch


@wrong("06.3", "islice without iter()", catches="works on a list as well as on a generator")
def batch_records_no_iter(records: Iterable[Any], batch_size: int = 10_000) -> Iterator[list[Any]]:
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    while batch := list(islice(records, batch_size)):
        yield batch


@wrong("06.3", "builds every batch first", catches="is lazy: the first batch comes after "
       "pulling batch_size records")
def batch_records_eager(records: Iterable[Any], batch_size: int = 10_000) -> Iterator[list[Any]]:
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    items = list(records)
    return iter([items[i:i + batch_size] for i in range(0, len(items), batch_size)])


@wrong("06.3", "accepts batch_size 0 and -1", catches="rejects batch_size < 1 with ValueError")
def batch_records_no_check(records: Iterable[Any], batch_size: int = 10_000) -> Iterator[list[Any]]:
    batch = []
    for record in records:
        batch.append(record)
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


# ---------------------------------------------------------------- 06.4 write_batch


def _rows(batch: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [ref._row(order) for order in batch]


@wrong("06.4", "psycopg-style `with conn.cursor()` (the module's version)",
       catches="writes every row of the batch and returns how many")
def write_batch_cursor_context(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    with conn.cursor() as cur:  # sqlite3 cursors are not context managers
        cur.executemany(ref.UPSERT_ORDER, _rows(batch))
    conn.commit()
    return len(batch)


@wrong("06.4", "returns nothing", catches="writes every row of the batch and returns how many")
def write_batch_returns_none(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> None:
    with conn:
        conn.executemany(ref.UPSERT_ORDER, _rows(batch))


@wrong("06.4", "amount stored as a float", catches="stores amount as exact text with two places "
       "('380.50')")
def write_batch_float(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    rows = [(o, c, float(a), s, t) for o, c, a, s, t in _rows(batch)]
    with conn:
        conn.executemany(ref.UPSERT_ORDER, rows)
    return len(rows)


@wrong("06.4", "created_at stored as epoch seconds", catches="stores created_at as ISO-8601 UTC "
       "text")
def write_batch_epoch(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    rows = [(*r[:4], str(order["created_at"].timestamp())) for r, order in zip(_rows(batch), batch,
                                                                               strict=True)]
    with conn:
        conn.executemany(ref.UPSERT_ORDER, rows)
    return len(rows)


@wrong("06.4", "never commits", catches="commits: another connection sees the rows")
def write_batch_no_commit(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    conn.executemany(ref.UPSERT_ORDER, _rows(batch))
    return len(batch)


@wrong("06.4", "plain INSERT", catches="upserts: an order_id written again updates every column, "
       "no duplicate")
def write_batch_insert(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    with conn:
        conn.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?)", _rows(batch))
    return len(batch)


@wrong("06.4", "INSERT OR IGNORE", catches="upserts: an order_id written again updates every "
       "column, no duplicate")
def write_batch_ignore(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    with conn:
        conn.executemany("INSERT OR IGNORE INTO orders VALUES (?, ?, ?, ?, ?)", _rows(batch))
    return len(batch)


@wrong("06.4", "DO UPDATE SET status only (the module's version)",
       catches="upserts: an order_id written again updates every column, no duplicate")
def write_batch_status_only(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    with conn:
        conn.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?) ON CONFLICT (order_id) "
                         "DO UPDATE SET status = excluded.status", _rows(batch))
    return len(batch)


@wrong("06.4", "commits row by row", catches="a batch with a bad row raises and leaves the "
       "table unchanged")
def write_batch_per_row(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    for row in _rows(batch):
        conn.execute(ref.UPSERT_ORDER, row)
        conn.commit()
    return len(batch)


@wrong("06.4", "no rollback on error", catches="a batch with a bad row raises and leaves the "
       "table unchanged")
def write_batch_no_rollback(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    conn.executemany(ref.UPSERT_ORDER, _rows(batch))
    conn.commit()
    return len(batch)


@wrong("06.4", "swallows the error", catches="a batch with a bad row raises and leaves the "
       "table unchanged")
def write_batch_swallows(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    try:
        with conn:
            conn.executemany(ref.UPSERT_ORDER, _rows(batch))
    except sqlite3.Error:
        logger.exception("batch failed")
        return 0
    return len(batch)


@wrong("06.4", "INSERT OR REPLACE", catches="updates rows in place (no delete and re-insert)")
def write_batch_replace(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    with conn:
        conn.executemany("INSERT OR REPLACE INTO orders VALUES (?, ?, ?, ?, ?)", _rows(batch))
    return len(batch)


# ---------------------------------------------------------------- 06.5 run_pipeline


def _stats(read: int, written: int, batches: int) -> dict[str, int]:
    return {"records_read": read, "rows_written": written, "batches": batches}


@wrong("06.5", "reads the whole file into a list", catches="constant memory: 10x the records, "
       "about the same peak")
def run_pipeline_list(filepath: str | Path, conn: sqlite3.Connection, batch_size: int = 10_000) -> dict[str, int]:
    records = list(ref.read_ndjson(filepath))
    written = batches = 0
    for batch in ref.batch_records(ref.transform_orders(ref.validate_orders(records)), batch_size):
        written += ref.write_batch(batch, conn)
        batches += 1
    return _stats(len(records), written, batches)


@wrong("06.5", "builds the list of batches first", catches="writes the first batch before "
       "reading the rest of the file")
def run_pipeline_list_of_batches(filepath: str | Path, conn: sqlite3.Connection,
                                 batch_size: int = 10_000) -> dict[str, int]:
    counts = {"records_read": 0}
    raw = ref._counted(ref.read_ndjson(filepath), counts, "records_read")
    batches = list(ref.batch_records(ref.transform_orders(ref.validate_orders(raw)), batch_size))
    written = sum(ref.write_batch(batch, conn) for batch in batches)
    return _stats(counts["records_read"], written, len(batches))


@wrong("06.5", "ignores batch_size", catches="hands write_batch batches of batch_size")
def run_pipeline_default_size(filepath: str | Path, conn: sqlite3.Connection,
                              batch_size: int = 10_000) -> dict[str, int]:
    return ref.run_pipeline(filepath, conn)


@wrong("06.5", "counts valid records as read", catches="returns records_read, rows_written and "
       "batches")
def run_pipeline_wrong_counts(filepath: str | Path, conn: sqlite3.Connection,
                              batch_size: int = 10_000) -> dict[str, int]:
    stats = ref.run_pipeline(filepath, conn, batch_size)
    return {**stats, "records_read": stats["rows_written"]}


@wrong("06.5", "skips validation", catches="loads every valid order into the table")
def run_pipeline_no_validation(filepath: str | Path, conn: sqlite3.Connection,
                               batch_size: int = 10_000) -> dict[str, int]:
    counts = {"records_read": 0}
    raw = ref._counted(ref.read_ndjson(filepath), counts, "records_read")
    written = batches = 0
    for batch in ref.batch_records(ref.transform_orders(raw), batch_size):
        written += ref.write_batch(batch, conn)
        batches += 1
    return _stats(counts["records_read"], written, batches)
