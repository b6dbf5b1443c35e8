"""Part 08 — Testable code: reference solutions."""

# %% [08.1]
import pandas as pd

VALID_STATUSES = ("placed", "confirmed", "delivered", "cancelled")


def normalise_status(status: pd.Series) -> pd.Series:
    """One spelling per status: ``" Delivered "`` and ``"DELIVERED"`` both become ``"delivered"``."""
    return status.astype("str").str.strip().str.lower()


def parse_created_at(created_at: pd.Series) -> pd.Series:
    """ISO 8601 text as tz-aware UTC instants; ``Z``, an offset or no zone (read as UTC).

    Anything that is not a real ISO 8601 instant (``"yesterday"``, ``"2026-02-30"``,
    a missing value) becomes ``NaT`` instead of raising, so one bad row cannot stop a
    whole batch.
    """
    return pd.to_datetime(created_at, utc=True, format="ISO8601", errors="coerce")


def clean_orders(df: pd.DataFrame) -> pd.DataFrame:
    """Apply the order rules to ``df`` and return the valid orders as a new frame.

    The rules: the first row of each ``order_id`` wins; ``amount`` must be a number
    above 0; ``status``, stripped and lower-cased, must be one of ``VALID_STATUSES``;
    ``created_at`` must parse (it comes back as UTC). The valid rows keep their order
    and their other columns, under a fresh 0..n-1 index.

    Pure: no files, no database, no clock, and ``df`` is left exactly as it was, so a
    test needs nothing but a small DataFrame.
    """
    orders = df.drop_duplicates(subset="order_id", keep="first")
    amount = pd.to_numeric(orders["amount"], errors="coerce")
    status = normalise_status(orders["status"])
    created_at = parse_created_at(orders["created_at"])
    valid = (amount > 0) & status.isin(VALID_STATUSES) & created_at.notna()
    cleaned = orders.assign(amount=amount, status=status, created_at=created_at)
    return cleaned.loc[valid].reset_index(drop=True)


# %% [08.2]
import pandas as pd
import pytest

NOON_UTC = "2026-03-01T12:00:00Z"


def orders_frame(*rows: tuple[int, object, object, object]) -> pd.DataFrame:
    """A small input frame from ``(order_id, amount, status, created_at)`` rows."""
    ids, amounts, statuses, created = zip(*rows, strict=True)
    return pd.DataFrame({
        "order_id": list(ids),
        "customer_id": [100 + order_id for order_id in ids],
        "amount": list(amounts),
        "status": list(statuses),
        "created_at": list(created),
    })


def kept_ids(rows: list[tuple[int, object, object, object]]) -> list[int]:
    return clean_orders(orders_frame(*rows))["order_id"].tolist()


def test_keeps_valid_orders_of_every_status_in_order():
    rows = [(1, 10.0, "placed", NOON_UTC), (2, 20.0, "confirmed", NOON_UTC),
            (3, 30.0, "delivered", NOON_UTC), (4, 40.0, "cancelled", NOON_UTC)]
    cleaned = clean_orders(orders_frame(*rows))
    assert cleaned["order_id"].tolist() == [1, 2, 3, 4]
    assert cleaned["amount"].tolist() == [10.0, 20.0, 30.0, 40.0]
    assert cleaned["customer_id"].tolist() == [101, 102, 103, 104]


@pytest.mark.parametrize("amount", [0.0, -5.0, None], ids=["zero", "negative", "missing"])
def test_drops_orders_without_a_positive_amount(amount):
    assert kept_ids([(1, amount, "placed", NOON_UTC), (2, 0.01, "placed", NOON_UTC)]) == [2]


def test_status_is_stripped_and_lower_cased():
    rows = [(1, 5.0, " Delivered ", NOON_UTC), (2, 5.0, "PLACED", NOON_UTC), (3, 5.0, "confirmed  ", NOON_UTC)]
    cleaned = clean_orders(orders_frame(*rows))
    assert cleaned["status"].tolist() == ["delivered", "placed", "confirmed"]


def test_drops_unknown_or_missing_statuses():
    rows = [(1, 5.0, "shipped", NOON_UTC), (2, 5.0, "deliverd", NOON_UTC), (3, 5.0, None, NOON_UTC),
            (4, 5.0, "placed", NOON_UTC)]
    assert kept_ids(rows) == [4]


