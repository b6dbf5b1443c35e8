"""03.3: ``fetch_all_payments_cursor`` yields every payment from start_date once, following next_cursor.

It asks for count payments per page and stops when next_cursor is null; lazy, with a
timeout on every request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from depipe_course.checking import expect
from depipe_course.exercises import exercise
from depipe_course.exercises.part03._shared import (
    _collect,
    _day_ts,
    _expect_each_once,
    _expect_lazy,
    _expect_timeouts,
    _fake,
    _ids,
    _n,
    _session,
)

if TYPE_CHECKING:
    from depipe_course.fakes.api import FakePaymentsAPI

cursor = exercise("03.3", "Cursor pagination", ["fetch_all_payments_cursor"])

_PAYMENTS_FROM = "2026-03-12"


def _payments_fake() -> FakePaymentsAPI:
    return _fake(seed=12, orders=5, payments=700, accounts=5)


@cursor.check("yields every payment from start_date exactly once", points=3,
              hint="Send from and count; after each page, send the page's next_cursor as cursor=; "
                   "stop when next_cursor is null.")
def _cursor_all(fetch_all_payments_cursor: Callable[..., Any]) -> None:
    with _payments_fake() as api, _session() as session:
        expected = [p["payment_id"] for p in api.state.payment_records(_day_ts(_PAYMENTS_FROM))]
        got = _collect(lambda: fetch_all_payments_cursor(session, api.base_url, _PAYMENTS_FROM, count=100),
                       api, cap=len(expected) + 300)
        _expect_each_once(_ids(got, "payment_id", "payment"), expected, "payment")


@cursor.check("makes the fewest requests: count per page, stop on a null next_cursor", points=2,
              hint="Send count= on every request, and stop as soon as next_cursor is null: this API "
                   "sends no empty page at the end.")
def _cursor_fewest(fetch_all_payments_cursor: Callable[..., Any]) -> None:
    with _payments_fake() as api, _session() as session:
        for start, count in ((_PAYMENTS_FROM, 100), (api.start_date, 70), ("2026-04-20", 100)):
            n = len(api.state.payment_records(_day_ts(start)))
            api.calls.clear()
            _collect(lambda s=start, c=count: fetch_all_payments_cursor(session, api.base_url, s, count=c),
                     api, cap=n + 3 * count)
            wanted = max(1, -(-n // count))
            counts = {c.params.get("count") for c in api.calls}
            expect(counts == {str(count)}, f"every request should ask for count={count}",
                   expected={str(count)}, seen=counts)
            expect(len(api.calls) == wanted, f"{_n(n, 'payment')} with count={count} need {_n(wanted, 'request')}",
                   expected=wanted, seen=len(api.calls))


@cursor.check("is lazy: the first payment arrives after one request", points=1,
              hint="Write a generator (yield each item); build no list of all pages first.")
def _cursor_lazy(fetch_all_payments_cursor: Callable[..., Any]) -> None:
    with _payments_fake() as api, _session() as session:
        _expect_lazy(lambda: fetch_all_payments_cursor(session, api.base_url, api.start_date, count=100),
                     api, "payment")


@cursor.check("passes a timeout on every request", points=1,
              hint="session.get(url, params=..., timeout=(3.05, 30)).")
def _cursor_timeout(fetch_all_payments_cursor: Callable[..., Any]) -> None:
    with _payments_fake() as api, _session() as session:
        _collect(lambda: fetch_all_payments_cursor(session, api.base_url, api.start_date, count=250), api, 1_500)
        _expect_timeouts(api)
