"""09.1: ``OrderStatus`` (a str enum) and ``Order``, a pydantic v2 model of a raw export row.

The checks demand v2 API only, statuses normalised into the enum, positive ids, an exact
``Decimal`` amount from rupee text or a float (two places at most), an optional promo
code, and ``created_at`` in UTC whether it came naive or with an offset.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from depipe_course.checking import expect, expect_equal
from depipe_course.exercises import exercise
from depipe_course.exercises._remote import class_names, enum_members, instance_of, subclass_of
from depipe_course.exercises._zones import local_zone
from depipe_course.exercises.part09._shared import (
    _DROP,
    _accepted,
    _build,
    _expect_rejected,
    _expect_v2_model,
    _utc_value,
)

orders = exercise("09.1", "An Order model with pydantic v2", ["OrderStatus", "Order"])

STATUSES = ("placed", "confirmed", "delivered", "cancelled")
VALID_ORDER = {
    "order_id": 9284751,
    "customer_id": 4201938,
    "amount": "380.00",
    "status": "delivered",
    "created_at": "2026-03-17T14:44:32Z",
    "promo_code": "HOLI15",  # present, so a required promo_code costs only the sub-check on it
}
CREATED = datetime(2026, 3, 17, 14, 44, 32, tzinfo=UTC)


def _order(**changes: Any) -> dict[str, Any]:
    data = {**VALID_ORDER, **changes}
    return {k: v for k, v in data.items() if v is not _DROP}


def _is_member(value: Any, enum_class: Any) -> bool:
    """``isinstance(value, enum_class)``, also for a member that came from the learner's process
    (a ``RemoteEnum`` carrying its class's qualified name and its member's name)."""
    from depipe_course.judging.codec import RemoteEnum

    if isinstance(value, RemoteEnum):
        names = class_names(enum_class)
        return bool(names) and value.type_name == names[0] and value.name in enum_members(enum_class)
    return instance_of(value, enum_class)


@orders.check("a pydantic v2 model: field_validator, model_config, no deprecation warnings", points=2,
              hint="class Order(BaseModel) from pydantic (not pydantic.v1). Validators are "
                   "@field_validator('amount', mode='before') stacked on @classmethod; settings go in "
                   "model_config = ConfigDict(...). @validator(..., pre=True) and class Config are v1 "
                   "and warn PydanticDeprecatedSince20.")
def _order_is_v2(Order: Any) -> None:
    _expect_v2_model(Order, "Order", VALID_ORDER)


@orders.check("OrderStatus is a str enum of the four statuses", points=1,
              hint="class OrderStatus(StrEnum) (or (str, Enum)) with PLACED = 'placed', CONFIRMED, "
                   "DELIVERED, CANCELLED: members are strings, so they compare equal to 'delivered' "
                   "and go into JSON and SQL as text.")
def _status_enum(OrderStatus: Any, Order: Any) -> None:
    _build(Order, VALID_ORDER)  # a stub raises NotImplementedError here: not attempted
    expect(subclass_of(OrderStatus, "enum.Enum"), "OrderStatus must be an Enum",
           expected="an Enum subclass", seen=repr(OrderStatus))
    expect(subclass_of(OrderStatus, "builtins.str"), "OrderStatus must be a str enum, so a member is also its text",
           expected="class OrderStatus(StrEnum) or (str, Enum)",
           seen=f"bases {[name.rsplit('.', 1)[-1] for name in class_names(OrderStatus)[1:]]}")
    values = enum_members(OrderStatus).values()
    expect_equal(sorted(str(value) for value in values), sorted(STATUSES), "the values of OrderStatus")


@orders.check("status becomes an OrderStatus; case and stray spaces are accepted", points=1,
              hint="Declare status: OrderStatus. Exports write ' Delivered ' and 'PLACED': a "
                   "field_validator('status', mode='before') can return value.strip().lower() for a str.")
def _status_members(OrderStatus: Any, Order: Any) -> None:
    for raw, value in (("delivered", "delivered"), (" Delivered ", "delivered"), ("PLACED", "placed"),
                       ("cancelled ", "cancelled"), ("Confirmed", "confirmed")):
        status = _accepted(Order, _order(status=raw), f"status {raw!r}").status
        expect(_is_member(status, OrderStatus), f"status {raw!r} must become an OrderStatus member",
               expected=f"OrderStatus({value!r})", seen=f"{type(status).__name__}: {status!r}")
        expect_equal(status.value, value, f"the status built from {raw!r}")


@orders.check("unknown statuses are rejected", points=1,
              hint="Typing status as OrderStatus makes pydantic refuse anything that is not a member; "
                   "a plain str lets 'shipped' through.")
def _status_unknown(Order: Any) -> None:
    _build(Order, VALID_ORDER)
    for raw in ("shipped", "deliverd", "canceled", "", "NULL", None):
        _expect_rejected(Order, _order(status=raw), "status", f"status {raw!r}")


@orders.check("order_id and customer_id are required and greater than 0", points=1,
              hint="Annotated[int, Field(gt=0)] for both ids, with no default.")
def _ids_positive(Order: Any) -> None:
    _build(Order, VALID_ORDER)
    for field in ("order_id", "customer_id"):
        for bad in (0, -7):
            _expect_rejected(Order, _order(**{field: bad}), field, f"{field}={bad}")
        _expect_rejected(Order, _order(**{field: _DROP}), field, f"an order without {field}")


@orders.check("amount is an exact Decimal, from '₹1,234.50', ' 380 ', 380 and 380.5", points=2,
              hint="amount: Annotated[Decimal, Field(gt=0, decimal_places=2)], and a "
                   "field_validator('amount', mode='before') that removes '₹' and ',' from text and leaves "
                   "the parsing to pydantic. A float keeps about 15 significant digits: float() turns "
                   "'98765432109876.54' into ...876.55. Never send the text through float().")
def _amount_decimal(Order: Any) -> None:
    cases = (("₹1,234.50", "1234.50"), (" 380 ", "380"), (380, "380"), (380.5, "380.5"),
             ("₹1,23,456.00", "123456.00"), (Decimal("42.10"), "42.10"), ("₹ 99.99", "99.99"),
             # 16 significant digits: text parsed with float() comes back as ...876.55
             ("₹98,765,432,109,876.54", "98765432109876.54"))
    for raw, value in cases:
        amount = _accepted(Order, _order(amount=raw), f"amount {raw!r}").amount
        expect(isinstance(amount, Decimal), f"amount {raw!r} must become a Decimal",
               expected=f"Decimal({value!r})", seen=f"{type(amount).__name__}: {amount!r}")
        expect_equal(amount, Decimal(value), f"the amount built from {raw!r}")


@orders.check("a float amount goes through str, not binary: 19.99 stays 19.99", points=1,
              hint="Decimal(19.99) is 19.989999999999998436805981327779591083526611328125, the "
                   "float's binary value; Decimal(str(19.99)) is Decimal('19.99'). Convert floats "
                   "with str first (or leave them to pydantic, which does the same).")
def _amount_float(Order: Any) -> None:
    for raw, value in ((19.99, "19.99"), (0.1, "0.1"), (1234.56, "1234.56"), (0.7, "0.7")):
        amount = _accepted(Order, _order(amount=raw), f"amount {raw!r} (a float)").amount
        expect(isinstance(amount, Decimal), f"amount {raw!r} must become a Decimal",
               expected=f"Decimal({value!r})", seen=f"{type(amount).__name__}: {amount!r}")
        expect_equal(amount, Decimal(value), f"the amount built from the float {raw!r}")
    total = sum((_build(Order, _order(amount=a)).amount for a in (0.1, 0.2)), Decimal(0))
    expect_equal(total, Decimal("0.3"), "the sum of the amounts built from 0.1 and 0.2")


@orders.check("amount must be greater than 0 with at most two decimal places", points=1,
              hint="Field(gt=0, decimal_places=2) refuses 0, negatives and '12.345'. Do not round "
                   "a third decimal away: a price with three decimals is a bad record, not a rounding job.")
def _amount_constraints(Order: Any) -> None:
    _build(Order, VALID_ORDER)
    # 12.345 as a float too: round(value, 2) on floats would turn it into a plausible 12.35
    for raw in ("0", 0, "-5.00", -12, "12.345", 12.345, 0.001):
        _expect_rejected(Order, _order(amount=raw), "amount", f"amount {raw!r}")


@orders.check("an unparseable amount is a ValidationError on amount, not a decimal error", points=1,
              hint="Decimal('abc') raises decimal.InvalidOperation, which is not a ValueError: pydantic "
                   "does not turn it into a ValidationError and the whole batch crashes. Return the "
                   "cleaned text and let pydantic parse it, or raise ValueError yourself.")
def _amount_garbage(Order: Any) -> None:
    _build(Order, VALID_ORDER)
    for raw in ("abc", "", "₹", "12 rupees", "1.2.3", None):
        _expect_rejected(Order, _order(amount=raw), "amount", f"amount {raw!r}")


@orders.check("promo_code is optional: None when absent", points=1,
              hint="promo_code: str | None = None.")
def _promo_optional(Order: Any) -> None:
    _build(Order, VALID_ORDER)
    order = _accepted(Order, _order(promo_code=_DROP), "an order without promo_code")
    expect(order.promo_code is None, "an order without promo_code must have promo_code None",
           expected=None, seen=repr(order.promo_code))
    order = _accepted(Order, _order(promo_code="DIWALI10"), "promo_code 'DIWALI10'")
    expect_equal(order.promo_code, "DIWALI10", "promo_code")


@orders.check("created_at: a naive time is taken as UTC, not as the machine's local time", points=1,
              hint="In a field_validator('created_at', mode='after'), a value whose utcoffset() is None "
                   "gets value.replace(tzinfo=UTC). astimezone() on a naive value reads it as local "
                   "time; AwareDatetime refuses naive input, and the exports have plenty.")
def _created_naive(Order: Any) -> None:
    _build(Order, VALID_ORDER)
    with local_zone():
        for raw in ("2026-03-17T14:44:32", "2026-03-17 14:44:32", datetime(2026, 3, 17, 14, 44, 32)):
            order = _accepted(Order, _order(created_at=raw), f"created_at {raw!r}")
            _utc_value(order.created_at, CREATED, f"created_at built from {raw!r} (local zone UTC+05:30)")


@orders.check("created_at: a time with an offset is converted to UTC", points=1,
              hint="value.astimezone(UTC) for an aware value: the same instant, written in UTC, so "
                   "every created_at compares and sorts alike. astimezone() without UTC converts to "
                   "the machine's local zone.")
def _created_offsets(Order: Any) -> None:
    with local_zone():  # astimezone() without an argument would give +05:30 here
        for raw in ("2026-03-17T20:14:32+05:30", "2026-03-17T14:44:32Z", "2026-03-17T09:44:32-05:00"):
            order = _accepted(Order, _order(created_at=raw), f"created_at {raw!r}")
            _utc_value(order.created_at, CREATED, f"created_at built from {raw!r} (local zone UTC+05:30)")


@orders.check("an unparseable created_at is rejected", points=1,
              hint="Let pydantic parse ISO 8601; do not fall back to a guessing parser (dateutil, "
                   "pandas): '03/04/2026' is March 4 or April 3 depending on who wrote it.")
def _created_garbage(Order: Any) -> None:
    _build(Order, VALID_ORDER)
    for raw in ("not-a-date", "2026-02-30T10:00:00", "17/03/2026 10:00", "yesterday", "", None):
        _expect_rejected(Order, _order(created_at=raw), "created_at", f"created_at {raw!r}")
