"""Wrong answers for part 08: impure or rule-breaking ``clean_orders``, weak test suites, a careless fetch.

The wrong *suites* (08.2, 08.3) are lists of test functions, as a learner's cell
leaves them. Their tests call ``clean_orders`` / ``fetch_order_from_api`` by global
name, which the grader rebinds per version; the imports below only give the names a
value (the reference) when nothing is bound.
"""

from __future__ import annotations

import sqlite3
from typing import Any
from unittest import mock
from urllib.parse import urljoin

import pandas as pd
import pytest
import requests
import responses

from depipe_course.exercises.part08 import VALID_STATUSES
from solutions.part08 import clean_orders, fetch_order_from_api, orders_frame  # noqa: F401 - rebound per version
from tests.wrong_versions import wrong

NOON = "2026-03-01T12:00:00Z"
BASE = "https://api.example.test/v1"
ORDER = {"order_id": 42, "customer_id": 7, "amount": 19.99, "status": "placed", "created_at": NOON}
T = 10.0


def _valid(orders: pd.DataFrame, amount: pd.Series, status: pd.Series, created_at: pd.Series) -> pd.DataFrame:
    keep = (amount > 0) & status.isin(VALID_STATUSES) & created_at.notna()
    return orders.assign(amount=amount, status=status, created_at=created_at).loc[keep].reset_index(drop=True)


def _parts(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, pd.Series, pd.Series]:
    orders = df.drop_duplicates(subset="order_id", keep="first")
    return (orders, pd.to_numeric(orders["amount"], errors="coerce"),
            orders["status"].astype("str").str.strip().str.lower(),
            pd.to_datetime(orders["created_at"], utc=True, format="ISO8601", errors="coerce"))


# ---------------------------------------------------------------- 08.1 clean_orders


@wrong("08.1", "amount >= 0", catches="keeps only positive amounts")
def clean_orders_keeps_zero(df: pd.DataFrame) -> pd.DataFrame:
    orders, amount, status, created_at = _parts(df)
    keep = (amount >= 0) & status.isin(VALID_STATUSES) & created_at.notna()
    return orders.assign(amount=amount, status=status, created_at=created_at).loc[keep].reset_index(drop=True)


@wrong("08.1", "no status normalisation", catches="normalises status and keeps the four valid ones")
def clean_orders_raw_status(df: pd.DataFrame) -> pd.DataFrame:
    orders, amount, _, created_at = _parts(df)
    return _valid(orders, amount, orders["status"], created_at)


@wrong("08.1", "to_datetime without coercion", catches="drops rows whose created_at cannot be parsed")
def clean_orders_raises_on_bad_date(df: pd.DataFrame) -> pd.DataFrame:
    orders, amount, status, _ = _parts(df)
    return _valid(orders, amount, status, pd.to_datetime(orders["created_at"], utc=True, format="ISO8601"))


@wrong("08.1", "offsets dropped, not converted", catches="parses created_at to tz-aware UTC, offsets included")
def clean_orders_ignores_offsets(df: pd.DataFrame) -> pd.DataFrame:
    orders, amount, status, _ = _parts(df)
    local = orders["created_at"].str.replace(r"(Z|[+-]\d\d:\d\d)$", "", regex=True)
    naive = pd.to_datetime(local, format="ISO8601", errors="coerce")
    return _valid(orders, amount, status, naive.dt.tz_localize("UTC"))


@wrong("08.1", "keeps the last duplicate", catches="drops duplicate order_ids, keeping the first")
def clean_orders_keeps_last(df: pd.DataFrame) -> pd.DataFrame:
    _, amount, status, created_at = _parts(df.drop_duplicates(subset="order_id", keep="last"))
    return _valid(df.drop_duplicates(subset="order_id", keep="last"), amount, status, created_at)


@wrong("08.1", "normalises status into the input", catches="leaves the input frame unchanged")
def clean_orders_mutates(df: pd.DataFrame) -> pd.DataFrame:
    df["status"] = df["status"].str.strip().str.lower()
    return _valid(*_parts(df))


@wrong("08.1", "writes the result to a CSV as well", catches="does no I/O: no files, no database, no network")
def clean_orders_writes_csv(df: pd.DataFrame) -> pd.DataFrame:
    cleaned = _valid(*_parts(df))
    cleaned.to_csv("cleaned_orders.csv", index=False)
    return cleaned


