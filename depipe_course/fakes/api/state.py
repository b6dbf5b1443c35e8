"""The fake API's state: its records and how they are paged, with no HTTP in sight.

Like a moto ``models.py``: the wire layer (``server.py``) parses a request, calls one
method here and serialises the answer. Every collection is a ``Listing`` kept newest
first, so a time window is two binary searches and a cursor is "the listing key of the
last record you saw". Cursor and next-URL pages are therefore stable when a record is
inserted at the front, while offset pages shift by one: the known flaw of offset
pagination that the ``InsertAtFront`` fault demonstrates.

Windows are half-open, ``start <= ts < end``, so adjacent windows never share a record.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Iterable
from typing import Any

from depipe_course.fakes.api.data import (
    FIRST_ORDER_ID,
    DataSpec,
    Row,
    fresh_id,
    make_accounts,
    make_order,
    make_orders,
    make_payment,
    make_payments,
    merchants,
    rng_for,
)

ListingKey = tuple[int, str | int]
SortKey = tuple[int | str, ...]


def _order(row: Row) -> SortKey:
    """Sort key that puts the newest row first; ties broken by the record's id."""
    return (-row.ts, row.key)


def encode_cursor(row: Row) -> str:
    """An opaque, URL-safe cursor that points just past ``row``."""
    raw = json.dumps([row.ts, row.key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> ListingKey:
    """The (ts, key) a cursor points past; ``ValueError`` when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        ts, key = json.loads(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError) as error:
        raise ValueError(f"not a cursor this API issued: {cursor!r}") from error
    if not isinstance(ts, int) or not isinstance(key, str | int):
        raise ValueError(f"not a cursor this API issued: {cursor!r}")
    return ts, key


class Listing:
    """Rows kept newest first, so time windows and cursors are binary searches."""

    def __init__(self, rows: Iterable[Row]) -> None:
        self._rows = sorted(rows, key=_order)
        self._by_key = {row.key: row for row in self._rows}

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, key: str | int) -> Row | None:
        return self._by_key.get(key)

    def newest_ts(self, default: int) -> int:
        return self._rows[0].ts if self._rows else default

    def keys(self) -> list[str | int]:
        return list(self._by_key)

    def window(self, start: int | None = None, end: int | None = None) -> tuple[int, int]:
        """Index range ``[lo, hi)`` of rows with ``start <= ts < end`` (either bound optional)."""
        lo = 0 if end is None else self._first_at_or_after((1 - end,))
        hi = len(self._rows) if start is None else self._first_at_or_after((1 - start,))
        return lo, max(lo, hi)

    def _first_at_or_after(self, target: SortKey) -> int:
        """Index of the first row whose sort key is >= ``target``."""
        return bisect.bisect_left(self._rows, target, key=_order)

    def rows(self, start: int | None = None, end: int | None = None) -> list[Row]:
        lo, hi = self.window(start, end)
        return self._rows[lo:hi]

    def offset_page(self, page: int, limit: int, start: int | None = None, end: int | None = None) -> list[Row]:
        """Page ``page`` (from 1) of ``limit`` rows inside the window."""
        lo, hi = self.window(start, end)
        first = lo + (page - 1) * limit
        return self._rows[first : min(first + limit, hi)]

    def cursor_page(
        self,
        count: int,
        start: int | None = None,
        end: int | None = None,
        cursor: str | None = None,
    ) -> tuple[list[Row], str | None]:
        """Up to ``count`` rows after ``cursor``, and the cursor for the rest (None at the end)."""
        lo, hi = self.window(start, end)
        if cursor is not None:
            ts, key = decode_cursor(cursor)
            try:
                past: SortKey = (-ts, key)
                lo = max(lo, bisect.bisect_right(self._rows, past, key=_order))
            except TypeError as error:  # a forged cursor with the wrong kind of id
                raise ValueError(f"not a cursor this API issued: {cursor!r}") from error
        page = self._rows[lo : min(lo + count, hi)]
        more = lo + count < hi
        return page, (encode_cursor(page[-1]) if more and page else None)

    def insert(self, row: Row) -> None:
        if row.key in self._by_key:
            raise ValueError(f"a record with id {row.key!r} already exists")
        bisect.insort(self._rows, row, key=_order)
        self._by_key[row.key] = row


def records(rows: Iterable[Row]) -> list[dict[str, Any]]:
    """Copies of the wire records, so callers cannot edit the fake's data."""
    return [dict(row.record) for row in rows]


class ApiState:
    """All the records the fake API holds, built from a ``DataSpec``."""

    def __init__(self, spec: DataSpec) -> None:
        self.spec = spec
        self.orders = Listing(make_orders(spec))
        self.payments = Listing(make_payments(spec))
        self.accounts = Listing(make_accounts(spec))
        self._insert_rng = rng_for(spec.seed, "inserts")
        self._merchants = merchants(spec.seed)

    def order_records(self, start: int | None = None, end: int | None = None) -> list[dict[str, Any]]:
        """The orders a client should receive for a window, in listing order."""
        return records(self.orders.rows(start, end))

    def payment_records(self, start: int | None = None, end: int | None = None) -> list[dict[str, Any]]:
        """The payments a client should receive for a window, invalid ones included."""
        return records(self.payments.rows(start, end))

    def account_records(self) -> list[dict[str, Any]]:
        return records(self.accounts.rows())

    def invalid_payments(self) -> dict[str, str]:
        """``{payment_id: defect}`` for every payment spoiled on purpose."""
        return {str(row.key): row.defect for row in self.payments.rows() if row.defect}

    def summary(self, start: int | None = None, end: int | None = None) -> dict[str, int]:
        """Count and total amount of the payments in a window, as a gateway reports them.

        Invalid payments are counted: the gateway holds them. Their integer amounts
        (negative ones too) are added; an amount that is not an integer adds nothing.
        """
        rows = self.payments.rows(start, end)
        amounts = (row.record.get("amount") for row in rows)
        total = sum(a for a in amounts if isinstance(a, int) and not isinstance(a, bool))
        return {"count": len(rows), "amount": total}

    def insert_order(self) -> dict[str, Any]:
        """Add a brand-new order at the front (newest) and return it."""
        keys = [int(key) for key in self.orders.keys()]
        order_id = max(keys, default=FIRST_ORDER_ID - 1) + 1
        ts = self.orders.newest_ts(self.spec.start_ts) + 1
        row = make_order(self._insert_rng, order_id, ts)
        self.orders.insert(row)
        return dict(row.record)

    def insert_payment(self) -> dict[str, Any]:
        """Add a brand-new payment at the front (newest) and return it."""
        taken = {str(key) for key in self.payments.keys()}
        payment_id = fresh_id(self._insert_rng, "pay_", taken)
        ts = self.payments.newest_ts(self.spec.start_ts) + 1
        row = make_payment(self._insert_rng, payment_id, ts, self._merchants)
        self.payments.insert(row)
        return dict(row.record)
