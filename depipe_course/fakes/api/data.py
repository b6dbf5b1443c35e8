"""Seeded records for the fake payments API: orders, payments and accounts.

Everything comes from ``random.Random`` seeded with a string per stream
(``"7:orders"``, ``"7:payments"``, ...), so the same seed gives the same records on
every machine, and asking for more orders does not change the payments.

Each record travels as a ``Row``: the record exactly as the wire shows it, the time the
API lists it by (``ts``) and, for payments spoiled on purpose, which defect it carries.
Payments follow a card gateway's shape: ``amount`` in minor units (paise), epoch-second
``captured_at`` that is null for payments never captured. Such a payment is still
listed by the time it was created, which the wire record does not show.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

START_DATE = date(2026, 3, 1)
DAYS = 31
FIRST_ORDER_ID = 1_000_001
DAY_S = 86_400

ORDER_STATUSES = ("placed", "confirmed", "delivered", "cancelled")
ORDER_STATUS_WEIGHTS = (10, 20, 60, 10)
PAYMENT_STATUSES = ("captured", "refunded", "authorized", "failed", "created")
PAYMENT_STATUS_WEIGHTS = (75, 5, 5, 10, 5)
CAPTURED_STATUSES = frozenset({"captured", "refunded"})
METHODS = ("upi", "card", "netbanking", "wallet", "emi")
METHOD_WEIGHTS = (45, 30, 12, 10, 3)
CURRENCIES = ("INR", "USD")
CURRENCY_WEIGHTS = (95, 5)
MERCHANT_COUNT = 12

DEFECTS = (
    "negative_amount",  # amount below zero
    "lowercase_currency",  # "inr"
    "unknown_currency",  # "RUPEES"
    "missing_field",  # no merchant_id
    "string_amount",  # "380.50 INR" where an integer is due
)

_ALPHABET = string.ascii_letters + string.digits
_NAME_FIRST = ("Saffron", "Indigo", "Monsoon", "Banyan", "Lotus", "Teak", "Cardamom", "Peacock")
_NAME_SECOND = ("Traders", "Logistics", "Textiles", "Foods", "Motors", "Pharma", "Retail")
_CITIES = ("Mumbai", "Bengaluru", "Delhi", "Chennai", "Pune", "Hyderabad", "Kolkata", "Jaipur")


@dataclass(frozen=True, slots=True)
class Row:
    """One record as served, plus the time it is listed by and its defect, if any."""

    ts: int
    key: str | int
    record: dict[str, Any]
    defect: str | None = None


@dataclass(frozen=True)
class DataSpec:
    """How many records of each kind to make, over which period, from which seed."""

    seed: int = 0
    orders: int = 1_000
    payments: int = 1_000
    accounts: int = 100
    invalid_payments: int = 0
    start: date = START_DATE
    days: int = DAYS

    def __post_init__(self) -> None:
        for name in ("orders", "payments", "accounts", "invalid_payments"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if self.invalid_payments > self.payments:
            raise ValueError(f"invalid_payments ({self.invalid_payments}) cannot exceed payments ({self.payments})")
        if self.days < 1:
            raise ValueError(f"days must be >= 1, got {self.days}")

    @property
    def start_ts(self) -> int:
        """Epoch seconds of the period's first instant (midnight UTC of ``start``)."""
        return day_start_ts(self.start)

    @property
    def end_ts(self) -> int:
        """Epoch seconds just past the period (exclusive)."""
        return self.start_ts + self.days * DAY_S


def day_start_ts(day: date) -> int:
    """Epoch seconds of midnight UTC at the start of ``day``."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def iso_utc(ts: int) -> str:
    """Epoch seconds as ISO-8601 UTC with a ``Z``, the way many APIs print times."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rng_for(seed: int, stream: str) -> random.Random:
    """A generator per (seed, stream): streams stay independent of each other's sizes."""
    return random.Random(f"{seed}:{stream}")


def random_id(rng: random.Random, prefix: str, length: int = 14) -> str:
    """A gateway-style id such as ``pay_8Fz2kQ0aLm3Xyb``."""
    return prefix + "".join(rng.choices(_ALPHABET, k=length))


def fresh_id(rng: random.Random, prefix: str, taken: set[str]) -> str:
    """A ``random_id`` not in ``taken``; it is added to ``taken``."""
    new = random_id(rng, prefix)
    while new in taken:
        new = random_id(rng, prefix)
    taken.add(new)
    return new


