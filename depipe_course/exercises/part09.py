"""Part 09 — Type hints and validation (pydantic v2).

How "v2 only" is checked. The learner's class is already built when a check runs, so
the ``PydanticDeprecatedSince20`` that a v1 ``@validator`` emits at class-definition
time is long gone (and a learner may have silenced it). Pydantic itself, though,
files every decorator it collects in ``cls.__pydantic_decorators__``: v1 ``@validator``
and ``@root_validator`` land in ``.validators`` / ``.root_validators``, the v2
``@field_validator`` and ``@model_validator`` in ``.field_validators`` /
``.model_validators``. That registry is what pydantic builds the validators from, so
reading it catches v1 decorators whatever name they were imported under, inherited
from a base class, or with warnings switched off. An inner ``class Config`` and
config keys renamed in v2 (``orm_mode``, ...) leave traces too (``vars(cls)``,
``model_config``). Warnings that fire at *call* time (``.dict()``, ``parse_obj``,
``datetime.utcfromtimestamp``) are recorded while the checks use the learner's code.

Checks that read naive times run with the local time zone set to India (UTC+05:30,
a POSIX ``TZ`` string needing no zoneinfo files), so code that reads a naive time as
the machine's local time is caught even on a server that runs in UTC.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import exercise

_DROP = object()  # a field value meaning "leave the field out"

# ---------------------------------------------------------------- shared helpers


def _attempt(model: Any, data: Mapping[str, Any]) -> tuple[Any, BaseException | None]:
    """``(instance, None)`` if ``model`` accepts ``data``, else ``(None, the exception)``."""
    try:
        return model(**data), None
    except NotImplementedError:
        raise
    except Exception as exc:  # a ValidationError, or whatever the learner's validators raise
        return None, exc


def _locs(exc: BaseException) -> list[tuple[Any, ...]]:
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return []
    return [tuple(e.get("loc", ())) for e in errors()]


def _describe(exc: BaseException) -> str:
    """One line: a ValidationError as 'field: message; ...', anything else as 'Type: text'."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        parts = [f"{'.'.join(str(p) for p in e['loc']) or '(record)'}: {e['msg']}" for e in exc.errors()]
        return "ValidationError: " + "; ".join(parts)
    return f"{type(exc).__name__}: {exc}"


def _accepted(model: Any, data: Mapping[str, Any], what: str) -> Any:
    """The instance built from ``data``; fail, showing the error, if it was refused.

    A stub's NotImplementedError propagates, so the sub-check is *not attempted*.
    """
    made, exc = _attempt(model, data)
    if exc is not None:
        fail(f"{what} was rejected", expected="accepted", seen=_describe(exc))
    return made


def _build(model: Any, data: Mapping[str, Any]) -> Any:
    return _accepted(model, data, f"a valid record {dict(data)}")


def _expect_rejected(model: Any, data: Mapping[str, Any], field: str, what: str) -> None:
    """``data`` must raise a pydantic ValidationError with an error located at ``field``."""
    from pydantic import ValidationError

    made, exc = _attempt(model, data)
    if exc is None:
        fail(f"{what} was accepted", expected=f"a ValidationError on {field!r}",
             seen=f"{field}={getattr(made, field, '?')!r}")
    expect(isinstance(exc, ValidationError),
           f"{what} raised {type(exc).__name__}, not a ValidationError: a batch that catches "
           "ValidationError to dead-letter bad records would crash on it",
           expected="pydantic.ValidationError", seen=_describe(exc))
    locs = _locs(exc)
    expect(any(loc[:1] == (field,) for loc in locs), f"the error for {what} must point at the field",
           expected=f"an error located at ('{field}',)", seen=locs)


def _utc_value(value: Any, expected: datetime, what: str) -> None:
    expect(isinstance(value, datetime), f"{what} must be a datetime", expected="datetime",
           seen=f"{type(value).__name__}: {value!r}")
    offset = value.utcoffset()
    expect(offset is not None, f"{what} is naive: it does not say which time zone it is in",
           expected="a timezone-aware datetime in UTC", seen=repr(value))
    expect(value == expected, f"{what} is not the right instant", expected=expected.isoformat(),
           seen=value.isoformat())
    expect(offset == timedelta(0), f"{what} is the right instant but not expressed in UTC",
           expected=expected.isoformat(), seen=value.isoformat())


