"""03.2: ``fetch_all_orders_offset`` yields every order from start_date once, page by page.

Pages count from 1 with limit orders each; a short page is the last. The generator is
lazy (one request before the first order) and passes a timeout on every request.
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

offset = exercise("03.2", "Offset pagination", ["fetch_all_orders_offset"])

_ORDERS_FROM = "2026-03-10"


def _orders_fake() -> FakePaymentsAPI:
    return _fake(seed=11, orders=900, payments=5, accounts=5)


@offset.check("yields every order from start_date exactly once", points=3,
              hint="Loop over page = 1, 2, 3, ... with params from, page and limit; yield each item; "
                   "stop after a page with fewer than limit items.")
def _offset_all(fetch_all_orders_offset: Callable[..., Any]) -> None:
    with _orders_fake() as api, _session() as session:
        expected = [o["order_id"] for o in api.state.order_records(_day_ts(_ORDERS_FROM))]
        got = _collect(lambda: fetch_all_orders_offset(session, api.base_url, _ORDERS_FROM, limit=100),
                       api, cap=len(expected) + 300)
        _expect_each_once(_ids(got, "order_id", "order"), expected, "order")


@offset.check("makes the fewest requests: limit per page, stop on a short page", points=2,
              hint="Send limit= on every request. A page shorter than limit is the last one: do not ask "
                   "for the next. Only when the last page is exactly full do you need one more (empty) page.")
def _offset_fewest(fetch_all_orders_offset: Callable[..., Any]) -> None:
    with _orders_fake() as api, _session() as session:
        for start, limit in ((_ORDERS_FROM, 100), (api.start_date, 150), ("2026-04-20", 100)):
            n = len(api.state.order_records(_day_ts(start)))
            api.calls.clear()
            _collect(lambda s=start, n_=limit: fetch_all_orders_offset(session, api.base_url, s, limit=n_),
                     api, cap=n + 3 * limit)
            pages = [(c.params.get("page"), c.params.get("limit")) for c in api.calls]
            wanted = [(str(p), str(limit)) for p in range(1, n // limit + 2)]
            expect(pages == wanted,
                   f"{_n(n, 'order')} with limit={limit} need {_n(len(wanted), 'request')} "
                   f"(pages 1..{len(wanted)})",
                   expected=f"(page, limit) = {wanted[:3]}{' …' if len(wanted) > 3 else ''} "
                            f"({len(wanted)} requests)",
                   seen=f"{pages[:3]}{' …' if len(pages) > 3 else ''} ({len(pages)} requests)")


@offset.check("is lazy: the first order arrives after one request", points=1,
              hint="Write a generator (yield each item); build no list of all pages first.")
def _offset_lazy(fetch_all_orders_offset: Callable[..., Any]) -> None:
    with _orders_fake() as api, _session() as session:
        _expect_lazy(lambda: fetch_all_orders_offset(session, api.base_url, api.start_date, limit=100),
                     api, "order")


@offset.check("passes a timeout on every request", points=1,
              hint="session.get(url, params=..., timeout=(3.05, 30)): without one a stalled "
                   "connection blocks the job for ever.")
def _offset_timeout(fetch_all_orders_offset: Callable[..., Any]) -> None:
    with _orders_fake() as api, _session() as session:
        _collect(lambda: fetch_all_orders_offset(session, api.base_url, api.start_date, limit=300), api, 1_500)
        _expect_timeouts(api)
