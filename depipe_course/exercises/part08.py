"""Part 08 — Testable code: a pure ``clean_orders``, tests graded by mutation, a mocked API call.

08.2 and 08.3 grade tests the learner writes. The suite is listed in the exercise cell
(``clean_orders_tests = [...]``, ``fetch_order_tests = [...]``) and run by real pytest
on a correct version kept here and on each wrong version ("mutant") below; see
``_mutation.py``. The correct versions here are the mutants' baseline and behave like
``solutions/part08.py`` (``tests/exercises/test_part08_mutation.py`` compares them).
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.edition import instructor_only
from depipe_course.exercises import _mutation, exercise
from depipe_course.exercises._mutation import Mutant

ORDER_COLUMNS = ["order_id", "customer_id", "amount", "status", "created_at"]
VALID_STATUSES = ("placed", "confirmed", "delivered", "cancelled")
_TS = "2026-03-01T10:00:00Z"

# The example test each stub ships with: a suite holding only this, unchanged, is "not attempted".
CLEAN_ORDERS_SKELETON_NAME = "test_keeps_a_valid_order"
CLEAN_ORDERS_SKELETON = '''
def test_keeps_a_valid_order():
    orders = pd.DataFrame({
        "order_id": [1], "customer_id": [7], "amount": [19.99],
        "status": ["placed"], "created_at": ["2026-03-01T12:00:00Z"],
    })
    # YOUR ANSWER HERE: cleaned = clean_orders(orders), then assert what must be true of it
'''.strip("\n") + "\n"

FETCH_ORDER_SKELETON_NAME = "test_returns_the_order"
FETCH_ORDER_SKELETON = '''
@responses.activate
def test_returns_the_order():
    responses.get("https://api.example.test/v1/orders/42", json={"order_id": 42, "status": "placed"})
    # YOUR ANSWER HERE: call fetch_order_from_api(42, requests.Session(), "https://api.example.test/v1")
    # and assert on what it returns (and on responses.calls)
'''.strip("\n") + "\n"


def _frame(rows: list[tuple[Any, ...]], index: list[int] | None = None, amount_dtype: str = "float64") -> Any:
    """An input frame from ``(order_id, amount, status, created_at)`` rows, typed as read from a CSV.

    ``amount_dtype="str"`` gives the amounts as numeric text, as an export without a schema has them.
    """
    import pandas as pd

    ids, amounts, statuses, created = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "order_id": pd.Series(ids, dtype="int64"),
            "customer_id": pd.Series([500 + i for i in ids], dtype="int64"),
            "amount": pd.Series(amounts, dtype=amount_dtype),
            "status": pd.Series(statuses, dtype="str"),
            "created_at": pd.Series(created, dtype="str"),
        }
    ).set_axis(index if index is not None else range(len(rows)))


def _cleaned(clean_orders: Callable[..., Any], rows: list[tuple[Any, ...]], amount_dtype: str = "float64") -> Any:
    import pandas as pd

    out = clean_orders(_frame(rows, amount_dtype=amount_dtype))
    expect(isinstance(out, pd.DataFrame), "clean_orders must return a pandas DataFrame",
           expected="DataFrame", seen=type(out).__name__)
    missing = [c for c in ORDER_COLUMNS if c not in out.columns]
    expect(not missing, "the cleaned frame lost columns", expected=ORDER_COLUMNS, seen=list(out.columns))
    return out


def _ids(frame: Any) -> list[int]:
    return [int(v) for v in frame["order_id"]]


# ================================================================ 08.1 clean_orders

clean = exercise("08.1", "A pure clean_orders", ["clean_orders"])


@clean.check("drops duplicate order_ids, keeping the first", points=1,
             hint="df.drop_duplicates(subset='order_id', keep='first'), before any other rule.")
def _dedupes(clean_orders: Callable[..., Any]) -> None:
    out = _cleaned(clean_orders, [(1, 10.0, "placed", _TS), (1, 20.0, "placed", _TS),
                                  (2, 30.0, "delivered", _TS), (2, 40.0, "delivered", _TS)])
    expect_equal(_ids(out), [1, 2], "the list of order_ids left")
    expect_equal([float(a) for a in out["amount"]], [10.0, 30.0], "the amounts left (the first row of each id)")
    out = _cleaned(clean_orders, [(3, 0.0, "placed", _TS), (3, 15.0, "placed", _TS), (4, 5.0, "placed", _TS)])
    expect(_ids(out) == [4], "order 3's first row has amount 0, yet a later duplicate of it was kept",
           expected="[4]: the first row of an order_id wins, and later rows are dropped before the other rules",
           seen=_ids(out),
           hint="Drop the duplicates first (keep='first'), then apply the rules: filtering first lets a "
                "later duplicate stand in for the first row.")


@clean.check("keeps only positive amounts", points=1,
             hint="Keep amount > 0: an amount of 0, a negative one or a missing one is not a sale.")
def _positive(clean_orders: Callable[..., Any]) -> None:
    out = _cleaned(clean_orders, [(1, 0.0, "placed", _TS), (2, -5.0, "placed", _TS),
                                  (3, None, "placed", _TS), (4, 0.01, "placed", _TS),
                                  (5, 12.5, "placed", _TS)])
    expect_equal(_ids(out), [4, 5], "the list of order_ids left (amounts 0, -5 and missing must go)")
    out = _cleaned(clean_orders, [(1, "0", "placed", _TS), (2, "-5.00", "placed", _TS),
                                  (3, None, "placed", _TS), (4, "0.01", "placed", _TS),
                                  (5, "12.50", "placed", _TS)], amount_dtype="str")
    expect_equal(_ids(out), [4, 5], "the order_ids left when amount is numeric text ('0', '-5.00', '12.50')",
                 hint="Compare numbers, not text: pd.to_numeric(df['amount'], errors='coerce') > 0.")


@clean.check("normalises status and keeps the four valid ones", points=1,
             hint="Strip and lower-case first (.str.strip().str.lower()), then keep "
                  "placed/confirmed/delivered/cancelled with .isin(...).")
def _status(clean_orders: Callable[..., Any]) -> None:
    out = _cleaned(clean_orders, [(1, 1.0, " Delivered ", _TS), (2, 1.0, "PLACED", _TS),
                                  (3, 1.0, "Confirmed", _TS), (4, 1.0, "cancelled ", _TS),
                                  (5, 1.0, "deliverd", _TS), (6, 1.0, "shipped", _TS),
                                  (7, 1.0, None, _TS)])
    expect_equal(_ids(out), [1, 2, 3, 4], "the list of order_ids left (typos, unknown and missing statuses go)")
    expect_equal(list(out["status"]), ["delivered", "placed", "confirmed", "cancelled"],
                 "the status of each row after cleaning")


@clean.check("parses created_at to tz-aware UTC, offsets included", points=1,
             hint="pd.to_datetime(..., utc=True, format='ISO8601', errors='coerce') converts "
                  "'Z', '+05:30' and zone-less text to the same UTC clock.")
def _utc(clean_orders: Callable[..., Any]) -> None:
    import pandas as pd

    out = _cleaned(clean_orders, [(1, 1.0, "placed", "2026-03-01T10:00:00Z"),
                                  (2, 1.0, "placed", "2026-03-01T15:30:00+05:30"),
                                  (3, 1.0, "placed", "2026-03-01 10:00:00")])
    dtype = out["created_at"].dtype
    expect(isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) == "UTC",
           "created_at must be a tz-aware UTC datetime column", expected="datetime64[us, UTC]", seen=str(dtype))
    expect_equal(_ids(out), [1, 2, 3], "the list of order_ids left (Z, +05:30 and no zone are all valid)")
    expect_equal(sorted({str(t) for t in out["created_at"]}), ["2026-03-01 10:00:00+00:00"],
                 "the instants (all three rows are 10:00 UTC)")


@clean.check("drops rows whose created_at cannot be parsed", points=1,
             hint="errors='coerce' turns what cannot be parsed into NaT; keep only the rows "
                  "where created_at is not NaT.")
def _bad_dates(clean_orders: Callable[..., Any]) -> None:
    out = _cleaned(clean_orders, [(1, 1.0, "placed", "2026-03-01T10:00:00Z"),
                                  (2, 1.0, "placed", "not-a-date"),
                                  (3, 1.0, "placed", "2026-02-30T10:00:00"),
                                  (4, 1.0, "placed", None),
                                  (5, 1.0, "placed", "2026-03-02 08:00:00")])
    expect_equal(_ids(out), [1, 5], "the list of order_ids left (unparseable and missing dates go)")


@clean.check("keeps valid rows in order, other columns included, under a fresh index", points=1,
             hint="Filter with one boolean mask, then .reset_index(drop=True); do not sort and do "
                  "not drop columns you were not asked to touch.")
def _shape(clean_orders: Callable[..., Any]) -> None:
    import pandas as pd

    given = _frame([(9, 5.0, "placed", _TS), (3, 0.0, "placed", _TS), (7, 6.0, "delivered", _TS),
                    (5, 7.0, "cancelled", _TS)], index=[40, 30, 20, 10]).assign(channel=["web", "app", "app", "web"])
    out = clean_orders(given)
    expect(isinstance(out, pd.DataFrame), "clean_orders must return a pandas DataFrame",
           expected="DataFrame", seen=type(out).__name__)
    expect_equal(_ids(out), [9, 7, 5], "the order_ids left, in input order")
    expect_equal(list(out.columns), [*ORDER_COLUMNS, "channel"], "the columns (extra ones kept, in place)")
    expect_equal(list(out["customer_id"]), [509, 507, 505], "the customer_id of each row")
    expect_equal(list(out.index), [0, 1, 2], "the index (a fresh 0..n-1)")


@clean.check("leaves the input frame unchanged", points=1,
             hint="Build new columns with .assign(...) on the filtered frame; never assign into the "
                  "frame you were given.")
def _pure(clean_orders: Callable[..., Any]) -> None:
    given = _frame([(1, "10.00", " Delivered ", "2026-03-01T15:30:00+05:30"), (1, "11", "placed", _TS),
                    (2, "0", "PLACED", "bad"), (3, "5.5", "shipped", "2026-03-01 10:00:00")], amount_dtype="str")
    before = given.copy(deep=True)
    clean_orders(given)
    if not (given.equals(before) and list(given.dtypes) == list(before.dtypes)
            and list(given.columns) == list(before.columns)):
        changed = [c for c in before.columns if c not in given.columns or not given[c].equals(before[c])]
        added = [c for c in given.columns if c not in before.columns]
        fail("clean_orders changed the frame it was given", expected="the input untouched",
             seen=f"columns changed: {changed}, columns added: {added}")


class _IOAttempt(Exception):
    """Raised in place of a file, database or network call while purity is checked."""


@contextlib.contextmanager
def _io_refused(attempts: list[str]) -> Iterator[None]:
    """Make pandas' readers and writers, ``open``, sqlite3 and requests refuse, and note who asked."""
    import builtins
    import io
    import sqlite3
    from unittest import mock

    import pandas as pd
    import requests

    def refuse(name: str) -> Callable[..., Any]:
        def refused(*args: Any, **kwargs: Any) -> Any:
            attempts.append(name)
            raise _IOAttempt(f"{name} is I/O")
        return refused

    targets: list[tuple[Any, str, str]] = [(builtins, "open", "open()"), (io, "open", "open()"),
                                           (sqlite3, "connect", "sqlite3.connect"),
                                           (requests.Session, "request", "an HTTP request")]
    targets += [(pd, name, f"pd.{name}") for name in ("read_csv", "read_parquet", "read_json", "read_sql",
                                                      "read_sql_query", "read_sql_table", "read_excel")]
    targets += [(pd.DataFrame, name, f"DataFrame.{name}") for name in ("to_csv", "to_parquet", "to_json",
                                                                       "to_sql", "to_excel", "to_pickle")]
    with contextlib.ExitStack() as stack:
        for owner, attribute, name in targets:
            stack.enter_context(mock.patch.object(owner, attribute, refuse(name)))
        yield