def test_drops_orders_whose_created_at_does_not_parse():
    rows = [(1, 5.0, "placed", "not-a-date"), (2, 5.0, "placed", "2026-02-30T10:00:00"),
            (3, 5.0, "placed", None), (4, 5.0, "placed", NOON_UTC)]
    assert kept_ids(rows) == [4]


def test_created_at_is_the_same_instant_in_utc():
    rows = [(1, 5.0, "placed", "2026-03-01T12:00:00Z"), (2, 5.0, "placed", "2026-03-01T17:30:00+05:30"),
            (3, 5.0, "placed", "2026-03-01 12:00:00")]
    created = clean_orders(orders_frame(*rows))["created_at"]
    assert str(created.dt.tz) == "UTC"
    assert created.tolist() == [pd.Timestamp("2026-03-01 12:00", tz="UTC")] * 3


def test_keeps_the_first_row_of_a_duplicated_order_id():
    cleaned = clean_orders(orders_frame((1, 10.0, "placed", NOON_UTC), (1, 99.0, "placed", NOON_UTC),
                                        (2, 20.0, "placed", NOON_UTC)))
    assert cleaned["order_id"].tolist() == [1, 2]
    assert cleaned["amount"].tolist() == [10.0, 20.0]


def test_leaves_its_input_unchanged():
    given = orders_frame((1, 10.0, " Placed ", "2026-03-01T17:30:00+05:30"), (1, 5.0, "placed", NOON_UTC),
                         (2, 0.0, "shipped", "bad"))
    before = given.copy(deep=True)
    clean_orders(given)
    pd.testing.assert_frame_equal(given, before)


clean_orders_tests = [
    test_keeps_valid_orders_of_every_status_in_order,
    test_drops_orders_without_a_positive_amount,
    test_status_is_stripped_and_lower_cased,
    test_drops_unknown_or_missing_statuses,
    test_drops_orders_whose_created_at_does_not_parse,
    test_created_at_is_the_same_instant_in_utc,
    test_keeps_the_first_row_of_a_duplicated_order_id,
    test_leaves_its_input_unchanged,
]


# %% [08.3]
from typing import Any
from unittest import mock

import pytest
import requests
import responses

DEFAULT_TIMEOUT_S = 10.0


def fetch_order_from_api(order_id: int, session: requests.Session, base_url: str, *,
                         timeout: float = DEFAULT_TIMEOUT_S) -> dict[str, Any]:
    """``GET {base_url}/orders/{order_id}`` through the injected ``session``; the order as a dict.

    Any HTTP error status (404 for an unknown order, 5xx) raises ``requests.HTTPError``
    and network failures raise as ``requests`` raises them: the caller decides what to
    retry, this function never hides a failure behind an empty result.
    """
    response = session.get(f"{base_url.rstrip('/')}/orders/{order_id}", timeout=timeout)
    response.raise_for_status()
    order: dict[str, Any] = response.json()
    return order


BASE_URL = "https://api.example.test/v1"
ORDER = {"order_id": 42, "customer_id": 7, "amount": 19.99, "status": "placed",
         "created_at": "2026-03-01T12:00:00Z"}


@responses.activate
def test_returns_the_order_from_the_orders_endpoint():
    responses.get(f"{BASE_URL}/orders/42", json=ORDER)
    assert fetch_order_from_api(42, requests.Session(), BASE_URL) == ORDER
    assert [call.request.url for call in responses.calls] == [f"{BASE_URL}/orders/42"]


@responses.activate
def test_passes_a_timeout():
    responses.get(f"{BASE_URL}/orders/42", json=ORDER)
    fetch_order_from_api(42, requests.Session(), BASE_URL)
    assert responses.calls[0].request.req_kwargs["timeout"] is not None


@pytest.mark.parametrize("status", [404, 500, 503])
@responses.activate
def test_an_error_status_raises_http_error(status):
    responses.get(f"{BASE_URL}/orders/42", status=status, json={"error": "nope"})
    with pytest.raises(requests.HTTPError):
        fetch_order_from_api(42, requests.Session(), BASE_URL)


def test_uses_the_session_it_is_given():
    session = mock.Mock(spec=requests.Session)
    session.get.return_value.json.return_value = ORDER
    assert fetch_order_from_api(42, session, BASE_URL) == ORDER
    session.get.assert_called_once()
    assert session.get.call_args.args[0] == f"{BASE_URL}/orders/42"


fetch_order_tests = [
    test_returns_the_order_from_the_orders_endpoint,
    test_passes_a_timeout,
    test_an_error_status_raises_http_error,
    test_uses_the_session_it_is_given,
]
