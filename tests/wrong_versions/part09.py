"""Wrong answers for part 09.

Most wrong models subclass the reference and change one thing: a validator redefined
under the same name replaces the reference's (pydantic keys them by name), a field
re-declared replaces its type and constraints. The v1-style models are written out
whole, defined with their deprecation warnings silenced (pytest turns warnings into
errors).
"""

from __future__ import annotations

import copy
import warnings
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


def _v1_validators() -> type:
    """The syllabus's model, v1 decorators and all (each @validator warns PydanticDeprecatedSince20)."""
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
                return v.replace("₹", "").replace(",", "").strip() if isinstance(v, str) else v

            @validator("status", pre=True)
            def _status(cls, v: Any) -> Any:
                return v.strip().lower() if isinstance(v, str) else v

            @validator("created_at")
            def _utc(cls, v: datetime) -> datetime:
                return v.replace(tzinfo=UTC) if v.utcoffset() is None else v.astimezone(UTC)

    return Order


wrong("09.1", "v1 @validator", name="Order",
      catches="a pydantic v2 model: field_validator, model_config, no deprecation warnings")(_v1_validators())


def _v1_config() -> type:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")

        class Order(_Order):
            class Config:
                frozen = True
                anystr_strip_whitespace = True

    return Order


wrong("09.1", "v1 class Config", name="Order",
      catches="a pydantic v2 model: field_validator, model_config, no deprecation warnings")(_v1_config())


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
            return v.replace("₹", "").replace(",", "").strip() if isinstance(v, str) else v

    return Order


wrong("09.1", "pydantic.v1 BaseModel", name="Order",
      catches="a pydantic v2 model: field_validator, model_config, no deprecation warnings")(_pydantic_v1_model())


@wrong("09.1", "float amount", name="Order",
       catches="amount is an exact Decimal, from '₹1,234.50', ' 380 ', 380 and 380.5")
class FloatAmount(_Order):
    amount: Annotated[float, Field(gt=0)]  # type: ignore[assignment]

    @field_validator("amount", mode="before")
    @classmethod
    def _amount_from_text(cls, value: Any) -> Any:
        return value.replace("₹", "").replace(",", "").strip() if isinstance(value, str) else value


@wrong("09.1", "Decimal(float) keeps the binary value", name="Order",
       catches="a float amount goes through str, not binary: 19.99 stays 19.99")
class BinaryFloat(_Order):
    @field_validator("amount", mode="before")
    @classmethod
    def _amount_from_text(cls, value: Any) -> Any:
        if isinstance(value, float):
            return Decimal(value)
        return value.replace("₹", "").replace(",", "").strip() if isinstance(value, str) else value


@wrong("09.1", "rounds a third decimal place away", name="Order",
       catches="amount must be greater than 0 with at most two decimal places")
class RoundsAmount(_Order):
    @field_validator("amount", mode="before")
    @classmethod
    def _amount_from_text(cls, value: Any) -> Any:
        text = str(value).replace("₹", "").replace(",", "").strip()
        try:
            return Decimal(text).quantize(Decimal("0.01"), ROUND_HALF_UP)
        except ArithmeticError:
            raise ValueError(f"not an amount: {value!r}") from None


@wrong("09.1", "amount not required positive", name="Order",
       catches="amount must be greater than 0 with at most two decimal places")
class AnyAmount(_Order):
    amount: Annotated[Decimal, Field(decimal_places=2)]  # type: ignore[assignment]


@wrong("09.1", "Decimal(text) raises InvalidOperation", name="Order",
       catches="an unparseable amount is a ValidationError on amount, not a decimal error")
class DecimalCrash(_Order):
    @field_validator("amount", mode="before")
    @classmethod
    def _amount_from_text(cls, value: Any) -> Any:
        if isinstance(value, float):
            return Decimal(str(value))
        if isinstance(value, str):
            return Decimal(value.replace("₹", "").replace(",", "").strip())
        return Decimal(value)


@wrong("09.1", "status is a plain str", name="Order", catches="unknown statuses are rejected")
class StatusText(_Order):
    status: str  # type: ignore[assignment]


@wrong("09.1", "status is a Literal, not the enum", name="Order",
       catches="status becomes an OrderStatus; case and stray spaces are accepted")
class StatusLiteral(_Order):
    status: Literal["placed", "confirmed", "delivered", "cancelled"]  # type: ignore[assignment]


@wrong("09.1", "status case-sensitive", name="Order",
       catches="status becomes an OrderStatus; case and stray spaces are accepted")
class StatusExact(_Order):
    @field_validator("status", mode="before")
    @classmethod
    def _status_normalised(cls, value: Any) -> Any:
        return value


@wrong("09.1", "ids may be zero or negative", name="Order",
       catches="order_id and customer_id are required and greater than 0")
class AnyIds(_Order):
    order_id: int  # type: ignore[assignment]
    customer_id: int  # type: ignore[assignment]


