"""Wrong answers for part 08: impure or rule-breaking ``clean_orders``, weak test suites, a careless fetch.

The wrong *suites* (08.2, 08.3) are lists of test functions, as a learner's cell
leaves them. Their tests call ``clean_orders`` / ``fetch_order_from_api`` by global
name, which the grader rebinds per version; the imports below only give the names a
value (the reference) when nothing is bound. Most suites are the reference suite with
one test left out or weakened, so each misses exactly one behaviour.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urljoin

import pandas as pd
import pytest
import requests
import responses

from depipe_course.exercises.part08 import VALID_STATUSES
from solutions import part08 as ref
from solutions.part08 import clean_orders, fetch_order_from_api, orders_frame  # noqa: F401 - rebound per version
from tests.wrong_versions import wrong

NOON = "2026-03-01T12:00:00Z"
BASE = "https://api.example.test/v1"
ORDER = {"order_id": 42, "customer_id": 7, "amount": 19.99, "status": "placed", "created_at": NOON}
T = 10.0


def _valid(orders: pd.DataFrame, amount: pd.Series, status: pd.Series, created_at: pd.Series,
           allowed: tuple[str, ...] | list[str] = VALID_STATUSES) -> pd.DataFrame:
    keep = (amount > 0) & status.isin(allowed) & created_at.notna()
    return orders.assign(amount=amount, status=status, created_at=created_at).loc[keep].reset_index(drop=True)


def _parts(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, pd.Series, pd.Series]:
    orders = df.drop_duplicates(subset="order_id", keep="first")
    return (orders, pd.to_numeric(orders["amount"], errors="coerce"),
            orders["status"].astype("str").str.strip().str.lower(),
            pd.to_datetime(orders["created_at"], utc=True, format="ISO8601", errors="coerce"))


# ---------------------------------------------------------------- 08.1 clean_orders

FIRST_ROW = "the first row of each order_id wins (later duplicates are dropped)"
STRIPPED = "status stripped and lower-cased"
FOUR_STATUSES = "status must then be placed, confirmed, delivered or cancelled"
UTC = "created_at ending in Z, in an offset such as +05:30, or with no zone, comes back as tz-aware UTC"
UNTOUCHED = "the frame it is given is left exactly as it was"
NO_IO = "no files, no database, no network"


@wrong("08.1", "amount >= 0", catches="keeps only positive amounts",
       requirement="amount must be a number greater than 0: 0, negative and missing amounts go")
def clean_orders_keeps_zero(df: pd.DataFrame) -> pd.DataFrame:
    orders, amount, status, created_at = _parts(df)
    keep = (amount >= 0) & status.isin(VALID_STATUSES) & created_at.notna()
    return orders.assign(amount=amount, status=status, created_at=created_at).loc[keep].reset_index(drop=True)


@wrong("08.1", "compares amount as it comes", catches="keeps only positive amounts",
       requirement="amount may arrive as numeric text")
def clean_orders_amount_as_given(df: pd.DataFrame) -> pd.DataFrame:
    orders, _, status, created_at = _parts(df)
    return _valid(orders, orders["amount"], status, created_at)


@wrong("08.1", "no status normalisation", catches="normalises status and keeps the four valid ones",
       requirement=STRIPPED)
def clean_orders_raw_status(df: pd.DataFrame) -> pd.DataFrame:
    orders, amount, _, created_at = _parts(df)
    return _valid(orders, amount, orders["status"], created_at)


@wrong("08.1", "lower-cases but does not strip", catches="normalises status and keeps the four valid ones",
       requirement=STRIPPED)
def clean_orders_lower_only(df: pd.DataFrame) -> pd.DataFrame:
    orders, amount, _, created_at = _parts(df)
    return _valid(orders, amount, orders["status"].astype("str").str.lower(), created_at)


@wrong("08.1", "drops cancelled orders", catches="normalises status and keeps the four valid ones",
       requirement=FOUR_STATUSES)
def clean_orders_drops_cancelled(df: pd.DataFrame) -> pd.DataFrame:
    return _valid(*_parts(df), allowed=["placed", "confirmed", "delivered"])


@wrong("08.1", "to_datetime without coercion", catches="drops rows whose created_at cannot be parsed",
       requirement="rows whose created_at cannot be parsed (or is missing) are dropped")
def clean_orders_raises_on_bad_date(df: pd.DataFrame) -> pd.DataFrame:
    orders, amount, status, _ = _parts(df)
    return _valid(orders, amount, status, pd.to_datetime(orders["created_at"], utc=True, format="ISO8601"))


@wrong("08.1", "offsets dropped, not converted", catches="parses created_at to tz-aware UTC, offsets included",
       requirement=UTC)
def clean_orders_ignores_offsets(df: pd.DataFrame) -> pd.DataFrame:
    orders, amount, status, _ = _parts(df)
    local = orders["created_at"].str.replace(r"(Z|[+-]\d\d:\d\d)$", "", regex=True)
    naive = pd.to_datetime(local, format="ISO8601", errors="coerce")
    return _valid(orders, amount, status, naive.dt.tz_localize("UTC"))


@wrong("08.1", "to_datetime without a format", catches="parses created_at to tz-aware UTC, offsets included",
       requirement=UTC)
def clean_orders_guesses_the_format(df: pd.DataFrame) -> pd.DataFrame:
    orders, amount, status, _ = _parts(df)
    return _valid(orders, amount, status, pd.to_datetime(orders["created_at"], utc=True, errors="coerce"))


@wrong("08.1", "keeps the last duplicate", catches="drops duplicate order_ids, keeping the first",
       requirement=FIRST_ROW)
def clean_orders_keeps_last(df: pd.DataFrame) -> pd.DataFrame:
    _, amount, status, created_at = _parts(df.drop_duplicates(subset="order_id", keep="last"))
    return _valid(df.drop_duplicates(subset="order_id", keep="last"), amount, status, created_at)


@wrong("08.1", "drops duplicates after the other rules", catches="drops duplicate order_ids, keeping the first",
       requirement=FIRST_ROW)
def clean_orders_dedupes_last(df: pd.DataFrame) -> pd.DataFrame:
    amount = pd.to_numeric(df["amount"], errors="coerce")
    status = df["status"].astype("str").str.strip().str.lower()
    created_at = pd.to_datetime(df["created_at"], utc=True, format="ISO8601", errors="coerce")
    keep = (amount > 0) & status.isin(VALID_STATUSES) & created_at.notna()
    valid = df.assign(amount=amount, status=status, created_at=created_at).loc[keep]
    return valid.drop_duplicates(subset="order_id", keep="first").reset_index(drop=True)


@wrong("08.1", "normalises status into the input", catches="leaves the input frame unchanged",
       requirement=UNTOUCHED)
def clean_orders_mutates(df: pd.DataFrame) -> pd.DataFrame:
    df["status"] = df["status"].str.strip().str.lower()
    return _valid(*_parts(df))


@wrong("08.1", "converts amount in the input", catches="leaves the input frame unchanged", requirement=UNTOUCHED)
def clean_orders_converts_in_place(df: pd.DataFrame) -> pd.DataFrame:
    df["amount"] = pd.to_numeric(df["amount"], errors="coerce")
    return _valid(*_parts(df))


@wrong("08.1", "writes the result to a CSV as well", catches="does no I/O: no files, no database, no network",
       requirement=NO_IO)
def clean_orders_writes_csv(df: pd.DataFrame) -> pd.DataFrame:
    cleaned = _valid(*_parts(df))
    cleaned.to_csv("cleaned_orders.csv", index=False)
    return cleaned


@wrong("08.1", "writes into SQLite as well", catches="does no I/O: no files, no database, no network",
       requirement=NO_IO)
def clean_orders_loads_db(df: pd.DataFrame) -> pd.DataFrame:
    cleaned = _valid(*_parts(df))
    with sqlite3.connect("orders.db") as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS seen (n INTEGER)")
        conn.execute("INSERT INTO seen VALUES (?)", (len(cleaned),))
    return cleaned


@wrong("08.1", "reads its rules from a file", catches="does no I/O: no files, no database, no network",
       requirement=NO_IO)
def clean_orders_reads_rules(df: pd.DataFrame) -> pd.DataFrame:
    try:
        with open("valid_statuses.txt", encoding="utf-8") as rules:
            allowed = rules.read().split()
    except FileNotFoundError:
        allowed = list(VALID_STATUSES)
    return _valid(*_parts(df), allowed=allowed)


@wrong("08.1", "notes the rejected ids in the temp folder", catches="does no I/O: no files, no database, no network",
       requirement=NO_IO)
def clean_orders_notes_rejects(df: pd.DataFrame) -> pd.DataFrame:
    cleaned = _valid(*_parts(df))
    rejected = sorted(set(df["order_id"]) - set(cleaned["order_id"]))
    Path(tempfile.gettempdir(), "depipe_rejected_orders.txt").write_text(
        "\n".join(map(str, rejected)), encoding="utf-8")
    return cleaned


@wrong("08.1", "keeps the input's index",
       catches="keeps valid rows in order, other columns included, under a fresh index",
       requirement="a fresh index 0..n-1")
def clean_orders_old_index(df: pd.DataFrame) -> pd.DataFrame:
    orders, amount, status, created_at = _parts(df)
    keep = (amount > 0) & status.isin(VALID_STATUSES) & created_at.notna()
    return orders.assign(amount=amount, status=status, created_at=created_at).loc[keep]


@wrong("08.1", "sorts by order_id", catches="keeps valid rows in order, other columns included, under a fresh index",
       requirement="valid rows kept in their input order")
def clean_orders_sorted(df: pd.DataFrame) -> pd.DataFrame:
    return _valid(*_parts(df)).sort_values("order_id").reset_index(drop=True)


@wrong("08.1", "returns only the five order columns",
       catches="keeps valid rows in order, other columns included, under a fresh index",
       requirement="every column kept, extra ones included, in place")
def clean_orders_drops_columns(df: pd.DataFrame) -> pd.DataFrame:
    return _valid(*_parts(df))[["order_id", "customer_id", "amount", "status", "created_at"]]


@wrong("08.1", "fills missing statuses in place", catches="raises no pandas warnings",
       requirement="raises no pandas warnings")
def clean_orders_chained_inplace(df: pd.DataFrame) -> pd.DataFrame:
    orders = df.drop_duplicates(subset="order_id", keep="first")
    orders["status"].fillna("", inplace=True)  # chained assignment: warns and does nothing under pandas 3
    return _valid(*_parts(orders))


# ---------------------------------------------------------------- 08.2 weak suites for clean_orders

CLEAN = "a test fails when clean_orders"
CLEAN_GATE = "your tests pass on a correct clean_orders (at least 4 of them)"
REFERENCE_SUITE = list(ref.clean_orders_tests)


def _reference_suite_with(old: Any, new: Any | None) -> list[Any]:
    """The reference suite with ``old`` replaced by ``new`` (or left out when ``new`` is None)."""
    if old not in REFERENCE_SUITE:
        raise ValueError(f"{old.__name__} is not in the reference suite")
    if new is None:
        return [test for test in REFERENCE_SUITE if test is not old]
    return [new if test is old else test for test in REFERENCE_SUITE]


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


wrong("08.2", "tests that assert nothing", catches=f"{CLEAN} keeps orders whose amount is 0",
      requirement="a test that asserts nothing earns nothing")(
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
      catches=f"{CLEAN} drops the valid orders too (returns no rows)",
      requirement="tests assert what must be kept, not only what must be gone")(
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


wrong("08.2", "a test that fails on correct code", catches=CLEAN_GATE,
      requirement="every test passes on a correct clean_orders")(
    [test_status_kept_as_written, test_keeps_positive, test_drops_zero, test_drops_shipped]
)

wrong("08.2", "only three tests", catches=CLEAN_GATE, requirement="at least four test cases")(
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


wrong("08.2", "timestamps only ever in Z", catches=f"{CLEAN} reads '+05:30' timestamps as if they were UTC",
      requirement="a test pins down that an offset such as +05:30 is converted to UTC")(
    [test_drops_bad_dates_z_only, test_keeps_one_of_a_duplicate, test_lower_cases_status, test_keeps_positive,
     test_drops_zero]
)
wrong("08.2", "duplicates counted, not compared",
      catches=f"{CLEAN} keeps the last row of a duplicated order_id instead of the first",
      requirement="a test pins down that the first row of a duplicated order_id is kept")(
    [test_drops_bad_dates_z_only, test_keeps_one_of_a_duplicate, test_lower_cases_status, test_keeps_positive]
)
wrong("08.2", "never looks at the input afterwards", catches=f"{CLEAN} changes the frame it was given",
      requirement="a test pins down that the input frame is left unchanged")(
    [test_drops_bad_dates_z_only, test_keeps_one_of_a_duplicate, test_lower_cases_status, test_keeps_positive]
)

# The reference suite with one behaviour left unpinned: each of these kills every other mutant.


def test_status_in_capitals_is_lower_cased() -> None:
    rows = [(1, 5.0, "Delivered", NOON), (2, 5.0, "PLACED", NOON), (3, 5.0, "confirmed", NOON)]
    assert clean_orders(orders_frame(*rows))["status"].tolist() == ["delivered", "placed", "confirmed"]


def test_keeps_valid_orders_without_a_cancelled_one() -> None:
    rows = [(1, 10.0, "placed", NOON), (2, 20.0, "confirmed", NOON), (3, 30.0, "delivered", NOON)]
    cleaned = clean_orders(orders_frame(*rows))
    assert cleaned["order_id"].tolist() == [1, 2, 3]
    assert cleaned["amount"].tolist() == [10.0, 20.0, 30.0]


def test_created_at_in_z_or_no_zone_is_utc() -> None:
    rows = [(1, 5.0, "placed", "2026-03-01T12:00:00Z"), (2, 5.0, "placed", "2026-03-01 12:00:00")]
    created = clean_orders(orders_frame(*rows))["created_at"]
    assert str(created.dt.tz) == "UTC"
    assert created.tolist() == [pd.Timestamp("2026-03-01 12:00", tz="UTC")] * 2


def test_a_duplicated_order_id_is_kept_once() -> None:
    cleaned = clean_orders(orders_frame((1, 10.0, "placed", NOON), (1, 99.0, "placed", NOON),
                                        (2, 20.0, "placed", NOON)))
    assert len(cleaned) == 2


UNPINNED_CLEAN = [
    ("only a zero amount tested", ref.test_drops_orders_without_a_positive_amount, test_drops_zero,
     "keeps orders with a negative amount", "a test pins down that 0, negative and missing amounts are dropped"),
    ("statuses never written with spaces", ref.test_status_is_stripped_and_lower_cased,
     test_status_in_capitals_is_lower_cased, "does not strip spaces around the status",
     "a test pins down that the status is stripped and lower-cased"),
    ("no test with an unknown status", ref.test_drops_unknown_or_missing_statuses, None,
     "keeps unknown statuses such as 'shipped'",
     "a test pins down that a status outside the four valid ones is dropped"),
    ("no cancelled order among the valid ones", ref.test_keeps_valid_orders_of_every_status_in_order,
     test_keeps_valid_orders_without_a_cancelled_one, "drops cancelled orders, which are valid",
     "a test pins down that a cancelled order is kept"),
    ("no test with an unparseable created_at", ref.test_drops_orders_whose_created_at_does_not_parse, None,
     "keeps orders whose created_at cannot be parsed",
     "a test pins down that an unparseable created_at drops the row"),
    ("no timestamp with an offset", ref.test_created_at_is_the_same_instant_in_utc,
     test_created_at_in_z_or_no_zone_is_utc, "reads '+05:30' timestamps as if they were UTC",
     "a test pins down that an offset such as +05:30 is converted to UTC"),
    ("duplicates counted in a full suite", ref.test_keeps_the_first_row_of_a_duplicated_order_id,
     test_a_duplicated_order_id_is_kept_once, "keeps the last row of a duplicated order_id instead of the first",
     "a test pins down that the first row of a duplicated order_id is kept"),
    ("no test of the input afterwards", ref.test_leaves_its_input_unchanged, None,
     "changes the frame it was given", "a test pins down that the input frame is left unchanged"),
]
for _description, _old, _new, _catches, _requirement in UNPINNED_CLEAN:
    wrong("08.2", f"reference suite: {_description}", catches=f"{CLEAN} {_catches}", requirement=_requirement)(
        _reference_suite_with(_old, _new))

# ---------------------------------------------------------------- 08.3 fetch_order_from_api

FETCH = "fetch_order_from_api"
NEVER_EMPTY = "never catches an error to return {} or None"


@wrong("08.3", "no raise_for_status", catches="raises requests.HTTPError for an unknown order (404)", name=FETCH,
       requirement="raises requests.HTTPError for any error status (404, 5xx)")
def fetch_no_raise(order_id: int, session: requests.Session, base_url: str, *, timeout: float = T) -> dict[str, Any]:
    response = session.get(f"{base_url}/orders/{order_id}", timeout=timeout)
    return response.json()


@wrong("08.3", "raises only for a 404", catches="raises for a server error (503), a timeout or a dropped connection",
       name=FETCH, requirement="raises requests.HTTPError for any error status (404, 5xx)")
def fetch_only_404(order_id: int, session: requests.Session, base_url: str, *, timeout: float = T) -> dict[str, Any]:
    response = session.get(f"{base_url}/orders/{order_id}", timeout=timeout)
    if response.status_code == 404:
        raise requests.HTTPError(f"order {order_id} not found", response=response)
    return response.json()


@wrong("08.3", "no timeout", catches="passes its timeout argument to the request", name=FETCH,
       requirement="with timeout=timeout")
def fetch_no_timeout(order_id: int, session: requests.Session, base_url: str, *, timeout: float = T) -> dict[str, Any]:
    response = session.get(f"{base_url}/orders/{order_id}")
    response.raise_for_status()
    return response.json()


@wrong("08.3", "a fixed timeout of 10 s", catches="passes its timeout argument to the request", name=FETCH,
       requirement="with timeout=timeout")
def fetch_fixed_timeout(order_id: int, session: requests.Session, base_url: str, *,
                        timeout: float = T) -> dict[str, Any]:
    response = session.get(f"{base_url}/orders/{order_id}", timeout=10)
    response.raise_for_status()
    return response.json()


@wrong("08.3", "urljoin drops /v1", catches="asks for {base_url}/orders/{order_id}, once", name=FETCH,
       requirement="one GET {base_url}/orders/{order_id}, keeping the base URL's path")
def fetch_urljoin(order_id: int, session: requests.Session, base_url: str, *, timeout: float = T) -> dict[str, Any]:
    response = session.get(urljoin(base_url, f"/orders/{order_id}"), timeout=timeout)
    response.raise_for_status()
    return response.json()


@wrong("08.3", "/order/{id}", catches="asks for {base_url}/orders/{order_id}, once", name=FETCH,
       requirement="one GET {base_url}/orders/{order_id}, keeping the base URL's path")
def fetch_singular(order_id: int, session: requests.Session, base_url: str, *, timeout: float = T) -> dict[str, Any]:
    response = session.get(f"{base_url}/order/{order_id}", timeout=timeout)
    response.raise_for_status()
    return response.json()


@wrong("08.3", "requests.get instead of the session", catches="uses the session it is given", name=FETCH,
       requirement="through the injected session")
def fetch_ignores_session(order_id: int, session: requests.Session, base_url: str, *,
                          timeout: float = T) -> dict[str, Any]:
    response = requests.get(f"{base_url}/orders/{order_id}", timeout=timeout)
    response.raise_for_status()
    return response.json()


@wrong("08.3", "returns {} on any error", catches="raises for a server error (503), a timeout or a dropped connection",
       name=FETCH, requirement=NEVER_EMPTY)
def fetch_swallows(order_id: int, session: requests.Session, base_url: str, *, timeout: float = T) -> dict[str, Any]:
    try:
        response = session.get(f"{base_url}/orders/{order_id}", timeout=timeout)
        response.raise_for_status()
        return response.json()
    except requests.RequestException:
        return {}


@wrong("08.3", "None when the API is unreachable",
       catches="raises for a server error (503), a timeout or a dropped connection", name=FETCH,
       requirement=NEVER_EMPTY)
def fetch_none_when_down(order_id: int, session: requests.Session, base_url: str, *,
                         timeout: float = T) -> dict[str, Any] | None:
    try:
        response = session.get(f"{base_url}/orders/{order_id}", timeout=timeout)
    except (requests.Timeout, requests.ConnectionError):
        return None
    response.raise_for_status()
    return response.json()


@wrong("08.3", "returns the Response", catches="returns the order as a dict", name=FETCH,
       requirement="returns the parsed JSON body, the order as a dict")
def fetch_returns_response(order_id: int, session: requests.Session, base_url: str, *, timeout: float = T) -> Any:
    response = session.get(f"{base_url}/orders/{order_id}", timeout=timeout)
    response.raise_for_status()
    return response


# ---------------------------------------------------------------- 08.3 weak suites for fetch_order_from_api

TESTS = "fetch_order_tests"
FETCH_GATE = "your tests pass on a correct fetch_order_from_api (at least 4 of them)"
KILLS = "a test fails when fetch_order_from_api"


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


def _mock_session() -> Any:
    session = mock.Mock(spec=requests.Session)
    session.get.return_value.json.return_value = dict(ORDER)
    return session


def test_mock_returns_the_order() -> None:
    assert fetch_order_from_api(42, _mock_session(), BASE) == ORDER


def test_mock_passes_a_timeout() -> None:
    session = _mock_session()
    fetch_order_from_api(42, session, BASE)
    assert session.get.call_args.kwargs.get("timeout") is not None


def test_mock_error_status_raises() -> None:
    session = _mock_session()
    session.get.return_value.raise_for_status.side_effect = requests.HTTPError("404 Client Error")
    with pytest.raises(requests.HTTPError):
        fetch_order_from_api(42, session, BASE)


def test_mock_session_is_used() -> None:
    session = _mock_session()
    fetch_order_from_api(42, session, BASE)
    session.get.assert_called_once()


@responses.activate
def test_fetch_returns_the_right_order_id() -> None:
    responses.get(f"{BASE}/orders/42", json=ORDER)
    assert fetch_order_from_api(42, requests.Session(), BASE)["order_id"] == 42
    assert [call.request.url for call in responses.calls] == [f"{BASE}/orders/42"]


def test_mock_session_asked_for_the_order_url() -> None:
    session = _mock_session()
    assert fetch_order_from_api(42, session, BASE)["status"] == "placed"
    assert session.get.call_args.args[0] == f"{BASE}/orders/42"


wrong("08.3", "responses only, never a mock session", catches=f"{KILLS} ignores the session it is given and calls "
      "requests.get", name=TESTS, requirement="a test checks that the injected session is used")(
    [test_fetch_returns_order, test_fetch_timeout, test_fetch_404_raises, test_fetch_500_raises])
wrong("08.3", "never looks at the timeout", catches=f"{KILLS} sends the request without a timeout", name=TESTS,
      requirement="a test checks that a timeout is passed")(
    [test_fetch_returns_order, test_fetch_404_raises, test_fetch_500_raises, test_fetch_with_a_mock_session])
wrong("08.3", "a test that pins the wrong timeout", catches=FETCH_GATE, name=TESTS,
      requirement="every test passes on a correct fetch_order_from_api")(
    [test_fetch_returns_order, test_fetch_timeout_is_five, test_fetch_404_raises, test_fetch_with_a_mock_session])
wrong("08.3", "only three tests", catches=FETCH_GATE, name=TESTS, requirement="at least four test cases")(
    [test_fetch_returns_order, test_fetch_timeout, test_fetch_404_raises])
wrong("08.3", "a base URL without a path", catches=f"{KILLS} drops the base URL's path (/v1) when building the URL",
      name=TESTS, requirement="a test checks the exact URL requested, with a base URL that has a path")(
    [test_fetch_without_a_path, test_fetch_root_timeout, test_fetch_root_404, test_fetch_with_a_mock_session])
wrong("08.3", "mock sessions only, URL never checked", catches=f"{KILLS} asks for /order/{{id}} instead of "
      "/orders/{id}", name=TESTS, requirement="a test checks the exact URL requested, with a base URL that has a path")(
    [test_mock_returns_the_order, test_mock_passes_a_timeout, test_mock_error_status_raises, test_mock_session_is_used])
wrong("08.3", "no error status tested", catches=f"{KILLS} catches errors and returns {{}}", name=TESTS,
      requirement="a test expects requests.HTTPError for an error status")(
    [test_fetch_returns_order, test_fetch_timeout, test_fetch_with_a_mock_session, test_fetch_without_a_path])
wrong("08.3", "one field compared, never the whole order", catches=f"{KILLS} returns the order without some of "
      "its fields", name=TESTS, requirement="a test compares the whole order returned")(
    [test_fetch_returns_the_right_order_id, ref.test_passes_a_timeout, ref.test_an_error_status_raises_http_error,
     test_mock_session_asked_for_the_order_url])
