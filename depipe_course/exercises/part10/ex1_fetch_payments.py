"""10.1: ``fetch_payments`` yields every payment of ``[from_ts, to_ts)`` exactly once, lazily.

It pages by cursor with ``count`` per page, authenticates and times out every request,
waits out 429s (Retry-After in seconds or as a date) and backs off on 5xx, timeouts and
resets with ``max_retries`` per page, raises when a page still fails or on other 4xx,
and waits only through the injected ``sleep``.
"""

from __future__ import annotations

import contextlib
import itertools
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from depipe_course.checking import expect, fail
from depipe_course.exercises import exercise
from depipe_course.exercises._errors import in_chain as _in_chain
from depipe_course.exercises._waiting import TooManyWaits
from depipe_course.exercises.part10._shared import (
    _describe,
    _fake,
    _n,
    _quiet_time,
    _recorder,
    _runaway,
    _session,
    _worker_side,
)

if TYPE_CHECKING:
    from depipe_course.fakes.api import FakePaymentsAPI, Fault


fetch = exercise("10.1", "Fetch every payment through faults", ["fetch_payments"])

_F_SEED, _F_PAYMENTS, _F_COUNT = 101, 240, 25


def _open_api(**kwargs: Any) -> FakePaymentsAPI:
    """The fake for 10.1's checks: no auth asked (only the auth checks ask), seeded, a budget of requests.

    Credentials sent anyway are ignored, so a mistake with ``auth`` fails the auth
    checks alone, not every check that makes a request.
    """
    return _fake(**{"seed": _F_SEED, "payments": 60, "auth": "none", **kwargs})


def _window(api: FakePaymentsAPI, first_day: int = 4, last_day: int = 21) -> tuple[int, int]:
    """A window inside the fake's month: some payments fall before and after it.

    Only the window check asks for it. The other checks ask for ``api.window``, which
    holds every payment, so a request that leaves out ``from`` or ``to`` fails the
    window check alone, not every check that happens to page.
    """
    start, _ = api.window
    return start + first_day * 86_400, start + last_day * 86_400


@dataclass
class _Fetched:
    items: list[Any]
    error: BaseException | None
    waits: list[float]
    time_sleeps: list[float]
    statuses: list[int | str]

    @property
    def any_waits(self) -> list[float]:
        """The waits, whichever way they went: judged by the waiting checks, while the check on
        ``sleep`` alone judges *how* they were made."""
        return [round(w, 2) for w in (self.waits or self.time_sleeps)]


def _seeded_random(seed: int) -> contextlib.AbstractContextManager[Any]:
    """The learner's ``random`` module seeded for the block, then put back as it was.

    Jittered waits are then the same on every run, so a check on how waits grow
    gives one answer for a given piece of code, never a lucky one.
    """
    return _worker_side().seeded_random(seed)  # type: ignore[no-any-return]


def _fetch(fetch_payments: Callable[..., Any], api: FakePaymentsAPI, *faults: Fault | None,
           window: tuple[int, int] | None = None, cap: int = 2_000, auth: Any = None,
           inject_after: int = 0, **kwargs: Any) -> _Fetched:
    """Run the learner's generator to the end (or ``cap`` items), recording what happened."""
    sleeps, time_sleeps = _recorder(), _recorder()
    api.calls.clear()
    if faults:
        api.inject(*([None] * inject_after), *faults)
    start, end = window if window is not None else api.window
    items: list[Any] = []
    error: BaseException | None = None
    with _quiet_time(time_sleeps, fetch_payments), _session() as session, _seeded_random(_F_SEED):
        try:
            stream = fetch_payments(session, api.base_url, api.basic_auth if auth is None else auth, start, end,
                                    sleep=sleeps, **kwargs)
            items.extend(itertools.islice(iter(stream), cap))
        except (TooManyWaits, NotImplementedError):
            raise
        except Exception as exc:  # what was raised is judged by each check
            error = exc
    _runaway(api)
    statuses: list[int | str] = [c.status if c.status is not None else type(c.error).__name__ for c in api.calls]
    return _Fetched(items, error, sleeps.waits, time_sleeps.waits, statuses)


