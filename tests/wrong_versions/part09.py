"""Wrong answers for part 09.

Most wrong models subclass the reference and change one thing: a validator redefined
under the same name replaces the reference's (pydantic keys them by name), a field
re-declared replaces its type and constraints. The v1-style models are written out
whole, defined with their deprecation warnings silenced (pytest turns warnings into
errors).
"""

from __future__ import annotations

import copy
import difflib
import warnings
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum, StrEnum
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, Field, ValidationError, field_validator

from solutions.part09 import Order as _Order
from solutions.part09 import OrderStatus as _OrderStatus
from solutions.part09 import Payment as _Payment
from tests.wrong_versions import wrong

# ---------------------------------------------------------------- 09.1 Order

V2_ONLY = "pydantic v2 only: no v1 validators, no class Config, no deprecated calls"
V2_CHECK = "a pydantic v2 model: field_validator, model_config, no deprecation warnings"
EXACT = "amount is an exact Decimal, from '₹1,234.50', ' 380 ', 380 and 380.5"
LIMITS = "amount must be greater than 0 with at most two decimal places"
NAIVE = "created_at: a naive time is taken as UTC, not as the machine's local time"
OFFSET = "created_at: a time with an offset is converted to UTC"
IDS = "order_id and customer_id are required and greater than 0"
STATUS_ENUM = "OrderStatus is a str enum of the four statuses"
STATUS_MEMBER = "status becomes an OrderStatus; case and stray spaces are accepted"
PROMO = "promo_code is optional: None when absent"


def _clean_text(value: Any) -> Any:
    return value.replace("₹", "").replace(",", "").strip() if isinstance(value, str) else value


def _v1_validators() -> type:
    """An Order written the v1 way, decorators and all (each @validator warns PydanticDeprecatedSince20)."""
    from pydantic import validator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")

        class Order(BaseModel):
            order_id: int = Field(gt=0)
            customer_id: int = Field(gt=0)
            amount: Decimal = Field(gt=0, decimal_places=2)
            status: _OrderStatus
            created_at: datetime
            promo_code: str | None = None

            @validator("amount", pre=True)
            def _amount(cls, v: Any) -> Any:
                if isinstance(v, float):
                    return Decimal(str(v))
                return _clean_text(v)

            @validator("status", pre=True)
            def _status(cls, v: Any) -> Any:
                return v.strip().lower() if isinstance(v, str) else v

            @validator("created_at")
            def _utc(cls, v: datetime) -> datetime:
                return v.replace(tzinfo=UTC) if v.utcoffset() is None else v.astimezone(UTC)

    return Order


wrong("09.1", "v1 @validator", name="Order", requirement=V2_ONLY, catches=V2_CHECK)(_v1_validators())


def _v1_config() -> type:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")

        class Order(_Order):
            class Config:
                frozen = True
                anystr_strip_whitespace = True

    return Order


wrong("09.1", "v1 class Config", name="Order", requirement=V2_ONLY, catches=V2_CHECK)(_v1_config())


def _pydantic_v1_model() -> type:
    from pydantic.v1 import BaseModel as V1BaseModel
    from pydantic.v1 import Field as V1Field
    from pydantic.v1 import validator as v1_validator

    class Order(V1BaseModel):
        order_id: int = V1Field(gt=0)
        customer_id: int = V1Field(gt=0)
        amount: Decimal = V1Field(gt=0, decimal_places=2)
        status: _OrderStatus
        created_at: datetime
        promo_code: str | None = None

        @v1_validator("amount", pre=True)
        def _amount(cls, v: Any) -> Any:
            return _clean_text(v)

    return Order


wrong("09.1", "pydantic.v1 BaseModel", name="Order", requirement=V2_ONLY, catches=V2_CHECK)(_pydantic_v1_model())


@wrong("09.1", "float amount", name="Order", requirement="amount is an exact Decimal, never passed through a float",
       catches=EXACT)
class FloatAmount(_Order):
    amount: Annotated[float, Field(gt=0)]  # type: ignore[assignment]

    @field_validator("amount", mode="before")
    @classmethod
    def _amount_from_text(cls, value: Any) -> Any:
        return _clean_text(value)


@wrong("09.1", "text parsed with float(), then Decimal(str(...))", name="Order",
       requirement="amount is an exact Decimal, never passed through a float", catches=EXACT)