@wrong("08.1", "writes into SQLite as well", catches="does no I/O: no files, no database, no network")
def clean_orders_loads_db(df: pd.DataFrame) -> pd.DataFrame:
    cleaned = _valid(*_parts(df))
    with sqlite3.connect("orders.db") as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS seen (n INTEGER)")
        conn.execute("INSERT INTO seen VALUES (?)", (len(cleaned),))
    return cleaned


@wrong("08.1", "reads its rules from a file", catches="does no I/O: no files, no database, no network")
def clean_orders_reads_rules(df: pd.DataFrame) -> pd.DataFrame:
    try:
        with open("valid_statuses.txt", encoding="utf-8") as rules:
            allowed = rules.read().split()
    except FileNotFoundError:
        allowed = list(VALID_STATUSES)
    orders, amount, status, created_at = _parts(df)
    keep = (amount > 0) & status.isin(allowed) & created_at.notna()
    return orders.assign(amount=amount, status=status, created_at=created_at).loc[keep].reset_index(drop=True)


@wrong("08.1", "keeps the input's index",
       catches="keeps valid rows in order, other columns included, under a fresh index")
def clean_orders_old_index(df: pd.DataFrame) -> pd.DataFrame:
    orders, amount, status, created_at = _parts(df)
    keep = (amount > 0) & status.isin(VALID_STATUSES) & created_at.notna()
    return orders.assign(amount=amount, status=status, created_at=created_at).loc[keep]


@wrong("08.1", "sorts by order_id", catches="keeps valid rows in order, other columns included, under a fresh index")
def clean_orders_sorted(df: pd.DataFrame) -> pd.DataFrame:
    return _valid(*_parts(df)).sort_values("order_id").reset_index(drop=True)


@wrong("08.1", "returns only the five order columns",
       catches="keeps valid rows in order, other columns included, under a fresh index")
def clean_orders_drops_columns(df: pd.DataFrame) -> pd.DataFrame:
    return _valid(*_parts(df))[["order_id", "customer_id", "amount", "status", "created_at"]]


@wrong("08.1", "fills missing statuses in place", catches="raises no pandas warnings")
def clean_orders_chained_inplace(df: pd.DataFrame) -> pd.DataFrame:
    orders = df.drop_duplicates(subset="order_id", keep="first")
    orders["status"].fillna("", inplace=True)  # chained assignment: warns and does nothing under pandas 3
    return _valid(*_parts(orders))


# ---------------------------------------------------------------- 08.2 weak suites for clean_orders


def test_runs_on_a_valid_order() -> None:
    clean_orders(orders_frame((1, 10.0, "placed", NOON)))


def test_runs_on_zero_amount() -> None:
    clean_orders(orders_frame((1, 0.0, "placed", NOON)))


def test_runs_on_bad_status() -> None:
    clean_orders(orders_frame((1, 5.0, "shipped", NOON)))


def test_runs_on_bad_date() -> None:
    clean_orders(orders_frame((1, 5.0, "placed", "not-a-date")))


def test_runs_on_duplicates() -> None:
    clean_orders(orders_frame((1, 5.0, "placed", NOON), (1, 6.0, "placed", NOON)))


wrong("08.2", "tests that assert nothing", catches="a test fails when clean_orders keeps orders whose amount is 0")(
    [test_runs_on_a_valid_order, test_runs_on_zero_amount, test_runs_on_bad_status, test_runs_on_bad_date,
     test_runs_on_duplicates]
)


def test_only_bad_rows_go_zero() -> None:
    assert (clean_orders(orders_frame((1, 0.0, "placed", NOON), (2, 5.0, "placed", NOON)))["amount"] > 0).all()


def test_only_bad_rows_go_negative() -> None:
    assert (clean_orders(orders_frame((1, -3.0, "placed", NOON)))["amount"] > 0).all()


def test_only_bad_rows_go_status() -> None:
    assert "shipped" not in clean_orders(orders_frame((1, 5.0, "shipped", NOON)))["status"].tolist()


def test_only_bad_rows_go_dates() -> None:
    assert clean_orders(orders_frame((1, 5.0, "placed", "not-a-date")))["created_at"].notna().all()


wrong("08.2", "asserts only what is gone, never what is kept",
      catches="a test fails when clean_orders drops the valid orders too (returns no rows)")(
    [test_only_bad_rows_go_zero, test_only_bad_rows_go_negative, test_only_bad_rows_go_status,
     test_only_bad_rows_go_dates]
)


