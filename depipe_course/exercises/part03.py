"""Part 03 — REST APIs.

Every check runs the learner's code against ``FakePaymentsAPI`` (``responses`` under
the hood), which answers ``requests`` calls in-process and logs each one, so a check
can say how many requests were made, with which parameters, and whether ``timeout=``
was passed. Nothing touches the network and nothing really sleeps.

Two decisions keep grading fair to both styles of client:

* Pagination checks (03.2–03.5) run against a fake with ``auth="none"`` and hand the
  learner a plain ``requests.Session()``. Authentication is 03.1's subject; here a
  learner who calls ``requests.get`` directly instead of ``session.get`` is graded
  exactly like one who uses the session.
* Waiting is observed, never done: ``sleep=`` and ``clock=`` are injected, and for a
  learner who calls ``time.sleep`` / ``time.monotonic`` / ``time.time`` directly the
  check patches those too, for the checking thread only (the notebook kernel's own
  threads keep the real clock).

A budget on each fake cuts off a runaway loop: past ``limit`` requests every answer
is a connection reset, and the check reports "too many requests" instead of hanging.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest import mock

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import exercise
from depipe_course.exercises._waiting import RecordingSleep, TooManyWaits

if TYPE_CHECKING:
    import requests

    from depipe_course.fakes.api import FakeClock, FakePaymentsAPI, Fault

_BUDGET = 200  # requests any one sub-check may make before it is cut off


# ---------------------------------------------------------------- shared helpers


def _fake(*, budget: int = _BUDGET, **kwargs: Any) -> FakePaymentsAPI:
    """A fake (``auth="none"`` unless given) whose request budget is ``api.faults``."""
    from depipe_course.fakes.api import FakePaymentsAPI, RequestBudget

    return FakePaymentsAPI(faults=RequestBudget(budget), **{"auth": "none", **kwargs})


def _fresh_budget(api: FakePaymentsAPI) -> None:
    """Start counting again: each run of the learner's code gets the whole budget."""
    from depipe_course.fakes.api import RequestBudget

    api.faults = RequestBudget(api.faults.limit if isinstance(api.faults, RequestBudget) else _BUDGET)


def _budget_blown(api: FakePaymentsAPI) -> bool:
    from depipe_course.fakes.api import RequestBudget

    return isinstance(api.faults, RequestBudget) and api.faults.exceeded


def _runaway(api: FakePaymentsAPI) -> None:
    from depipe_course.fakes.api import RequestBudget

    assert isinstance(api.faults, RequestBudget)
    fail(f"your code made more than {api.faults.limit} requests without finishing: "
         "does the loop stop after the last page?",
         expected="the loop ends after the last page", seen=f"more than {api.faults.limit} requests")


def _collect(make: Callable[[], Any], api: FakePaymentsAPI, cap: int) -> list[Any]:
    """Up to ``cap`` items from what ``make()`` returns; a runaway loop fails clearly."""
    _fresh_budget(api)
    return _explained(lambda: list(itertools.islice(iter(make()), cap)), api)


def _explained(run: Callable[[], Any], api: FakePaymentsAPI) -> Any:
    """``run()``, whose failure is reported by its cause when the log shows one.

    A learner's exception is often only the symptom: the API refused a request (a
    400 for ``page=0``) and the code then looked for ``"items"`` in the error body.
    The request log shows the refusal, so the failure names it instead of the
    KeyError that followed.
    """
    import requests

    first = len(api.calls)
    try:
        return run()
    except NotImplementedError:
        raise
    except requests.ConnectionError as exc:
        if _budget_blown(api):
            _runaway(api)
        _explain_refusal(api, first, exc)
        raise
    except Exception as exc:  # learner code may raise anything: look for the cause first
        _explain_refusal(api, first, exc)
        raise


def _refusal(api: FakePaymentsAPI, first: int) -> Any:
    """The first request from ``first`` on that the API answered with a 4xx other than 429."""
    for call in api.calls[first:]:
        if call.status is not None and 400 <= call.status < 500 and call.status != 429:
            return call
    return None


def _answer_to(call: Any) -> str:
    """What the fake said to ``call``: the log keeps no bodies, so the check asks again."""
    import requests

    try:
        body = requests.get(call.url, headers=dict(call.headers), timeout=5).json()
    except (requests.RequestException, ValueError):
        return ""
    return str(body.get("message", "")) if isinstance(body, Mapping) else ""


def _explain_refusal(api: FakePaymentsAPI, first: int, exc: BaseException) -> None:
    """Fail naming the refused request, if there was one; return otherwise."""
    from depipe_course.fakes.api import routes

    call = _refusal(api, first)
    if call is None:
        return
    answer = _answer_to(call)
    raised = f"{type(exc).__name__}: {exc}"[:120]
    seen = f"the API answered {call.status}{f' ({answer})' if answer else ''}; then your code raised {raised}"
    page = call.params.get("page")
    if call.route == routes.ORDERS and page in ("0", ["0"]):
        which = "first request" if call is api.calls[first] else "requests"
        fail(f"pages start at 1: your {which} asked for page=0", expected="page=1 on the first request",
             seen=seen, hint="Start the page counter at 1: this API numbers its pages from 1 and refuses "
                             "page=0 with a 400. Call response.raise_for_status() after each request, so "
                             "an error answer stops your code at once instead of failing later on a missing "
                             "'items'.")
    fail(f"the API refused one of your requests with {call.status}, and your code then failed",
         expected="an answer of 200 to every request", seen=seen,
         hint="The API's message names the parameter it could not accept: compare your request with "
              "the endpoint's description above. Call response.raise_for_status() after each request, so "
              "an error answer stops your code at once instead of failing later on a missing key.")