def _fetched_ids(out: _Fetched) -> list[Any]:
    ids = []
    for item in out.items:
        if not isinstance(item, Mapping) or "payment_id" not in item:
            fail("yield each payment as the dict the API sent", expected="a dict with 'payment_id'",
                 seen=repr(item)[:120])
        ids.append(item["payment_id"])
    return ids


def _seen(out: _Fetched) -> str:
    return f"{_describe(out.error)} after {_n(len(out.items), 'payment')}; answers: {out.statuses[:12]}"


def _expect_no_error(out: _Fetched, message: str, expected: str, hint: str | None = None) -> None:
    """The stream ended without an exception, or the check fails with its own ``message``."""
    if out.error is not None:
        fail(message, expected=expected, seen=_seen(out), hint=hint)


def _expect_first_page(out: _Fetched, api: FakePaymentsAPI, what: str) -> None:
    """The page the faults hit was asked for again and its payments came out."""
    first = [r["payment_id"] for r in api.state.payment_records(*api.window)[:_F_COUNT]]
    ids = _fetched_ids(out)
    expect(ids[:_F_COUNT] == first, f"after {what} the same page should be asked for again and its payments "
           "yielded", expected=f"the first page's {_F_COUNT} payments", seen=f"{_n(len(ids), 'payment')}; "
           f"{len(set(first) & set(ids[:_F_COUNT]))} of the first page's")


def _window_hint(api: FakePaymentsAPI) -> str | None:
    """A hint naming the window parameters the first request left out, if any."""
    sent = api.calls[0].params if api.calls else {}
    missing = [name for name in ("from", "to") if name not in sent]
    if not missing:
        return None
    names = " and ".join(f"'{name}'" for name in missing)
    return (f"Your requests carry no {names} parameter, so the API served payments outside the window: send "
            "params={'from': from_ts, 'to': to_ts, 'count': count} on every request.")


def _expect_all(out: _Fetched, api: FakePaymentsAPI, window: tuple[int, int] | None = None) -> None:
    _expect_no_error(out, "fetching should have succeeded", "every payment of the window")
    expected = [r["payment_id"] for r in api.state.payment_records(*(window or api.window))]
    ids = _fetched_ids(out)
    counts = Counter(ids)
    missing = len(set(expected) - counts.keys())
    outside = len(counts.keys() - set(expected))
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    if missing or outside or duplicates:
        fail("not every payment of the window arrived exactly once",
             expected=f"{len(expected)} payments, each once",
             seen=f"{len(ids)} yielded in {_n(len(api.calls), 'request')}: {missing} missing, "
                  f"{duplicates} duplicates, {outside} outside [from_ts, to_ts)",
             hint=_window_hint(api) if outside else None)


@fetch.check("yields every payment of [from_ts, to_ts) exactly once", points=2,
             hint="GET {base_url}/payments with params from, to and count; yield the page's 'items'; "
                  "send next_cursor back as 'cursor' until it is null (the key is next_cursor).")
def _fetch_all(fetch_payments: Callable[..., Any]) -> None:
    with _open_api(payments=_F_PAYMENTS) as api:
        window = _window(api)
        _expect_all(_fetch(fetch_payments, api, window=window, count=_F_COUNT), api, window)


@fetch.check("asks for count per page and stops on a null next_cursor", points=1,
             hint="Pass count=count on every request and stop as soon as next_cursor is null: "
                  "n payments cost ceil(n / count) requests.")
