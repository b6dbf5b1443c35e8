"""Part 10 — A production pipeline: reference solutions.

The sections build on earlier exercises: ``Payment`` (09.3), ``with_retry`` (04.2) and
``DeadLetterQueue`` (04.3). In a notebook those names come from the cells of the earlier
parts, and when an exercise is graded the grader supplies their references. The lines
below, before the first section, do the same for this file imported as a module (the
benchmark, the pipeline tests), loading the earlier parts the same way this module was
loaded: as ``solutions.partNN``, or under the grader's private names.
"""

import importlib
from typing import Any


def _earlier(part: str, name: str) -> Any:
    """``name`` from the reference of an earlier part, loaded as this module was."""
    if __name__.startswith("solutions."):
        return getattr(importlib.import_module(f"solutions.part{part}"), name)
    from depipe_course.grading.references import load

    return getattr(load(part), name)


with_retry = _earlier("04", "with_retry")
DeadLetterQueue = _earlier("04", "DeadLetterQueue")
Payment = _earlier("09", "Payment")


# %% [10.1]
import logging
import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

fetch_logger = logging.getLogger("payments.fetch")

TIMEOUT = (3.05, 30.0)  # (connect, read) seconds
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
TRANSPORT_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


def retry_after_s(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delay-seconds or an HTTP-date); None if absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # an HTTP-date is GMT by definition
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def backoff_s(retry: int, base_s: float, cap_s: float) -> float:
    """Capped exponential backoff for retry ``retry`` (from 0), with jitter in [d/2, d]."""
    delay = min(cap_s, base_s * 2**retry)
    return random.uniform(delay / 2, delay)


def get_with_retries(
    session: requests.Session,
    url: str,
    params: dict[str, Any],
    auth: Any,
    *,
    max_retries: int,
    sleep: Callable[[float], object],
    timeout: float | tuple[float, float],
    base_delay_s: float,
    max_delay_s: float,
) -> requests.Response:
    """GET ``url``, retrying 429, 5xx, timeouts and dropped connections; a 200 or an error.

    A 429 (or a 503 with ``Retry-After``) waits what the server asked for; everything
    else transient backs off. Any other 4xx is raised at once. When the retries run
    out the last failure is *raised*: the body of a 429 or 503 is an error message,
    and parsing it as a page would end the stream early without a word.
    """
    for retry in range(max_retries + 1):
        last_try = retry == max_retries
        try:
            response = session.get(url, params=params, auth=auth, timeout=timeout)
        except TRANSPORT_ERRORS as error:
            if last_try:
                raise
            wait = backoff_s(retry, base_delay_s, max_delay_s)
            reason = type(error).__name__
        else:
            if response.status_code not in RETRY_STATUSES:
                response.raise_for_status()  # other 4xx: permanent, raised on the first answer
                return response
            if last_try:
                response.raise_for_status()  # HTTPError with the last 429/5xx response attached
            asked = retry_after_s(response.headers.get("Retry-After"))
            wait = asked if asked is not None else backoff_s(retry, base_delay_s, max_delay_s)
            reason = f"HTTP {response.status_code}"
        fetch_logger.warning("GET %s: %s; retry %d of %d in %.2f s", url, reason, retry + 1, max_retries, wait)
        sleep(wait)
    raise AssertionError("unreachable: the last attempt returns or raises")


def fetch_payments(
    session: requests.Session,
    base_url: str,
    auth: Any,
    from_ts: int,
    to_ts: int,
    *,
    count: int = 100,
    max_retries: int = 5,
    sleep: Callable[[float], object] = time.sleep,
    timeout: float | tuple[float, float] = TIMEOUT,
    base_delay_s: float = 1.0,
    max_delay_s: float = 60.0,
) -> Iterator[dict[str, Any]]:
    """Yield every payment listed in ``[from_ts, to_ts)``, one cursor page at a time.

    ``auth`` is whatever ``requests`` takes as ``auth=``: a ``(user, password)`` pair
    for HTTP Basic or a ``requests.auth.AuthBase``. Each page is fetched only when the
    consumer reaches it; a transient failure is retried (see ``get_with_retries``) and
    a failure that outlives ``max_retries`` is raised, never mistaken for the end.
    """
    url = f"{base_url}/payments"
    params: dict[str, Any] = {"from": from_ts, "to": to_ts, "count": count}
    page = 0
    while True:
        response = get_with_retries(
            session, url, params, auth, max_retries=max_retries, sleep=sleep, timeout=timeout,
            base_delay_s=base_delay_s, max_delay_s=max_delay_s,
        )
        body = response.json()
        items: list[dict[str, Any]] = body["items"]
        page += 1
        fetch_logger.debug("payments page %d: %d items", page, len(items))
        yield from items
        cursor = body.get("next_cursor")
        if not cursor:
            return
        params = {**params, "cursor": cursor}