def test_status_kept_as_written() -> None:
    cleaned = clean_orders(orders_frame((1, 5.0, "Delivered", NOON)))
    assert cleaned["status"].tolist() == ["Delivered"]  # wrong: the rule lower-cases


def test_keeps_positive() -> None:
    assert clean_orders(orders_frame((1, 5.0, "placed", NOON)))["order_id"].tolist() == [1]


def test_drops_zero() -> None:
    assert clean_orders(orders_frame((1, 0.0, "placed", NOON), (2, 5.0, "placed", NOON)))["order_id"].tolist() == [2]


def test_drops_shipped() -> None:
    assert clean_orders(orders_frame((1, 5.0, "shipped", NOON)))["order_id"].tolist() == []


wrong("08.2", "a test that fails on correct code",
      catches="your tests pass on a correct clean_orders (at least 4 of them)")(
    [test_status_kept_as_written, test_keeps_positive, test_drops_zero, test_drops_shipped]
)

wrong("08.2", "only three tests", catches="your tests pass on a correct clean_orders (at least 4 of them)")(
    [test_keeps_positive, test_drops_zero, test_drops_shipped]
)


def test_drops_bad_dates_z_only() -> None:
    rows = [(1, 5.0, "placed", "not-a-date"), (2, 5.0, "placed", NOON)]
    cleaned = clean_orders(orders_frame(*rows))
    assert cleaned["order_id"].tolist() == [2]
    assert str(cleaned["created_at"].iloc[0]) == "2026-03-01 12:00:00+00:00"


def test_keeps_one_of_a_duplicate() -> None:
    assert len(clean_orders(orders_frame((1, 5.0, "placed", NOON), (1, 6.0, "placed", NOON)))) == 1


def test_lower_cases_status() -> None:
    assert clean_orders(orders_frame((1, 5.0, " PLACED ", NOON)))["status"].tolist() == ["placed"]


wrong("08.2", "timestamps only ever in Z",
      catches="a test fails when clean_orders reads '+05:30' timestamps as if they were UTC")(
    [test_drops_bad_dates_z_only, test_keeps_one_of_a_duplicate, test_lower_cases_status, test_keeps_positive,
     test_drops_zero]
)
wrong("08.2", "duplicates counted, not compared",
      catches="a test fails when clean_orders keeps the last row of a duplicated order_id instead of the first")(
    [test_drops_bad_dates_z_only, test_keeps_one_of_a_duplicate, test_lower_cases_status, test_keeps_positive]
)
wrong("08.2", "never looks at the input afterwards",
      catches="a test fails when clean_orders changes the frame it was given")(
    [test_drops_bad_dates_z_only, test_keeps_one_of_a_duplicate, test_lower_cases_status, test_keeps_positive]
)

# ---------------------------------------------------------------- 08.3 fetch_order_from_api


@wrong("08.3", "no raise_for_status", catches="raises requests.HTTPError for an unknown order (404)",
       name="fetch_order_from_api")
def fetch_no_raise(order_id: int, session: requests.Session, base_url: str) -> dict[str, Any]:
    response = session.get(f"{base_url}/orders/{order_id}", timeout=T)
    return response.json()


@wrong("08.3", "no timeout", catches="passes a timeout", name="fetch_order_from_api")
def fetch_no_timeout(order_id: int, session: requests.Session, base_url: str) -> dict[str, Any]:
    response = session.get(f"{base_url}/orders/{order_id}")
    response.raise_for_status()
    return response.json()


@wrong("08.3", "urljoin drops /v1", catches="asks for {base_url}/orders/{order_id}, once",
       name="fetch_order_from_api")
def fetch_urljoin(order_id: int, session: requests.Session, base_url: str) -> dict[str, Any]:
    response = session.get(urljoin(base_url, f"/orders/{order_id}"), timeout=T)
    response.raise_for_status()
    return response.json()


@wrong("08.3", "requests.get instead of the session", catches="uses the session it is given",
       name="fetch_order_from_api")
def fetch_ignores_session(order_id: int, session: requests.Session, base_url: str) -> dict[str, Any]:
    response = requests.get(f"{base_url}/orders/{order_id}", timeout=T)
    response.raise_for_status()
    return response.json()


@wrong("08.3", "returns {} on any error", catches="raises requests.HTTPError for a server error (503)",
       name="fetch_order_from_api")
