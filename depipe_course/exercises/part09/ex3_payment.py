"""09.3: ``Payment``, a pydantic v2 model of the payment gateway's wire records.

Paise become exact rupees with two places, only positive whole paise pass, the currency
is three upper-case letters, ``captured_at`` epoch seconds become aware UTC (null stays
None), every field is required, and the fake API's records are sorted into valid and
invalid exactly.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from depipe_course.checking import expect, expect_equal
from depipe_course.exercises import exercise
from depipe_course.exercises._zones import local_zone
from depipe_course.exercises.part09._shared import (
    _DROP,
    _VALIDATION_ERROR,
    _accepted,
    _attempt,
    _build,
    _describe,
    _expect_rejected,
    _expect_v2_model,
    _utc_value,
)
from depipe_course.judging.codec import raised_as

payments = exercise("09.3", "A Payment model for the gateway's records", ["Payment"])

VALID_PAYMENT = {
    "payment_id": "pay_8Fz2kQ0aLm3Xyb",
    "merchant_id": "mer_S4lFEXFJ5FiCl2",
    "amount": 38050,
    "currency": "INR",
    "status": "captured",
    "method": "upi",
    "captured_at": 1772323200,  # 2026-03-01T00:00:00Z
}
WIRE_FIELDS = tuple(VALID_PAYMENT)


def _payment(**changes: Any) -> dict[str, Any]:
    data = {**VALID_PAYMENT, **changes}
    return {k: v for k, v in data.items() if v is not _DROP}


@payments.check("a pydantic v2 model: field_validator, model_config, no deprecation warnings", points=1,
                hint="class Payment(BaseModel) with @field_validator(..., mode='before') on a @classmethod; "
                     "no @validator, no class Config.")
def _payment_is_v2(Payment: Any) -> None:
    _expect_v2_model(Payment, "Payment", VALID_PAYMENT)


@payments.check("amount in paise becomes exact rupees: 38050 → Decimal('380.50')", points=2,
                hint="Decimal(value).scaleb(-2) moves the decimal point two places without a float; "
                     "value / 100 is a float, and Decimal(1999 / 100) is 19.989999999999998…")
def _amount_rupees(Payment: Any) -> None:
    # 2**53 + 1 paise: as a float, value / 100 is 90071992547409.94, one paisa off
    cases = ((38050, "380.50"), (1999, "19.99"), (100, "1.00"), (2_500_000, "25000.00"), (7, "0.07"),
             (2**53 + 1, "90071992547409.93"))
    for paise, rupees in cases:
        amount = _accepted(Payment, _payment(amount=paise), f"amount {paise}").amount
        expect(isinstance(amount, Decimal), f"amount {paise} must become a Decimal",
               expected=f"Decimal({rupees!r})", seen=f"{type(amount).__name__}: {amount!r}")
        expect_equal(amount, Decimal(rupees), f"the rupees for {paise} paise")


@payments.check("amount keeps two decimal places: Decimal('380.50'), not Decimal('380.5')", points=1,
                hint="Decimal(38050) / 100 is Decimal('380.5') and 38000 / 100 is Decimal('380'): equal "
                     "in value, but reports and the database show the exponent. "
                     "Decimal(value).scaleb(-2) or .quantize(Decimal('0.01')) keeps two places.")
def _amount_places(Payment: Any) -> None:
    for paise, rupees in ((38050, "380.50"), (38000, "380.00"), (1999, "19.99")):
        amount = _accepted(Payment, _payment(amount=paise), f"amount {paise}").amount
        expect_equal(str(amount), rupees, f"str() of the amount built from {paise} paise")


@payments.check("amount must be a positive whole number of paise", points=2,
                hint="Refuse anything that is not an int in a field_validator('amount', mode='before') "
                     "(raise ValueError), and keep gt=0 on the field. Decimal('380.50 INR') raises "
                     "InvalidOperation, which pydantic does not turn into a ValidationError.")
def _amount_integer(Payment: Any) -> None:
    _build(Payment, VALID_PAYMENT)
    for raw in (-38050, 0, "380.50 INR", 380.5, None, "lots"):
        _expect_rejected(Payment, _payment(amount=raw), "amount", f"amount {raw!r}")


@payments.check("currency is three upper-case letters", points=1,
                hint="Annotated[str, StringConstraints(pattern=r'^[A-Z]{3}$')]. Do not upper-case it "
                     "yourself: 'inr' is a gateway bug to dead-letter, not to repair silently.")
def _currency(Payment: Any) -> None:
    for good in ("INR", "USD"):
        payment = _accepted(Payment, _payment(currency=good), f"currency {good!r}")
        expect_equal(payment.currency, good, "currency")
    for bad in ("inr", "RUPEES", "IN", "", "IN1", "Inr"):
        _expect_rejected(Payment, _payment(currency=bad), "currency", f"currency {bad!r}")


@payments.check("captured_at: epoch seconds become an aware UTC datetime; null stays None", points=2,
                hint="captured_at: datetime | None, and for an int "
                     "datetime.fromtimestamp(value, tz=UTC). fromtimestamp(value) without tz gives the "
                     "machine's local time, naive.")
def _captured_at(Payment: Any) -> None:
    with local_zone():
        payment = _accepted(Payment, _payment(), "captured_at 1772323200")
        _utc_value(payment.captured_at, datetime(2026, 3, 1, tzinfo=UTC),
                   "captured_at built from 1772323200 (local zone UTC+05:30)")
        payment = _accepted(Payment, _payment(captured_at=1774996852), "captured_at 1774996852")
        _utc_value(payment.captured_at, datetime(2026, 3, 31, 22, 40, 52, tzinfo=UTC),
                   "captured_at built from 1774996852")
    payment = _accepted(Payment, _payment(status="authorized", captured_at=None),
                        "an authorized payment with captured_at None")
    expect(payment.captured_at is None, "a null captured_at must stay None", expected=None,
           seen=repr(payment.captured_at))


@payments.check("keeps every field of the gateway's record, each one required", points=1,
                hint="Declare payment_id, merchant_id, amount, currency, status, method and captured_at, "
                     "none with a default: part 10 loads them all, and a record without one of them "
                     "(even captured_at, which is null rather than absent) is a gateway bug to reject.")
def _fields(Payment: Any) -> None:
    payment = _build(Payment, VALID_PAYMENT)
    missing = [f for f in WIRE_FIELDS if not hasattr(payment, f)]
    expect(not missing, "the model lost fields of the wire record", expected=list(WIRE_FIELDS), seen=missing)
    expect_equal((payment.payment_id, payment.merchant_id, payment.method),
                 (VALID_PAYMENT["payment_id"], VALID_PAYMENT["merchant_id"], "upi"),
                 "(payment_id, merchant_id, method)")
    for field in WIRE_FIELDS:
        _expect_rejected(Payment, _payment(**{field: _DROP}), field, f"a payment without {field}")


@payments.check("accepts every valid payment of the fake API and rejects each invalid one", points=2,
                hint="The fake gateway's statuses are created, authorized, captured, refunded and failed; "
                     "its methods upi, card, netbanking, wallet and emi; currencies INR and USD. Its "
                     "invalid records carry a negative amount, 'inr', 'RUPEES', no merchant_id, or "
                     "'380.50 INR'.")
def _fake_api(Payment: Any) -> None:
    from depipe_course.fakes.api import FakePaymentsAPI

    _build(Payment, VALID_PAYMENT)
    api = FakePaymentsAPI(seed=9, payments=400, invalid_payments=30)
    invalid = api.state.invalid_payments()
    refused: list[str] = []
    let_through: list[str] = []
    crashed: list[str] = []
    for record in api.state.payment_records():
        defect = invalid.get(record["payment_id"])
        made, exc = _attempt(Payment, record)
        if defect is None and exc is not None:
            refused.append(f"{record} → {_describe(exc)}")
        elif defect is not None and exc is None:
            let_through.append(f"{defect}: {record}")
        elif defect is not None and exc is not None and not raised_as(exc, _VALIDATION_ERROR):
            crashed.append(f"{defect}: {type(exc).__name__}: {exc}")
    valid_count = 400 - len(invalid)
    expect(not refused, f"{len(refused)} of {valid_count} valid payments were rejected",
           expected="every valid payment accepted", seen=refused[0] if refused else None)
    expect(not let_through, f"{len(let_through)} of {len(invalid)} invalid payments were accepted",
           expected="a ValidationError for each", seen=let_through[0] if let_through else None)
    expect(not crashed, f"{len(crashed)} invalid payments raised something other than a ValidationError",
           expected="pydantic.ValidationError", seen=crashed[0] if crashed else None)