# %% [10.2]
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import ValidationError

# `Payment` (09.3) and `DeadLetterQueue` (04.3) come from the earlier parts.

transform_logger = logging.getLogger("payments.transform")


def failed_fields(error: ValidationError) -> list[str]:
    """The fields a validation error is about, as dotted paths (``"amount"``)."""
    return sorted({".".join(str(part) for part in item["loc"]) or "(record)" for item in error.errors()})


def transform_payments(raw: Iterable[Any], dlq: DeadLetterQueue) -> Iterator[Payment]:
    """Validate raw payments into ``Payment`` models, lazily; dead-letter the invalid ones.

    An invalid record goes to ``dlq`` unchanged, with the validation error and context
    (its ``payment_id``, position in the stream and failing fields), and the stream
    goes on. Only validation errors are caught: an error raised by ``raw`` itself (a
    fetch that gave up) is not a bad record and propagates.
    """
    for position, record in enumerate(raw):
        try:
            payment = Payment.model_validate(record)
        except ValidationError as error:
            payment_id = record.get("payment_id") if isinstance(record, dict) else None
            fields = failed_fields(error)
            dlq.write(record, error, context={"stage": "transform", "payment_id": payment_id,
                                              "position": position, "fields": fields})
            transform_logger.warning("dead-lettered payment %s: invalid %s", payment_id, ", ".join(fields),
                           extra={"payment_id": payment_id, "fields": fields})
            continue
        yield payment  # outside the try: an error raised by the consumer is not ours


# %% [10.3]
import logging
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC
from decimal import Decimal
from itertools import islice
from typing import Any

from depipe_course import db

load_logger = logging.getLogger("payments.load")

CENTS = Decimal("0.01")
COLUMNS = ("payment_id", "merchant_id", "amount", "currency", "status", "method", "captured_at")
UPSERT_PAYMENT = f"""
INSERT INTO payments ({", ".join(COLUMNS)})
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (payment_id) DO UPDATE SET
    merchant_id = excluded.merchant_id,
    amount      = excluded.amount,
    currency    = excluded.currency,
    status      = excluded.status,
    method      = excluded.method,
    captured_at = excluded.captured_at
"""

Row = tuple[str, str, str, str, str, str, str | None]


def _text(value: Any) -> str:
    """A plain string, also from an Enum member (``str()`` of one gives ``Status.CAPTURED``)."""
    return str(getattr(value, "value", value))


def payment_row(payment: Payment) -> Row:
    """A payment as both databases accept it: exact amount text, ISO-8601 UTC time text."""
    captured = payment.captured_at
    return (
        _text(payment.payment_id),
        _text(payment.merchant_id),
        format(Decimal(payment.amount).quantize(CENTS), "f"),
        _text(payment.currency),
        _text(payment.status),
        _text(payment.method),
        None if captured is None else captured.astimezone(UTC).isoformat(),
    )


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _one_by_one(batch: Sequence[Payment], rows: Sequence[Row], conn: Any, dlq: Any, number: int) -> tuple[int, int]:
    """Load a refused batch row by row; dead-letter each row the database refuses."""
    loaded = rejected = 0
    for payment, row in zip(batch, rows, strict=True):
        try:
            with db.transaction(conn):
                db.execute(conn, UPSERT_PAYMENT, row)
        except db.row_errors(conn) as error:
            dlq.write(payment, error, context={"stage": "load", "payment_id": row[0], "batch": number})
            load_logger.warning("dead-lettered payment %s: the database refused it (%s)", row[0],
                           type(error).__name__, extra={"payment_id": row[0], "batch": number})
            rejected += 1
        else:
            loaded += 1
    return loaded, rejected