def _fetch_fewest(fetch_payments: Callable[..., Any]) -> None:
    with _open_api(payments=_F_PAYMENTS) as api:
        out = _fetch(fetch_payments, api, count=_F_COUNT)
        _expect_no_error(out, "fetching should have succeeded", "every payment, page by page")
        sent = [c.params.get("count") for c in api.calls]
        expect(sent and all(c == str(_F_COUNT) for c in sent), "ask for count payments per page",
               expected=f"count={_F_COUNT} on every request", seen=f"count={sorted(set(map(str, sent)))}",
               hint="Send count=count (the argument) in params on every request, never a number of your own.")
        pages = -(-_F_PAYMENTS // _F_COUNT)
        expect(len(api.calls) == pages, "the fewest requests for this window: one per page, none after the "
               "page whose next_cursor is null", expected=f"{_n(pages, 'request')} for {_F_PAYMENTS} payments at "
               f"count={_F_COUNT}", seen=_n(len(api.calls), "request"))


@fetch.check("authenticates every request with auth", points=1,
             hint="Pass auth=auth to session.get: requests turns a (user, password) pair into HTTP "
                  "Basic and calls an AuthBase object on each request.")
def _fetch_auth(fetch_payments: Callable[..., Any]) -> None:
    from depipe_course.fakes.api import RateLimited

    with _open_api(auth="basic") as api:
        out = _fetch(fetch_payments, api, RateLimited(1), count=_F_COUNT)
        expected = api.auth_headers()["Authorization"]
        wrong = [f"request {c.number}" for c in api.calls if c.headers.get("Authorization") != expected]
        expect(api.calls and not wrong, "every request must carry the credentials in auth, the retry of a 429 "
               "too", expected="HTTP Basic on every request", seen=f"{len(wrong)} of {len(api.calls)} without: "
               f"{wrong[:3]}; answers: {out.statuses[:6]}")
        _expect_no_error(out, "with HTTP Basic credentials in auth the API answers every request",
                         "payments, no error")

    with _open_api(auth="oauth") as api:  # a requests.auth.AuthBase sending a bearer token
        out = _fetch(fetch_payments, api, count=_F_COUNT, auth=_worker_side().bearer(api.issue_token()))
        _expect_no_error(out, "auth may also be a requests.auth.AuthBase (here a bearer token): hand it to "
                         "requests as it is", "payments, no error",
                         hint="Pass auth=auth unchanged: HTTPBasicAuth(*auth) or auth[0] works for a pair only.")
        headers = [c.headers.get("Authorization") for c in api.calls]
        expect(len(out.items) > 0 and all(str(h).startswith("Bearer ") for h in headers),
               "every request must carry the bearer token", expected="Authorization: Bearer ... on every request",
               seen=f"{_n(len(out.items), 'payment')}; headers {headers[:2]}")


@fetch.check("is lazy: the first payment arrives after one request", points=1,
             hint="Write a generator (yield from each page's items) so the next page is fetched only "
                  "when the consumer reaches it.")
def _fetch_lazy(fetch_payments: Callable[..., Any]) -> None:
    with _open_api(payments=_F_PAYMENTS) as api, _quiet_time(_recorder()), _session() as session:
        stream = fetch_payments(session, api.base_url, api.basic_auth, *api.window, count=_F_COUNT,
                                sleep=_recorder())
        first = next(iter(stream), None)
        expect(first is not None, "no payment came out at all", expected="a first payment", seen="nothing")
        expect(api.count() == 1, "the first payment should arrive after one request",
               expected="1 request", seen=_n(api.count(), "request"))


@fetch.check("passes a timeout on every request", points=1,
             hint="session.get(..., timeout=(3.05, 30)): without one a stalled connection hangs the run.")
def _fetch_timeout(fetch_payments: Callable[..., Any]) -> None:
    from depipe_course.fakes.api import ServerError

    with _open_api() as api:
        _fetch(fetch_payments, api, ServerError(503), count=_F_COUNT)
        missing = [c.url for c in api.calls if not c.timeout_passed]
        expect(api.calls and not missing, "a request without timeout= can wait for ever",
               expected="timeout= on every request, retries included",
               seen=f"{len(missing)} of {len(api.calls)} without one")


_DATE_WAIT_S = 30  # the Retry-After given as an HTTP-date, about this many seconds ahead


@fetch.check("waits Retry-After on a 429 (seconds or an HTTP-date), then carries on", points=2,
             hint="On 429 read response.headers.get('Retry-After'): whole seconds ('7') or an HTTP-date "
                  "('Wed, 01 Apr 2026 10:00:30 GMT': email.utils.parsedate_to_datetime, minus now); "
                  "sleep(that many seconds) and ask for the same page again.")
def _fetch_429(fetch_payments: Callable[..., Any]) -> None:
    from depipe_course.fakes.api import RateLimited

    with _open_api() as api:
        out = _fetch(fetch_payments, api, RateLimited(7), RateLimited(4), RateLimited(_DATE_WAIT_S, http_date=True),
                     count=_F_COUNT)
        _expect_no_error(out, "three 429s in a row are well within max_retries: wait each out and ask again",
                         "the page, after three waits")
        waits = out.any_waits
        expect(len(waits) == 3 and 7 <= waits[0] <= 9 and 4 <= waits[1] <= 6,
               "the waits should be what Retry-After said", expected=f"[7, 4, about {_DATE_WAIT_S}] (seconds)",
               seen=waits)
        expect(_DATE_WAIT_S - 5 <= waits[2] <= _DATE_WAIT_S + 1, "Retry-After was an HTTP-date this time: wait "
               "until that moment", expected=f"about {_DATE_WAIT_S} s (the date minus now)", seen=f"{waits[2]} s",
               hint="Parse a date with email.utils.parsedate_to_datetime and wait (date - "
                    "datetime.now(timezone.utc)).total_seconds().")
        _expect_first_page(out, api, "the 429s")


_BACKOFF_FAULTS = 6  # 500, 502, 503, 504, a timeout, a reset: all on one page


@fetch.check("retries 5xx, timeouts and dropped connections, backing off exponentially", points=2,
             hint="Catch requests.Timeout and requests.ConnectionError, and treat 500/502/503/504 like "
                  "a 429 without Retry-After: back off exponentially (1, 2, 4 ... s, with jitter if you "
                  "like) and ask again.")
def _fetch_transient(fetch_payments: Callable[..., Any]) -> None:
    from depipe_course.fakes.api import ConnectionReset, ServerError, TimedOut

    with _open_api() as api:
        faults = (ServerError(500), ServerError(502, html=True), ServerError(503), ServerError(504),
                  TimedOut("read"), ConnectionReset())
        out = _fetch(fetch_payments, api, *faults, count=_F_COUNT, max_retries=_BACKOFF_FAULTS + 1)
        _expect_no_error(out, "500, 502, 503, 504, a timeout and a reset are all worth another try",
                         f"the page, after {_BACKOFF_FAULTS} retries (max_retries={_BACKOFF_FAULTS + 1})")
        waits = out.any_waits
        expect(len(waits) == _BACKOFF_FAULTS and all(w > 0 for w in waits), "wait before each retry",
               expected=f"{_BACKOFF_FAULTS} waits > 0 (after 500, 502, 503, 504, a timeout, a reset)", seen=waits)
        expect(max(waits[-2:]) > 2 * waits[0], "back off exponentially: the waits of one page should grow "
               "with each retry", expected="each wait about double the one before (1, 2, 4, 8 ... s)", seen=waits,
               hint="Wait base * 2**retry seconds (retry = 0, 1, 2 ...), capped, never a fixed number.")
        _expect_first_page(out, api, "the faults")


_BUDGET_PAGES, _BUDGET_RETRIES, _BUDGET_MAX = 4, 2, 3  # pages 2-5 need 2 retries each; max_retries=3


@fetch.check("allows max_retries retries on every page, not max_retries in all", points=2,
             hint="Count retries per page: start from 0 for each page (the retry loop inside the page loop), "
                  "so a long run that meets a fault here and there never runs out of retries.")
def _fetch_budget(fetch_payments: Callable[..., Any]) -> None:
    from depipe_course.fakes.api import RateLimited

    with _open_api(payments=_F_PAYMENTS) as api:
        page = [*[RateLimited(1)] * _BUDGET_RETRIES, None]
        out = _fetch(fetch_payments, api, *page * _BUDGET_PAGES, inject_after=1, count=_F_COUNT,
                     max_retries=_BUDGET_MAX)
        total = _BUDGET_PAGES * _BUDGET_RETRIES
        _expect_no_error(out, f"pages 2 to {_BUDGET_PAGES + 1} were each rate limited {_BUDGET_RETRIES} times, "
                         f"fewer than max_retries={_BUDGET_MAX}: each page should get through",
                         f"every page fetched after {total} retries in all, {_BUDGET_RETRIES} per page")
        _expect_all(out, api)


@fetch.check("gives up by raising when a page still fails after max_retries, never by parsing the failure",
             points=3,
             hint="When the last retry still fails, raise: response.raise_for_status() for a 429 or 5xx, or "
                  "re-raise the timeout or connection error. A loop that just ends falls through to "
                  "response.json() on an error body, so the stream ends early, or fails with KeyError, and "
                  "the run looks finished.")
def _fetch_gives_up(fetch_payments: Callable[..., Any]) -> None:
    import requests

    from depipe_course.fakes.api import ConnectionReset, RateLimited, ServerError

    endless: list[tuple[str, Fault, type[BaseException], int | None]] = [
        ("rate limited (429)", RateLimited(1), requests.HTTPError, 429),
        ("a 503", ServerError(503), requests.HTTPError, 503),
        ("a dropped connection", ConnectionReset(), requests.ConnectionError, None),
    ]
    for what, fault, kind, status in endless:
        with _open_api() as api:
            out = _fetch(fetch_payments, api, *[fault] * 12, count=_F_COUNT, max_retries=3)
        found = _in_chain(out.error, kind)
        answered = getattr(getattr(found, "response", None), "status_code", None)
        if found is None or answered != status:
            seen = (f"the stream ended quietly after {_n(len(out.items), 'payment')}" if out.error is None
                    else _describe(out.error))
            wanted = f"requests.HTTPError for the {status}" if status else f"{kind.__module__}.{kind.__name__}"
            fail(f"a page that is still {what} after max_retries retries must fail the stream",
                 expected=wanted, seen=seen)
        # Too few retries is the business of the checks on retrying; here, only too many.
        accepted = (3, 4) if status == 429 else (1, 2, 3, 4)
        expect(len(out.statuses) in accepted, f"max_retries=3 allows 3 retries of the page that is {what}",
               expected="4 requests for that page", seen=f"{len(out.statuses)}: {out.statuses}")


@fetch.check("raises other 4xx at once", points=1,
             hint="A 401 or 404 will not change on retry: raise_for_status() on the first answer.")
def _fetch_401(fetch_payments: Callable[..., Any]) -> None:
    import requests

    with _open_api(auth="basic") as api:
        out = _fetch(fetch_payments, api, count=_F_COUNT, auth=("someone", "wrong-secret"))
        found = _in_chain(out.error, requests.HTTPError)
        expect(found is not None and getattr(found.response, "status_code", None) == 401,
               "wrong credentials answer 401: raise requests.HTTPError", expected="HTTPError (401)",
               seen=_describe(out.error) if out.error else f"{_n(len(out.items), 'payment')} yielded")
        expect(len(out.statuses) == 1 and not out.waits, "a 401 cannot succeed on retry",
               expected="1 request, no wait", seen=f"{len(out.statuses)} requests, waits {out.waits}")


@fetch.check("waits through the injected sleep, never time.sleep", points=1,
             hint="Call sleep(seconds), the parameter: tests and this check pass a fake one, and the "
                  "pipeline's run passes its own.")
def _fetch_sleep(fetch_payments: Callable[..., Any]) -> None:
    from depipe_course.fakes.api import RateLimited, ServerError

    with _open_api() as api:
        out = _fetch(fetch_payments, api, RateLimited(2), ServerError(503), count=_F_COUNT)
        # Whether the 503 is retried at all is judged elsewhere: here, only how each wait was made.
        expect(out.waits and not out.time_sleeps, "waits must go through the sleep argument",
               expected="sleep(2) for the 429 (and one for the 503), none of time.sleep",
               seen=f"sleep: {out.waits}, time.sleep: {out.time_sleeps}")