class TextThroughFloat(_Order):
    @field_validator("amount", mode="before")
    @classmethod
    def _amount_from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = _clean_text(value)
            try:
                return Decimal(str(float(text)))
            except ValueError:
                return text  # pydantic reports it
        return Decimal(str(value)) if isinstance(value, float) else value


@wrong("09.1", "only the thousands separators removed", name="Order",
       requirement="amount accepts text with a rupee sign and thousands separators ('₹1,234.50', ' 380 ')",
       catches=EXACT)
class KeepsRupeeSign(_Order):
    @field_validator("amount", mode="before")
    @classmethod
    def _amount_from_text(cls, value: Any) -> Any:
        if isinstance(value, float):
            return Decimal(str(value))
        return value.replace(",", "").strip() if isinstance(value, str) else value


@wrong("09.1", "only text amounts accepted", name="Order",
       requirement="amount accepts ints and floats as well as text", catches=EXACT)
class TextOnly(_Order):
    @field_validator("amount", mode="before")
    @classmethod
    def _amount_from_text(cls, value: Any) -> Any:
        if not isinstance(value, str | Decimal):
            raise ValueError(f"amount must be text, got {type(value).__name__}")
        return _clean_text(value)


@wrong("09.1", "Decimal(float) keeps the binary value", name="Order",
       requirement="a float amount goes through str: 19.99 stays Decimal('19.99')",
       catches="a float amount goes through str, not binary: 19.99 stays 19.99")
class BinaryFloat(_Order):
    @field_validator("amount", mode="before")
    @classmethod
    def _amount_from_text(cls, value: Any) -> Any:
        return Decimal(value) if isinstance(value, float) else _clean_text(value)


@wrong("09.1", "rounds a third decimal place away", name="Order",
       requirement="amount has at most two decimal places: a third is rejected, not rounded", catches=LIMITS)
class RoundsAmount(_Order):
    @field_validator("amount", mode="before")
    @classmethod
    def _amount_from_text(cls, value: Any) -> Any:
        text = _clean_text(str(value))
        try:
            return Decimal(text).quantize(Decimal("0.01"), ROUND_HALF_UP)
        except ArithmeticError:
            raise ValueError(f"not an amount: {value!r}") from None


@wrong("09.1", "round(float, 2) before Decimal", name="Order",
       requirement="amount has at most two decimal places: a third is rejected, not rounded", catches=LIMITS)
class RoundsFloats(_Order):
    @field_validator("amount", mode="before")
    @classmethod
    def _amount_from_text(cls, value: Any) -> Any:
        return Decimal(str(round(value, 2))) if isinstance(value, float) else _clean_text(value)


@wrong("09.1", "amount not required positive", name="Order", requirement="amount is greater than 0", catches=LIMITS)
class AnyAmount(_Order):
    amount: Annotated[Decimal, Field(decimal_places=2)]  # type: ignore[assignment]


@wrong("09.1", "Decimal(text) raises InvalidOperation", name="Order",
       requirement="text that is not a number is a ValidationError on amount, never decimal.InvalidOperation",
       catches="an unparseable amount is a ValidationError on amount, not a decimal error")
class DecimalCrash(_Order):
    @field_validator("amount", mode="before")
    @classmethod
    def _amount_from_text(cls, value: Any) -> Any:
        if isinstance(value, float):
            return Decimal(str(value))
        if isinstance(value, str):
            return Decimal(_clean_text(value))
        return Decimal(value)


@wrong("09.1", "status is a plain str", name="Order", requirement="a typo or an unknown status is rejected",
       catches="unknown statuses are rejected")
class StatusText(_Order):
    status: str  # type: ignore[assignment]


@wrong("09.1", "typos matched to the nearest status", name="Order",
       requirement="a typo or an unknown status is rejected", catches="unknown statuses are rejected")