@contextlib.contextmanager
def _inside(folder: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


@clean.check("does no I/O: no files, no database, no network", points=1,
             hint="clean_orders only transforms the frame it is given: reading the CSV and writing "
                  "the result belong to the thin I/O functions around it.")
def _no_io(clean_orders: Callable[..., Any], tmp_path: Path) -> None:
    attempts: list[str] = []
    with _inside(tmp_path), _io_refused(attempts):
        try:
            clean_orders(_frame([(1, 10.0, "placed", _TS), (2, 0.0, "placed", _TS)]))
        except _IOAttempt:
            pass
    written = sorted(p.name for p in tmp_path.iterdir())
    expect(not attempts, "clean_orders tried to do I/O", expected="no file, database or network call",
           seen=", ".join(dict.fromkeys(attempts)))
    expect(not written, "clean_orders wrote files into the working folder", expected="no files", seen=written)


@clean.check("raises no pandas warnings", points=1,
             hint="Give to_datetime a format (format='ISO8601') and avoid inplace=True or chained "
                  "assignment: both warn under pandas 3.")
def _no_warnings(clean_orders: Callable[..., Any]) -> None:
    rows = [(1, 1.0, "placed", "not-a-date"), (2, 2.0, " Delivered ", "2026-03-01T10:00:00Z"),
            (3, 3.0, "placed", "2026-03-01T15:30:00+05:30"), (4, 4.0, None, None)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clean_orders(_frame(rows))
    seen = [f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught]
    expect(not seen, "clean_orders raised warnings", expected="no warnings", seen=seen)


# ================================================================ 08.2 tests for clean_orders, by mutation


@instructor_only  # a correct clean_orders: left out of the learner edition
def _clean_orders_variant(df: Any, flaw: str = "") -> Any:
    """The correct ``clean_orders`` when ``flaw`` is empty; with one rule broken otherwise."""
    import pandas as pd

    if flaw == "mutates":
        df["status"] = df["status"].astype("str").str.strip().str.lower()  # the bug: writes into the input
    orders = df if flaw == "keeps all duplicates" else df.drop_duplicates(
        subset="order_id", keep="last" if flaw == "keeps last duplicate" else "first")
    amount = pd.to_numeric(orders["amount"], errors="coerce")
    status = orders["status"].astype("str")
    if flaw != "no strip":
        status = status.str.strip()
    if flaw != "no lower":
        status = status.str.lower()
    text = orders["created_at"]
    if flaw == "ignores offsets":
        text = text.astype("str").str.replace(r"(Z|[+-]\d\d:?\d\d)$", "", regex=True)
    created_at = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
    if flaw == "keeps zero":
        valid = amount >= 0
    elif flaw == "keeps negative":
        valid = (amount != 0) & amount.notna()
    elif flaw == "keeps missing amount":
        valid = ~(amount <= 0)
    else:
        valid = amount > 0
    if flaw == "keeps unknown statuses":
        valid &= status.notna()
    else:
        valid &= status.isin([s for s in VALID_STATUSES if flaw != "drops cancelled" or s != "cancelled"])
    if flaw != "keeps bad dates":
        valid &= created_at.notna()
    if flaw == "drops everything":
        valid &= False
    return orders.assign(amount=amount, status=status, created_at=created_at).loc[valid].reset_index(drop=True)


def _clean_mutant(flaw: str) -> Callable[[Any], Any]:
    def clean_orders(df: Any) -> Any:
        return _clean_orders_variant(df, flaw)

    return clean_orders


correct_clean_orders = _clean_mutant("")

CLEAN_ORDERS_MUTANTS = (
    Mutant("keeps orders whose amount is 0", _clean_mutant("keeps zero"),
           "Put an order with amount 0 next to a valid one and assert only the valid one is left."),
    Mutant("keeps orders with a negative amount", _clean_mutant("keeps negative"),
           "A refund-like amount of -5 is not a sale: assert that order is dropped."),
    Mutant("keeps orders with no amount", _clean_mutant("keeps missing amount"),
           "An amount of None (NaN) must be dropped too: assert it is."),
    Mutant("does not lower-case the status", _clean_mutant("no lower"),
           "Feed 'DELIVERED' and assert the row is kept with status 'delivered'."),
    Mutant("does not strip spaces around the status", _clean_mutant("no strip"),
           "Feed ' delivered ' and assert the row is kept with status 'delivered'."),
    Mutant("keeps unknown statuses such as 'shipped'", _clean_mutant("keeps unknown statuses"),
           "Feed a status outside the four valid ones and assert the row is dropped."),
    Mutant("drops cancelled orders, which are valid", _clean_mutant("drops cancelled"),
           "All four statuses are valid: assert a 'cancelled' order is kept."),
    Mutant("keeps orders whose created_at cannot be parsed", _clean_mutant("keeps bad dates"),
           "Feed a created_at like 'not-a-date' and assert the row is dropped."),
    Mutant("reads '+05:30' timestamps as if they were UTC", _clean_mutant("ignores offsets"),
           "Feed '2026-03-01T17:30:00+05:30' and assert created_at is 12:00 UTC."),
    Mutant("keeps every row of a duplicated order_id", _clean_mutant("keeps all duplicates"),
           "Feed two rows with the same order_id and assert only one is left."),
    Mutant("keeps the last row of a duplicated order_id instead of the first", _clean_mutant("keeps last duplicate"),
           "Give the two rows of one order_id different amounts and assert the first amount is kept."),
    Mutant("drops the valid orders too (returns no rows)", _clean_mutant("drops everything"),
           "Assert what must be left, not only what must be gone: a valid order must come back."),
    Mutant("changes the frame it was given", _clean_mutant("mutates"),
           "Keep a deep copy of the input, call clean_orders, and assert the input still equals "
           "the copy (pd.testing.assert_frame_equal)."),
)

suite = exercise("08.2", "Tests for clean_orders, graded by mutation", ["clean_orders_tests"], uses=["08.1"])
_mutation.register(suite, list_name="clean_orders_tests", target="clean_orders", correct=correct_clean_orders,
                   mutants=CLEAN_ORDERS_MUTANTS, points_each=0.5,
                   skeleton=CLEAN_ORDERS_SKELETON_NAME)


# ================================================================ 08.3 fetch_order_from_api and its tests

fetch = exercise("08.3", "Fetch one order, and test it with responses",
                 ["fetch_order_from_api", "fetch_order_tests"])

_SESSION_HEADER = "X-Depipe-Session"


@contextlib.contextmanager
def _api() -> Iterator[Any]:
    from depipe_course.fakes.api import FakePaymentsAPI

    with FakePaymentsAPI(seed=8, orders=5, payments=1, accounts=1, auth="none") as api:
        yield api


def _session() -> Any:
    import requests

    session = requests.Session()
    session.headers[_SESSION_HEADER] = "injected"
    return session


@fetch.check("returns the order as a dict", points=1,
             hint="response.json() of GET {base_url}/orders/{order_id}.")
def _returns_order(fetch_order_from_api: Callable[..., Any]) -> None:
    with _api() as api:
        order = api.state.order_records()[2]
        got = fetch_order_from_api(order["order_id"], _session(), api.base_url)
    expect(isinstance(got, dict), "fetch_order_from_api must return the parsed JSON body, a dict",
           expected="dict", seen=type(got).__name__)
    expect_equal(got, order, "the order returned")


@fetch.check("asks for {base_url}/orders/{order_id}, once", points=1,
             hint="Build the URL as f\"{base_url}/orders/{order_id}\": urljoin with a leading '/' "
                  "drops the base URL's /v1.")
def _url(fetch_order_from_api: Callable[..., Any]) -> None:
    import requests

    with _api() as api:
        order_id = api.state.order_records()[0]["order_id"]
        with contextlib.suppress(requests.RequestException, ValueError):
            fetch_order_from_api(order_id, _session(), api.base_url)
        urls = [call.url for call in api.calls]
        expect_equal(urls, [f"{api.base_url}/orders/{order_id}"], "the URLs requested")


@fetch.check("passes its timeout argument to the request", points=1,
             hint="session.get(url, timeout=timeout): without one a hung server hangs the pipeline, "
                  "and a fixed number ignores what the caller asked for.")
def _timeout(fetch_order_from_api: Callable[..., Any]) -> None:
    with _api() as api:
        order_id = api.state.order_records()[0]["order_id"]
        fetch_order_from_api(order_id, _session(), api.base_url)
        expect(api.calls and all(c.timeout_passed for c in api.calls), "the request was sent without a timeout",
               expected="timeout=... on the request", seen=[c.timeout for c in api.calls])
        api.calls.clear()
        fetch_order_from_api(order_id, _session(), api.base_url, timeout=2.5)
        expect_equal([c.timeout for c in api.calls], [2.5], "the timeout sent when called with timeout=2.5")


@fetch.check("uses the session it is given", points=1,
             hint="Call session.get(...), not requests.get(...): the caller's session carries its "
                  "headers, auth and connection pool, and a test can replace it.")
def _session_used(fetch_order_from_api: Callable[..., Any]) -> None:
    with _api() as api:
        fetch_order_from_api(api.state.order_records()[0]["order_id"], _session(), api.base_url)
        sent = [c.headers.get(_SESSION_HEADER) for c in api.calls]
    expect(sent and all(h == "injected" for h in sent), "the request did not go through the injected session",
           expected=f"the session's {_SESSION_HEADER} header on every request", seen=sent)


@fetch.check("raises requests.HTTPError for an unknown order (404)", points=1,
             hint="response.raise_for_status() before response.json(); never catch the error to "
                  "return {} or None.")
def _not_found(fetch_order_from_api: Callable[..., Any]) -> None:
    import requests

    with _api() as api:
        unknown = max(r["order_id"] for r in api.state.order_records()) + 1
        try:
            got = fetch_order_from_api(unknown, _session(), api.base_url)
        except requests.HTTPError:
            return
    fail("an unknown order_id must raise, not return a value", expected="requests.HTTPError", seen=repr(got))


@fetch.check("raises for a server error (503), a timeout or a dropped connection", points=1,
             hint="raise_for_status() raises for every 4xx and 5xx, and requests raises Timeout and "
                  "ConnectionError by itself: catch none of them, the caller decides whether to retry.")
def _server_error(fetch_order_from_api: Callable[..., Any]) -> None:
    import requests

    from depipe_course.fakes.api import ConnectionReset, ServerError, TimedOut

    cases = [(ServerError(503), "a 503", requests.HTTPError, "requests.HTTPError"),
             (TimedOut(), "a read timeout", requests.Timeout, "requests.Timeout"),
             (ConnectionReset(), "a dropped connection", requests.ConnectionError, "requests.ConnectionError")]
    for fault, what, raised, name in cases:
        with _api() as api:
            api.inject(fault)
            try:
                got = fetch_order_from_api(api.state.order_records()[0]["order_id"], _session(), api.base_url)
            except raised:
                continue
        fail(f"{what} must raise, not return a value", expected=name, seen=repr(got))


@instructor_only  # a correct fetch_order_from_api: left out of the learner edition
def _fetch_variant(order_id: int, session: Any, base_url: str, *, timeout: float = 10.0, flaw: str = "") -> Any:
    """The correct ``fetch_order_from_api`` when ``flaw`` is empty; with one mistake otherwise."""
    from urllib.parse import urljoin

    import requests

    url = f"{base_url.rstrip('/')}/orders/{order_id}"
    if flaw == "singular path":
        url = f"{base_url.rstrip('/')}/order/{order_id}"
    elif flaw == "urljoin":
        url = urljoin(base_url, f"/orders/{order_id}")
    getter = requests.get if flaw == "ignores session" else session.get
    kwargs = {} if flaw == "no timeout" else {"timeout": timeout}
    try:
        response = getter(url, **kwargs)
        if flaw != "no raise_for_status":
            response.raise_for_status()
    except requests.RequestException:
        if flaw == "swallows errors":
            return {}
        raise
    if flaw == "returns response":
        return response
    order = response.json()
    if flaw == "drops fields" and isinstance(order, dict):
        return {k: v for k, v in order.items() if k != "created_at"}
    return order


def _fetch_mutant(flaw: str) -> Callable[..., Any]:
    def fetch_order_from_api(order_id: int, session: Any, base_url: str, *, timeout: float = 10.0) -> Any:
        return _fetch_variant(order_id, session, base_url, timeout=timeout, flaw=flaw)

    return fetch_order_from_api


correct_fetch_order = _fetch_mutant("")

FETCH_ORDER_MUTANTS = (
    Mutant("returns the error body instead of raising on a 404 or 5xx", _fetch_mutant("no raise_for_status"),
           "Register a 404 (and a 500) with responses and assert pytest.raises(requests.HTTPError)."),
    Mutant("catches errors and returns {}", _fetch_mutant("swallows errors"),
           "An error status must raise: assert pytest.raises(requests.HTTPError), not an empty result."),
    Mutant("sends the request without a timeout", _fetch_mutant("no timeout"),
           "responses keeps the keyword arguments: assert responses.calls[0].request.req_kwargs['timeout'] "
           "is not None."),
    Mutant("asks for /order/{id} instead of /orders/{id}", _fetch_mutant("singular path"),
           "Register the exact URL with responses (an unregistered one raises ConnectionError) or assert "
           "on responses.calls[0].request.url."),
    Mutant("drops the base URL's path (/v1) when building the URL", _fetch_mutant("urljoin"),
           "Use a base_url with a path, like https://api.example.test/v1, and assert the full URL requested."),
    Mutant("ignores the session it is given and calls requests.get", _fetch_mutant("ignores session"),
           "responses also answers requests.get: pass a unittest.mock.Mock(spec=requests.Session) and "
           "assert its get() was called."),
    Mutant("returns the Response object instead of the parsed order", _fetch_mutant("returns response"),
           "Assert the result == the dict you registered as the JSON body."),
    Mutant("returns the order without some of its fields", _fetch_mutant("drops fields"),
           "Compare the whole dict, not one field of it."),
)

_mutation.register(fetch, list_name="fetch_order_tests", target="fetch_order_from_api",
                   correct=correct_fetch_order, mutants=FETCH_ORDER_MUTANTS, points_each=0.5,
                   skeleton=FETCH_ORDER_SKELETON_NAME)