def fetch_swallows(order_id: int, session: requests.Session, base_url: str) -> dict[str, Any]:
    try:
        response = session.get(f"{base_url}/orders/{order_id}", timeout=T)
        response.raise_for_status()
        return response.json()
    except requests.RequestException:
        return {}


@wrong("08.3", "returns the Response", catches="returns the order as a dict", name="fetch_order_from_api")
def fetch_returns_response(order_id: int, session: requests.Session, base_url: str) -> Any:
    response = session.get(f"{base_url}/orders/{order_id}", timeout=T)
    response.raise_for_status()
    return response


# ---------------------------------------------------------------- 08.3 weak suites for fetch_order_from_api


@responses.activate
def test_fetch_returns_order() -> None:
    responses.get(f"{BASE}/orders/42", json=ORDER)
    assert fetch_order_from_api(42, requests.Session(), BASE) == ORDER


@responses.activate
def test_fetch_timeout() -> None:
    responses.get(f"{BASE}/orders/42", json=ORDER)
    fetch_order_from_api(42, requests.Session(), BASE)
    assert responses.calls[0].request.req_kwargs["timeout"] is not None


@responses.activate
def test_fetch_404_raises() -> None:
    responses.get(f"{BASE}/orders/42", status=404, json={"error": "not_found"})
    with pytest.raises(requests.HTTPError):
        fetch_order_from_api(42, requests.Session(), BASE)


@responses.activate
def test_fetch_500_raises() -> None:
    responses.get(f"{BASE}/orders/42", status=500, json={"error": "boom"})
    with pytest.raises(requests.HTTPError):
        fetch_order_from_api(42, requests.Session(), BASE)


@responses.activate
def test_fetch_timeout_is_five() -> None:
    responses.get(f"{BASE}/orders/42", json=ORDER)
    fetch_order_from_api(42, requests.Session(), BASE)
    assert responses.calls[0].request.req_kwargs["timeout"] == 5  # wrong: the contract's default is 10 s


@responses.activate
def test_fetch_without_a_path() -> None:
    responses.get("https://api.example.test/orders/42", json=ORDER)
    assert fetch_order_from_api(42, requests.Session(), "https://api.example.test") == ORDER


ROOT = "https://api.example.test"


@responses.activate
def test_fetch_root_timeout() -> None:
    responses.get(f"{ROOT}/orders/42", json=ORDER)
    fetch_order_from_api(42, requests.Session(), ROOT)
    assert responses.calls[0].request.req_kwargs["timeout"] is not None


@responses.activate
def test_fetch_root_404() -> None:
    responses.get(f"{ROOT}/orders/42", status=404, json={"error": "not_found"})
    with pytest.raises(requests.HTTPError):
        fetch_order_from_api(42, requests.Session(), ROOT)


def test_fetch_with_a_mock_session() -> None:
    session = mock.Mock(spec=requests.Session)
    session.get.return_value.json.return_value = ORDER
    assert fetch_order_from_api(42, session, BASE) == ORDER
    session.get.assert_called_once()


wrong("08.3", "responses only, never a mock session",
      catches="a test fails when fetch_order_from_api ignores the session it is given and calls requests.get",
      name="fetch_order_tests")([test_fetch_returns_order, test_fetch_timeout, test_fetch_404_raises,
                                 test_fetch_500_raises])
wrong("08.3", "never looks at the timeout",
      catches="a test fails when fetch_order_from_api sends the request without a timeout",
      name="fetch_order_tests")([test_fetch_returns_order, test_fetch_404_raises, test_fetch_500_raises,
                                 test_fetch_with_a_mock_session])
wrong("08.3", "a test that pins the wrong timeout",
      catches="your tests pass on a correct fetch_order_from_api (at least 4 of them)",
      name="fetch_order_tests")([test_fetch_returns_order, test_fetch_timeout_is_five, test_fetch_404_raises,
                                 test_fetch_with_a_mock_session])
wrong("08.3", "a base URL without a path",
      catches="a test fails when fetch_order_from_api drops the base URL's path (/v1) when building the URL",
      name="fetch_order_tests")([test_fetch_without_a_path, test_fetch_root_timeout, test_fetch_root_404,
                                 test_fetch_with_a_mock_session])
wrong("08.3", "no error status tested",
      catches="a test fails when fetch_order_from_api catches errors and returns {}",
      name="fetch_order_tests")([test_fetch_returns_order, test_fetch_timeout, test_fetch_with_a_mock_session,
                                 test_fetch_without_a_path])