@wrong("09.1", "promo_code required", name="Order", catches="promo_code is optional: None when absent")
class PromoRequired(_Order):
    promo_code: str  # type: ignore[assignment]


@wrong("09.1", "promo_code defaults to ''", name="Order", catches="promo_code is optional: None when absent")
class PromoEmpty(_Order):
    promo_code: str = ""  # type: ignore[assignment]

    @field_validator("promo_code", mode="before")
    @classmethod
    def _blank_promo_is_none(cls, value: Any) -> Any:
        return value


@wrong("09.1", "naive created_at kept naive", name="Order",
       catches="created_at: a naive time is taken as UTC, not as the machine's local time")
class NaiveKept(_Order):
    @field_validator("created_at", mode="after")
    @classmethod
    def _created_at_in_utc(cls, value: datetime) -> datetime:
        return value


@wrong("09.1", "AwareDatetime refuses naive input", name="Order",
       catches="created_at: a naive time is taken as UTC, not as the machine's local time")
class AwareOnly(_Order):
    created_at: AwareDatetime


@wrong("09.1", "naive read as local time (astimezone)", name="Order",
       catches="created_at: a naive time is taken as UTC, not as the machine's local time")
class NaiveAsLocal(_Order):
    @field_validator("created_at", mode="after")
    @classmethod
    def _created_at_in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


@wrong("09.1", "offset kept, not converted", name="Order",
       catches="created_at: a time with an offset is converted to UTC")
class OffsetKept(_Order):
    @field_validator("created_at", mode="after")
    @classmethod
    def _created_at_in_utc(cls, value: datetime) -> datetime:
        return value.replace(tzinfo=UTC) if value.utcoffset() is None else value


@wrong("09.1", "guessing timestamp parser", name="Order", catches="an unparseable created_at is rejected")
class GuessingParser(_Order):
    @field_validator("created_at", mode="before")
    @classmethod
    def _guess(cls, value: Any) -> Any:
        from dateutil import parser

        return parser.parse(value) if isinstance(value, str) else value


@wrong("09.1", "plain Enum, not a str enum", name="OrderStatus",
       catches="OrderStatus is a str enum of the four statuses")
class PlainStatus(Enum):
    PLACED = "placed"
    CONFIRMED = "confirmed"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


@wrong("09.1", "OrderStatus without cancelled", name="OrderStatus",
       catches="OrderStatus is a str enum of the four statuses")
class ThreeStatuses(StrEnum):
    PLACED = "placed"
    CONFIRMED = "confirmed"
    DELIVERED = "delivered"


# ---------------------------------------------------------------- 09.2 parse_orders


def _errors(exc: ValidationError) -> list[dict[str, Any]]:
    return [{"loc": e["loc"], "msg": e["msg"], "type": e["type"]} for e in exc.errors()]