def _ids(records: Iterable[Any], key: str, what: str) -> list[Any]:
    ids = []
    for record in records:
        if not isinstance(record, Mapping) or key not in record:
            fail(f"yield each {what} as the dict the API sent (with its {key!r})",
                 expected=f"a dict with {key!r}", seen=repr(record)[:120])
        ids.append(record[key])
    return ids


def _expect_each_once(ids: list[Any], expected: list[Any], what: str) -> None:
    counts = Counter(ids)
    wanted = set(expected)
    missing = len(wanted - counts.keys())
    outside = len(counts.keys() - wanted)
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    if missing or outside or duplicates:
        fail(f"not every {what} arrived exactly once",
             expected=f"{len(wanted)} {what}s, each once",
             seen=f"{len(ids)} yielded: {missing} missing, {duplicates} duplicates, "
                  f"{outside} not in the requested window")


def _n(count: int, noun: str) -> str:
    """``1 payment``, ``2 payments``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _day_ts(day: str) -> int:
    from datetime import UTC, date, datetime
    from datetime import time as dtime

    return int(datetime.combine(date.fromisoformat(day), dtime(), UTC).timestamp())


def _expect_timeouts(api: FakePaymentsAPI) -> None:
    expect(len(api.calls) > 0, "no request reached the API", expected="at least one request", seen=0)
    missing = [c.url for c in api.calls if not c.timeout_passed]
    expect(not missing, "a request without timeout= can hang for ever on a stalled connection",
           expected="timeout= on every request", seen=f"{len(missing)} of {len(api.calls)} requests "
           f"without one, e.g. {missing[0] if missing else ''}")


def _expect_lazy(make: Callable[[], Any], api: FakePaymentsAPI, what: str) -> None:
    first = _explained(lambda: next(iter(make()), None), api)
    expect(first is not None, f"no {what} came out at all", expected=f"a first {what}", seen="nothing")
    expect(api.count() == 1, f"the first {what} should arrive after one request, with the other pages "
           "fetched only when the consumer gets to them", expected="1 request",
           seen=f"{_n(api.count(), 'request')} before the first {what}")


@contextlib.contextmanager
def _patched_time(
    *, clock: Callable[[], float] | None = None, sleep: Callable[[float], None] | None = None
) -> Iterator[None]:
    """Route ``time.monotonic``/``time.time``/``time.perf_counter`` and/or ``time.sleep``
    to fakes, for the checking thread only."""
    owner = threading.get_ident()

    def for_owner(fake: Callable[..., Any], real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            return fake(*args) if threading.get_ident() == owner else real(*args)

        return call

    with contextlib.ExitStack() as stack:
        if clock is not None:
            for name in ("monotonic", "time", "perf_counter"):
                stack.enter_context(mock.patch.object(time, name, for_owner(clock, getattr(time, name))))
        if sleep is not None:
            stack.enter_context(mock.patch.object(time, "sleep", for_owner(sleep, time.sleep)))
        yield


def _session() -> requests.Session:
    import requests

    return requests.Session()


# ---------------------------------------------------------------- 03.1 OAuth token and cache

oauth = exercise("03.1", "OAuth client credentials and a token cache", ["get_oauth_token", "TokenCache"])

_LIFETIME_S = 600


def _oauth_fake(lifetime: int = _LIFETIME_S, clock: FakeClock | None = None) -> FakePaymentsAPI:
    return _fake(seed=3, orders=5, payments=5, accounts=5, auth="oauth", token_lifetime_s=lifetime, clock=clock)


def _post_token(api: FakePaymentsAPI, secret: str | None = None) -> dict[str, Any]:
    """The check's own, correct token request (so TokenCache is graded on its own)."""
    import requests

    response = requests.post(api.token_url, timeout=5, data={
        "grant_type": "client_credentials", "client_id": api.client_id,
        "client_secret": api.client_secret if secret is None else secret,
    })
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def _accepted(api: FakePaymentsAPI, token: Any) -> bool:
    import requests

    response = requests.get(f"{api.base_url}/orders", params={"limit": 1}, timeout=5,
                            headers={"Authorization": f"Bearer {token}"})
    return response.status_code == 200


def _in_chain(error: BaseException | None, kind: type[BaseException]) -> BaseException | None:
    """``error`` or the first exception it was raised from that is a ``kind``."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kind):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


@dataclass
class _Cache:
    """A learner's TokenCache wired to a fake, a shared FakeClock and a counted fetch."""

    api: FakePaymentsAPI
    clock: FakeClock
    cache: Any

    @property
    def fetches(self) -> int:
        return self.api.count("token")

    def get(self) -> str:
        token = self.cache.get()
        expect(isinstance(token, str), "get() must return the access token itself (a str)",
               expected="a str such as 'tok_…'", seen=repr(token)[:80])
        return token


@contextlib.contextmanager
def _token_cache(TokenCache: Any, lifetime: int = _LIFETIME_S, **kwargs: Any) -> Iterator[_Cache]:
    from depipe_course.fakes.api import FakeClock

    clock = FakeClock()
    with _oauth_fake(lifetime, clock) as api, _patched_time(clock=clock):
        cache = TokenCache(lambda: _post_token(api), clock=clock, **kwargs)
        yield _Cache(api, clock, cache)


@oauth.check("get_oauth_token posts the client-credentials form and returns the token response",
             points=2,
             hint="session.post(token_url, data={'grant_type': 'client_credentials', 'client_id': ..., "
                  "'client_secret': ...}, timeout=...), raise_for_status(), return response.json(). "
                  "data= sends a form; json= would not be understood.")
