"""03.6: ``make_api_request`` retries what can succeed and raises what cannot.

429 waits Retry-After (seconds or an HTTP date) or backs off; 5xx, timeouts and connection
errors back off exponentially; other 4xx raise at once; after max_retries the last error
is raised, with no wait after the last attempt.
"""

from __future__ import annotations

import contextlib
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from unittest import mock

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import exercise
from depipe_course.exercises._errors import in_chain as _in_chain
from depipe_course.exercises._waiting import RecordingSleep, TooManyWaits
from depipe_course.exercises.part03._shared import (
    _budget_blown,
    _expect_timeouts,
    _fake,
    _fresh_budget,
    _n,
    _patched_time,
    _runaway,
    _session,
)

if TYPE_CHECKING:
    from depipe_course.fakes.api import FakePaymentsAPI, Fault

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
