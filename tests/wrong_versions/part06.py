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
       "reading the whole file", requirement="lazy: a generator, not the whole file read first")
def read_ndjson_list(path: str | Path) -> Iterator[dict[str, Any]]:
    records = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                records.append(json.loads(line))
    return iter(records)


@wrong("06.1", "f.read().splitlines()", catches="is lazy: the first record comes without "
       "reading the whole file", requirement="lazy: a generator, not the whole file read first")
def read_ndjson_read_all(path: str | Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for line in text.splitlines():
        if line.strip():
            yield json.loads(line)


@wrong("06.1", "no JSON error handling", catches="skips bad JSON and logs a WARNING naming its line number",
       requirement="a line that is not valid JSON is logged at WARNING and skipped")
def read_ndjson_no_errors(path: str | Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


@wrong("06.1", "logs bad JSON without the line number",
       catches="skips bad JSON and logs a WARNING naming its line number",
       requirement="the warning names the line number, counting from 1")
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
       catches="skips bad JSON and logs a WARNING naming its line number",
       requirement="a line that is not valid JSON is logged at WARNING and skipped")
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


@wrong("06.1", "warns about blank lines as bad JSON", catches="skips blank lines quietly",
       requirement="blank lines skipped without a warning")
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
       "stops early", requirement="the file is closed however the consumer stops")
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


def _reader(*, start: int = 1, count_blank: bool = True, level: int = logging.WARNING,
            opener: Any = None) -> Any:
    """A read_ndjson that is right except for the one thing given."""

    def read_ndjson(path: str | Path) -> Iterator[dict[str, Any]]:
        with (opener or (lambda p: open(p, encoding="utf-8")))(path) as f:
            number = start - 1
            for line in f:
                if count_blank or line.strip():
                    number += 1
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    logger.log(level, "skipping line %d: invalid JSON", number)
                    continue
                yield record

    return read_ndjson


wrong("06.1", "line numbers counted from 0", catches="skips bad JSON and logs a WARNING naming its "
      "line number", requirement="the warning names the line number, counting from 1")(
    _reader(start=0))
wrong("06.1", "counts only the non-blank lines", catches="skips bad JSON and logs a WARNING "
      "naming its line number", requirement="the warning names the line number, counting from 1")(
    _reader(count_blank=False))
wrong("06.1", "bad lines logged at INFO", catches="skips bad JSON and logs a WARNING naming its "
      "line number", requirement="a line that is not valid JSON is logged at WARNING and skipped")(
    _reader(level=logging.INFO))
wrong("06.1", "path.open(): a str path fails", catches="yields every record, in file order",
      requirement="one dict per non-blank line, in file order, from a str or a Path")(
    _reader(opener=lambda p: p.open(encoding="utf-8")))


@wrong("06.1", "f.readlines()", catches="is lazy: the first record comes without reading the whole "
       "file", requirement="lazy: a generator, not the whole file read first")
