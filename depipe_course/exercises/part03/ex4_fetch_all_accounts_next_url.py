"""03.4: ``fetch_all_accounts_next_url`` follows nextRecordsUrl, relative or absolute, until it is null.

Every account arrives once with the fewest requests; lazy, with a timeout on every request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from depipe_course.checking import expect
from depipe_course.exercises import exercise
from depipe_course.exercises.part03._shared import (
    _collect,
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

next_url = exercise("03.4", "Next-URL pagination", ["fetch_all_accounts_next_url"])

_CRM_BASE = "https://crm.example.test/services/data/v59.0"


def _accounts_fake(accounts: int = 110, style: str = "relative") -> FakePaymentsAPI:
    return _fake(seed=13, orders=5, payments=5, accounts=accounts, next_url=style, base_url=_CRM_BASE)


def _expect_all_accounts(fetch_all_accounts_next_url: Callable[..., Any], accounts: int, style: str) -> None:
    with _accounts_fake(accounts, style) as api, _session() as session:
        expected = [a["id"] for a in api.state.account_records()]
        got = _collect(lambda: fetch_all_accounts_next_url(session, f"{api.base_url}/accounts"),
                       api, cap=len(expected) + 100)
        _expect_each_once(_ids(got, "id", "account"), expected, "account")


@next_url.check("follows a relative nextRecordsUrl: every account exactly once", points=3,
                hint="The next URL may be a path such as /services/data/v59.0/accounts?page_token=...; "
                     "requests cannot fetch that alone. Resolve it against the page's own URL: "
                     "urllib.parse.urljoin(response.url, next_url).")
def _next_relative(fetch_all_accounts_next_url: Callable[..., Any]) -> None:
    _expect_all_accounts(fetch_all_accounts_next_url, 110, "relative")


@next_url.check("follows an absolute nextRecordsUrl", points=1,
                hint="urljoin(current_url, next_url) returns an absolute next_url unchanged.")
def _next_absolute(fetch_all_accounts_next_url: Callable[..., Any]) -> None:
    _expect_all_accounts(fetch_all_accounts_next_url, 60, "absolute")


@next_url.check("stops when nextRecordsUrl is null: the fewest requests", points=1,
                hint="Loop while there is a next URL; the last page says null (no empty page follows).")
def _next_fewest(fetch_all_accounts_next_url: Callable[..., Any]) -> None:
    for accounts, wanted in ((100, 4), (110, 5), (0, 1)):
        with _accounts_fake(accounts) as api, _session() as session:
            _collect(lambda s=session, a=api: fetch_all_accounts_next_url(s, f"{a.base_url}/accounts"),
                     api, cap=accounts + 100)
            expect(api.count() == wanted, f"{_n(accounts, 'account')} in pages of 25 need {_n(wanted, 'request')}",
                   expected=wanted, seen=api.count())


@next_url.check("is lazy: the first account arrives after one request", points=1,
                hint="Write a generator (yield each record); build no list of all pages first.")
def _next_lazy(fetch_all_accounts_next_url: Callable[..., Any]) -> None:
    with _accounts_fake() as api, _session() as session:
        _expect_lazy(lambda: fetch_all_accounts_next_url(session, f"{api.base_url}/accounts"), api, "account")


@next_url.check("passes a timeout on every request", points=1,
                hint="session.get(next_url, timeout=(3.05, 30)).")
def _next_timeout(fetch_all_accounts_next_url: Callable[..., Any]) -> None:
    with _accounts_fake() as api, _session() as session:
        _collect(lambda: fetch_all_accounts_next_url(session, f"{api.base_url}/accounts"), api, 300)
        _expect_timeouts(api)
