"""Tests for the seeded record generators."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from depipe_course.fakes.api import data
from depipe_course.fakes.api.data import DEFECTS, DataSpec, spoil

PAYMENT_FIELDS = {"payment_id", "merchant_id", "amount", "currency", "status", "method", "captured_at"}


class TestDeterminism:
    def test_same_seed_same_records(self) -> None:
        """Two specs with the same seed produce identical orders, payments and accounts."""
        spec = DataSpec(seed=11, orders=40, payments=40, accounts=10, invalid_payments=5)
        for make in (data.make_orders, data.make_payments, data.make_accounts):
            assert make(spec) == make(spec)

    def test_other_seed_other_records(self) -> None:
        """A different seed gives different payments."""
        assert data.make_payments(DataSpec(seed=1, payments=20)) != data.make_payments(DataSpec(seed=2, payments=20))

    def test_streams_are_independent(self) -> None:
        """Asking for more orders leaves the payments unchanged."""
        few = data.make_payments(DataSpec(seed=5, orders=10, payments=30))
        many = data.make_payments(DataSpec(seed=5, orders=500, payments=30))
        assert few == many

    def test_invalid_payments_leave_valid_ones_alone(self) -> None:
        """Spoiling some payments does not change the ids or times of all the others."""
        clean = data.make_payments(DataSpec(seed=5, payments=30))
        dirty = data.make_payments(DataSpec(seed=5, payments=30, invalid_payments=6))
        assert [(r.key, r.ts) for r in clean] == [(r.key, r.ts) for r in dirty]
        assert sum(a != b for a, b in zip(clean, dirty, strict=True)) == 6


class TestOrders:
    def test_shape_and_period(self) -> None:
        """Orders carry the contract's fields and fall inside the spec's period."""
        spec = DataSpec(orders=50, start=date(2026, 3, 1), days=2)
        rows = data.make_orders(spec)
        assert len(rows) == 50
        for row in rows:
            assert set(row.record) == {"order_id", "customer_id", "amount", "status", "created_at"}
            assert spec.start_ts <= row.ts < spec.end_ts
            assert row.record["status"] in data.ORDER_STATUSES
            assert row.record["created_at"] == data.iso_utc(row.ts)
            assert round(row.record["amount"], 2) == row.record["amount"] > 0

    def test_ids_rise_with_time(self) -> None:
        """Order ids start at FIRST_ORDER_ID and never decrease as creation time grows."""
        rows = data.make_orders(DataSpec(orders=100))
        assert rows[0].key == data.FIRST_ORDER_ID
        assert [r.ts for r in rows] == sorted(r.ts for r in rows)


class TestPayments:
    def test_shape(self) -> None:
        """Valid payments have gateway fields, integer paise and upper-case currency."""
        for row in data.make_payments(DataSpec(payments=200)):
            record = row.record
            assert set(record) == PAYMENT_FIELDS
            assert record["payment_id"].startswith("pay_") and len(record["payment_id"]) == 18
            assert isinstance(record["amount"], int) and record["amount"] > 0
            assert record["currency"] in data.CURRENCIES
            assert row.defect is None

    def test_captured_at_null_unless_captured(self) -> None:
        """captured_at equals the listing time for captured/refunded payments, else null."""
        rows = data.make_payments(DataSpec(payments=300))
        for row in rows:
            captured = row.record["status"] in data.CAPTURED_STATUSES
            assert row.record["captured_at"] == (row.ts if captured else None)
        assert any(row.record["captured_at"] is None for row in rows)

    def test_ids_unique(self) -> None:
        """No two payments share an id."""
        rows = data.make_payments(DataSpec(payments=2_000))
        assert len({row.key for row in rows}) == 2_000

    def test_invalid_payments_cycle_through_defects(self) -> None:
        """Ten invalid payments carry each defect exactly twice."""
        rows = data.make_payments(DataSpec(payments=100, invalid_payments=10))
        defects = [row.defect for row in rows if row.defect]
        assert sorted(defects) == sorted(DEFECTS * 2)

    def test_too_many_invalid_rejected(self) -> None:
        """Asking for more invalid payments than payments is an error."""
        with pytest.raises(ValueError, match="cannot exceed"):
            DataSpec(payments=3, invalid_payments=4)

    def test_negative_counts_rejected(self) -> None:
        """A negative record count is an error naming the field."""
        with pytest.raises(ValueError, match="orders"):
            DataSpec(orders=-1)


class TestSpoil:
    @pytest.mark.parametrize(
        ("defect", "check"),
        [
            ("negative_amount", lambda r: r["amount"] < 0),
            ("lowercase_currency", lambda r: r["currency"] == "inr"),
            ("unknown_currency", lambda r: r["currency"] == "RUPEES"),
            ("missing_field", lambda r: "merchant_id" not in r),
            ("string_amount", lambda r: r["amount"] == "380.50 INR"),
        ],
    )
    def test_each_defect(self, defect: str, check: Callable[[dict[str, Any]], bool]) -> None:
        """Each defect breaks exactly the documented field of a copy, not the original."""
        original = {
            "payment_id": "pay_x",
            "merchant_id": "mer_y",
            "amount": 38050,
            "currency": "INR",
            "status": "captured",
            "method": "upi",
            "captured_at": 1,
        }
        bad = spoil(original, defect)
        assert check(bad)
        assert original["amount"] == 38050 and "merchant_id" in original

    def test_unknown_defect(self) -> None:
        """An unknown defect name is refused."""
        with pytest.raises(ValueError, match="unknown defect"):
            spoil({}, "typo")


class TestAccounts:
    def test_shape(self) -> None:
        """Accounts have unique ids and a name."""
        rows = data.make_accounts(DataSpec(accounts=60))
        assert len({row.key for row in rows}) == 60
        assert all(row.record["id"].startswith("acc_") and row.record["name"] for row in rows)