@contextlib.contextmanager
def _local_time_in_india() -> Iterator[None]:
    """The machine's local zone is UTC+05:30 inside; restored afterwards."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "IST-05:30"  # POSIX TZ: name, then hours *west* of UTC
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


def _is_deprecation(w: warnings.WarningMessage) -> bool:
    category = w.category
    return (issubclass(category, (DeprecationWarning, PendingDeprecationWarning, FutureWarning))
            or category.__module__.startswith("pydantic"))


@contextlib.contextmanager
def _recording_deprecations() -> Iterator[list[str]]:
    """Collect deprecation and pydantic warnings raised inside (each as 'Category: message')."""
    seen: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield seen
    seen.extend(f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught if _is_deprecation(w))


def _v1_leftovers(model: Any) -> list[str]:
    """What in ``model`` is pydantic v1 API (empty for a clean v2 model)."""
    from pydantic import BaseModel, ConfigDict

    decorators = model.__pydantic_decorators__
    found = [f"@validator on {name}()" for name in decorators.validators]
    found += [f"@root_validator on {name}()" for name in decorators.root_validators]
    found += [f"class Config in {klass.__name__}" for klass in model.__mro__
              if isinstance(klass, type) and issubclass(klass, BaseModel) and klass is not BaseModel
              and "Config" in vars(klass)]
    known = ConfigDict.__required_keys__ | ConfigDict.__optional_keys__
    found += [f"config key {key!r} (renamed or removed in v2)" for key in model.model_config if key not in known]
    return found


def _expect_v2_model(model: Any, name: str, valid: Mapping[str, Any]) -> None:
    """A pydantic v2 model with no v1 leftovers, which builds and dumps without deprecation warnings."""
    from pydantic import BaseModel

    with _recording_deprecations() as deprecations:
        made = _build(model, valid)
        if isinstance(made, BaseModel):
            made.model_dump()
            made.model_dump_json()
            type(made).model_validate(dict(valid))
    bases = [f"{b.__module__}.{b.__qualname__}" for b in getattr(model, "__bases__", ())]
    expect(isinstance(model, type) and issubclass(model, BaseModel),
           f"{name} must subclass pydantic.BaseModel (v2); pydantic.v1.BaseModel is the deprecated API",
           expected="a subclass of pydantic.BaseModel", seen=f"bases {bases}")
    leftovers = _v1_leftovers(model)
    expect(not leftovers, f"{name} uses the pydantic v1 API, which warns PydanticDeprecatedSince20",
           expected="@field_validator(..., mode='before') with @classmethod; model_config = ConfigDict(...)",
           seen="; ".join(leftovers))
    expect(not deprecations, f"building and dumping a {name} raised deprecation warnings",
           expected="no warnings", seen="; ".join(dict.fromkeys(deprecations)))


# ================================================================ 09.1 OrderStatus and Order

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
    expect(isinstance(OrderStatus, type) and issubclass(OrderStatus, Enum), "OrderStatus must be an Enum",
           expected="an Enum subclass", seen=repr(OrderStatus))
    expect(issubclass(OrderStatus, str), "OrderStatus must be a str enum, so a member is also its text",
           expected="class OrderStatus(StrEnum) or (str, Enum)",
           seen=f"bases {[b.__name__ for b in OrderStatus.__bases__]}")
    expect_equal(sorted(str(m.value) for m in OrderStatus), sorted(STATUSES), "the values of OrderStatus")


@orders.check("status becomes an OrderStatus; case and stray spaces are accepted", points=1,
              hint="Declare status: OrderStatus. Exports write ' Delivered ' and 'PLACED': a "
                   "field_validator('status', mode='before') can return value.strip().lower() for a str.")
def _status_members(OrderStatus: Any, Order: Any) -> None:
    for raw, value in (("delivered", "delivered"), (" Delivered ", "delivered"), ("PLACED", "placed"),
                       ("cancelled ", "cancelled"), ("Confirmed", "confirmed")):
        status = _accepted(Order, _order(status=raw), f"status {raw!r}").status
        expect(isinstance(status, OrderStatus), f"status {raw!r} must become an OrderStatus member",
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
    with _local_time_in_india():
        for raw in ("2026-03-17T14:44:32", "2026-03-17 14:44:32", datetime(2026, 3, 17, 14, 44, 32)):
            order = _accepted(Order, _order(created_at=raw), f"created_at {raw!r}")
            _utc_value(order.created_at, CREATED, f"created_at built from {raw!r} (local zone UTC+05:30)")


@orders.check("created_at: a time with an offset is converted to UTC", points=1,
              hint="value.astimezone(UTC) for an aware value: the same instant, written in UTC, so "
                   "every created_at compares and sorts alike. astimezone() without UTC converts to "
                   "the machine's local zone.")
def _created_offsets(Order: Any) -> None:
    with _local_time_in_india():  # astimezone() without an argument would give +05:30 here
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


# ================================================================ 09.2 parse_orders

batch = exercise("09.2", "Parse a batch, dead-letter the failures", ["parse_orders"], uses=["09.1"])

# Input order is neither order_id nor created_at order, so sorting either way shows.
_GOOD = (
    {"order_id": 1004, "customer_id": 7, "amount": "₹1,234.50", "status": "delivered",
     "created_at": "2026-03-17T14:44:32Z"},
    {"order_id": 1001, "customer_id": 8, "amount": 380, "status": " Placed ",
     "created_at": "2026-03-17 09:00:00", "promo_code": "DIWALI10"},
    {"order_id": 1002, "customer_id": 9, "amount": 99.5, "status": "CANCELLED",
     "created_at": "2026-03-18T01:00:00+05:30"},
)
_GOOD_IDS = [1004, 1001, 1002]
_BAD_TWO_FIELDS = {"order_id": 1003, "customer_id": 9, "amount": "abc", "status": "shipped",
                   "created_at": "2026-03-17T10:00:00Z"}
# A null as the exports write it: a failure must keep it, not tidy it away.
_BAD_MISSING = {"order_id": 1005, "amount": "-5", "status": "placed", "created_at": "2026-03-17T10:00:00Z",
                "promo_code": None}


def _batch() -> list[dict[str, Any]]:
    return copy.deepcopy([_BAD_TWO_FIELDS, _GOOD[0], _GOOD[1], _BAD_MISSING, _GOOD[2]])


def _parsed(parse_orders: Callable[..., Any], records: list[Any]) -> tuple[list[Any], list[Any]]:
    out = parse_orders(records)
    expect(isinstance(out, tuple) and len(out) == 2, "parse_orders must return a pair (orders, failures)",
           expected="(list of Order, list of dict)", seen=f"{type(out).__name__}: {out!r}")
    valid, failed = out
    expect(isinstance(valid, list) and isinstance(failed, list), "both halves must be lists",
           expected="(list, list)", seen=f"({type(valid).__name__}, {type(failed).__name__})")
    return valid, failed


def _failure_records(failed: list[Any]) -> list[Any]:
    expect(all(isinstance(f, dict) and "record" in f for f in failed),
           "each failure must be a dict with the original record under 'record'",
           expected="{'record': raw, 'errors': [...]}", seen=failed[:2])
    return [f["record"] for f in failed]


@batch.check("every record ends up as an Order or a failure, in input order", points=1,
             hint="Loop over the records; try Order.model_validate(raw) and append the Order, or "
                  "catch ValidationError and append a failure: one bad record must not stop the batch.")
def _splits(parse_orders: Callable[..., Any]) -> None:
    valid, failed = _parsed(parse_orders, _batch())
    ids = [getattr(o, "order_id", o) for o in valid]
    expect_equal(ids, _GOOD_IDS, "the order_ids of the valid orders (input order)")
    expect_equal(len(failed), 2, "the number of failures")
    expect_equal(_failure_records(failed), [_BAD_TWO_FIELDS, _BAD_MISSING], "the failed records, in order")


@batch.check("reads raw_records once, so a generator works too", points=1,
             hint="raw_records may be a generator (lines of a file, pages of an API) that can be "
                  "read only once: validate each record in a single loop, not one pass for the "
                  "valid records and another for the failures.")
def _one_pass(parse_orders: Callable[..., Any]) -> None:
    valid, failed = _parsed(parse_orders, (record for record in _batch()))
    expect_equal(([getattr(o, "order_id", o) for o in valid], len(failed)), (_GOOD_IDS, 2),
                 "(order_ids of the valid orders, number of failures) for a generator of the same records")


@batch.check("valid records come back as Order models, not dicts", points=1,
             hint="Append the model Order.model_validate(raw) returns; the rest of the pipeline relies "
                  "on its types (Decimal amount, OrderStatus, aware created_at).")
def _returns_models(parse_orders: Callable[..., Any]) -> None:
    from pydantic import BaseModel

    valid, _ = _parsed(parse_orders, _batch())
    expect(valid, "no valid orders came back", expected="3 Orders", seen=valid)
    wrong = [o for o in valid if not (isinstance(o, BaseModel) and type(o).__name__ == "Order")]
    expect(not wrong, "the valid records must be Order instances", expected="Order(...)", seen=wrong[:2])
    expect_equal(valid[0].amount, Decimal("1234.50"), "the first order's amount")


@batch.check("each failure keeps the original record, unchanged", points=1,
             hint="Store the raw record itself under 'record', and never modify the input: the "
                  "dead-letter queue is where someone replays it after a fix.")
def _keeps_record(parse_orders: Callable[..., Any]) -> None:
    records = _batch()
    before = copy.deepcopy(records)
    _, failed = _parsed(parse_orders, records)
    expect_equal(records, before, "the input records after parse_orders (it must not modify them)")
    expect_equal(_failure_records(failed), [before[0], before[3]], "the records kept in the failures")


def _errors_of(failure: Any) -> list[dict[str, Any]]:
    errors = failure.get("errors") if isinstance(failure, dict) else None
    expect(isinstance(errors, list) and errors and all(isinstance(e, dict) for e in errors),
           "each failure must hold a non-empty list of errors under 'errors'",
           expected="{'record': raw, 'errors': [{'loc': ('amount',), 'msg': ..., 'type': ...}]}",
           seen=failure)
    for error in errors:
        loc = error.get("loc")
        expect(isinstance(loc, tuple | list) and all(isinstance(p, str | int) for p in loc)
               and isinstance(error.get("msg"), str) and isinstance(error.get("type"), str),
               "each error needs loc (a tuple of field names), msg and type",
               expected="{'loc': ('amount',), 'msg': 'Input should be ...', 'type': 'decimal_parsing'}",
               seen=error)
    return errors


@batch.check("each failure lists every field that failed: loc, msg and type", points=2,
             hint="ValidationError.errors() has one dict per failing field, with 'loc', 'msg' and "
                  "'type'. str(exc) is one blob of text: nobody can count failures per field from it.")
def _field_errors(parse_orders: Callable[..., Any]) -> None:
    _, failed = _parsed(parse_orders, _batch())
    expect_equal(len(failed), 2, "the number of failures")
    first, second = (_errors_of(f) for f in failed)
    expect_equal(sorted(tuple(e["loc"]) for e in first), [("amount",), ("status",)],
                 "the error locations for a record with a bad amount and a bad status")
    expect_equal(sorted(tuple(e["loc"]) for e in second), [("amount",), ("customer_id",)],
                 "the error locations for a record with no customer_id and a negative amount")
    types = {tuple(e["loc"]): e["type"] for e in second}
    expect_equal(types.get(("customer_id",)), "missing", "the error type for the missing customer_id")


@batch.check("the dead-letter entries can be written as JSON", points=1,
             hint="exc.errors() also holds 'ctx' and 'input', which can carry a Decimal or the "
                  "exception object: keep loc, msg and type (or call errors(include_context=False, "
                  "include_input=False, include_url=False)).")
def _json_ready(parse_orders: Callable[..., Any]) -> None:
    _, failed = _parsed(parse_orders, _batch() + [{**_GOOD[0], "order_id": 1006, "amount": 19.999}])
    try:
        json.dumps(failed)
    except (TypeError, ValueError) as exc:
        fail("json.dumps(failures) failed: the dead-letter queue could not store them",
             expected="plain JSON types only", seen=f"{type(exc).__name__}: {exc}")


@batch.check("a record that is not an object is dead-lettered too", points=1,
             hint="Order(**raw) raises TypeError for None or a list, outside pydantic; "
                  "Order.model_validate(raw) reports it as a ValidationError like any other bad record.")
def _non_dicts(parse_orders: Callable[..., Any]) -> None:
    odd: list[Any] = [None, "order 1007", [1007, 7]]
    valid, failed = _parsed(parse_orders, [odd[0], copy.deepcopy(_GOOD[0]), odd[1], odd[2]])
    expect_equal(len(valid), 1, "the number of valid orders")
    expect_equal(_failure_records(failed), odd, "the records kept in the failures")
    for failure in failed:
        _errors_of(failure)


@batch.check("uses the v2 API: no deprecation warnings", points=1,
             hint="Order.parse_obj(raw), .dict() and .json() are v1 names and warn "
                  "PydanticDeprecatedSince20: use Order.model_validate(raw), .model_dump(), .model_dump_json().")
def _no_deprecations(parse_orders: Callable[..., Any]) -> None:
    with _recording_deprecations() as deprecations:
        _parsed(parse_orders, _batch())
    expect(not deprecations, "parse_orders raised deprecation warnings", expected="no warnings",
           seen="; ".join(dict.fromkeys(deprecations)))


# ================================================================ 09.3 Payment

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
    with _local_time_in_india():
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
    from pydantic import ValidationError

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
        elif defect is not None and not isinstance(exc, ValidationError):
            crashed.append(f"{defect}: {type(exc).__name__}: {exc}")
    valid_count = 400 - len(invalid)
    expect(not refused, f"{len(refused)} of {valid_count} valid payments were rejected",
           expected="every valid payment accepted", seen=refused[0] if refused else None)
    expect(not let_through, f"{len(let_through)} of {len(invalid)} invalid payments were accepted",
           expected="a ValidationError for each", seen=let_through[0] if let_through else None)
    expect(not crashed, f"{len(crashed)} invalid payments raised something other than a ValidationError",
           expected="pydantic.ValidationError", seen=crashed[0] if crashed else None)