@wrong("09.2", "stops at the first bad record", catches="every record ends up as an Order or a failure, in input order")
def parse_orders_raises(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    return [_Order.model_validate(raw) for raw in raw_records], []


@wrong("09.2", "failures dropped", catches="every record ends up as an Order or a failure, in input order")
def parse_orders_drops(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    valid = []
    for raw in raw_records:
        try:
            valid.append(_Order.model_validate(raw))
        except ValidationError:
            continue
    return valid, []


@wrong("09.2", "syllabus: the error as one string",
       catches="each failure lists every field that failed: loc, msg and type")
def parse_orders_str_error(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    valid, failed = [], []
    for raw in raw_records:
        try:
            valid.append(_Order.model_validate(raw))
        except ValueError as e:
            failed.append({"record": raw, "error": str(e)})
    return valid, failed


@wrong("09.2", "only the first error", catches="each failure lists every field that failed: loc, msg and type")
def parse_orders_first_error(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    valid, failed = [], []
    for raw in raw_records:
        try:
            valid.append(_Order.model_validate(raw))
        except ValidationError as exc:
            failed.append({"record": raw, "errors": _errors(exc)[:1]})
    return valid, failed


@wrong("09.2", "record not kept", catches="each failure keeps the original record, unchanged")
def parse_orders_no_record(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    valid, failed = [], []
    for raw in raw_records:
        try:
            valid.append(_Order.model_validate(raw))
        except ValidationError as exc:
            failed.append({"errors": _errors(exc)})
    return valid, failed


@wrong("09.2", "normalises the input in place", catches="each failure keeps the original record, unchanged")
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


@wrong("09.2", "keeps exc.errors() whole (ctx, input)", catches="the dead-letter entries can be written as JSON")
def parse_orders_raw_errors(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    valid, failed = [], []
    for raw in raw_records:
        try:
            valid.append(_Order.model_validate(raw))
        except ValidationError as exc:
            failed.append({"record": raw, "errors": exc.errors()})
    return valid, failed


@wrong("09.2", "Order(**raw)", catches="a record that is not an object is dead-lettered too")
def parse_orders_star_star(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    valid, failed = [], []
    for raw in raw_records:
        try:
            valid.append(_Order(**raw))
        except ValidationError as exc:
            failed.append({"record": raw, "errors": _errors(exc)})
    return valid, failed


@wrong("09.2", "v1 parse_obj", catches="uses the v2 API: no deprecation warnings")
def parse_orders_parse_obj(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    valid, failed = [], []
    for raw in raw_records:
        try:
            valid.append(_Order.parse_obj(raw))
        except ValidationError as exc:
            failed.append({"record": raw, "errors": _errors(exc)})
    return valid, failed


@wrong("09.2", "valid orders as dicts", catches="valid records come back as Order models, not dicts")
def parse_orders_dicts(raw_records: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    valid, failed = [], []
    for raw in raw_records:
        try:
            valid.append(_Order.model_validate(raw).model_dump())
        except ValidationError as exc:
            failed.append({"record": copy.deepcopy(raw), "errors": _errors(exc)})
    return valid, failed


# ---------------------------------------------------------------- 09.3 Payment


def _v1_payment() -> type:
    from pydantic import validator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")

        class Payment(_Payment):
            @validator("amount", pre=True)
            def _amount(cls, v: Any) -> Any:
                return v

    return Payment


wrong("09.3", "v1 @validator",
      catches="a pydantic v2 model: field_validator, model_config, no deprecation warnings")(_v1_payment())


@wrong("09.3", "Decimal(amount / 100)", catches="amount in paise becomes exact rupees: 38050 → Decimal('380.50')")
class FloatDivision(_Payment):
    @field_validator("amount", mode="before")
    @classmethod
    def _paise_to_rupees(cls, value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("amount must be an integer")
        return Decimal(value / 100)


@wrong("09.3", "float amount", catches="amount in paise becomes exact rupees: 38050 → Decimal('380.50')")
class FloatRupees(_Payment):
    amount: Annotated[float, Field(gt=0)]  # type: ignore[assignment]

    @field_validator("amount", mode="before")
    @classmethod
    def _paise_to_rupees(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("amount must be an integer")
        return value / 100


@wrong("09.3", "Decimal(amount) / 100 loses the trailing zero",
       catches="amount keeps two decimal places: Decimal('380.50'), not Decimal('380.5')")
class DividedDecimal(_Payment):
    @field_validator("amount", mode="before")
    @classmethod
    def _paise_to_rupees(cls, value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("amount must be an integer")
        return Decimal(value) / 100


@wrong("09.3", "Decimal(anything): '380.50 INR' raises InvalidOperation",
       catches="amount must be a positive whole number of paise")
class DecimalAnything(_Payment):
    @field_validator("amount", mode="before")
    @classmethod
    def _paise_to_rupees(cls, value: Any) -> Decimal:
        return Decimal(value).scaleb(-2)


@wrong("09.3", "negative amounts accepted", catches="amount must be a positive whole number of paise")
class NegativeAmount(_Payment):
    amount: Annotated[Decimal, Field(decimal_places=2)]  # type: ignore[assignment]


@wrong("09.3", "currency upper-cased", catches="currency is three upper-case letters")
class UpperCased(_Payment):
    @field_validator("currency", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


@wrong("09.3", "currency only max_length=3", catches="currency is three upper-case letters")
class ShortCurrency(_Payment):
    currency: Annotated[str, Field(max_length=3)]  # type: ignore[assignment]


_CAPTURED = "captured_at: epoch seconds become an aware UTC datetime; null stays None"


@wrong("09.3", "fromtimestamp without tz", catches=_CAPTURED)
class LocalTimestamp(_Payment):
    @field_validator("captured_at", mode="before")
    @classmethod
    def _from_epoch_seconds(cls, value: Any) -> Any:
        return datetime.fromtimestamp(value) if isinstance(value, int) else value


@wrong("09.3", "captured_at not nullable", catches=_CAPTURED)
class CapturedRequired(_Payment):
    captured_at: datetime  # type: ignore[assignment]


@wrong("09.3", "status list without 'created'",
       catches="accepts every valid payment of the fake API and rejects each invalid one")
class FewStatuses(_Payment):
    status: Literal["authorized", "captured", "refunded", "failed"]  # type: ignore[assignment]


@wrong("09.3", "merchant_id optional", catches="keeps every field of the gateway's record")
class OptionalMerchant(_Payment):
    merchant_id: str | None = None  # type: ignore[assignment]


class _NoMethod(BaseModel):
    payment_id: str
    merchant_id: str
    amount: Annotated[Decimal, Field(gt=0, decimal_places=2)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    status: str
    captured_at: datetime | None

    @field_validator("amount", mode="before")
    @classmethod
    def _paise_to_rupees(cls, value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("amount must be an integer")
        return Decimal(value).scaleb(-2)


wrong("09.3", "method dropped", catches="keeps every field of the gateway's record")(_NoMethod)