def _token_request(get_oauth_token: Callable[..., Any]) -> None:
    with _oauth_fake() as api, _session() as session:
        body = get_oauth_token(session, api.token_url, api.client_id, api.client_secret)
        expect(isinstance(body, Mapping), "return the token endpoint's JSON body as a dict",
               expected="{'access_token': ..., 'expires_in': 600, ...}", seen=repr(body)[:120])
        expect("access_token" in body and "expires_in" in body,
               "the dict should be the server's whole answer, with access_token and expires_in",
               expected="keys access_token, expires_in", seen=sorted(body))
        expect_equal(body["expires_in"], _LIFETIME_S, "expires_in (this fake's tokens live 600 s)")
        expect(_accepted(api, body["access_token"]), "the API rejected the access_token you returned",
               expected="a token the API accepts", seen=body["access_token"])
        expect_equal(api.count("token"), 1, "the number of token requests")


@oauth.check("get_oauth_token passes a timeout", points=1,
             hint="Pass timeout= to session.post: an auth server that never answers would hang the job.")
def _token_timeout(get_oauth_token: Callable[..., Any]) -> None:
    with _oauth_fake() as api, _session() as session:
        get_oauth_token(session, api.token_url, api.client_id, api.client_secret)
        _expect_timeouts(api)


@oauth.check("get_oauth_token raises at once on bad credentials (401)", points=1,
             hint="response.raise_for_status() turns the 401 into requests.HTTPError; do not retry "
                  "it and do not return the error body as if it were a token.")
def _token_401(get_oauth_token: Callable[..., Any]) -> None:
    import requests

    with _oauth_fake() as api, _session() as session:
        try:
            body = get_oauth_token(session, api.token_url, api.client_id, "not-the-secret")
        except NotImplementedError:
            raise
        except Exception as exc:  # the check inspects what was raised
            found = _in_chain(exc, requests.HTTPError)
            expect(found is not None, "a 401 should surface as requests.HTTPError (raise_for_status)",
                   expected="requests.HTTPError (401)", seen=f"{type(exc).__name__}: {exc}"[:160])
        else:
            fail("bad credentials did not raise", expected="requests.HTTPError (401)",
                 seen=f"returned {body!r}"[:160])
        expect_equal(api.count("token"), 1, "the number of token requests for a 401 (retrying cannot fix it)")


@oauth.check("TokenCache fetches one token while it is valid", points=2,
             hint="Keep the token and the time it should be refreshed; get() only calls fetch() "
                  "when there is no token yet or that time has come.")
def _cache_reuses(TokenCache: Any) -> None:
    with _token_cache(TokenCache) as run:
        tokens = []
        for _ in range(10):
            tokens.append(run.get())
            run.clock.advance(50)
        expect(run.fetches == 1, "10 get() calls during the first 450 s of a 600 s token should "
               "reuse one token", expected="1 token request", seen=f"{run.fetches} token requests")
        expect(len(set(tokens)) == 1, "get() returned different tokens", expected="one token",
               seen=sorted(set(tokens)))
        expect(_accepted(run.api, tokens[-1]), "the API rejected the cached token",
               expected="a token the API accepts", seen=tokens[-1])


@oauth.check("TokenCache takes the expiry from the server's expires_in", points=2,
             hint="The token response says how long the token lives (expires_in, in seconds): "
                  "expiry = clock() at the request + expires_in, read on the injected clock. A "
                  "hard-coded lifetime is wrong for every server whose tokens live longer or shorter.")
def _cache_uses_expires_in(TokenCache: Any) -> None:
    with _token_cache(TokenCache, lifetime=600) as run:
        run.get()
        run.clock.advance(700)
        token = run.get()
        expect(run.fetches == 2 and _accepted(run.api, token),
               "700 s after a 600 s token was issued, get() should fetch a new one",
               expected="a fresh token (2 token requests)",
               seen=f"{run.fetches} token request(s); the API "
                    f"{'accepted' if _accepted(run.api, token) else 'rejected'} the token")
    with _token_cache(TokenCache, lifetime=7_200) as run:
        run.get()
        run.clock.advance(3_600)
        run.get()
        expect(run.fetches == 1, "a token that lives 7,200 s was refreshed after 3,600 s",
               expected="1 token request", seen=f"{run.fetches} token requests")


@oauth.check("TokenCache refreshes skew_s seconds before the expiry", points=1,
             hint="Refresh when clock() >= expiry - skew_s, so a token never expires between get() "
                  "and the request that carries it.")
def _cache_skew(TokenCache: Any) -> None:
    with _token_cache(TokenCache, lifetime=600, skew_s=100) as run:
        run.get()
        run.clock.advance(480)
        run.get()
        expect(run.fetches == 1, "with skew_s=100, a 600 s token is still good 480 s after it was issued",
               expected="1 token request", seen=f"{run.fetches} token requests")
        run.clock.advance(40)
        run.get()
        expect(run.fetches == 2, "with skew_s=100, a 600 s token is due for refresh 520 s after it was "
               "issued", expected="2 token requests", seen=f"{run.fetches} token request(s)")


@oauth.check("TokenCache raises a failed token request at once", points=1,
             hint="Let the exception from fetch() propagate: no retry loop, nothing cached.")
def _cache_raises(TokenCache: Any) -> None:
    import requests

    from depipe_course.fakes.api import FakeClock

    clock = FakeClock()
    with _oauth_fake(clock=clock) as api, _patched_time(clock=clock):
        cache = TokenCache(lambda: _post_token(api, secret="revoked-secret"), clock=clock)
        try:
            token = cache.get()
        except NotImplementedError:
            raise
        except Exception as exc:  # the check inspects what was raised
            expect(_in_chain(exc, requests.HTTPError) is not None, "the 401 from fetch() should reach "
                   "the caller as requests.HTTPError", expected="requests.HTTPError (401)",
                   seen=f"{type(exc).__name__}: {exc}"[:160])
        else:
            fail("fetch() failed with a 401 but get() did not raise", expected="requests.HTTPError (401)",
                 seen=f"returned {token!r}"[:120])
        expect_equal(api.count("token"), 1, "token requests for one get() whose fetch fails with 401")


# ---------------------------------------------------------------- 03.2–03.4 pagination

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


