"""Part 06 — Generators: reference solutions."""

# %% [06.1]
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

logger = logging.getLogger("orders")


def read_ndjson(path: str | Path) -> Iterator[dict[str, Any]]:
    """Yield one JSON object per non-blank line of ``path``, lazily.

    A line that is not a JSON object is logged at WARNING with its line number and
    skipped: one bad line in a 10 GB export must not stop the run. The ``with`` block
    closes the file however the consumer stops: exhausted, ``break``, or ``close()``.
    """
    with open(path, encoding="utf-8") as lines:
        for line_number, line in enumerate(lines, start=1):
            text = line.strip()
            if not text:
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                logger.warning("skipping line %d of %s: invalid JSON (%s)", line_number, path, exc.msg)
                continue
            if not isinstance(record, dict):
                logger.warning("skipping line %d of %s: a JSON %s, not an object",
                               line_number, path, type(record).__name__)
                continue
            yield record  # outside the try: an error raised by the consumer is not ours


# %% [06.2]
import logging
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

logger = logging.getLogger("orders")

VALID_STATUSES = frozenset({"placed", "confirmed", "delivered", "cancelled"})
CENTS = Decimal("0.01")


def _positive_int(value: Any) -> int | None:
    """An id: an int (not a bool) or a string of digits, greater than zero."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value)
    else:
        return None
    return number if number > 0 else None


def _amount(value: Any) -> Decimal | None:
    """Exact amount with two places, from the text of the number, never through float."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        return None
    # str() of a float is the shortest text that reads back as the same float: for a
    # JSON number 2.675 that is "2.675", while Decimal(2.675) is 2.67499999...
    text = str(value).strip() if isinstance(value, float | str) else value
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite():
        return None
    return amount.quantize(CENTS, rounding=ROUND_HALF_UP)


def _status(value: Any) -> str | None:
    status = value.strip().lower() if isinstance(value, str) else None
    return status if status in VALID_STATUSES else None


def _created_at(value: Any) -> datetime | None:
    """ISO-8601 text as an aware UTC datetime; naive text is taken as UTC already."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)  # convert the instant: never relabel it


def _problem(record: Any) -> str | None:
    """Why ``record`` is not a valid order, or None when it is."""
    if not isinstance(record, dict):
        return f"not an object but a {type(record).__name__}"
    if _positive_int(record.get("order_id")) is None:
        return f"order_id {record.get('order_id')!r} is not a positive integer"
    if _positive_int(record.get("customer_id")) is None:
        return f"customer_id {record.get('customer_id')!r} is not a positive integer"
    amount = _amount(record.get("amount"))
    if amount is None or amount <= 0:
        return f"amount {record.get('amount')!r} is not a number above zero"
    if _status(record.get("status")) is None:
        return f"status {record.get('status')!r} is not one of {sorted(VALID_STATUSES)}"
    if _created_at(record.get("created_at")) is None:
        return f"created_at {record.get('created_at')!r} is not an ISO-8601 timestamp"
    return None


def validate_orders(records: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """Filter: pass valid orders on unchanged; drop the rest, each with a WARNING.

    Valid means: ``order_id`` and ``customer_id`` positive integers, ``amount`` a
    number above zero, ``status`` one of the four (ignoring case and spaces), and
    ``created_at`` an ISO-8601 timestamp. Bad data never raises: it is logged (with
    the order_id and the reason) and skipped, and the stream goes on.
    """
    for record in records:
        problem = _problem(record)
        if problem is None:
            yield record
            continue
        order_id = record.get("order_id") if isinstance(record, dict) else None
        logger.warning("dropping order %s: %s", order_id, problem,
                       extra={"order_id": order_id, "reason": problem})


def transform_orders(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Map valid raw orders to typed ones: int ids, Decimal amount, UTC datetime.

    Expects records that passed ``validate_orders``; builds new dicts and leaves the
    input records untouched.
    """
    for record in records:
        yield {
            "order_id": int(record["order_id"]),
            "customer_id": int(record["customer_id"]),
            "amount": _amount(record["amount"]),
            "status": record["status"].strip().lower(),
            "created_at": _created_at(record["created_at"]),
        }


# %% [06.3]
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")


def batch_records(records: Iterable[T], batch_size: int = 10_000) -> Iterator[list[T]]:
    """Group ``records`` into lists of ``batch_size``; the last one may be shorter.

    A plain function that checks its argument, then hands back a generator: a bad
    ``batch_size`` fails here, where the pipeline is built, not later on first use.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    return _batches(iter(records), batch_size)


def _batches(records: Iterator[T], batch_size: int) -> Iterator[list[T]]:
    # A new list per batch: a consumer may keep earlier batches while reading later ones.
    while batch := list(islice(records, batch_size)):
        yield batch


# %% [06.4]
import sqlite3
from collections.abc import Sequence
from datetime import UTC
from decimal import Decimal
from typing import Any

UPSERT_ORDER = """
INSERT INTO orders (order_id, customer_id, amount, status, created_at)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (order_id) DO UPDATE SET
    customer_id = excluded.customer_id,
    amount      = excluded.amount,
    status      = excluded.status,
    created_at  = excluded.created_at
"""


def _row(order: dict[str, Any]) -> tuple[int, int, str, str, str]:
    """One typed order as the table stores it: amount as '380.50', time as UTC ISO text."""
    amount: Decimal = order["amount"]
    return (
        order["order_id"],
        order["customer_id"],
        format(amount, "f"),
        order["status"],
        order["created_at"].astimezone(UTC).isoformat(),
    )


def write_batch(batch: Sequence[dict[str, Any]], conn: sqlite3.Connection) -> int:
    """Upsert ``batch`` into ``orders`` in one transaction; return the rows written.

    All or nothing: ``with conn`` commits when every row went in and rolls back when
    any row fails (then the error propagates). Writing the same batch again updates
    the same rows, so a re-run never duplicates.
    """
    rows = [_row(order) for order in batch]
    with conn:
        conn.executemany(UPSERT_ORDER, rows)
    return len(rows)


# %% [06.5]
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

logger = logging.getLogger("orders")


def _counted(records: Iterable[Any], counts: dict[str, int], key: str) -> Iterator[Any]:
    """Pass records through unchanged, counting them as they flow."""
    for record in records:
        counts[key] += 1
        yield record


def run_pipeline(filepath: str | Path, conn: sqlite3.Connection, batch_size: int = 10_000) -> dict[str, int]:
    """Read → validate → transform → batch → write, one batch in memory at a time.

    Returns ``records_read`` (parsed lines), ``rows_written`` and ``batches``;
    ``records_read - rows_written`` records were dropped by validation.
    """
    counts = {"records_read": 0, "rows_written": 0, "batches": 0}
    raw = _counted(read_ndjson(filepath), counts, "records_read")
    batches = batch_records(transform_orders(validate_orders(raw)), batch_size)
    for number, batch in enumerate(batches, start=1):
        counts["rows_written"] += write_batch(batch, conn)
        counts["batches"] = number
        logger.info("batch %d written", number, extra={"rows": len(batch)})
    logger.info("pipeline finished", extra=counts)
    return counts