def load_payments(payments: Iterable[Payment], conn: Any, batch_size: int = 5_000, *,
                  dlq: Any = None) -> dict[str, int]:
    """Upsert ``payments`` into the ``payments`` table, one transaction per batch.

    Returns ``loaded`` (rows written), ``batches`` and ``dead_lettered``. Loading the
    same payments again rewrites the same rows, so a re-run or a restart never
    duplicates. If the database refuses a batch (a row breaks a constraint), the batch
    is rolled back and retried one row at a time: with a ``dlq`` each refused row is
    dead-lettered and counted, without one the error is raised. Works on SQLite and
    PostgreSQL alike through ``depipe_course.db``.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    stats = {"loaded": 0, "batches": 0, "dead_lettered": 0}
    for number, batch in enumerate(_batches(payments, batch_size), start=1):
        rows = [payment_row(payment) for payment in batch]
        try:
            with db.transaction(conn):
                db.executemany(conn, UPSERT_PAYMENT, rows)
            loaded, rejected = len(rows), 0
        except db.row_errors(conn):
            if dlq is None:
                raise
            loaded, rejected = _one_by_one(batch, rows, conn, dlq, number)
        stats["loaded"] += loaded
        stats["dead_lettered"] += rejected
        stats["batches"] = number
        load_logger.info("batch %d: %d loaded, %d dead-lettered", number, loaded, rejected,
                    extra={"batch": number, "loaded": loaded, "dead_lettered": rejected})
    return stats


# %% [10.4]
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import requests

from depipe_course import db

# fetch_payments (10.1), transform_payments (10.2), load_payments (10.3), with_retry (04.2)
# and DeadLetterQueue (04.3) come from the earlier cells and parts.

run_logger = logging.getLogger("payments.run")
TIMEOUT = (3.05, 30.0)  # (connect, read) seconds


class CountingDLQ:
    """Passes entries on to a dead letter queue and counts them."""

    def __init__(self, dlq: Any) -> None:
        self.dlq = dlq
        self.count = 0

    def write(self, record: Any, error: BaseException, context: Mapping[str, Any] | None = None) -> None:
        self.dlq.write(record, error, context)
        self.count += 1


def _counted(records: Iterable[Any], tally: dict[str, int], key: str) -> Iterator[Any]:
    for record in records:
        tally[key] += 1
        yield record


def fetch_summary(session: requests.Session, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                  max_retries: int, sleep: Callable[[float], object]) -> dict[str, int]:
    """What the API says it holds for the window: ``{"count", "amount"}``, with retries."""

    @with_retry(max_attempts=max_retries + 1, sleep=sleep)
    def get() -> dict[str, int]:
        response = session.get(f"{base_url}/payments/summary", params={"from": from_ts, "to": to_ts},
                               auth=auth, timeout=TIMEOUT)
        response.raise_for_status()
        return response.json()

    return get()


def run(
    session: requests.Session,
    base_url: str,
    auth: Any,
    from_ts: int,
    to_ts: int,
    conn: Any,
    dlq_path: str | Path,
    *,
    batch_size: int = 5_000,
    count: int = 100,
    max_retries: int = 5,
    sleep: Callable[[float], object] = time.sleep,
) -> dict[str, Any]:
    """Ingest the payments of ``[from_ts, to_ts)`` into ``conn``'s ``payments`` table.

    fetch (10.1) → validate (10.2) → upsert in batches (10.3), then reconcile with the
    API's summary: ``reconciled`` means the API's count was fetched and every fetched
    payment was either loaded or dead-lettered. ``dlq_path`` is this window's dead
    letter file: each run writes it afresh beside it and moves it into place at the
    end, so after any run (a re-run, a restart after a crash) it lists each invalid
    payment once. The load is an upsert, so re-running changes nothing and a run
    killed anywhere is repaired by running again. Errors that outlive the retries
    propagate: a failed run must not look like a small one.
    """
    db.create_payments_table(conn)
    final = Path(dlq_path)
    partial = final.with_name(final.name + ".partial")
    partial.unlink(missing_ok=True)  # left behind by a run that was killed
    dlq = DeadLetterQueue(partial)
    invalid = CountingDLQ(dlq)
    tally = {"fetched": 0}
    run_logger.info("run started", extra={"from_ts": from_ts, "to_ts": to_ts})

    raw = _counted(fetch_payments(session, base_url, auth, from_ts, to_ts, count=count,
                                  max_retries=max_retries, sleep=sleep), tally, "fetched")
    stats = load_payments(transform_payments(raw, invalid), conn, batch_size, dlq=dlq)
    summary = fetch_summary(session, base_url, auth, from_ts, to_ts, max_retries=max_retries, sleep=sleep)

    final.parent.mkdir(parents=True, exist_ok=True)
    partial.touch()  # an empty file says "nothing failed"; no file would say "never ran"
    os.replace(partial, final)

    fetched, dead = tally["fetched"], invalid.count + stats["dead_lettered"]
    result = {
        "fetched": fetched,
        "loaded": stats["loaded"],
        "dead_lettered": dead,
        "batches": stats["batches"],
        "summary_count": summary["count"],
        "reconciled": fetched == summary["count"] and stats["loaded"] + dead == fetched,
    }
    if result["reconciled"]:
        run_logger.info("run finished", extra=result)
    else:
        run_logger.error("run finished but does not reconcile with the API's summary", extra=result)
    return result