# ---------------------------------------------------------------- 03.5 checkpointing

checkpoint = exercise("03.5", "Resume from a checkpoint", ["fetch_with_checkpoint"])

_CP_PAYMENTS = 350
# Names of the C-level calls that can change a file on disk; the checkpoint file is
# inspected around each of them to see every state a crash could leave behind.
_FILE_OPS = frozenset({
    "open", "write", "writelines", "flush", "close", "__exit__", "replace", "rename", "renames",
    "unlink", "remove", "truncate", "ftruncate", "fsync", "fdatasync", "dump", "link", "symlink",
})


def _cp_fake() -> FakePaymentsAPI:
    return _fake(seed=31, orders=5, payments=_CP_PAYMENTS, accounts=5, budget=400)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError:  # e.g. a directory where the file should be: treat as unreadable
        return b"<unreadable>"


@contextlib.contextmanager
def _no_fsync() -> Iterator[None]:
    """fsync makes a write durable; it changes nothing a check can observe and costs ~10 ms."""
    with mock.patch.object(os, "fsync", lambda fd: None), mock.patch.object(os, "fdatasync", lambda fd: None):
        yield


@dataclass
class _Run:
    """One uninterrupted run: records, page starts, the file at each yield and around each write."""

    ids: list[Any]
    page_starts: list[int]  # index of the first record of each page
    at_yield: list[bytes | None]  # checkpoint content when record i was handed over
    around_writes: list[tuple[bytes | None, int]]  # (content, records consumed) at file operations
    renames: list[tuple[Path, Path]]  # (source, target) of every os.replace / os.rename

    @property
    def page_size(self) -> int:
        bounds = [*self.page_starts, len(self.ids)]
        return max((b - a for a, b in itertools.pairwise(bounds)), default=0)


def _full_run(fetch_with_checkpoint: Callable[..., Any], api: FakePaymentsAPI, path: Path,
              probe: bool = False) -> _Run:
    import requests

    run = _Run([], [], [], [], [])
    path.parent.mkdir(parents=True, exist_ok=True)
    _fresh_budget(api)
    before = len(api.calls)

    def watch(frame: Any, event: str, arg: Any) -> None:
        if event in ("c_call", "c_return") and getattr(arg, "__name__", None) in _FILE_OPS:
            run.around_writes.append((_read(path), len(run.ids)))

    previous = sys.getprofile()
    with _session() as session, _no_fsync(), _recording_renames(run.renames):
        gen = iter(fetch_with_checkpoint(session, api.base_url, path, api.start_date))
        try:
            if probe:
                sys.setprofile(watch)
            for record in itertools.islice(gen, _CP_PAYMENTS + 300):
                if len(api.calls) - before > len(run.page_starts):
                    run.page_starts.append(len(run.ids))
                run.ids.append(record)
                run.at_yield.append(_read(path))
        except requests.ConnectionError as exc:
            if _budget_blown(api):
                _runaway(api)
            _explain_refusal(api, before, exc)
            raise
        except NotImplementedError:
            raise
        except Exception as exc:  # learner code may raise anything: look for the cause first
            _explain_refusal(api, before, exc)
            raise
        finally:
            sys.setprofile(previous)
    run.ids = _ids(run.ids, "payment_id", "payment")
    return run


@contextlib.contextmanager
def _recording_renames(renames: list[tuple[Path, Path]]) -> Iterator[None]:
    """Note where each renamed file came from (``Path.replace`` and ``shutil.move`` end here too)."""
    def recording(real: Callable[..., Any]) -> Callable[..., Any]:
        def rename(src: Any, dst: Any, *args: Any, **kwargs: Any) -> Any:
            renames.append((Path(os.fsdecode(src)), Path(os.fsdecode(dst))))
            return real(src, dst, *args, **kwargs)

        return rename

    with mock.patch.object(os, "replace", recording(os.replace)), \
            mock.patch.object(os, "rename", recording(os.rename)):
        yield


def _resume_ids(fetch_with_checkpoint: Callable[..., Any], api: FakePaymentsAPI, path: Path) -> list[Any]:
    with _session() as session, _no_fsync():
        got = _collect(lambda: fetch_with_checkpoint(session, api.base_url, path, api.start_date), api,
                       _CP_PAYMENTS + 300)
    return _ids(got, "payment_id", "payment")


def _crash_after(fetch_with_checkpoint: Callable[..., Any], api: FakePaymentsAPI, path: Path,
                 k: int) -> list[Any]:
    """A consumer processes ``k`` records and dies while handling record ``k + 1``.

    It has asked for record ``k + 1`` (so the generator ran up to that record's
    ``yield``), but that record never got processed. The generator is then closed,
    as it is when an exception ends the program.
    """
    with _session() as session, _no_fsync():
        got = _collect(lambda: _consume_then_die(
            fetch_with_checkpoint(session, api.base_url, path, api.start_date), k + 1), api, k + 1)
    return _ids(got[:k], "payment_id", "payment")


def _consume_then_die(records: Iterable[Any], k: int) -> Iterator[Any]:
    gen = iter(records)
    try:
        yield from itertools.islice(gen, k)
    finally:
        close = getattr(gen, "close", None)
        if close is not None:
            close()


@dataclass(frozen=True)
class _Restart:
    k: int
    before: list[Any]
    after: list[Any]

    def lost(self, expected: set[Any]) -> int:
        return len(expected - set(self.before) - set(self.after))

    def reread(self) -> int:
        return len(self.after) - len(set(self.after) - set(self.before))


