"""Wrong answers for part 10: the pipeline's classic mistakes, each caught by a named sub-check.

Names the wrong versions use from other exercises (``Payment``, ``DeadLetterQueue``,
``fetch_payments``, ...) are supplied by the test as the references, as in grading.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC
from itertools import islice
from pathlib import Path
from typing import Any

import requests
from pydantic import ValidationError

from depipe_course import db
from tests.wrong_versions import wrong

# Names supplied by grading (the references of 09.3, 04.2, 04.3, 10.1–10.3); declared here
# so that linters know them. bind_references replaces them in each wrong version's globals.
Payment: Any = None
DeadLetterQueue: Any = None
with_retry: Any = None
fetch_payments: Any = None
transform_payments: Any = None
load_payments: Any = None

TIMEOUT = (3.05, 30.0)

# ---------------------------------------------------------------- 10.1 fetch_payments


def _page(session: Any, url: str, params: dict[str, Any], auth: Any, max_retries: int,
          sleep: Callable[[float], object], *, timeout: Any = TIMEOUT) -> requests.Response:
    """A correct retrying GET, shared by the wrong versions that err elsewhere."""
    for retry in range(max_retries + 1):
        try:
            response = session.get(url, params=params, auth=auth, timeout=timeout)
        except (requests.ConnectionError, requests.Timeout):
            if retry == max_retries:
                raise
            sleep(2.0**retry)
            continue
        if response.status_code not in (429, 500, 502, 503, 504):
            response.raise_for_status()
            return response
        if retry == max_retries:
            response.raise_for_status()
        after = response.headers.get("Retry-After")
        sleep(float(after) if after and after.isdigit() else 2.0**retry)
    raise AssertionError("unreachable")


def _pages(get: Callable[[dict[str, Any]], requests.Response], params: dict[str, Any],
           cursor_key: str = "next_cursor") -> Iterator[dict[str, Any]]:
    while True:
        body = get(params).json()
        yield from body["items"]
        cursor = body.get(cursor_key)
        if not cursor:
            return
        params = {**params, "cursor": cursor}


@wrong("10.1", "gives up on a 429 loop, then parses the failed response",
       catches="gives up on an endless 429 by raising, never by parsing the 429")
def fetch_payments_parses_the_429(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                                  count: int = 100, max_retries: int = 5,
                                  sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
    params: dict[str, Any] = {"from": from_ts, "to": to_ts, "count": count}
    while True:
        for attempt in range(1, max_retries + 2):
            try:
                response = session.get(f"{base_url}/payments", params=params, auth=auth, timeout=TIMEOUT)
                if response.status_code in (429, 500, 502, 503, 504):
                    sleep(float(response.headers.get("Retry-After", 2**attempt)))
                    continue
                response.raise_for_status()
                break
            except (requests.Timeout, requests.ConnectionError):
                if attempt == max_retries + 1:
                    raise
                sleep(2**attempt)
        data = response.json()  # after the last 429 this is {"error": "rate_limited", ...}
        yield from data.get("items", [])
        cursor = data.get("next_cursor")
        if not cursor:
            return
        params = {**params, "cursor": cursor}


@wrong("10.1", "gives up on a 429 loop, then reads items from the error body",
       catches="gives up on an endless 429 by raising, never by parsing the 429")
def fetch_payments_keyerror_after_429(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                                      count: int = 100, max_retries: int = 5,
                                      sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
    params: dict[str, Any] = {"from": from_ts, "to": to_ts, "count": count}
    while True:
        for _ in range(max_retries + 1):
            try:
                response = session.get(f"{base_url}/payments", params=params, auth=auth, timeout=TIMEOUT)
            except (requests.Timeout, requests.ConnectionError):
                sleep(1.0)
                continue
            if response.status_code in (429, 500, 502, 503, 504):
                sleep(float(response.headers.get("Retry-After", 1)))
                continue
            response.raise_for_status()
            break
        body = response.json()
        yield from body["items"]  # KeyError: 'items' on the 429's body
        if not body.get("next_cursor"):
            return
        params = {**params, "cursor": body["next_cursor"]}


@wrong("10.1", "reads 'cursor' instead of 'next_cursor'",
       catches="yields every payment of [from_ts, to_ts) exactly once")
def fetch_payments_wrong_cursor_key(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                                    count: int = 100, max_retries: int = 5,
                                    sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
    def get(params: dict[str, Any]) -> requests.Response:
        return _page(session, f"{base_url}/payments", params, auth, max_retries, sleep)

    yield from _pages(get, {"from": from_ts, "to": to_ts, "count": count}, cursor_key="cursor")


@wrong("10.1", "no 'to' parameter", catches="yields every payment of [from_ts, to_ts) exactly once")
def fetch_payments_no_upper_bound(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                                  count: int = 100, max_retries: int = 5,
                                  sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
    def get(params: dict[str, Any]) -> requests.Response:
        return _page(session, f"{base_url}/payments", params, auth, max_retries, sleep)

    yield from _pages(get, {"from": from_ts, "count": count})


@wrong("10.1", "count not sent", catches="asks for count per page and stops on a null next_cursor")
def fetch_payments_default_page_size(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                                     count: int = 100, max_retries: int = 5,
                                     sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
    def get(params: dict[str, Any]) -> requests.Response:
        return _page(session, f"{base_url}/payments", params, auth, max_retries, sleep)

    yield from _pages(get, {"from": from_ts, "to": to_ts})


@wrong("10.1", "auth never sent", catches="authenticates every request with auth")
def fetch_payments_no_auth(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                           count: int = 100, max_retries: int = 5,
                           sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
    def get(params: dict[str, Any]) -> requests.Response:
        return _page(session, f"{base_url}/payments", params, None, max_retries, sleep)

    yield from _pages(get, {"from": from_ts, "to": to_ts, "count": count})


@wrong("10.1", "collects every page into a list first", catches="is lazy: the first payment arrives after one request")
def fetch_payments_eager(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                         count: int = 100, max_retries: int = 5,
                         sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
    def get(params: dict[str, Any]) -> requests.Response:
        return _page(session, f"{base_url}/payments", params, auth, max_retries, sleep)

    return iter(list(_pages(get, {"from": from_ts, "to": to_ts, "count": count})))


@wrong("10.1", "no timeout", catches="passes a timeout on every request")
def fetch_payments_no_timeout(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                              count: int = 100, max_retries: int = 5,
                              sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
    def get(params: dict[str, Any]) -> requests.Response:
        return _page(session, f"{base_url}/payments", params, auth, max_retries, sleep, timeout=None)

    yield from _pages(get, {"from": from_ts, "to": to_ts, "count": count})


@wrong("10.1", "ignores Retry-After", catches="waits Retry-After on a 429, then carries on")
def fetch_payments_fixed_wait(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                              count: int = 100, max_retries: int = 5,
                              sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
    def get(params: dict[str, Any]) -> requests.Response:
        for retry in range(max_retries + 1):
            response = session.get(f"{base_url}/payments", params=params, auth=auth, timeout=TIMEOUT)
            if response.status_code < 400 or retry == max_retries:
                response.raise_for_status()
                return response
            sleep(2.0**retry)
        raise AssertionError("unreachable")

    yield from _pages(get, {"from": from_ts, "to": to_ts, "count": count})


@wrong("10.1", "retries only 429 (the module's loop)",
       catches="retries 5xx, timeouts and dropped connections with backoff")
def fetch_payments_only_429(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                            count: int = 100, max_retries: int = 5,
                            sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
    def get(params: dict[str, Any]) -> requests.Response:
        for retry in range(max_retries + 1):
            response = session.get(f"{base_url}/payments", params=params, auth=auth, timeout=TIMEOUT)
            if response.status_code == 429 and retry < max_retries:
                sleep(float(response.headers.get("Retry-After", 1)))
                continue
            response.raise_for_status()
            return response
        raise AssertionError("unreachable")

    yield from _pages(get, {"from": from_ts, "to": to_ts, "count": count})


@wrong("10.1", "retries a 401", catches="raises other 4xx at once")
def fetch_payments_retries_401(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                               count: int = 100, max_retries: int = 5,
                               sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
    def get(params: dict[str, Any]) -> requests.Response:
        for retry in range(max_retries + 1):
            try:
                response = session.get(f"{base_url}/payments", params=params, auth=auth, timeout=TIMEOUT)
            except (requests.ConnectionError, requests.Timeout):
                if retry == max_retries:
                    raise
                sleep(1.0)
                continue
            if response.ok or retry == max_retries:
                response.raise_for_status()
                return response
            sleep(float(response.headers.get("Retry-After", 1)))
        raise AssertionError("unreachable")

    yield from _pages(get, {"from": from_ts, "to": to_ts, "count": count})


@wrong("10.1", "time.sleep instead of the sleep argument", catches="waits through the injected sleep, never time.sleep")
def fetch_payments_real_sleep(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                              count: int = 100, max_retries: int = 5,
                              sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
    def get(params: dict[str, Any]) -> requests.Response:
        return _page(session, f"{base_url}/payments", params, auth, max_retries, time.sleep)

    yield from _pages(get, {"from": from_ts, "to": to_ts, "count": count})


# ---------------------------------------------------------------- 10.2 transform_payments


@wrong("10.2", "dead letters without context (the module's send_to_dlq)",
       catches="a dead letter says why: the ValidationError and the payment_id")
def transform_payments_no_context(raw: Iterable[Any], dlq: Any) -> Iterator[Any]:
    for record in raw:
        try:
            yield Payment(**record)
        except Exception as error:
            dlq.write(record, error)


@wrong("10.2", "drops invalid records silently", catches="dead-letters each invalid record once, exactly as it came")
def transform_payments_drops(raw: Iterable[Any], dlq: Any) -> Iterator[Any]:
    for record in raw:
        try:
            payment = Payment.model_validate(record)
        except ValidationError:
            continue
        yield payment


@wrong("10.2", "dead-letters a half-converted copy",
       catches="dead-letters each invalid record once, exactly as it came")
def transform_payments_stores_a_copy(raw: Iterable[Any], dlq: Any) -> Iterator[Any]:
    for record in raw:
        try:
            payment = Payment.model_validate(record)
        except ValidationError as error:
            dlq.write({**record, "amount": str(record.get("amount"))}, error,
                      context={"payment_id": record.get("payment_id")})
            continue
        yield payment


@wrong("10.2", "yields dicts, not Payment models", catches="yields a Payment for each valid record, in order")
def transform_payments_dicts(raw: Iterable[Any], dlq: Any) -> Iterator[Any]:
    for record in raw:
        try:
            payment = Payment.model_validate(record)
        except ValidationError as error:
            dlq.write(record, error, context={"payment_id": record.get("payment_id")})
            continue
        yield payment.model_dump()


@wrong("10.2", "validates everything into a list first", catches="is lazy: one record in, one payment out")
def transform_payments_eager(raw: Iterable[Any], dlq: Any) -> Iterator[Any]:
    valid = []
    for record in raw:
        try:
            valid.append(Payment.model_validate(record))
        except ValidationError as error:
            dlq.write(record, error, context={"payment_id": record.get("payment_id")})
    return iter(valid)


@wrong("10.2", "a try around the whole loop", catches="lets an error from the source propagate")
def transform_payments_swallows(raw: Iterable[Any], dlq: Any) -> Iterator[Any]:
    try:
        for record in raw:
            try:
                payment = Payment.model_validate(record)
            except ValidationError as error:
                dlq.write(record, error, context={"payment_id": record.get("payment_id")})
                continue
            yield payment
    except Exception:  # "the pipeline must not crash"
        return


@wrong("10.2", "fixes up the input record in place", catches="leaves the raw records unchanged")
def transform_payments_mutates(raw: Iterable[Any], dlq: Any) -> Iterator[Any]:
    for record in raw:
        if isinstance(record.get("currency"), str):
            record["currency"] = record["currency"].upper()  # "inr" -> "INR", in the caller's dict
        try:
            payment = Payment.model_validate(record)
        except ValidationError as error:
            dlq.write(record, error, context={"payment_id": record.get("payment_id")})
            continue
        yield payment


# ---------------------------------------------------------------- 10.3 load_payments

_UPSERT = """
INSERT INTO payments (payment_id, merchant_id, amount, currency, status, method, captured_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (payment_id) DO UPDATE SET
    merchant_id = excluded.merchant_id, amount = excluded.amount, currency = excluded.currency,
    status = excluded.status, method = excluded.method, captured_at = excluded.captured_at
"""


def _row(p: Any) -> tuple[Any, ...]:
    captured = None if p.captured_at is None else p.captured_at.astimezone(UTC).isoformat()
    return (p.payment_id, p.merchant_id, format(p.amount, "f"), p.currency, p.status, p.method, captured)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


@wrong("10.3", "a dead-letter counter that never counts (the module's dlq_count)",
       catches="counts every dead letter it writes (dead_lettered)")
def load_payments_counter_never_counts(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                                       dlq: Any = None) -> dict[str, int]:
    loaded = batches = dlq_count = 0
    for batch in _chunks(payments, batch_size):
        batches += 1
        try:
            with db.transaction(conn):
                db.executemany(conn, _UPSERT, [_row(p) for p in batch])
            loaded += len(batch)
        except db.row_errors(conn):
            if dlq is None:
                raise
            for p in batch:
                try:
                    with db.transaction(conn):
                        db.execute(conn, _UPSERT, _row(p))
                    loaded += 1
                except db.row_errors(conn) as error:
                    dlq.write(p, error, context={"payment_id": p.payment_id})
    return {"loaded": loaded, "batches": batches, "dead_lettered": dlq_count}


@wrong("10.3", "a refused batch is dead-lettered whole", catches="a batch the database refuses is loaded row by row; "
       "the refused row is dead-lettered")
def load_payments_drops_the_batch(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                                  dlq: Any = None) -> dict[str, int]:
    stats = {"loaded": 0, "batches": 0, "dead_lettered": 0}
    for batch in _chunks(payments, batch_size):
        stats["batches"] += 1
        try:
            with db.transaction(conn):
                db.executemany(conn, _UPSERT, [_row(p) for p in batch])
            stats["loaded"] += len(batch)
        except db.row_errors(conn) as error:
            if dlq is None:
                raise
            for p in batch:
                dlq.write(p, error, context={"payment_id": p.payment_id})
                stats["dead_lettered"] += 1
    return stats


@wrong("10.3", "float amounts (the module's float(p.amount))",
       catches="stores exact amounts and UTC times, as the table documents")
def load_payments_float_amount(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                               dlq: Any = None) -> dict[str, int]:
    stats = {"loaded": 0, "batches": 0, "dead_lettered": 0}
    for batch in _chunks(payments, batch_size):
        rows = [(*_row(p)[:2], float(p.amount), *_row(p)[3:]) for p in batch]
        with db.transaction(conn):
            db.executemany(conn, _UPSERT, rows)
        stats["loaded"] += len(rows)
        stats["batches"] += 1
    return stats


@wrong("10.3", "plain INSERT (a re-run fails on the key)",
       catches="loading again changes nothing; a changed payment is updated in place")
def load_payments_insert(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                         dlq: Any = None) -> dict[str, int]:
    stats = {"loaded": 0, "batches": 0, "dead_lettered": 0}
    insert = _UPSERT.split("ON CONFLICT")[0]
    for batch in _chunks(payments, batch_size):
        with db.transaction(conn):
            db.executemany(conn, insert, [_row(p) for p in batch])
        stats["loaded"] += len(batch)
        stats["batches"] += 1
    return stats


@wrong("10.3", "updates only status on conflict (the module's DO UPDATE)",
       catches="loading again changes nothing; a changed payment is updated in place")
def load_payments_partial_update(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                                 dlq: Any = None) -> dict[str, int]:
    stats = {"loaded": 0, "batches": 0, "dead_lettered": 0}
    upsert = _UPSERT.split("ON CONFLICT")[0] + "ON CONFLICT (payment_id) DO NOTHING"
    for batch in _chunks(payments, batch_size):
        with db.transaction(conn):
            db.executemany(conn, upsert, [_row(p) for p in batch])
        stats["loaded"] += len(batch)
        stats["batches"] += 1
    return stats


@wrong("10.3", "a commit per row", catches="writes each batch in one transaction")
def load_payments_commit_per_row(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                                 dlq: Any = None) -> dict[str, int]:
    stats = {"loaded": 0, "batches": 0, "dead_lettered": 0}
    for batch in _chunks(payments, batch_size):
        for p in batch:
            with db.transaction(conn):
                db.execute(conn, _UPSERT, _row(p))
        stats["loaded"] += len(batch)
        stats["batches"] += 1
    return stats


@wrong("10.3", "reads every payment before writing", catches="commits each batch before reading the next")
def load_payments_eager(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                        dlq: Any = None) -> dict[str, int]:
    everything = list(payments)
    stats = {"loaded": 0, "batches": 0, "dead_lettered": 0}
    for batch in _chunks(everything, batch_size):
        with db.transaction(conn):
            db.executemany(conn, _UPSERT, [_row(p) for p in batch])
        stats["loaded"] += len(batch)
        stats["batches"] += 1
    return stats


@wrong("10.3", "batches counted wrong", catches="returns loaded and batches")
def load_payments_off_by_one(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                             dlq: Any = None) -> dict[str, int]:
    stats = {"loaded": 0, "batches": 0, "dead_lettered": 0}
    for batch in _chunks(payments, batch_size):
        with db.transaction(conn):
            db.executemany(conn, _UPSERT, [_row(p) for p in batch])
        stats["loaded"] += len(batch)
        if len(batch) == batch_size:
            stats["batches"] += 1
    return stats


@wrong("10.3", "swallows a refused batch when there is no dlq",
       catches="without a dlq, a refused batch raises and is rolled back")
def load_payments_swallows(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                           dlq: Any = None) -> dict[str, int]:
    stats = {"loaded": 0, "batches": 0, "dead_lettered": 0}
    for batch in _chunks(payments, batch_size):
        stats["batches"] += 1
        try:
            with db.transaction(conn):
                db.executemany(conn, _UPSERT, [_row(p) for p in batch])
            stats["loaded"] += len(batch)
        except db.row_errors(conn):
            continue
    return stats


# ---------------------------------------------------------------- 10.4 run


def _summary(retrying: Any, session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int,
             sleep: Callable[[float], object]) -> dict[str, int]:
    @retrying(max_attempts=6, sleep=sleep)
    def get() -> dict[str, int]:
        response = session.get(f"{base_url}/payments/summary", params={"from": from_ts, "to": to_ts},
                               auth=auth, timeout=TIMEOUT)
        response.raise_for_status()
        return response.json()

    return get()


class _Counting:
    def __init__(self, dlq: Any) -> None:
        self.dlq, self.count = dlq, 0

    def write(self, record: Any, error: BaseException, context: Any = None) -> None:
        self.dlq.write(record, error, context)
        self.count += 1


def _counted(records: Iterable[Any], tally: dict[str, int]) -> Iterator[Any]:
    for record in records:
        tally["fetched"] += 1
        yield record


def _reconciled(counts: dict[str, int], summary_count: int) -> bool:
    return counts["fetched"] == summary_count and counts["loaded"] + counts["dead_lettered"] == counts["fetched"]


def _pipeline(stages: tuple[Any, Any, Any], session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int,
              conn: Any, dlq: Any, *, batch_size: int, count: int, max_retries: int,
              sleep: Callable[[float], object]) -> dict[str, int]:
    """fetch → transform → load (the references, passed in), counting; no summary, no DLQ file handling."""
    fetch_payments, transform_payments, load_payments = stages
    db.create_payments_table(conn)
    tally = {"fetched": 0}
    invalid = _Counting(dlq)
    raw = _counted(fetch_payments(session, base_url, auth, from_ts, to_ts, count=count,
                                  max_retries=max_retries, sleep=sleep), tally)
    stats = load_payments(transform_payments(raw, invalid), conn, batch_size, dlq=dlq)
    return {"fetched": tally["fetched"], "loaded": stats["loaded"],
            "dead_lettered": invalid.count + stats["dead_lettered"]}


@wrong("10.4", "appends to the dead letter file", catches="running again changes nothing")
def run_appends_dead_letters(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, conn: Any,
                             dlq_path: str | Path, *, batch_size: int = 5_000, count: int = 100,
                             max_retries: int = 5, sleep: Callable[[float], object] = time.sleep) -> dict[str, Any]:
    counts = _pipeline((fetch_payments, transform_payments, load_payments), session, base_url, auth, from_ts, to_ts,
                       conn, DeadLetterQueue(dlq_path),
                       batch_size=batch_size, count=count, max_retries=max_retries, sleep=sleep)
    summary = _summary(with_retry, session, base_url, auth, from_ts, to_ts, sleep)
    Path(dlq_path).touch()
    return {**counts, "reconciled": _reconciled(counts, summary["count"])}


@wrong("10.4", "a dead-letter counter that never counts",
       catches="returns fetched, loaded, dead_lettered and reconciled")
def run_dead_letters_uncounted(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, conn: Any,
                               dlq_path: str | Path, *, batch_size: int = 5_000, count: int = 100,
                               max_retries: int = 5, sleep: Callable[[float], object] = time.sleep) -> dict[str, Any]:
    path = Path(dlq_path)
    path.unlink(missing_ok=True)
    path.touch()
    counts = _pipeline((fetch_payments, transform_payments, load_payments), session, base_url, auth, from_ts, to_ts,
                       conn, DeadLetterQueue(path),
                       batch_size=batch_size, count=count, max_retries=max_retries, sleep=sleep)
    counts["dead_lettered"] = 0  # dlq_count = 0, never incremented
    summary = _summary(with_retry, session, base_url, auth, from_ts, to_ts, sleep)
    return {**counts, "reconciled": _reconciled(counts, summary["count"])}


@wrong("10.4", "never asks for the summary",
       catches="reports reconciled False when the API holds more than was fetched")
def run_no_summary(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, conn: Any,
                   dlq_path: str | Path, *, batch_size: int = 5_000, count: int = 100,
                   max_retries: int = 5, sleep: Callable[[float], object] = time.sleep) -> dict[str, Any]:
    path = Path(dlq_path)
    path.unlink(missing_ok=True)
    path.touch()
    counts = _pipeline((fetch_payments, transform_payments, load_payments), session, base_url, auth, from_ts, to_ts,
                       conn, DeadLetterQueue(path),
                       batch_size=batch_size, count=count, max_retries=max_retries, sleep=sleep)
    return {**counts, "reconciled": counts["loaded"] + counts["dead_lettered"] == counts["fetched"]}


@wrong("10.4", "dead letters kept from a killed run",
       catches="a run killed midway and restarted loads every payment exactly once")
def run_keeps_partial_dead_letters(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, conn: Any,
                                   dlq_path: str | Path, *, batch_size: int = 5_000, count: int = 100,
                                   max_retries: int = 5,
                                   sleep: Callable[[float], object] = time.sleep) -> dict[str, Any]:
    final = Path(dlq_path)
    partial = final.with_name(final.name + ".partial")  # resumed, never cleared: a killed run's half stays
    counts = _pipeline((fetch_payments, transform_payments, load_payments), session, base_url, auth, from_ts, to_ts,
                       conn, DeadLetterQueue(partial),
                       batch_size=batch_size, count=count, max_retries=max_retries, sleep=sleep)
    summary = _summary(with_retry, session, base_url, auth, from_ts, to_ts, sleep)
    partial.touch()
    partial.replace(final)
    return {**counts, "reconciled": _reconciled(counts, summary["count"])}


@wrong("10.4", "reports a failed fetch as a finished run", catches="fails loudly when the API stays down")
def run_swallows_errors(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, conn: Any,
                        dlq_path: str | Path, *, batch_size: int = 5_000, count: int = 100,
                        max_retries: int = 5, sleep: Callable[[float], object] = time.sleep) -> dict[str, Any]:
    path = Path(dlq_path)
    path.unlink(missing_ok=True)
    path.touch()
    try:
        counts = _pipeline((fetch_payments, transform_payments, load_payments), session, base_url, auth, from_ts, to_ts,
                       conn, DeadLetterQueue(path),
                           batch_size=batch_size, count=count, max_retries=max_retries, sleep=sleep)
    except requests.RequestException:
        counts = {"fetched": 0, "loaded": 0, "dead_lettered": 0}
    return {**counts, "reconciled": counts["loaded"] + counts["dead_lettered"] == counts["fetched"]}


@wrong("10.4", "sleep not passed on", catches="waits through the injected sleep")
def run_real_sleep(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, conn: Any,
                   dlq_path: str | Path, *, batch_size: int = 5_000, count: int = 100,
                   max_retries: int = 5, sleep: Callable[[float], object] = time.sleep) -> dict[str, Any]:
    path = Path(dlq_path)
    path.unlink(missing_ok=True)
    path.touch()
    counts = _pipeline((fetch_payments, transform_payments, load_payments), session, base_url, auth, from_ts, to_ts,
                       conn, DeadLetterQueue(path),
                       batch_size=batch_size, count=count, max_retries=max_retries, sleep=time.sleep)
    summary = _summary(with_retry, session, base_url, auth, from_ts, to_ts, time.sleep)
    return {**counts, "reconciled": _reconciled(counts, summary["count"])}
