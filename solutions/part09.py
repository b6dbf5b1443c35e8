"""Part 09 — Type hints and validation (pydantic v2): reference solutions."""

# %% [09.1]
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class OrderStatus(StrEnum):
    """The statuses an order can have; members compare equal to their text."""

    PLACED = "placed"
    CONFIRMED = "confirmed"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


PositiveId = Annotated[int, Field(gt=0)]
Money = Annotated[Decimal, Field(gt=0, decimal_places=2)]


class Order(BaseModel):
    """One order, validated where it enters the pipeline.

    Accepted on the way in: amounts as text with a rupee sign and thousands separators
    (``"₹1,23,456.50"``), ints, floats (through ``str``, so ``19.99`` stays 19.99) and
    Decimals; statuses in any case with stray spaces (``" Delivered "``); timestamps with
    an offset (converted to UTC) or without one (taken as UTC). Everything else is a
    ``ValidationError`` naming the field.
    """

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    order_id: PositiveId
    customer_id: PositiveId
    amount: Money
    status: OrderStatus
    created_at: datetime
    promo_code: str | None = None

    @field_validator("amount", mode="before")
    @classmethod
    def _amount_from_text(cls, value: Any) -> Any:
        if isinstance(value, float):
            return Decimal(str(value))  # the shortest repr, not the binary expansion
        if isinstance(value, str):
            # Left for pydantic's Decimal parser, which rejects whatever is not a number.
            return value.replace("₹", "").replace(",", "").strip()
        return value

    @field_validator("status", mode="before")
    @classmethod
    def _status_normalised(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("created_at", mode="after")
    @classmethod
    def _created_at_in_utc(cls, value: datetime) -> datetime:
        if value.utcoffset() is None:
            return value.replace(tzinfo=UTC)  # the exports write naive times in UTC
        return value.astimezone(UTC)

    @field_validator("promo_code", mode="before")
    @classmethod
    def _blank_promo_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value


# %% [09.2]
import logging
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

logger = logging.getLogger(__name__)


def parse_orders(raw_records: Iterable[Any]) -> tuple[list["Order"], list[dict[str, Any]]]:
    """Validate every record; return ``(orders, failures)``, both in input order.

    A failure is ``{"record": raw, "errors": [{"loc": ("amount",), "msg": "...",
    "type": "decimal_parsing"}, ...]}``: the record exactly as it came, and one entry
    per field that failed. Only plain JSON types, so the dead-letter queue can store it.
    """
    orders: list[Order] = []
    failures: list[dict[str, Any]] = []
    for raw in raw_records:
        try:
            orders.append(Order.model_validate(raw))
        except ValidationError as exc:
            errors = [{"loc": tuple(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
            failures.append({"record": raw, "errors": errors})
    logger.info("parsed %d orders, %d to the dead-letter queue", len(orders), len(failures))
    return orders, failures


# %% [09.3]
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

NonEmpty = Annotated[str, StringConstraints(min_length=1)]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
PaymentStatus = Literal["created", "authorized", "captured", "refunded", "failed"]


class Payment(BaseModel):
    """A payment as the gateway reports it, with the amount in rupees.

    On the wire ``amount`` is an integer number of paise and ``captured_at`` epoch
    seconds (null until captured). Paise become rupees by moving the decimal point
    (``Decimal(38050).scaleb(-2) == Decimal("380.50")``), never through a float.
    """

    model_config = ConfigDict(frozen=True)

    payment_id: NonEmpty
    merchant_id: NonEmpty
    amount: Annotated[Decimal, Field(gt=0, decimal_places=2)]
    currency: CurrencyCode
    status: PaymentStatus
    method: NonEmpty
    captured_at: datetime | None

    @field_validator("amount", mode="before")
    @classmethod
    def _paise_to_rupees(cls, value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"amount must be a whole number of paise, got {value!r}")
        return Decimal(value).scaleb(-2)

    @field_validator("captured_at", mode="before")
    @classmethod
    def _from_epoch_seconds(cls, value: Any) -> Any:
        # Explicit, because pydantic alone would read a large number as milliseconds.
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                return datetime.fromtimestamp(value, tz=UTC)
            except (OverflowError, OSError, ValueError):
                raise ValueError(f"captured_at {value} is not a time in epoch seconds") from None
        return value