def _restarts(fetch_with_checkpoint: Callable[..., Any], tmp_path: Path) -> tuple[list[_Restart], set[Any], int]:
    """Crash holding a page's first, middle and last record, then restart.

    The first three pages and the last are tried; with pages of 100 that is every page.
    """
    with _cp_fake() as api:
        expected = {p["payment_id"] for p in api.state.payment_records(_day_ts(api.start_date))}
        clean = _full_run(fetch_with_checkpoint, api, tmp_path / "clean" / "checkpoint.json")
        _expect_each_once(clean.ids, list(expected), "payment")
        starts = clean.page_starts
        chosen = [*starts[:3], starts[-1]] if len(starts) > 4 else starts
        points: set[int] = set()
        for i, start in enumerate(starts):
            if start in chosen:
                end = starts[i + 1] if i + 1 < len(starts) else len(clean.ids)
                points |= {start, (start + end) // 2, end - 1}  # holding the first, a middle, the last
        restarts = []
        for k in sorted(p for p in points if 0 <= p < len(clean.ids)):
            path = tmp_path / f"crash-{k}" / "checkpoint.json"
            path.parent.mkdir(parents=True)
            before = _crash_after(fetch_with_checkpoint, api, path, k)
            restarts.append(_Restart(k, before, _resume_ids(fetch_with_checkpoint, api, path)))
    return restarts, expected, clean.page_size


@checkpoint.check("yields every payment exactly once in an uninterrupted run", points=2,
                  hint="Cursor pages as in 03.3 (from, count, cursor); with no checkpoint file, start "
                       "from the first page.")
def _cp_all(fetch_with_checkpoint: Callable[..., Any], tmp_path: Path) -> None:
    with _cp_fake() as api:
        expected = [p["payment_id"] for p in api.state.payment_records(_day_ts(api.start_date))]
        run = _full_run(fetch_with_checkpoint, api, tmp_path / "checkpoint.json")
        _expect_each_once(run.ids, expected, "payment")


@checkpoint.check("removes the checkpoint when the stream is done", points=1,
                  hint="After the last page (next_cursor is null) has been yielded, delete the "
                       "checkpoint: the next run starts afresh. Leave no temporary file behind.")
def _cp_removed(fetch_with_checkpoint: Callable[..., Any], tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    with _cp_fake() as api:
        _full_run(fetch_with_checkpoint, api, folder / "checkpoint.json")
    left = sorted(p.name for p in folder.iterdir())
    expect(not left, "files were left in the checkpoint's folder after the last record",
           expected="nothing", seen=left)


@checkpoint.check("a consumer that crashes and restarts loses no payment", points=2,
                  hint="Save the cursor of the next page only after every record of the current page "
                       "has been yielded, never before: a crash mid-page must bring that page back.")
def _cp_no_loss(fetch_with_checkpoint: Callable[..., Any], tmp_path: Path) -> None:
    restarts, expected, _ = _restarts(fetch_with_checkpoint, tmp_path)
    for r in restarts:
        expect(r.lost(expected) == 0, f"the consumer crashed after {_n(r.k, 'payment')} and restarted: "
               "payments went missing", expected="every payment in one run or the other",
               seen=f"{_n(r.lost(expected), 'payment')} in neither run")


@checkpoint.check("a restart re-reads at most one page", points=2,
                  hint="On start, read the checkpoint and continue from its cursor; save it after "
                       "each page, so a crash costs at most the page in progress.")
def _cp_one_page(fetch_with_checkpoint: Callable[..., Any], tmp_path: Path) -> None:
    restarts, _, page = _restarts(fetch_with_checkpoint, tmp_path)
    for r in restarts:
        expect(r.reread() <= page, f"the consumer crashed after {_n(r.k, 'payment')}; the restart "
               f"handed {r.reread()} of them over again", expected=f"at most one page ({page})",
               seen=f"{r.reread()} payments again")


@checkpoint.check("writes the checkpoint atomically: a crash mid-write leaves a usable file", points=2,
                  hint="Write to a temporary file in the same folder, then os.replace(tmp, path). "
                       "Writing the checkpoint in place truncates it first: a crash at that moment "
                       "leaves an empty or half-written file the next run cannot read.")
def _cp_atomic(fetch_with_checkpoint: Callable[..., Any], tmp_path: Path) -> None:
    with _cp_fake() as api:
        expected = {p["payment_id"] for p in api.state.payment_records(_day_ts(api.start_date))}
        checkpoint = tmp_path / "watched" / "checkpoint.json"
        run = _full_run(fetch_with_checkpoint, api, checkpoint, probe=True)
        _expect_same_folder(run, checkpoint)
        settled = set(run.at_yield)
        page = run.page_size
        done: dict[bytes | None, list[Any] | str] = {}
        for content, consumed in run.around_writes:
            if content in settled and content is not None:
                continue
            if consumed >= len(run.ids) or (content is None and consumed <= page):
                continue  # every record handed over already; or no file yet during the first page
            if content not in done:
                path = tmp_path / f"resume-{len(done)}" / "checkpoint.json"
                path.parent.mkdir(parents=True)
                if content is not None:
                    path.write_bytes(content)
                try:
                    done[content] = _resume_ids(fetch_with_checkpoint, api, path)
                except NotImplementedError:
                    raise
                except Exception as exc:  # the point of the check: what a resume makes of it
                    done[content] = f"{type(exc).__name__}: {exc}"[:120]
            after = done[content]
            state = "no file" if content is None else repr(content[:60])
            if isinstance(after, str):
                fail(f"a crash during the checkpoint write (after {_n(consumed, 'payment')}) leaves {state}; "
                     "resuming from it fails", expected="the old or the new checkpoint, complete",
                     seen=f"{state} → {after}")
            before = set(run.ids[:consumed])
            lost = len(expected - before - set(after))
            reread = len(after) - len(set(after) - before)
            expect(lost == 0 and reread <= page,
                   f"a crash during the checkpoint write (after {_n(consumed, 'payment')}) leaves {state}; "
                   "resuming from it does not continue where the run stopped",
                   expected=f"no payment lost, at most {page} read again",
                   seen=f"{lost} lost, {reread} read again")


def _expect_same_folder(run: _Run, checkpoint: Path) -> None:
    """The file renamed onto the checkpoint must come from the checkpoint's own folder."""
    folder = checkpoint.parent.resolve()
    strangers = sorted({str(src.parent) for src, dst in run.renames
                        if dst.resolve() == checkpoint.resolve() and src.resolve().parent != folder})
    expect(not strangers, "the temporary file was written outside the checkpoint's folder: os.replace is "
           "atomic only within one file system, and across two (a /tmp on its own disk) it fails",
           expected=f"a temporary file in {checkpoint.parent.name}/, next to the checkpoint",
           seen=f"renamed from {', '.join(strangers)}",
           hint="Create the temporary file in the checkpoint's folder: path.with_name('.' + path.name + "
                "'.tmp'), or tempfile.NamedTemporaryFile(dir=path.parent, delete=False).")


@checkpoint.check("passes a timeout on every request", points=1,
                  hint="session.get(url, params=..., timeout=(3.05, 30)).")
def _cp_timeout(fetch_with_checkpoint: Callable[..., Any], tmp_path: Path) -> None:
    with _cp_fake() as api:
        _full_run(fetch_with_checkpoint, api, tmp_path / "checkpoint.json")
        _expect_timeouts(api)


# ---------------------------------------------------------------- 03.6 retries and 429

request = exercise("03.6", "Retry what can succeed, raise what cannot", ["make_api_request"])


def _retry_fake() -> FakePaymentsAPI:
    return _fake(seed=21, orders=50, payments=5, accounts=5, auth="api_key", budget=60)


@dataclass
class _Outcome:
    response: Any
    error: BaseException | None
    waits: list[float]
    statuses: list[int | str]


def _request(make_api_request: Callable[..., Any], api: FakePaymentsAPI, *faults: Fault | None,
             path: str = "/orders", midpoint_jitter: bool = False, **kwargs: Any) -> _Outcome:
    """Inject ``faults``, call the learner's function, and record what happened."""
    from depipe_course.fakes.api import FaultQueue

    sleeps = RecordingSleep()
    _fresh_budget(api)
    api.calls.clear()
    api.injected = FaultQueue(faults)  # nothing left over from an earlier call
    kwargs.setdefault("headers", api.auth_headers())
    response, error = None, None
    with contextlib.ExitStack() as stack:
        session = stack.enter_context(_session())
        stack.enter_context(_patched_time(sleep=sleeps))
        stack.enter_context(contextlib.redirect_stderr(io.StringIO()))  # the learner's retry logs
        if midpoint_jitter:  # jitter drawn from the random module lands in the middle of its range
            stack.enter_context(mock.patch.object(random, "random", lambda: 0.5))
            stack.enter_context(mock.patch.object(random, "uniform", lambda a, b: (a + b) / 2))
        try:
            response = make_api_request(session, f"{api.base_url}{path}", sleep=sleeps, **kwargs)
        except TooManyWaits:
            fail("your code kept retrying: more than 40 waits for one request",
                 expected=f"at most max_retries={kwargs.get('max_retries', 5)} retries", seen="40+ waits")
        except NotImplementedError:
            raise
        except Exception as exc:  # the checks judge what was raised
            error = exc
    if _budget_blown(api):
        _runaway(api)
    statuses: list[int | str] = [c.status if c.status is not None else type(c.error).__name__
                                 for c in api.calls]
    return _Outcome(response, error, sleeps.waits, statuses)


def _expect_success(out: _Outcome, requests_made: int) -> None:
    import requests

    if out.error is not None:
        fail("the request should have succeeded after the retries",
             expected=f"a 200 response after {_n(requests_made, 'request')}",
             seen=f"{type(out.error).__name__}: {out.error} (requests: {out.statuses})"[:200])
    expect(isinstance(out.response, requests.Response), "return the requests.Response itself",
           expected="a requests.Response", seen=repr(out.response)[:100])
    expect(out.response.status_code == 200 and len(out.statuses) == requests_made,
           "the request should succeed once the faults are over",
           expected=f"{_n(requests_made, 'request')}, the last a 200", seen=f"requests: {out.statuses}")


@request.check("returns the response of a 200", points=1,
               hint="Return the requests.Response when the status is 200; no waiting, one request.")
def _ok(make_api_request: Callable[..., Any]) -> None:
    with _retry_fake() as api:
        out = _request(make_api_request, api)
        _expect_success(out, 1)
        expect_equal(out.waits, [], "waits before a request that succeeded at once")


@request.check("passes params, headers and a timeout", points=1,
               hint="session.get(url, params=params, headers=headers, timeout=...) on every attempt.")
def _passes(make_api_request: Callable[..., Any]) -> None:
    with _retry_fake() as api:
        out = _request(make_api_request, api, params={"limit": 3})
        _expect_success(out, 1)
        call = api.calls[-1]
        expect_equal(call.params.get("limit"), "3", "the limit parameter the API received")
        expect(call.headers.get("X-API-Key") == api.api_key, "the headers did not reach the API",
               expected={"X-API-Key": api.api_key}, seen=dict(call.headers))
        _expect_timeouts(api)


@request.check("waits Retry-After seconds on a 429", points=2,
               hint="On 429, read response.headers.get('Retry-After'); a number is the seconds to wait.")
def _retry_after_seconds(make_api_request: Callable[..., Any]) -> None:
    from depipe_course.fakes.api import RateLimited

    with _retry_fake() as api:
        out = _request(make_api_request, api, RateLimited(7), RateLimited(4))
        _expect_success(out, 3)
        ok = len(out.waits) == 2 and 7 <= out.waits[0] <= 9 and 4 <= out.waits[1] <= 6
        expect(ok, "the waits should be what Retry-After said", expected="[7, 4] (seconds)",
               seen=out.waits)


@request.check("waits until the Retry-After HTTP-date on a 429", points=2,
               hint="Retry-After may be a date ('Wed, 21 Oct 2026 07:28:00 GMT'): int() fails on it. "
                    "email.utils.parsedate_to_datetime(value) - datetime.now(timezone.utc) is the wait.")
def _retry_after_date(make_api_request: Callable[..., Any]) -> None:
    from depipe_course.fakes.api import RateLimited

    with _retry_fake() as api:
        out = _request(make_api_request, api, RateLimited(7, http_date=True))
        _expect_success(out, 2)
        expect(len(out.waits) == 1 and 6 <= out.waits[0] <= 8.5,
               "Retry-After named a moment 7 seconds ahead", expected="one wait of about 7 s",
               seen=[round(w, 2) for w in out.waits])


@request.check("backs off on a 429 without Retry-After", points=1,
               hint="No Retry-After: wait an exponential backoff (1, 2, 4, ... s) and retry.")
def _backoff_429(make_api_request: Callable[..., Any]) -> None:
    from depipe_course.fakes.api import RateLimited

    with _retry_fake() as api:
        out = _request(make_api_request, api, RateLimited(None), RateLimited(None))
        _expect_success(out, 3)
        expect(len(out.waits) == 2 and all(w > 0 for w in out.waits), "each 429 should be followed by a wait",
               expected="2 waits > 0", seen=out.waits)


@request.check("backs off exponentially on 5xx", points=2,
               hint="Wait base * 2**attempt (1, 2, 4, 8 s ...) between attempts, capped (say at 60 s); "
                    "jitter is fine. A fixed wait hammers a server that is already struggling.")
def _backoff_5xx(make_api_request: Callable[..., Any]) -> None:
    from depipe_course.fakes.api import ServerError

    with _retry_fake() as api:
        faults = (ServerError(500), ServerError(502, html=True), ServerError(503), ServerError(504))
        out = _request(make_api_request, api, *faults, midpoint_jitter=True)
        _expect_success(out, 5)
        w = out.waits
        expect(len(w) == 4 and all(x > 0 for x in w) and max(w[2:]) >= 2 * w[0],
               "the waits after 500, 502, 503 and 504 should grow", expected="e.g. [1, 2, 4, 8]",
               seen=[round(x, 2) for x in w])


@request.check("retries timeouts", points=1,
               hint="Catch requests.Timeout (ReadTimeout, ConnectTimeout), back off and try again.")
def _retries_timeouts(make_api_request: Callable[..., Any]) -> None:
    from depipe_course.fakes.api import TimedOut

    with _retry_fake() as api:
        out = _request(make_api_request, api, TimedOut("read"), TimedOut("connect"))
        _expect_success(out, 3)
        expect(len(out.waits) == 2, "wait before each retry", expected="2 waits", seen=out.waits)


@request.check("retries connection errors", points=1,
               hint="Catch requests.ConnectionError (a reset connection, a refused connect), back off "
                    "and try again: it is as transient as a timeout.")
def _retries_connection_errors(make_api_request: Callable[..., Any]) -> None:
    from depipe_course.fakes.api import ConnectionReset

    with _retry_fake() as api:
        out = _request(make_api_request, api, ConnectionReset(), ConnectionReset())
        _expect_success(out, 3)
        expect(len(out.waits) == 2, "wait before each retry", expected="2 waits", seen=out.waits)


@request.check("raises other 4xx at once: one request, no wait", points=2,
               hint="404, 401, 400 ... will fail again however long you wait: call raise_for_status() "
                    "for them on the first response.")
def _raises_4xx(make_api_request: Callable[..., Any]) -> None:
    import requests

    with _retry_fake() as api:
        for label, path, headers, status in (("an unknown order", "/orders/999999999", None, 404),
                                             ("a wrong API key", "/orders", {"X-API-Key": "wrong"}, 401)):
            kwargs = {"headers": headers} if headers is not None else {}
            out = _request(make_api_request, api, path=path, **kwargs)
            found = _in_chain(out.error, requests.HTTPError)
            expect(found is not None and getattr(found.response, "status_code", None) == status,
                   f"{label} answers {status}: raise requests.HTTPError", expected=f"HTTPError ({status})",
                   seen=repr(out.error) if out.error else f"returned {out.response!r}")
            expect(len(out.statuses) == 1 and not out.waits, f"a {status} cannot succeed on retry",
                   expected="1 request, no wait", seen=f"{len(out.statuses)} requests, waits {out.waits}")


@request.check("gives up after max_retries with the last error", points=2,
               hint="Stop after max_retries retries and raise the last error: raise_for_status() on the "
                    "last response (HTTPError), or re-raise the last exception; never return a failed "
                    "response and never replace the error with a vague RuntimeError.")
def _gives_up(make_api_request: Callable[..., Any]) -> None:
    import requests

    from depipe_course.fakes.api import ServerError, TimedOut

    with _retry_fake() as api:
        statuses = [500, 502, 504, 503, 500, 502, 504, 503]
        out = _request(make_api_request, api, *(ServerError(s) for s in statuses), max_retries=3)
        expect(len(out.statuses) in (3, 4), "max_retries=3 allows 3 retries (4 requests)",
               expected="4 requests (3 accepted too)", seen=f"{len(out.statuses)}: {out.statuses}")
        last = out.statuses[-1]
        found = _in_chain(out.error, requests.HTTPError)
        expect(found is not None and getattr(found.response, "status_code", None) == last,
               f"the last answer was {last}: raise it as requests.HTTPError",
               expected=f"HTTPError ({last})",
               seen=repr(out.error) if out.error else f"returned {out.response!r}")
        _expect_no_wait_at_the_end(out)
        out = _request(make_api_request, api, *[TimedOut()] * 8, max_retries=2)
        expect(len(out.statuses) in (2, 3), "max_retries=2 allows 2 retries (3 requests)",
               expected="3 requests (2 accepted too)", seen=f"{len(out.statuses)}: {out.statuses}")
        expect(_in_chain(out.error, requests.Timeout) is not None,
               "every attempt timed out: raise that Timeout", expected="requests.Timeout",
               seen=repr(out.error) if out.error else f"returned {out.response!r}")
        _expect_no_wait_at_the_end(out)


def _expect_no_wait_at_the_end(out: _Outcome) -> None:
    """A wait belongs between two attempts: one after the last only delays the error."""
    expect(len(out.waits) == len(out.statuses) - 1,
           f"{_n(len(out.statuses), 'request')} need {_n(len(out.statuses) - 1, 'wait')} between them; "
           "a wait after the last attempt only delays the error",
           expected=f"{len(out.statuses) - 1} waits", seen=f"{len(out.waits)} waits: {out.waits}",
           hint="Decide whether this was the last attempt before sleeping: when no retry is left, "
                "raise at once.")


# ---------------------------------------------------------------- 03.7 rate limiter

limiter = exercise("03.7", "A token-bucket rate limiter", ["RateLimiter"])


class _BusyWait(Exception):
    pass


class _Clock:
    """A FakeClock that refuses to be read endlessly (a busy-wait would never end)."""

    def __init__(self) -> None:
        from depipe_course.fakes.api import FakeClock

        self._clock = FakeClock()
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        if self.reads > 200_000:
            raise _BusyWait("the clock was read 200,000 times")
        return self._clock()

    def sleep(self, seconds: float) -> None:
        self._clock.sleep(seconds)

    def advance(self, seconds: float) -> None:
        self._clock.advance(seconds)


def _limited(RateLimiter: Any, rate: float, burst: int, gaps: Iterable[float]) -> list[float]:
    """When each ``wait()`` returned, on a fake clock that ``sleep`` advances."""
    clock = _Clock()
    stamps: list[float] = []
    with _patched_time(clock=clock, sleep=clock.sleep):
        gate = RateLimiter(rate, burst=burst, clock=clock, sleep=clock.sleep)
        for gap in gaps:
            if gap:
                clock.advance(gap)
            try:
                gate.wait()
            except _BusyWait:
                fail("wait() read the clock 200,000 times without returning: sleep instead of "
                     "looping on the clock", expected="sleep(seconds until the next token)", seen="busy-waiting")
            stamps.append(clock._clock())
    return stamps


def _worst_window(stamps: list[float], rate: float, burst: int) -> tuple[int, float, float] | None:
    """The window holding the most calls beyond ``rate * length + burst``, if any."""
    worst = None
    for i, start in enumerate(stamps):
        for j in range(i, len(stamps)):
            calls, length = j - i + 1, stamps[j] - start
            excess = calls - (rate * length + burst)
            if excess > 1e-6 and (worst is None or excess > worst[0]):
                worst = (excess, calls, length)
    return None if worst is None else (worst[1], worst[2], rate * worst[2] + burst)


def _mixed_gaps(n: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [rng.choice((0, 0, 0, 0, 0, 0, 0.05, 0.1, 0.2, 2.5)) for _ in range(n)]


@limiter.check("never lets more than rate × window + burst calls through", points=3,
               hint="Keep a bucket of up to burst tokens that refills at calls_per_second; each wait() "
                    "takes a token, sleeping (1 - tokens) / rate when none is there. Cap the bucket at "
                    "burst, or a long idle spell saves up an unbounded burst.")
def _never_too_many(RateLimiter: Any) -> None:
    for rate, burst, gaps in ((5, 1, [0] * 60), (10, 4, _mixed_gaps(120, 1)), (2, 3, [100] + [0] * 30)):
        stamps = _limited(RateLimiter, rate, burst, gaps)
        worst = _worst_window(stamps, rate, burst)
        if worst is not None:
            calls, length, allowed = worst
            fail(f"RateLimiter({rate}, burst={burst}) let {calls} calls through in {length:.2f} s",
                 expected=f"at most {rate} × {length:.2f} + {burst} = {allowed:.2f} calls",
                 seen=f"{calls} calls")


@limiter.check("lets a burst of `burst` calls through at once, from the start and after idling", points=2,
               hint="A full bucket holds burst tokens: after an idle spell, burst calls go through "
                    "without any wait. A fixed minimum interval between calls cannot do that.")
def _allows_burst(RateLimiter: Any) -> None:
    stamps = _limited(RateLimiter, 2, 5, [0] * 5 + [10] + [0] * 4)
    spread = stamps[4] - stamps[0]
    expect(spread < 1e-9, "a new RateLimiter(2, burst=5) starts full: its first 5 calls go through at once",
           expected="5 calls in 0 s", seen=f"5 calls spread over {spread:.2f} s",
           hint="Start with a full bucket of burst tokens (tokens = burst in __init__, with the time of "
                "that moment), and let it refill up to burst, not up to 1.")
    spread = stamps[9] - stamps[5]
    expect(spread < 1e-9, "after 10 s idle, RateLimiter(2, burst=5) should let 5 calls through at once",
           expected="5 calls in 0 s", seen=f"5 calls spread over {spread:.2f} s")


@limiter.check("keeps the average rate without waiting needlessly", points=2,
               hint="Sleep only as long as it takes the next token to arrive: (1 - tokens) / rate.")
def _not_too_slow(RateLimiter: Any) -> None:
    for rate, burst, n in ((4, 1, 41), (4, 3, 43)):
        stamps = _limited(RateLimiter, rate, burst, [10] + [0] * (n - 1))
        ideal = (n - burst) / rate
        took = stamps[-1] - stamps[0]
        expect(took <= ideal * 1.01 + 1e-6, f"{n} back-to-back calls at {rate}/s with burst={burst} "
               f"need {ideal:g} s", expected=f"{ideal:g} s", seen=f"{took:.2f} s")