def read_ndjson_readlines(path: str | Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except json.JSONDecodeError:
            logger.warning("skipping line %d: invalid JSON", number)


# ---------------------------------------------------------------- 06.2 validate / transform


@wrong("06.2", "validate compares a string amount with 0",
       catches="validate_orders keeps valid records, unchanged and in order", name="validate_orders",
       requirement="validate_orders yields the valid records unchanged, in order")
def validate_orders_str_compare(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for record in records:
        if record.get("order_id") and record.get("amount", 0) > 0:
            yield record
        else:
            logger.warning("invalid record skipped: %s", record.get("order_id"))


@wrong("06.2", "validate checks only the amount",
       catches="validate_orders drops each kind of invalid record, without raising",
       name="validate_orders", requirement="validate_orders drops every invalid record")
def validate_orders_amount_only(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for record in records:
        amount = record.get("amount")
        if amount is not None and ref._amount(amount) is not None and ref._amount(amount) > 0:
            yield record
        else:
            logger.warning("dropping order %s", record.get("order_id"))


@wrong("06.2", "validate guesses dates with pandas",
       catches="validate_orders rejects a non-ISO date like '17/03/2026 10:00'",
       name="validate_orders", requirement="only ISO-8601 dates are valid")
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
       name="validate_orders", requirement="each dropped record is logged at WARNING with its order_id")
def validate_orders_silent(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    return (record for record in records if ref._problem(record) is None)


@wrong("06.2", "validate logs without the order_id",
       catches="validate_orders logs each dropped record at WARNING with its order_id",
       name="validate_orders", requirement="each dropped record is logged at WARNING with its order_id")
def validate_orders_anonymous(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for record in records:
        if ref._problem(record) is None:
            yield record
        else:
            logger.warning("dropping an invalid order")


@wrong("06.2", "validate builds a list", catches="validate_orders and transform_orders are lazy",
       name="validate_orders", requirement="both stages are lazy: one record out pulls one record in")
def validate_orders_list(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    return iter([r for r in records if ref._problem(r) is None])


@wrong("06.2", "validate yields a cleaned copy", name="validate_orders",
       catches="validate_orders keeps valid records, unchanged and in order",
       requirement="validate_orders yields the valid records unchanged, in order")
def validate_orders_cleans(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for record in ref.validate_orders(records):
        yield {**record, "status": record["status"].strip().lower()}


@wrong("06.2", "validate lets Decimal() raise on a non-numeric amount", name="validate_orders",
       catches="validate_orders drops each kind of invalid record, without raising",
       requirement="validate_orders never raises on bad data")
def validate_orders_raises(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for record in records:
        if isinstance(record.get("amount"), str):
            Decimal(record["amount"])  # InvalidOperation for 'abc'
        yield from ref.validate_orders([record])


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


@wrong("06.2", "ids left as they came", name="transform_orders",
       catches="transform_orders: int ids, stripped lower-case status",
       requirement="transform_orders: order_id and customer_id as int")
def transform_orders_raw_ids(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for record in records:
        order = next(ref.transform_orders([record]))
        yield {**order, "order_id": record["order_id"], "customer_id": record["customer_id"]}


wrong("06.2", "round(float(amount), 2)", name="transform_orders",
      catches="transform_orders: amount is rounded from its text, not through float",
      requirement="transform_orders: amount from the text, never through float")(
    _transform_with(amount=lambda a: round(float(a), 2))
)

wrong("06.2", "Decimal(str(round(float(amount), 2)))", name="transform_orders",
      catches="transform_orders: amount is rounded from its text, not through float",
      requirement="transform_orders: amount from the text, never through float")(
    _transform_with(amount=lambda a: Decimal(str(round(float(a), 2))))
)

wrong("06.2", "Decimal without quantize", name="transform_orders",
      catches="transform_orders: amount is a Decimal with exactly two places",
      requirement="transform_orders: amount a Decimal with exactly two places")(
    _transform_with(amount=lambda a: Decimal(str(a).strip()))
)

wrong("06.2", "Decimal(float) for JSON numbers", name="transform_orders",
      catches="transform_orders: a JSON number amount (the float 2.675) keeps its written value",
      requirement="transform_orders: amount from the text, never through float")(
    _transform_with(amount=lambda a: Decimal(a).quantize(Decimal("0.01")))
)


def _tz_localize(text: str) -> Any:
    import pandas as pd

    return pd.Timestamp(text).tz_localize("UTC")


wrong("06.2", "tz_localize('UTC') on an aware timestamp", name="transform_orders",
      catches="transform_orders: an offset like +05:30 is converted to UTC, not relabelled",
      requirement="transform_orders: an offset is converted to UTC, not relabelled")(
    _transform_with(created_at=_tz_localize)
)

wrong("06.2", "replace(tzinfo=UTC) relabels offsets", name="transform_orders",
      catches="transform_orders: an offset like +05:30 is converted to UTC, not relabelled",
      requirement="transform_orders: an offset is converted to UTC, not relabelled")(
    _transform_with(created_at=lambda t: datetime.fromisoformat(t).replace(tzinfo=UTC))
)

wrong("06.2", "naive timestamps left naive", name="transform_orders",
      catches="transform_orders: created_at is tz-aware UTC (Z and naive input)",
      requirement="transform_orders: created_at a tz-aware UTC datetime")(
    _transform_with(created_at=lambda t: datetime.fromisoformat(t))
)

wrong("06.2", "status not stripped", name="transform_orders",
      catches="transform_orders: int ids, stripped lower-case status",
      requirement="transform_orders: status stripped and lower-cased")(
    _transform_with(status=lambda s: s.lower())
)


@wrong("06.2", "transform assigns into the input record",
       catches="transform_orders does not modify its input records", name="transform_orders",
       requirement="transform_orders builds new dicts and leaves its input alone")
def transform_orders_mutates(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for record in records:
        record["order_id"] = int(record["order_id"])
        record["customer_id"] = int(record["customer_id"])
        record["amount"] = ref._amount(record["amount"])
        record["status"] = record["status"].strip().lower()
        record["created_at"] = ref._created_at(record["created_at"])
        yield record


@wrong("06.2", "transform builds a list", catches="validate_orders and transform_orders are lazy",
       name="transform_orders", requirement="both stages are lazy: one record out pulls one record in")
def transform_orders_list(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    return iter([next(ref.transform_orders([r])) for r in records])


# ---------------------------------------------------------------- 06.3 batch_records


@wrong("06.3", "loses the final partial batch", catches="yields full batches, then the final "
       "partial batch", requirement="lists of batch_size records, then a last, shorter list")
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
       "empty input", requirement="no empty batches")
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


@wrong("06.3", "reuses one list with clear()", catches="each batch is a new list",
       requirement="each batch is a new list the consumer can keep")
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


@wrong("06.3", "yields tuples like itertools.batched", catches="each batch is a new list",
       requirement="each batch is a new list the consumer can keep")
def batch_records_tuples(records: Iterable[Any], batch_size: int = 10_000) -> Iterator[tuple[Any, ...]]:
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    it = iter(records)
    while batch := tuple(islice(it, batch_size)):
        yield batch


@wrong("06.3", "islice without iter()", catches="works on a list as well as on a generator",
       requirement="works on any iterable: a list or a generator")
def batch_records_no_iter(records: Iterable[Any], batch_size: int = 10_000) -> Iterator[list[Any]]:
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    while batch := list(islice(records, batch_size)):
        yield batch


@wrong("06.3", "builds every batch first", catches="is lazy: the first batch comes after "
       "pulling batch_size records",
       requirement="the first batch comes as soon as batch_size records are pulled")
def batch_records_eager(records: Iterable[Any], batch_size: int = 10_000) -> Iterator[list[Any]]:
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    items = list(records)
    return iter([items[i:i + batch_size] for i in range(0, len(items), batch_size)])


@wrong("06.3", "accepts batch_size 0 and -1", catches="rejects batch_size < 1 with ValueError",
       requirement="a batch_size below 1 raises ValueError")
def batch_records_no_check(records: Iterable[Any], batch_size: int = 10_000) -> Iterator[list[Any]]:
    batch = []
    for record in records:
        batch.append(record)
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


@wrong("06.3", "rejects only negative sizes (batch_size < 0)",
       catches="rejects batch_size < 1 with ValueError",
       requirement="a batch_size below 1 raises ValueError")
def batch_records_off_by_one(records: Iterable[Any], batch_size: int = 10_000) -> Iterator[list[Any]]:
    if batch_size < 0:
        raise ValueError("batch_size must not be negative")
    return ref._batches(iter(records), max(batch_size, 1))


@wrong("06.3", "assert instead of ValueError", catches="rejects batch_size < 1 with ValueError",
       requirement="a batch_size below 1 raises ValueError")
def batch_records_assert(records: Iterable[Any], batch_size: int = 10_000) -> Iterator[list[Any]]:
    assert batch_size >= 1, "batch_size must be at least 1"
    return ref._batches(iter(records), batch_size)


# ---------------------------------------------------------------- 06.4 write_batch


def _rows(batch: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [ref._row(order) for order in batch]


@wrong("06.4", "psycopg-style `with conn.cursor()`",
       catches="writes every row of the batch and returns how many",
       requirement="writes every row of the batch and returns how many (0 for an empty batch)")
def write_batch_cursor_context(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    with conn.cursor() as cur:  # sqlite3 cursors are not context managers
        cur.executemany(ref.UPSERT_ORDER, _rows(batch))
    conn.commit()
    return len(batch)


@wrong("06.4", "returns nothing", catches="writes every row of the batch and returns how many",
       requirement="writes every row of the batch and returns how many (0 for an empty batch)")
def write_batch_returns_none(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> None:
    with conn:
        conn.executemany(ref.UPSERT_ORDER, _rows(batch))


@wrong("06.4", "amount stored as a float", catches="stores amount as exact text with two places "
       "('380.50')", requirement="amount stored as text with two places")
def write_batch_float(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    rows = [(o, c, float(a), s, t) for o, c, a, s, t in _rows(batch)]
    with conn:
        conn.executemany(ref.UPSERT_ORDER, rows)
    return len(rows)


@wrong("06.4", "created_at stored as epoch seconds", catches="stores created_at as ISO-8601 UTC "
       "text", requirement="created_at stored as ISO-8601 UTC text")
def write_batch_epoch(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    rows = [(*r[:4], str(order["created_at"].timestamp())) for r, order in zip(_rows(batch), batch,
                                                                               strict=True)]
    with conn:
        conn.executemany(ref.UPSERT_ORDER, rows)
    return len(rows)


@wrong("06.4", "never commits", catches="commits: another connection sees the rows",
       requirement="the batch is committed")
def write_batch_no_commit(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    conn.executemany(ref.UPSERT_ORDER, _rows(batch))
    return len(batch)


@wrong("06.4", "plain INSERT", catches="upserts: an order_id written again updates every column, "
       "no duplicate",
       requirement="an order_id written again updates every column: ON CONFLICT (order_id) DO UPDATE")
def write_batch_insert(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    with conn:
        conn.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?)", _rows(batch))
    return len(batch)


@wrong("06.4", "INSERT OR IGNORE", catches="upserts: an order_id written again updates every "
       "column, no duplicate",
       requirement="an order_id written again updates every column: ON CONFLICT (order_id) DO UPDATE")
def write_batch_ignore(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    with conn:
        conn.executemany("INSERT OR IGNORE INTO orders VALUES (?, ?, ?, ?, ?)", _rows(batch))
    return len(batch)


@wrong("06.4", "DO UPDATE SET status only",
       catches="upserts: an order_id written again updates every column, no duplicate",
       requirement="an order_id written again updates every column: ON CONFLICT (order_id) DO UPDATE")
def write_batch_status_only(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    with conn:
        conn.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?) ON CONFLICT (order_id) "
                         "DO UPDATE SET status = excluded.status", _rows(batch))
    return len(batch)


@wrong("06.4", "ON CONFLICT DO NOTHING", catches="upserts: an order_id written again updates every "
       "column, no duplicate",
       requirement="an order_id written again updates every column: ON CONFLICT (order_id) DO UPDATE")
def write_batch_do_nothing(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    with conn:
        conn.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?) "
                         "ON CONFLICT (order_id) DO NOTHING", _rows(batch))
    return len(batch)


@wrong("06.4", "DO UPDATE SET amount and status only", catches="upserts: an order_id written again "
       "updates every column, no duplicate",
       requirement="an order_id written again updates every column: ON CONFLICT (order_id) DO UPDATE")
def write_batch_some_columns(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    with conn:
        conn.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?) ON CONFLICT (order_id) "
                         "DO UPDATE SET amount = excluded.amount, status = excluded.status",
                         _rows(batch))
    return len(batch)


@wrong("06.4", "one `with conn:` per row", catches="a batch with a bad row raises and leaves the "
       "table unchanged", requirement="one transaction per batch: a failing batch leaves nothing behind")
def write_batch_transaction_per_row(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    for row in _rows(batch):
        with conn:
            conn.execute(ref.UPSERT_ORDER, row)
    return len(batch)


@wrong("06.4", "commits row by row", catches="a batch with a bad row raises and leaves the "
       "table unchanged", requirement="one transaction per batch: a failing batch leaves nothing behind")
def write_batch_per_row(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    for row in _rows(batch):
        conn.execute(ref.UPSERT_ORDER, row)
        conn.commit()
    return len(batch)


@wrong("06.4", "no rollback on error", catches="a batch with a bad row raises and leaves the "
       "table unchanged", requirement="one transaction per batch: a failing batch leaves nothing behind")
def write_batch_no_rollback(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    conn.executemany(ref.UPSERT_ORDER, _rows(batch))
    conn.commit()
    return len(batch)


@wrong("06.4", "swallows the error", catches="a batch with a bad row raises and leaves the "
       "table unchanged", requirement="the error reaches the caller")
def write_batch_swallows(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    try:
        with conn:
            conn.executemany(ref.UPSERT_ORDER, _rows(batch))
    except sqlite3.Error:
        logger.exception("batch failed")
        return 0
    return len(batch)


@wrong("06.4", "INSERT OR REPLACE", catches="updates rows in place (no delete and re-insert)",
       requirement="rows are updated in place, never deleted and re-inserted (INSERT OR REPLACE)")
def write_batch_replace(batch: list[dict[str, Any]], conn: sqlite3.Connection) -> int:
    with conn:
        conn.executemany("INSERT OR REPLACE INTO orders VALUES (?, ?, ?, ?, ?)", _rows(batch))
    return len(batch)


# ---------------------------------------------------------------- 06.5 run_pipeline


def _stats(read: int, written: int, batches: int) -> dict[str, int]:
    return {"records_read": read, "rows_written": written, "batches": batches}


@wrong("06.5", "reads the whole file into a list", catches="constant memory: 10x the records, "
       "about the same peak", requirement="memory does not depend on the size of the file")
def run_pipeline_list(filepath: str | Path, conn: sqlite3.Connection, batch_size: int = 10_000) -> dict[str, int]:
    records = list(ref.read_ndjson(filepath))
    written = batches = 0
    for batch in ref.batch_records(ref.transform_orders(ref.validate_orders(records)), batch_size):
        written += ref.write_batch(batch, conn)
        batches += 1
    return _stats(len(records), written, batches)


@wrong("06.5", "builds the list of batches first", catches="writes the first batch before "
       "reading the rest of the file",
       requirement="the first batch is written before the rest of the file is read")
def run_pipeline_list_of_batches(filepath: str | Path, conn: sqlite3.Connection,
                                 batch_size: int = 10_000) -> dict[str, int]:
    counts = {"records_read": 0}
    raw = ref._counted(ref.read_ndjson(filepath), counts, "records_read")
    batches = list(ref.batch_records(ref.transform_orders(ref.validate_orders(raw)), batch_size))
    written = sum(ref.write_batch(batch, conn) for batch in batches)
    return _stats(counts["records_read"], written, len(batches))


@wrong("06.5", "ignores batch_size", catches="hands write_batch batches of batch_size",
       requirement="batches of batch_size")
def run_pipeline_default_size(filepath: str | Path, conn: sqlite3.Connection,
                              batch_size: int = 10_000) -> dict[str, int]:
    return ref.run_pipeline(filepath, conn)


@wrong("06.5", "counts valid records as read", catches="returns records_read, rows_written and "
       "batches", requirement="returns records_read, rows_written and batches")
def run_pipeline_wrong_counts(filepath: str | Path, conn: sqlite3.Connection,
                              batch_size: int = 10_000) -> dict[str, int]:
    stats = ref.run_pipeline(filepath, conn, batch_size)
    return {**stats, "records_read": stats["rows_written"]}


@wrong("06.5", "skips validation", catches="loads every valid order into the table",
       requirement="every valid order ends up in the table: read, validate, transform, batch, write")
def run_pipeline_no_validation(filepath: str | Path, conn: sqlite3.Connection,
                               batch_size: int = 10_000) -> dict[str, int]:
    counts = {"records_read": 0}
    raw = ref._counted(ref.read_ndjson(filepath), counts, "records_read")
    written = batches = 0
    for batch in ref.batch_records(ref.transform_orders(raw), batch_size):
        written += ref.write_batch(batch, conn)
        batches += 1
    return _stats(counts["records_read"], written, batches)


@wrong("06.5", "keeps every batch to count them at the end", catches="constant memory: 10x the "
       "records, about the same peak", requirement="memory does not depend on the size of the file")
def run_pipeline_keeps_batches(filepath: str | Path, conn: sqlite3.Connection,
                               batch_size: int = 10_000) -> dict[str, int]:
    counts = {"records_read": 0}
    raw = ref._counted(ref.read_ndjson(filepath), counts, "records_read")
    written: list[list[dict[str, Any]]] = []
    for batch in ref.batch_records(ref.transform_orders(ref.validate_orders(raw)), batch_size):
        ref.write_batch(batch, conn)
        written.append(batch)
    return _stats(counts["records_read"], sum(len(b) for b in written), len(written))