class StatusFuzzy(_Order):
    @field_validator("status", mode="before")
    @classmethod
    def _status_normalised(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = value.strip().lower()
        close = difflib.get_close_matches(text, [s.value for s in _OrderStatus], n=1, cutoff=0.8)
        return close[0] if close else text


@wrong("09.1", "status is a Literal, not the enum", name="Order", requirement="status is an OrderStatus member",
       catches=STATUS_MEMBER)
class StatusLiteral(_Order):
    status: Literal["placed", "confirmed", "delivered", "cancelled"]  # type: ignore[assignment]


@wrong("09.1", "use_enum_values leaves status a plain str", name="Order",
       requirement="status is an OrderStatus member", catches=STATUS_MEMBER)
class EnumValues(_Order):
    model_config = {**_Order.model_config, "use_enum_values": True}


@wrong("09.1", "status case-sensitive", name="Order",
       requirement="status accepts case and whitespace variants (' Delivered ', 'PLACED')", catches=STATUS_MEMBER)
class StatusExact(_Order):
    @field_validator("status", mode="before")
    @classmethod
    def _status_normalised(cls, value: Any) -> Any:
        return value


@wrong("09.1", "ids may be zero or negative", name="Order",
       requirement="order_id and customer_id are integers greater than 0", catches=IDS)
class AnyIds(_Order):
    order_id: int  # type: ignore[assignment]
    customer_id: int  # type: ignore[assignment]


@wrong("09.1", "ids ge=0: zero accepted", name="Order",
       requirement="order_id and customer_id are integers greater than 0", catches=IDS)
class ZeroIds(_Order):
    order_id: Annotated[int, Field(ge=0)]  # type: ignore[assignment]
    customer_id: Annotated[int, Field(ge=0)]  # type: ignore[assignment]


@wrong("09.1", "order_id optional", name="Order", requirement="order_id and customer_id are required", catches=IDS)
class OptionalOrderId(_Order):
    order_id: Annotated[int, Field(gt=0)] | None = None  # type: ignore[assignment]


@wrong("09.1", "promo_code required", name="Order", requirement="promo_code is optional: None when absent",
       catches=PROMO)
class PromoRequired(_Order):
    promo_code: str  # type: ignore[assignment]


@wrong("09.1", "promo_code nullable but without a default", name="Order",
       requirement="promo_code is optional: None when absent", catches=PROMO)
class PromoNoDefault(_Order):
    promo_code: str | None  # type: ignore[assignment]


@wrong("09.1", "promo_code defaults to ''", name="Order", requirement="promo_code is optional: None when absent",
       catches=PROMO)
class PromoEmpty(_Order):
    promo_code: str = ""  # type: ignore[assignment]

    @field_validator("promo_code", mode="before")
    @classmethod
    def _blank_promo_is_none(cls, value: Any) -> Any:
        return value


_NAIVE_AS_UTC = "created_at without an offset is taken as UTC, not as the machine's local time"


@wrong("09.1", "naive created_at kept naive", name="Order", requirement=_NAIVE_AS_UTC, catches=NAIVE)
class NaiveKept(_Order):
    @field_validator("created_at", mode="after")
    @classmethod
    def _created_at_in_utc(cls, value: datetime) -> datetime:
        return value if value.utcoffset() is None else value.astimezone(UTC)


@wrong("09.1", "AwareDatetime refuses naive input", name="Order", requirement=_NAIVE_AS_UTC, catches=NAIVE)
class AwareOnly(_Order):
    created_at: AwareDatetime


@wrong("09.1", "naive read as local time (astimezone)", name="Order", requirement=_NAIVE_AS_UTC, catches=NAIVE)
class NaiveAsLocal(_Order):
    @field_validator("created_at", mode="after")
    @classmethod
    def _created_at_in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


@wrong("09.1", "offset kept, not converted", name="Order",
       requirement="created_at with an offset is converted to UTC", catches=OFFSET)
class OffsetKept(_Order):
    @field_validator("created_at", mode="after")
    @classmethod
    def _created_at_in_utc(cls, value: datetime) -> datetime:
        return value.replace(tzinfo=UTC) if value.utcoffset() is None else value


@wrong("09.1", "offset converted with astimezone() to the local zone", name="Order",
       requirement="created_at with an offset is converted to UTC", catches=OFFSET)
class OffsetToLocal(_Order):
    @field_validator("created_at", mode="after")
    @classmethod
    def _created_at_in_utc(cls, value: datetime) -> datetime:
        return value.replace(tzinfo=UTC) if value.utcoffset() is None else value.astimezone()


@wrong("09.1", "guessing timestamp parser", name="Order",
       requirement="an unparseable created_at is a ValidationError naming the field",
       catches="an unparseable created_at is rejected")
class GuessingParser(_Order):
    @field_validator("created_at", mode="before")
    @classmethod
    def _guess(cls, value: Any) -> Any:
        from dateutil import parser

        return parser.parse(value) if isinstance(value, str) else value


_FOUR_STATUSES = "OrderStatus is a str enum of placed, confirmed, delivered and cancelled"


@wrong("09.1", "plain Enum, not a str enum", name="OrderStatus", requirement=_FOUR_STATUSES, catches=STATUS_ENUM)
class PlainStatus(Enum):
    PLACED = "placed"
    CONFIRMED = "confirmed"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


@wrong("09.1", "OrderStatus without cancelled", name="OrderStatus", requirement=_FOUR_STATUSES,
       catches=STATUS_ENUM)
class ThreeStatuses(StrEnum):
    PLACED = "placed"
    CONFIRMED = "confirmed"
    DELIVERED = "delivered"


# ---------------------------------------------------------------- 09.2 parse_orders

SPLITS = "every record ends up as an Order or a failure, in input order"
FIELD_ERRORS = "each failure lists every field that failed: loc, msg and type"
KEEPS = "each failure keeps the original record, unchanged"
_KEEPS_RECORD = "each failure keeps the record exactly as it came"
_ONE_PER_FIELD = "one error per failing field, each with loc, msg and type"


def _errors(exc: ValidationError) -> list[dict[str, Any]]:
    return [{"loc": e["loc"], "msg": e["msg"], "type": e["type"]} for e in exc.errors()]


def _dead_letter(raw_records: Iterable[Any], entry: Any) -> tuple[list[Any], list[Any]]:
    """The reference loop, with the failure entry built by ``entry(raw, exc)``."""
    valid, failed = [], []
    for raw in raw_records:
        try:
            valid.append(_Order.model_validate(raw))
        except ValidationError as exc:
            failed.append(entry(raw, exc))
    return valid, failed


@wrong("09.2", "stops at the first bad record", catches=SPLITS,
       requirement="every record ends up as an Order or a failure: one bad record does not stop the batch")
def parse_orders_raises(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    return [_Order.model_validate(raw) for raw in raw_records], []


@wrong("09.2", "failures dropped", catches=SPLITS,
       requirement="every record ends up as an Order or a failure: one bad record does not stop the batch")
def parse_orders_drops(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    valid = []
    for raw in raw_records:
        try:
            valid.append(_Order.model_validate(raw))
        except ValidationError:
            continue
    return valid, []


@wrong("09.2", "orders sorted by order_id", catches=SPLITS, requirement="orders and failures both in input order")
def parse_orders_sorted(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    valid, failed = _dead_letter(raw_records, lambda raw, exc: {"record": raw, "errors": _errors(exc)})
    return sorted(valid, key=lambda order: order.order_id), failed


@wrong("09.2", "the error as one string", catches=FIELD_ERRORS, requirement=_ONE_PER_FIELD)
def parse_orders_str_error(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    return _dead_letter(raw_records, lambda raw, exc: {"record": raw, "error": str(exc)})


@wrong("09.2", "only the first error", catches=FIELD_ERRORS, requirement=_ONE_PER_FIELD)
def parse_orders_first_error(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    return _dead_letter(raw_records, lambda raw, exc: {"record": raw, "errors": _errors(exc)[:1]})


@wrong("09.2", "messages without their field locations", catches=FIELD_ERRORS, requirement=_ONE_PER_FIELD)
def parse_orders_no_locations(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    return _dead_letter(raw_records, lambda raw, exc: {
        "record": raw, "errors": [{"loc": (), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]})


@wrong("09.2", "record not kept", catches=KEEPS, requirement=_KEEPS_RECORD)
def parse_orders_no_record(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    return _dead_letter(raw_records, lambda raw, exc: {"errors": _errors(exc)})


@wrong("09.2", "nulls tidied out of the kept record", catches=KEEPS, requirement=_KEEPS_RECORD)
def parse_orders_tidied_record(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    def tidy(raw: Any) -> Any:
        return {k: v for k, v in raw.items() if v is not None} if isinstance(raw, dict) else raw

    return _dead_letter(raw_records, lambda raw, exc: {"record": tidy(raw), "errors": _errors(exc)})


@wrong("09.2", "normalises the input in place", catches=KEEPS, requirement="the input records are not modified")
def parse_orders_mutates(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    valid, failed = [], []
    for raw in raw_records:
        if isinstance(raw, dict):
            raw.setdefault("promo_code", None)
            if isinstance(raw.get("status"), str):
                raw["status"] = raw["status"].strip().lower()
        try:
            valid.append(_Order.model_validate(raw))
        except ValidationError as exc:
            failed.append({"record": raw, "errors": _errors(exc)})
    return valid, failed


@wrong("09.2", "writes the parsed amount back into valid input records", catches=KEEPS,
       requirement="the input records are not modified")
def parse_orders_writes_back(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    valid, failed = [], []
    for raw in raw_records:
        try:
            order = _Order.model_validate(raw)
        except ValidationError as exc:
            failed.append({"record": raw, "errors": _errors(exc)})
            continue
        raw["amount"] = str(order.amount)
        valid.append(order)
    return valid, failed


@wrong("09.2", "keeps exc.errors() whole (ctx, input)", catches="the dead-letter entries can be written as JSON",
       requirement="nothing in a failure that json.dumps cannot write")
def parse_orders_raw_errors(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    return _dead_letter(raw_records, lambda raw, exc: {"record": raw, "errors": exc.errors()})


@wrong("09.2", "Order(**raw)", catches="a record that is not an object is dead-lettered too",
       requirement="a record that is not an object (null, a list) is dead-lettered too")
def parse_orders_star_star(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    valid, failed = [], []
    for raw in raw_records:
        try:
            valid.append(_Order(**raw))
        except ValidationError as exc:
            failed.append({"record": raw, "errors": _errors(exc)})
    return valid, failed


@wrong("09.2", "v1 parse_obj", catches="uses the v2 API: no deprecation warnings",
       requirement="the pydantic v2 API only (model_validate, not parse_obj)")
def parse_orders_parse_obj(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    valid, failed = [], []
    for raw in raw_records:
        try:
            valid.append(_Order.parse_obj(raw))
        except ValidationError as exc:
            failed.append({"record": raw, "errors": _errors(exc)})
    return valid, failed


@wrong("09.2", "valid orders as dicts", catches="valid records come back as Order models, not dicts",
       requirement="valid records come back as Order models")
def parse_orders_dicts(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    valid, failed = [], []
    for raw in raw_records:
        try:
            valid.append(_Order.model_validate(raw).model_dump())
        except ValidationError as exc:
            failed.append({"record": copy.deepcopy(raw), "errors": _errors(exc)})
    return valid, failed


@wrong("09.2", "one pass for the orders, another for the failures",
       catches="reads raw_records once, so a generator works too",
       requirement="raw_records may be any iterable: a generator is read once")
def parse_orders_two_passes(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    def failure(raw: Any) -> dict[str, Any] | None:
        try:
            _Order.model_validate(raw)
        except ValidationError as exc:
            return {"record": raw, "errors": _errors(exc)}
        return None

    orders = [_Order.model_validate(raw) for raw in raw_records if failure(raw) is None]
    failures = [f for f in (failure(raw) for raw in raw_records) if f is not None]
    return orders, failures


# ---------------------------------------------------------------- 09.3 Payment

PAISE = "amount in paise becomes exact rupees: 38050 → Decimal('380.50')"
_EXACT_RUPEES = "amount: paise become an exact Decimal in rupees, never through a float (38050 → Decimal('380.50'))"
WHOLE = "amount must be a positive whole number of paise"
CURRENCY = "currency is three upper-case letters"
_CAPTURED = "captured_at: epoch seconds become an aware UTC datetime; null stays None"
FIELDS = "keeps every field of the gateway's record, each one required"
_REQUIRED = "every field is required (a payment without merchant_id is rejected)"


def _whole_paise(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("amount must be an integer")
    return value


def _v1_payment() -> type:
    from pydantic import validator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")

        class Payment(_Payment):
            @validator("amount", pre=True)
            def _amount(cls, v: Any) -> Any:
                return v

    return Payment


wrong("09.3", "v1 @validator", requirement=V2_ONLY, catches=V2_CHECK)(_v1_payment())


@wrong("09.3", "Decimal(amount / 100)", requirement=_EXACT_RUPEES, catches=PAISE)
class FloatDivision(_Payment):
    @field_validator("amount", mode="before")
    @classmethod
    def _paise_to_rupees(cls, value: Any) -> Decimal:
        return Decimal(_whole_paise(value) / 100)


@wrong("09.3", "float amount", requirement=_EXACT_RUPEES, catches=PAISE)
class FloatRupees(_Payment):
    amount: Annotated[float, Field(gt=0)]  # type: ignore[assignment]

    @field_validator("amount", mode="before")
    @classmethod
    def _paise_to_rupees(cls, value: Any) -> Any:
        return _whole_paise(value) / 100


@wrong("09.3", "Decimal(str(amount / 100)) quantized to cents", requirement=_EXACT_RUPEES, catches=PAISE)
class FloatQuantized(_Payment):
    @field_validator("amount", mode="before")
    @classmethod
    def _paise_to_rupees(cls, value: Any) -> Decimal:
        return Decimal(str(_whole_paise(value) / 100)).quantize(Decimal("0.01"))


@wrong("09.3", "Decimal(amount) / 100 loses the trailing zero",
       requirement="amount keeps two decimal places (38000 → Decimal('380.00'))",
       catches="amount keeps two decimal places: Decimal('380.50'), not Decimal('380.5')")
class DividedDecimal(_Payment):
    @field_validator("amount", mode="before")
    @classmethod
    def _paise_to_rupees(cls, value: Any) -> Decimal:
        return Decimal(_whole_paise(value)) / 100


@wrong("09.3", "Decimal(anything): '380.50 INR' raises InvalidOperation", catches=WHOLE,
       requirement="an amount that is not a whole number of paise ('380.50 INR', 380.5) is a ValidationError")
class DecimalAnything(_Payment):
    @field_validator("amount", mode="before")
    @classmethod
    def _paise_to_rupees(cls, value: Any) -> Decimal:
        return Decimal(value).scaleb(-2)


@wrong("09.3", "negative amounts accepted", requirement="a negative or zero amount is rejected", catches=WHOLE)
class NegativeAmount(_Payment):
    amount: Annotated[Decimal, Field(decimal_places=2)]  # type: ignore[assignment]


@wrong("09.3", "ge=0: a zero amount accepted", requirement="a negative or zero amount is rejected", catches=WHOLE)
class ZeroAmount(_Payment):
    amount: Annotated[Decimal, Field(ge=0, decimal_places=2)]  # type: ignore[assignment]


@wrong("09.3", "currency upper-cased", requirement="'inr' is rejected, not repaired", catches=CURRENCY)
class UpperCased(_Payment):
    @field_validator("currency", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


@wrong("09.3", "currency only max_length=3", requirement="currency is three upper-case letters", catches=CURRENCY)
class ShortCurrency(_Payment):
    currency: Annotated[str, Field(max_length=3)]  # type: ignore[assignment]


@wrong("09.3", "fromtimestamp without tz", requirement="captured_at: epoch seconds become an aware datetime in UTC",
       catches=_CAPTURED)
class LocalTimestamp(_Payment):
    @field_validator("captured_at", mode="before")
    @classmethod
    def _from_epoch_seconds(cls, value: Any) -> Any:
        return datetime.fromtimestamp(value) if isinstance(value, int) else value


@wrong("09.3", "captured_at not nullable", requirement="a null captured_at stays None", catches=_CAPTURED)
class CapturedRequired(_Payment):
    captured_at: datetime  # type: ignore[assignment]


@wrong("09.3", "status list without 'created'",
       requirement="every valid payment of the fake API is accepted and every spoiled one rejected",
       catches="accepts every valid payment of the fake API and rejects each invalid one")
class FewStatuses(_Payment):
    status: Literal["authorized", "captured", "refunded", "failed"]  # type: ignore[assignment]


@wrong("09.3", "merchant_id optional", requirement=_REQUIRED, catches=FIELDS)
class OptionalMerchant(_Payment):
    merchant_id: str | None = None  # type: ignore[assignment]


@wrong("09.3", "captured_at defaults to None when absent", requirement=_REQUIRED, catches=FIELDS)
class CapturedDefault(_Payment):
    captured_at: datetime | None = None


@wrong("09.3", "method defaults to 'upi'", requirement=_REQUIRED, catches=FIELDS)
class MethodDefault(_Payment):
    method: str = "upi"  # type: ignore[assignment]


class _NoMethod(BaseModel):
    payment_id: str
    merchant_id: str
    amount: Annotated[Decimal, Field(gt=0, decimal_places=2)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    status: Literal["created", "authorized", "captured", "refunded", "failed"]
    captured_at: datetime | None

    @field_validator("amount", mode="before")
    @classmethod
    def _paise_to_rupees(cls, value: Any) -> Decimal:
        return Decimal(_whole_paise(value)).scaleb(-2)

    @field_validator("captured_at", mode="before")
    @classmethod
    def _from_epoch_seconds(cls, value: Any) -> Any:
        return datetime.fromtimestamp(value, tz=UTC) if isinstance(value, int) else value


wrong("09.3", "method dropped", requirement="keeps every field of the gateway's record", catches=FIELDS)(_NoMethod)
