"""Tests for the API state: listings, windows, pages, cursors, summary, inserts."""

from __future__ import annotations

import pytest

from depipe_course.fakes.api.data import DataSpec, Row
from depipe_course.fakes.api.state import ApiState, Listing, decode_cursor, encode_cursor


def listing(*times: int) -> Listing:
    return Listing(Row(ts=t, key=f"k{i:03}", record={"id": f"k{i:03}"}) for i, t in enumerate(times))


def keys(rows: list[Row]) -> list[str | int]:
    return [row.key for row in rows]


class TestListing:
    def test_newest_first(self) -> None:
        """Rows are listed newest first, ties by id."""
        rows = listing(10, 30, 20, 30).rows()
        assert [row.ts for row in rows] == [30, 30, 20, 10]
        assert keys(rows)[:2] == ["k001", "k003"]

    def test_window_is_half_open(self) -> None:
        """A window keeps start <= ts < end, so adjacent windows share nothing."""
        data = listing(10, 20, 30, 40)
        assert [r.ts for r in data.rows(20, 40)] == [30, 20]
        assert [r.ts for r in data.rows(40, 50)] == [40]
        assert [r.ts for r in data.rows(None, 20)] == [10]
        assert data.rows(50, 60) == []

    def test_offset_pages(self) -> None:
        """Offset pages cut the window in order; the page past the end is empty."""
        data = listing(*range(1, 8))
        pages = [keys(data.offset_page(n, 3)) for n in (1, 2, 3, 4)]
        assert [len(p) for p in pages] == [3, 3, 1, 0]
        assert sum(pages, []) == keys(data.rows())

    def test_cursor_pages_cover_window_once(self) -> None:
        """Following cursors yields every row of the window once and ends with None."""
        data = listing(*range(100, 125))
        seen, cursor = [], None
        while True:
            page, cursor = data.cursor_page(4, 105, 121, cursor)
            seen += keys(page)
            if cursor is None:
                break
        assert seen == keys(data.rows(105, 121))

    def test_exact_multiple_needs_no_empty_page(self) -> None:
        """When the window is a multiple of count, the last full page has no cursor."""
        page, cursor = listing(1, 2, 3, 4).cursor_page(2, cursor=None)
        page, cursor = listing(1, 2, 3, 4).cursor_page(2, cursor=cursor)
        assert len(page) == 2 and cursor is None

    def test_cursor_survives_insert_at_front(self) -> None:
        """A row inserted at the front does not shift what a cursor points past."""
        data = listing(*range(10))
        first, cursor = data.cursor_page(3)
        data.insert(Row(ts=99, key="new", record={}))
        second, _ = data.cursor_page(3, cursor=cursor)
        assert keys(second) == keys(listing(*range(10)).rows())[3:6]

    def test_offset_shifts_after_insert_at_front(self) -> None:
        """After a front insert, page 2 repeats page 1's last row: offset's known flaw."""
        data = listing(*range(10))
        first = data.offset_page(1, 3)
        data.insert(Row(ts=99, key="new", record={}))
        assert data.offset_page(2, 3)[0] == first[-1]

    def test_duplicate_insert_refused(self) -> None:
        """Inserting an id that exists is refused."""
        with pytest.raises(ValueError, match="already exists"):
            listing(1).insert(Row(ts=5, key="k000", record={}))


class TestCursor:
    def test_round_trip(self) -> None:
        """A cursor decodes to the row's (ts, key) and is URL-safe."""
        cursor = encode_cursor(Row(ts=1_772_000_000, key="pay_Ab9", record={}))
        assert decode_cursor(cursor) == (1_772_000_000, "pay_Ab9")
        assert cursor.replace("-", "").replace("_", "").isalnum()

    @pytest.mark.parametrize("bad", ["", "%%%", "bm90IGpzb24", "WzEsMiwzXQ", "WyJhIiwiYiJd"])
    def test_garbage_rejected(self, bad: str) -> None:
        """Anything not issued by the API raises ValueError."""
        with pytest.raises(ValueError, match="not a cursor"):
            decode_cursor(bad)

    def test_wrong_key_type_rejected(self) -> None:
        """A forged cursor with an int id on a str-keyed listing raises ValueError."""
        forged = encode_cursor(Row(ts=1, key=5, record={}))
        with pytest.raises(ValueError, match="not a cursor"):
            listing(1, 2).cursor_page(1, cursor=forged)


class TestApiState:
    def test_summary_counts_invalid_and_sums_integers(self) -> None:
        """Summary counts every payment; integer amounts (negatives too) are summed."""
        state = ApiState(DataSpec(payments=60, invalid_payments=10, orders=0, accounts=0))
        records = state.payment_records()
        expected = sum(r["amount"] for r in records if isinstance(r["amount"], int))
        assert state.summary() == {"count": 60, "amount": expected}
        assert any(isinstance(r["amount"], str) for r in records)

    def test_summary_window(self) -> None:
        """Summaries of two adjacent windows add up to the summary of their union."""
        state = ApiState(DataSpec(payments=80, orders=0, accounts=0))
        start, end = state.spec.start_ts, state.spec.end_ts
        middle = (start + end) // 2
        a, b, whole = state.summary(start, middle), state.summary(middle, end), state.summary()
        assert a["count"] + b["count"] == whole["count"] == 80
        assert a["amount"] + b["amount"] == whole["amount"]

    def test_invalid_payments_listed(self) -> None:
        """invalid_payments maps each spoiled payment id to its defect."""
        state = ApiState(DataSpec(payments=30, invalid_payments=5))
        assert sorted(state.invalid_payments().values()) == sorted(
            ["negative_amount", "lowercase_currency", "unknown_currency", "missing_field", "string_amount"]
        )

    def test_insert_order_goes_to_front(self) -> None:
        """A new order has the next id and becomes the newest."""
        state = ApiState(DataSpec(orders=5, payments=0, accounts=0))
        newest_id = max(r["order_id"] for r in state.order_records())
        new = state.insert_order()
        assert new["order_id"] == newest_id + 1
        assert state.order_records()[0] == new

    def test_insert_payment_goes_to_front(self) -> None:
        """A new payment is valid, unique and the newest."""
        state = ApiState(DataSpec(payments=5, orders=0, accounts=0))
        new = state.insert_payment()
        assert state.payment_records()[0] == new
        assert len(state.payments) == 6

    def test_records_are_copies(self) -> None:
        """Editing a returned record does not edit the fake's data."""
        state = ApiState(DataSpec(orders=3, payments=0, accounts=0))
        state.order_records()[0]["amount"] = -1
        assert state.order_records()[0]["amount"] != -1