def random_ts(rng: random.Random, spec: DataSpec) -> int:
    """A moment inside the spec's period, in whole epoch seconds."""
    return spec.start_ts + rng.randrange(spec.days * DAY_S)


def make_order(rng: random.Random, order_id: int, ts: int) -> Row:
    """One order created at ``ts``; amounts are rupees with two decimals."""
    record = {
        "order_id": order_id,
        "customer_id": rng.randint(1, 5_000),
        "amount": rng.randint(5_000, 2_500_000) / 100,
        "status": rng.choices(ORDER_STATUSES, ORDER_STATUS_WEIGHTS)[0],
        "created_at": iso_utc(ts),
    }
    return Row(ts=ts, key=order_id, record=record)


def make_orders(spec: DataSpec) -> list[Row]:
    """``spec.orders`` orders; ids rise with creation time from ``FIRST_ORDER_ID``."""
    rng = rng_for(spec.seed, "orders")
    times = sorted(random_ts(rng, spec) for _ in range(spec.orders))
    return [make_order(rng, FIRST_ORDER_ID + i, ts) for i, ts in enumerate(times)]


def merchants(seed: int) -> tuple[str, ...]:
    """The merchants whose payments the fake holds."""
    rng = rng_for(seed, "merchants")
    return tuple(random_id(rng, "mer_") for _ in range(MERCHANT_COUNT))


def make_payment(rng: random.Random, payment_id: str, ts: int, pool: tuple[str, ...]) -> Row:
    """One valid payment listed at ``ts``; ``captured_at`` is ``ts`` once captured, else null."""
    status = rng.choices(PAYMENT_STATUSES, PAYMENT_STATUS_WEIGHTS)[0]
    record = {
        "payment_id": payment_id,
        "merchant_id": rng.choice(pool),
        "amount": rng.randint(100, 2_500_000),
        "currency": rng.choices(CURRENCIES, CURRENCY_WEIGHTS)[0],
        "status": status,
        "method": rng.choices(METHODS, METHOD_WEIGHTS)[0],
        "captured_at": ts if status in CAPTURED_STATUSES else None,
    }
    return Row(ts=ts, key=payment_id, record=record)


def spoil(record: dict[str, Any], defect: str) -> dict[str, Any]:
    """A copy of a valid payment that carries ``defect`` (one of ``DEFECTS``)."""
    bad = dict(record)
    if defect == "negative_amount":
        bad["amount"] = -abs(bad["amount"])
    elif defect == "lowercase_currency":
        bad["currency"] = "inr"
    elif defect == "unknown_currency":
        bad["currency"] = "RUPEES"
    elif defect == "missing_field":
        del bad["merchant_id"]
    elif defect == "string_amount":
        bad["amount"] = f"{bad['amount'] / 100:.2f} INR"
    else:
        raise ValueError(f"unknown defect {defect!r}; expected one of {DEFECTS}")
    return bad


def make_payments(spec: DataSpec) -> list[Row]:
    """``spec.payments`` payments, ``spec.invalid_payments`` of them spoiled in turn."""
    rng = rng_for(spec.seed, "payments")
    pool = merchants(spec.seed)
    taken: set[str] = set()
    rows = []
    for _ in range(spec.payments):
        payment_id = fresh_id(rng, "pay_", taken)
        rows.append(make_payment(rng, payment_id, random_ts(rng, spec), pool))
    picker = rng_for(spec.seed, "defects")
    spoiled = sorted(picker.sample(range(spec.payments), spec.invalid_payments))
    for n, index in enumerate(spoiled):
        defect = DEFECTS[n % len(DEFECTS)]
        row = rows[index]
        rows[index] = Row(row.ts, row.key, spoil(row.record, defect), defect)
    return rows


def make_accounts(spec: DataSpec) -> list[Row]:
    """``spec.accounts`` customer accounts ``{id, name, city, created_at}``."""
    rng = rng_for(spec.seed, "accounts")
    taken: set[str] = set()
    rows = []
    for _ in range(spec.accounts):
        ts = random_ts(rng, spec)
        record = {
            "id": fresh_id(rng, "acc_", taken),
            "name": f"{rng.choice(_NAME_FIRST)} {rng.choice(_NAME_SECOND)} Pvt Ltd",
            "city": rng.choice(_CITIES),
            "created_at": iso_utc(ts),
        }
        rows.append(Row(ts=ts, key=record["id"], record=record))
    return rows
