"""Part 10 — A production pipeline (fake payments API → database).

The checks run the learner's stages against ``FakePaymentsAPI`` (in-process, seeded,
fault-injecting) and a SQLite file in the check's scratch folder. Nothing touches the
network and nothing really sleeps: ``sleep=`` is a recorder, and ``time.sleep`` is
patched for the checking thread too, as is every ``sleep=time.sleep`` default in the
learner's namespace, so code that ignores the injected ``sleep`` is still graded quickly
(one sub-check says so). Log records are kept off the notebook's stderr while a check
runs.

Each sub-check fails for its own reason where it can: 10.1's checks ask an API without
auth (only the auth checks ask for it), for the whole month (only the window check asks
for a window inside it), and put their faults on the first page (only the per-page
retry check needs several), so one mistake is reported once, by the check about it.

The expected values come from the course's own pieces: the payments a window holds
(``api.state``), the reference ``Payment`` model of exercise 09.3, and
``depipe_course.db.read_payments`` to read a table back. The database is SQLite only:
the same reference pipeline is run against PostgreSQL by the test suite
(``tests/pipeline``), which is not something a check can ask of a learner's laptop.

Two design points:

* A *kill* is simulated by raising ``_Killed``, a ``BaseException`` (as
  ``KeyboardInterrupt`` is), from the HTTP session or from the database connection
  after a batch was written but before it was committed. The check then drops the
  connection without committing (what a dead process leaves behind) and runs again.
* Dead letters are recorded in memory (``_RecordingDLQ``) for 10.2 and 10.3, so a
  check can see the exception object itself; 10.4 reads the NDJSON file ``run`` leaves.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import logging
import sqlite3
import threading
import time
import types
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest import mock

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import exercise
from depipe_course.exercises._waiting import RecordingSleep, TooManyWaits

if TYPE_CHECKING:
    import requests

    from depipe_course.fakes.api import FakePaymentsAPI, Fault, FaultSchedule

_BUDGET = 150  # data requests one run may make before every answer becomes a reset
_MAX_WAITS = 60


# ---------------------------------------------------------------- shared helpers


def _fake(*, faults: FaultSchedule | None = None, limit: int = _BUDGET, **kwargs: Any) -> FakePaymentsAPI:
    """A payments-only fake with HTTP Basic auth; its schedule is wrapped in a budget."""
    from depipe_course.fakes.api import FakePaymentsAPI, RequestBudget

    settings: dict[str, Any] = {"orders": 0, "accounts": 0, "auth": "basic", **kwargs}
    return FakePaymentsAPI(faults=RequestBudget(limit, faults), **settings)


def _runaway(api: FakePaymentsAPI) -> None:
    from depipe_course.fakes.api import RequestBudget

    if isinstance(api.faults, RequestBudget) and api.faults.exceeded:
        fail(f"your code made more than {api.faults.limit} requests without finishing: does the loop "
             "stop when next_cursor is null, and does each retry loop stop after max_retries?",
             expected="the loop ends after the last page", seen=f"more than {api.faults.limit} requests")


def _recorder() -> RecordingSleep:
    """A recording sleep allowing as many waits as a hostile run of the reference needs."""
    return RecordingSleep(_MAX_WAITS)


class _LogSink(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        pass


_REAL_SLEEP = time.sleep


@contextlib.contextmanager
def _sleep_defaults(functions: Iterable[Any], patched: Callable[[float], None]) -> Iterator[None]:
    """Defaults that hold the real ``time.sleep`` point at ``patched`` for the block.

    ``def f(..., sleep=time.sleep)`` binds the function object when ``def`` runs, so
    patching ``time.sleep`` misses it: a call that leaves ``sleep`` out (a stage, a
    helper, ``with_retry``) would sleep for real and hold the check up for a minute.
    """
    saved: list[tuple[types.FunctionType, str, Any]] = []
    for fn in functions:
        if not isinstance(fn, types.FunctionType):
            continue
        kwdefaults = fn.__kwdefaults__
        if kwdefaults and any(v is _REAL_SLEEP for v in kwdefaults.values()):
            saved.append((fn, "__kwdefaults__", kwdefaults))
            fn.__kwdefaults__ = {k: patched if v is _REAL_SLEEP else v for k, v in kwdefaults.items()}
        defaults = fn.__defaults__
        if defaults and any(v is _REAL_SLEEP for v in defaults):
            saved.append((fn, "__defaults__", defaults))
            fn.__defaults__ = tuple(patched if v is _REAL_SLEEP else v for v in defaults)
    try:
        yield
    finally:
        for fn, attribute, value in reversed(saved):
            setattr(fn, attribute, value)


@contextlib.contextmanager
def _quiet_time(sleeps: Callable[[float], None], reach: Any = None) -> Iterator[None]:
    """``time.sleep`` for the checking thread goes to ``sleeps``; logs and stderr go nowhere.

    ``reach`` is the learner's function: it, and the functions of its namespace, get
    ``sleeps`` in place of a ``sleep=time.sleep`` default too (see ``_sleep_defaults``).
    """
    owner = threading.get_ident()

    def patched(seconds: float) -> None:
        if threading.get_ident() == owner:
            sleeps(seconds)
        else:
            _REAL_SLEEP(seconds)

    namespace = getattr(reach, "__globals__", {})
    functions = [reach, *list(namespace.values())] if reach is not None else []
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    root.handlers = [_LogSink()]
    root.setLevel(logging.WARNING)
    try:
        with (mock.patch.object(time, "sleep", patched), _sleep_defaults(functions, patched),
              contextlib.redirect_stderr(io.StringIO())):
            yield
    finally:
        root.handlers = saved_handlers
        root.setLevel(saved_level)


def _payment_model() -> Any:
    """The reference ``Payment`` of exercise 09.3 (the learner's own in a learner edition)."""
    from depipe_course import edition

    return edition.stand_in("09.3", "Payment")


def _session() -> requests.Session:
    import requests

    return requests.Session()


def _n(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def _in_chain(error: BaseException | None, kind: type[BaseException]) -> BaseException | None:
    """``error`` or the first exception it was raised from that is a ``kind``."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kind):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def _describe(error: BaseException | None) -> str:
    return "no exception" if error is None else f"{type(error).__name__}: {str(error)[:150]}"


@dataclass
class _Entry:
    record: Any
    error: BaseException
    context: Any


@dataclass
class _RecordingDLQ:
    """A dead letter queue that keeps the entries (and the exception objects) in memory."""

    entries: list[_Entry] = field(default_factory=list)

    def write(self, record: Any, error: BaseException, context: Mapping[str, Any] | None = None) -> None:
        self.entries.append(_Entry(record, error, context))

    def __iter__(self) -> Iterator[_Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


def _field(obj: Any, name: str) -> Any:
    """``obj[name]`` for a mapping, ``obj.name`` for a model; None when absent."""
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _entry_payment_id(record: Any, context: Any) -> Any:
    """The payment a dead letter is about: from the context, else from the record."""
    found = _field(context, "payment_id") if isinstance(context, Mapping) else None
    return found if found is not None else _field(record, "payment_id")


# ================================================================ 10.1 fetch_payments

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


@contextlib.contextmanager
def _seeded_random(seed: int) -> Iterator[None]:
    """The ``random`` module seeded for the block, then put back as it was.

    Jittered waits are then the same on every run, so a check on how waits grow
    gives one answer for a given piece of code, never a lucky one.
    """
    import random

    state = random.getstate()
    random.seed(seed)
    try:
        yield
    finally:
        random.setstate(state)


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
    import requests

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

    class Bearer(requests.auth.AuthBase):
        def __init__(self, token: str) -> None:
            self.token = token

        def __call__(self, request: Any) -> Any:
            request.headers["Authorization"] = f"Bearer {self.token}"
            return request

    with _open_api(auth="oauth") as api:
        out = _fetch(fetch_payments, api, count=_F_COUNT, auth=Bearer(api.issue_token()))
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


# ================================================================ 10.2 transform_payments

transform = exercise("10.2", "Validate payments, dead-letter the rest", ["transform_payments"],
                     uses=["09.3", "04.3"])

_T_SEED = 102


def _raw_payments(payments: int = 60, invalid: int = 10, seed: int = _T_SEED) -> tuple[list[dict[str, Any]], set[str]]:
    """Wire records (invalid ones among them) and the ids of the invalid ones."""
    from depipe_course.fakes.api import FakePaymentsAPI

    api = FakePaymentsAPI(seed=seed, orders=0, accounts=0, payments=payments, invalid_payments=invalid)
    return api.state.payment_records(), set(api.state.invalid_payments())


def _dump(item: Any) -> Any:
    dump = getattr(item, "model_dump", None)
    if not callable(dump):
        fail("yield Payment models (the validated objects), not dicts or tuples",
             expected="Payment(...)", seen=repr(item)[:120])
    return dump()


def _transform(transform_payments: Callable[..., Any], raw: Iterable[Any],
               cap: int = 5_000) -> tuple[list[Any], _RecordingDLQ]:
    dlq = _RecordingDLQ()
    with _quiet_time(_recorder()):
        out = list(itertools.islice(iter(transform_payments(raw, dlq)), cap))
    return out, dlq


@transform.check("yields a Payment for each valid record, in order", points=2,
                 hint="Payment.model_validate(record) for each record; yield the model.")
def _tr_valid(transform_payments: Callable[..., Any]) -> None:
    Payment = _payment_model()
    raw, invalid = _raw_payments()
    out, _ = _transform(transform_payments, raw)
    expected = [Payment.model_validate(r).model_dump() for r in raw if r["payment_id"] not in invalid]
    seen = [_dump(p) for p in out]
    expect(len(seen) == len(expected), "one Payment per valid record",
           expected=_n(len(expected), "payment"), seen=_n(len(seen), "payment"))
    for want, got in zip(expected, seen, strict=True):
        expect_equal(got, want, f"payment {want['payment_id']}")


@transform.check("dead-letters each invalid record once, exactly as it came", points=3,
                 hint="except ValidationError as error: dlq.write(record, error, context=...) with the raw "
                      "record itself, then continue with the next record.")
def _tr_invalid(transform_payments: Callable[..., Any]) -> None:
    raw, invalid = _raw_payments()
    _, dlq = _transform(transform_payments, raw)
    by_id = {r["payment_id"]: r for r in raw}
    ids = [_entry_payment_id(e.record, e.context) for e in dlq]
    expect(sorted(map(str, ids)) == sorted(invalid), "the dead letter queue should hold each invalid record once",
           expected=f"{len(invalid)} entries, one per invalid payment",
           seen=f"{len(ids)} entries: {Counter(map(str, ids)).most_common(3)}")
    changed = [i for i, e in zip(ids, dlq, strict=True) if e.record != by_id.get(i)]
    expect(not changed, "store the record as it came from the API, so it can be fixed and replayed",
           expected="the raw dict, unchanged", seen=f"{len(changed)} altered, e.g. {changed[:1]}")


@transform.check("a dead letter says why: the ValidationError and the payment_id", points=2,
                 hint="Pass the ValidationError itself as the error, and context={'payment_id': "
                      "record.get('payment_id'), ...} (None when the record has none).")
def _tr_context(transform_payments: Callable[..., Any]) -> None:
    from pydantic import ValidationError

    raw, invalid = _raw_payments()
    _, dlq = _transform(transform_payments, raw)
    expect(len(dlq) > 0, "nothing was dead-lettered", expected=f"{len(invalid)} entries", seen=0)
    for entry in dlq:
        expect(isinstance(entry.error, ValidationError), "the error of a dead letter should be the "
               "ValidationError: it names each failing field", expected="pydantic.ValidationError",
               seen=type(entry.error).__name__)
        record_id = _field(entry.record, "payment_id")
        expect(isinstance(entry.context, Mapping) and entry.context.get("payment_id") == record_id,
               "the context should name the payment, so it can be found at the gateway",
               expected={"payment_id": record_id}, seen=entry.context)


class _Pulled:
    """Records from ``items`` that count how many were taken, refusing more than ``limit``."""

    class TooMany(Exception):
        pass

    def __init__(self, items: list[Any], limit: int) -> None:
        self.items = items
        self.limit = limit
        self.taken = 0

    def __iter__(self) -> Iterator[Any]:
        for item in self.items:
            self.taken += 1
            if self.taken > self.limit:
                raise self.TooMany(f"read more than {self.limit} records")
            yield item


@transform.check("is lazy: one record in, one payment out", points=1,
                 hint="Loop over raw and yield each Payment as soon as it is validated; build no list.")
def _tr_lazy(transform_payments: Callable[..., Any]) -> None:
    raw, invalid = _raw_payments()
    first_valid = next(i for i, r in enumerate(raw) if r["payment_id"] not in invalid)
    source = _Pulled(raw, limit=first_valid + 5)
    with _quiet_time(_recorder()):
        try:
            first = next(iter(transform_payments(source, _RecordingDLQ())), None)
        except _Pulled.TooMany:
            fail("the first payment must come out before the rest of the input is read",
                 expected=f"{first_valid + 1} records read", seen="the whole input asked for")
    expect(first is not None and source.taken == first_valid + 1, "read only as far as the first valid record",
           expected=f"{first_valid + 1} records read", seen=f"{source.taken} read")


class _SourceDown(Exception):
    """Stands in for a fetch that gave up (say, an HTTPError after the last retry)."""


@transform.check("lets an error from the source propagate", points=1,
                 hint="Catch only ValidationError, around model_validate. A try around the whole loop "
                      "turns a failed fetch into a quiet, short run.")
def _tr_propagates(transform_payments: Callable[..., Any]) -> None:
    raw, invalid = _raw_payments()
    valid = [r for r in raw if r["payment_id"] not in invalid][:3]

    def failing_source() -> Iterator[dict[str, Any]]:
        yield from valid
        raise _SourceDown("the payments API gave up after 5 retries")

    got: list[Any] = []
    error: BaseException | None = None
    with _quiet_time(_recorder()):
        try:
            for payment in transform_payments(failing_source(), _RecordingDLQ()):
                got.append(payment)
        except NotImplementedError:
            raise
        except Exception as exc:
            error = exc
    expect(_in_chain(error, _SourceDown) is not None, "an error raised by the input is not a bad record: it must "
           "reach the caller", expected="_SourceDown raised after 3 payments",
           seen=f"{_describe(error)} after {_n(len(got), 'payment')}")


@transform.check("leaves the raw records unchanged", points=1,
                 hint="Validate the record as it is; never pop, rename or convert its keys in place.")
def _tr_no_mutation(transform_payments: Callable[..., Any]) -> None:
    import copy

    raw, _ = _raw_payments()
    before = copy.deepcopy(raw)
    _transform(transform_payments, raw)
    changed = [b["payment_id"] for a, b in zip(raw, before, strict=True) if a != b]
    expect(not changed, "the input records were modified", expected="the same dicts, unchanged",
           seen=f"{len(changed)} changed, e.g. {changed[:1]}")


# ================================================================ 10.3 load_payments

load = exercise("10.3", "Upsert payments in batches", ["load_payments"], uses=["09.3"])

_L_SEED, _L_COUNT, _L_BATCH = 103, 100, 30


def _valid_payments(count: int = _L_COUNT, seed: int = _L_SEED) -> list[Any]:
    Payment = _payment_model()
    raw, _ = _raw_payments(count, 0, seed)
    return [Payment.model_validate(r) for r in raw]


def _expected_rows(payments: Iterable[Any]) -> list[Any]:
    from datetime import UTC

    def text(value: Any) -> str:
        return str(getattr(value, "value", value))

    rows = [(p.payment_id, p.merchant_id, Decimal(p.amount), text(p.currency), text(p.status), text(p.method),
             None if p.captured_at is None else p.captured_at.astimezone(UTC)) for p in payments]
    return sorted(rows, key=lambda row: row[0])


def _poison(payment: Any) -> Any:
    """A payment the table refuses (a status the gateway does not have), past the model."""
    return payment.model_copy(update={"status": "disputed"})


def _writes(sql: str) -> bool:
    return sql.lstrip().upper().startswith(("INSERT", "REPLACE", "UPDATE"))


class _CountingCursor(sqlite3.Cursor):
    """Counts the writing statements run through a cursor onto its ``_CountingConnection``."""

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        if _writes(sql):
            self.connection.written["execute"] += 1  # type: ignore[attr-defined]
        return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:
        if _writes(sql):
            self.connection.written["executemany"] += 1  # type: ignore[attr-defined]
        return super().executemany(sql, parameters)


class _CountingConnection(sqlite3.Connection):
    """A SQLite connection that counts its writing ``execute`` and ``executemany`` calls.

    The task asks for one ``executemany`` per batch; ``conn.execute``, ``conn.executemany``
    and a cursor's methods are all counted, whichever the learner's code uses.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.written: Counter[str] = Counter()

    def cursor(self, factory: Any = _CountingCursor) -> Any:  # type: ignore[override]
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:  # type: ignore[override]
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:  # type: ignore[override]
        return self.cursor().executemany(sql, parameters)


@dataclass
class _Db:
    conn: _CountingConnection
    trace: list[str]

    def commits(self) -> int:
        return sum(1 for s in self.trace if s.strip().upper() == "COMMIT")


@contextlib.contextmanager
def _database(tmp_path: Path, name: str = "payments.db") -> Iterator[_Db]:
    from depipe_course import db

    conn = sqlite3.connect(tmp_path / name, timeout=db.BUSY_TIMEOUT_S, factory=_CountingConnection)
    try:
        conn.execute("PRAGMA journal_mode = WAL")  # as db.connect: a commit is not a full flush
        conn.execute("PRAGMA synchronous = NORMAL")
        db.create_payments_table(conn)
        trace: list[str] = []
        conn.set_trace_callback(trace.append)
        yield _Db(conn, trace)
    finally:
        conn.close()


def _load(load_payments: Callable[..., Any], payments: Iterable[Any], conn: Any, **kwargs: Any) -> Any:
    with _quiet_time(_recorder()):
        return load_payments(payments, conn, **kwargs)


def _read(conn: Any) -> list[Any]:
    """The table as ``db.read_payments`` reads it; a value it cannot read fails the check, named."""
    from depipe_course import db

    try:
        return db.read_payments(conn)
    except (ValueError, ArithmeticError) as error:  # decimal.InvalidOperation is an ArithmeticError
        fail("the table holds a value db.read_payments cannot read back", expected="amounts as decimal text "
             "('380.50'), captured_at as ISO-8601 UTC text or NULL", seen=f"{type(error).__name__}: {error}")


@load.check("loads every payment into the payments table", points=2,
            hint="INSERT INTO payments (payment_id, merchant_id, amount, currency, status, method, "
                 "captured_at) VALUES (?, ?, ?, ?, ?, ?, ?), one tuple per payment.")
def _ld_all(load_payments: Callable[..., Any], tmp_path: Path) -> None:
    payments = _valid_payments()
    with _database(tmp_path) as d:
        _load(load_payments, payments, d.conn, batch_size=_L_BATCH)
        rows = _read(d.conn)
    expect(len(rows) == len(payments), "every payment should be in the table",
           expected=_n(len(payments), "row"), seen=_n(len(rows), "row"))
    for want, got in zip(_expected_rows(payments), rows, strict=True):
        expect_equal(got, want, f"the row of {want[0]} (as read back by db.read_payments)")


@load.check("stores exact amounts and UTC times, as the table documents", points=2,
            hint="SQLite has no exact decimal: store format(amount, 'f') ('380.50'), never float(amount) "
                 "('380.5', and binary rounding); store captured_at.astimezone(timezone.utc).isoformat(), "
                 "and None as NULL.")
def _ld_values(load_payments: Callable[..., Any], tmp_path: Path) -> None:
    from datetime import UTC, datetime

    payments = _valid_payments(40)
    with _database(tmp_path) as d:
        _load(load_payments, payments, d.conn, batch_size=_L_BATCH)
        stored = dict((r[0], r[1:]) for r in d.conn.execute("SELECT payment_id, amount, captured_at FROM payments"))
    for p in payments:
        amount, captured = stored.get(p.payment_id, (None, None))
        want = format(Decimal(p.amount).quantize(Decimal("0.01")), "f")
        expect(amount == want, f"the stored amount of {p.payment_id}", expected=repr(want), seen=repr(amount))
        if p.captured_at is None:
            expect(captured is None, "a payment never captured has no captured_at: store NULL",
                   expected=None, seen=captured)
            continue
        try:
            moment = datetime.fromisoformat(captured) if isinstance(captured, str) else None
        except ValueError:
            moment = None
        ok = moment is not None and moment.utcoffset() is not None and not moment.utcoffset() \
            and moment == p.captured_at
        expect(ok, f"captured_at of {p.payment_id} should be ISO-8601 text in UTC",
               expected=p.captured_at.astimezone(UTC).isoformat(), seen=repr(captured))


@load.check("loading the same payments again changes nothing", points=1,
            hint="INSERT ... ON CONFLICT (payment_id) DO UPDATE SET ...: a plain INSERT fails on the key the "
                 "second time, so a re-run or a restart would crash.")
def _ld_again(load_payments: Callable[..., Any], tmp_path: Path) -> None:
    payments = _valid_payments()
    with _database(tmp_path) as d:
        _load(load_payments, payments, d.conn, batch_size=_L_BATCH)
        first = _read(d.conn)
        _load(load_payments, payments, d.conn, batch_size=_L_BATCH)
        expect_equal(_read(d.conn), first, "the table after loading the same payments twice")


_L_CHANGED = 6  # payments that change at the gateway between two loads, in every column


def _changed(payment: Any, k: int) -> Any:
    """``payment`` as the gateway reports it later: every column but the key has changed."""
    from datetime import UTC, datetime, timedelta

    captured = payment.captured_at
    return payment.model_copy(update={
        "merchant_id": f"mer_moved{k:02d}",
        "amount": (Decimal(payment.amount) + Decimal("1.25")).quantize(Decimal("0.01")),
        "currency": "EUR" if payment.currency != "EUR" else "USD",
        "status": "refunded" if payment.status != "refunded" else "failed",
        "method": f"{payment.method}_v2",
        "captured_at": (datetime(2026, 3, 9, 12, k, tzinfo=UTC) if captured is None
                        else captured + timedelta(hours=1, seconds=k)),
    })


@load.check("a changed payment is updated in place, in every column", points=2,
            hint="ON CONFLICT (payment_id) DO UPDATE SET merchant_id = excluded.merchant_id, amount = "
                 "excluded.amount, currency = excluded.currency, status = excluded.status, method = "
                 "excluded.method, captured_at = excluded.captured_at: every column but the key.")
def _ld_updates(load_payments: Callable[..., Any], tmp_path: Path) -> None:
    from depipe_course.db import PAYMENT_COLUMNS

    payments = _valid_payments(_L_BATCH)
    changed = [_changed(p, k) for k, p in enumerate(payments[::5][:_L_CHANGED])]
    with _database(tmp_path) as d:
        _load(load_payments, payments, d.conn, batch_size=_L_BATCH)
        _load(load_payments, changed, d.conn, batch_size=_L_BATCH)
        rows = {r[0]: r for r in _read(d.conn)}
    latest = {p.payment_id: p for p in payments} | {p.payment_id: p for p in changed}
    want = {r[0]: r for r in _expected_rows(latest.values())}
    expect_equal(len(rows), len(want), "the number of rows after re-loading changed payments")
    stale = {PAYMENT_COLUMNS[i] for p in changed for i in range(1, len(PAYMENT_COLUMNS))
             if p.payment_id in rows and rows[p.payment_id][i] != want[p.payment_id][i]}
    expect(not stale, f"{_L_CHANGED} payments changed at the gateway in every column and were loaded again: "
           "their rows should now hold the new values", expected="every column updated",
           seen=f"still the old {', '.join(c for c in PAYMENT_COLUMNS if c in stale)}")
    for pid in sorted(latest):
        expect_equal(rows.get(pid), want[pid], f"the row of {pid} (as read back by db.read_payments)")


@load.check("returns loaded and batches", points=1,
            hint="Count the rows written and the batches: 100 payments at batch_size=30 make 4 batches.")
def _ld_counts(load_payments: Callable[..., Any], tmp_path: Path) -> None:
    payments = _valid_payments()
    with _database(tmp_path) as d:
        stats = _load(load_payments, iter(payments), d.conn, batch_size=_L_BATCH)
    expect(isinstance(stats, Mapping), "return a dict", expected="{'loaded': ..., 'batches': ...}", seen=stats)
    expect_equal({k: stats.get(k) for k in ("loaded", "batches")}, {"loaded": 100, "batches": 4},
                 "loaded and batches for 100 payments at batch_size=30")


@load.check("writes each batch with one executemany, in one transaction", points=1,
            hint="One `with db.transaction(conn):` (or `with conn:`) around one db.executemany(conn, ...) "
                 "of the whole batch: a commit per row is a disk flush per row, and a statement per row "
                 "a round trip per row on PostgreSQL.")
def _ld_one_transaction(load_payments: Callable[..., Any], tmp_path: Path) -> None:
    payments = _valid_payments()
    with _database(tmp_path) as d:
        _load(load_payments, payments, d.conn, batch_size=_L_BATCH)
        commits, written = d.commits(), d.conn.written
    expect(commits == 4, "100 payments at batch_size=30 are 4 transactions", expected="4 commits",
           seen=_n(commits, "commit"))
    expect(written["executemany"] == 4 and not written["execute"], "write each batch with one executemany",
           expected="4 executemany calls, no INSERT by execute",
           seen=f"{written['executemany']} executemany, {written['execute']} execute")


@load.check("commits each batch before reading the next", points=1,
            hint="Take batch_size payments (itertools.islice), write and commit them, then take the next "
                 "ones: never list() the input, never keep the commit for the end.")
def _ld_streams(load_payments: Callable[..., Any], tmp_path: Path) -> None:
    payments = _valid_payments()
    with _database(tmp_path) as d:
        seen: list[tuple[int, int]] = []

        def source() -> Iterator[Any]:
            for position, payment in enumerate(payments):
                if position and position % _L_BATCH == 0:
                    seen.append((position, d.commits()))
                yield payment

        _load(load_payments, source(), d.conn, batch_size=_L_BATCH)
    late = [(pos, n) for pos, n in seen if n < pos // _L_BATCH]
    expect(seen and not late, "when payment k * batch_size is read, k batches should be committed",
           expected=[(pos, pos // _L_BATCH) for pos, _ in seen], seen=seen)


def _poisoned(count: int = _L_COUNT) -> tuple[list[Any], Any]:
    payments = _valid_payments(count)
    bad = _poison(payments[40])
    return [*payments[:40], bad, *payments[41:]], bad


@load.check("a batch the database refuses is loaded row by row; the refused row is dead-lettered", points=2,
            hint="except db.row_errors(conn) (sqlite3.IntegrityError here): the batch was rolled back; "
                 "write its rows one at a time, each in its own transaction, and dlq.write(payment, error, "
                 "context={'payment_id': ..., ...}) for a row that fails again.")
def _ld_bisect(load_payments: Callable[..., Any], tmp_path: Path) -> None:
    payments, bad = _poisoned()
    dlq = _RecordingDLQ()
    with _database(tmp_path) as d:
        _load(load_payments, payments, d.conn, batch_size=_L_BATCH, dlq=dlq)
        ids = {r[0] for r in _read(d.conn)}
    want = {p.payment_id for p in payments} - {bad.payment_id}
    expect(ids == want, "every payment but the refused one should be loaded",
           expected=_n(len(want), "row"), seen=f"{_n(len(ids), 'row')}; missing {len(want - ids)}, "
                                                f"refused one loaded: {bad.payment_id in ids}")
    named = [_entry_payment_id(e.record, e.context) for e in dlq]
    expect(named == [bad.payment_id], "the refused payment should be dead-lettered once, named by its payment_id",
           expected=[bad.payment_id], seen=named)


@load.check("counts every dead letter it writes (dead_lettered)", points=2,
            hint="Add 1 to the dead_lettered count each time you call dlq.write, and return it: loaded + "
                 "dead_lettered must equal the payments handed in, or the run cannot reconcile.")
def _ld_counter(load_payments: Callable[..., Any], tmp_path: Path) -> None:
    payments, _ = _poisoned()
    dlq = _RecordingDLQ()
    with _database(tmp_path) as d:
        stats = _load(load_payments, payments, d.conn, batch_size=_L_BATCH, dlq=dlq)
    expect(isinstance(stats, Mapping), "return a dict", expected="{'loaded', 'batches', 'dead_lettered'}",
           seen=stats)
    counts = {k: stats.get(k) for k in ("loaded", "dead_lettered")}
    expect_equal(counts, {"loaded": len(payments) - 1, "dead_lettered": len(dlq)},
                 f"loaded and dead_lettered, with {len(dlq)} in the dead letter queue")


@load.check("without a dlq, a refused batch raises and is rolled back", points=1,
            hint="With dlq=None there is nowhere to put the bad row: let the database error propagate "
                 "(after the rollback), and keep the batches committed before it.")
def _ld_raises(load_payments: Callable[..., Any], tmp_path: Path) -> None:
    payments, _ = _poisoned()
    error: BaseException | None = None
    with _database(tmp_path) as d:
        try:
            _load(load_payments, payments, d.conn, batch_size=_L_BATCH)
        except NotImplementedError:
            raise
        except Exception as exc:
            error = exc
        d.conn.rollback()  # whatever the learner left open is not committed by the check
        count = len(_read(d.conn))
    expect(_in_chain(error, sqlite3.IntegrityError) is not None, "the database refused a row and there is no "
           "dead letter queue: raise", expected="sqlite3.IntegrityError", seen=_describe(error))
    expect_equal(count, _L_BATCH, "rows in the table: the first batch (committed), none of the refused one")


# ================================================================ 10.4 run

pipeline = exercise("10.4", "Run, reconcile, re-run, restart", ["run"],
                    uses=["10.1", "10.2", "10.3", "04.2", "04.3"])

_R_SEED, _R_PAYMENTS, _R_INVALID = 104, 160, 8
_R_KW: dict[str, Any] = {"batch_size": 40, "count": 20}
_SUMMARY = "/payments/summary"


class _Killed(BaseException):
    """The process died here (as with SIGKILL, nothing after this point runs)."""


class _KillingSession:
    """Builds a ``requests.Session`` whose ``kill_at``-th request (or any to ``kill_on``) dies."""

    @staticmethod
    def make(kill_at: int | None = None, kill_on: str | None = None) -> requests.Session:
        import requests

        class Session(requests.Session):
            sent = 0

            def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
                self.sent += 1
                if self.sent == kill_at or (kill_on is not None and kill_on in str(url)):
                    raise _Killed(f"killed at request {self.sent}")
                return super().request(method, url, *args, **kwargs)

        return Session()


class _KillingConnection(_CountingConnection):
    """A counting SQLite connection that dies right after its ``kill_after``-th executemany, uncommitted."""

    kill_after: int | None = None
    writes = 0

    def executemany(self, sql: str, rows: Iterable[Any], /) -> sqlite3.Cursor:  # type: ignore[override]
        cursor = super().executemany(sql, rows)
        self.writes += 1
        if self.writes == self.kill_after:
            raise _Killed(f"killed after write {self.writes}, before its commit")
        return cursor


def _hostile(limit: int = _BUDGET) -> FakePaymentsAPI:
    from depipe_course.fakes.api import ConnectionReset, RandomFaults, RateLimited, ServerError, TimedOut

    faults = RandomFaults({RateLimited(1): 0.08, ServerError(503): 0.08, TimedOut(): 0.05, ConnectionReset(): 0.04},
                          seed=_R_SEED, max_in_a_row=2)
    return _fake(seed=_R_SEED, payments=_R_PAYMENTS, invalid_payments=_R_INVALID, faults=faults, limit=limit)


@dataclass
class _Outcome:
    result: Any
    error: BaseException | None
    waits: list[float]
    time_sleeps: list[float]
    executemany: int = 0


def _open(path: Path, kill_after: int | None = None, *, table: bool = True,
          refuse: str | None = None) -> _KillingConnection:
    """The run's connection: counting, killable, with the table made (unless ``table=False``).

    ``refuse`` names a payment the table refuses by a rule of its own (a trigger), one the
    model lets through: what a warehouse's constraint does to a record nobody foresaw.
    """
    from depipe_course import db

    conn = sqlite3.connect(path, timeout=db.BUSY_TIMEOUT_S, factory=_KillingConnection)
    conn.kill_after = kill_after
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    if table:
        db.create_payments_table(conn)
    if refuse is not None:
        with db.transaction(conn):
            conn.execute(f"CREATE TRIGGER IF NOT EXISTS refuse_one BEFORE INSERT ON payments "
                         f"WHEN NEW.payment_id = '{refuse}' "
                         "BEGIN SELECT RAISE(ABORT, 'refused by the warehouse: payment under review'); END")
    return conn


def _run(run: Callable[..., Any], api: FakePaymentsAPI, db_path: Path, dlq_path: Path, *,
         session: requests.Session | None = None, kill_after: int | None = None, table: bool = True,
         refuse: str | None = None, **overrides: Any) -> _Outcome:
    """One run of the learner's pipeline; the connection is closed without a commit afterwards."""
    sleeps, time_sleeps = _recorder(), _recorder()
    conn = _open(db_path, kill_after, table=table, refuse=refuse)
    result, error = None, None
    try:
        with _quiet_time(time_sleeps, run), (session or _session()) as http:
            try:
                result = run(http, api.base_url, api.basic_auth, *api.window, conn, dlq_path, sleep=sleeps,
                             **{**_R_KW, **overrides})
            except (TooManyWaits, NotImplementedError):
                raise
            except Exception as exc:
                error = exc
    except _Killed as killed:
        error = killed
    finally:
        writes = conn.written["executemany"]
        conn.close()  # a dead process commits nothing: what was not committed is gone
    _runaway(api)
    return _Outcome(result, error, sleeps.waits, time_sleeps.waits, writes)


def _table(db_path: Path) -> list[Any]:
    from depipe_course import db

    conn = db.connect(db_path)
    try:
        return db.read_payments(conn)
    finally:
        conn.close()


def _dead_letters(dlq_path: Path, *, missing_ok: bool = False) -> list[Any]:
    """The payment_id of each entry of the dead letter file (None where it names none)."""
    if not dlq_path.exists():
        if missing_ok:
            return []
        fail("run should leave the window's dead letters at dlq_path", expected=f"a file at {dlq_path.name}",
             seen="no file")
    ids = []
    for line in dlq_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            ids.append(_entry_payment_id(entry.get("record"), entry.get("context")))
    return ids


def _expected_table(api: FakePaymentsAPI, refused: Iterable[str] = ()) -> list[Any]:
    Payment = _payment_model()
    left_out = set(api.state.invalid_payments()) | set(refused)
    records = api.state.payment_records()
    return _expected_rows(Payment.model_validate(r) for r in records if r["payment_id"] not in left_out)


def _summary_error(error: BaseException | None) -> BaseException | None:
    """The requests error of a summary request in ``error``'s chain, if that is what failed."""
    import requests

    found = _in_chain(error, requests.RequestException)
    request = getattr(found, "request", None)
    return found if _SUMMARY in str(getattr(request, "url", "")) else None


def _expect_ran(out: _Outcome, message: str = "the run should succeed against the faults (429s, 503s, "
                "timeouts, resets)") -> None:
    if out.error is not None:
        if isinstance(out.error, sqlite3.OperationalError) and "no such table" in str(out.error):
            fail("run was handed a database without the payments table and did not create it",
                 expected="db.create_payments_table(conn) at the start of run", seen=_describe(out.error),
                 hint="Call db.create_payments_table(conn) first: it creates the table if it is missing and "
                      "does nothing if it is there, so every run can call it.")
        if _summary_error(out.error) is not None:
            fail("the summary request failed and the run gave up: the summary meets the same 429s, 503s and "
                 "timeouts as the pages", expected="the summary asked again until it answers",
                 seen=_describe(out.error),
                 hint="Wrap the summary request in a retry: with_retry(max_attempts=max_retries + 1, "
                      "sleep=sleep) from 04.2, with raise_for_status() inside.")
        fail(message, expected="a result dict", seen=_describe(out.error))
    expect(isinstance(out.result, Mapping), "run must return a dict",
           expected="{'fetched', 'loaded', 'dead_lettered', 'reconciled'}", seen=repr(out.result)[:120])


def _expect_state(api: FakePaymentsAPI, db_path: Path, dlq_path: Path, after: str,
                  refused: tuple[str, ...] = ()) -> None:
    expected = _expected_table(api, refused)
    rows = _table(db_path)
    if rows != expected:
        want, got = {r[0]: r for r in expected}, {r[0]: r for r in rows}
        differ = sum(1 for key in want.keys() & got.keys() if want[key] != got[key])
        fail(f"after {after} the table should hold exactly the valid payments",
             expected=_n(len(expected), "row"),
             seen=f"{_n(len(rows), 'row')}: {len(want.keys() - got.keys())} missing, "
                  f"{len(got.keys() - want.keys())} not valid, {differ} with other values")
    invalid = [*api.state.invalid_payments(), *refused]
    ids = _dead_letters(dlq_path, missing_ok=not invalid)
    if not invalid:
        expect(not ids, f"after {after} the dead letter file should be empty: it still holds the last run's "
               "list", expected="no entries (an empty file)", seen=_n(len(ids), "entry", "entries"),
               hint="Rebuild dlq_path on every run, also when nothing was dead-lettered: touch the fresh file "
                    "before os.replace, so an empty file replaces the last run's list.")
        return
    what = "each invalid payment once" + (", and the payment the table refused" if refused else "")
    expect(sorted(map(str, ids)) == sorted(invalid), f"after {after} the dead letter file should list {what}",
           expected=f"{_n(len(invalid), 'entry', 'entries')}, one per payment",
           seen=f"{_n(len(ids), 'entry', 'entries')}, {len(set(ids) & set(invalid))} distinct of those expected")


@pipeline.check("loads exactly the valid payments and dead-letters the invalid ones", points=2,
                hint="db.create_payments_table(conn), then fetch_payments(...) → transform_payments(raw, dlq) → "
                     "load_payments(..., dlq=dlq); pass sleep=sleep down, and publish the dead letters at "
                     "dlq_path on every run, also when there are none.")
def _run_state(run: Callable[..., Any], tmp_path: Path) -> None:
    db_path, dlq_path = tmp_path / "p.db", tmp_path / "dlq.ndjson"
    with _hostile() as api:
        out = _run(run, api, db_path, dlq_path, table=False)  # a new warehouse: the table is not there yet
        _expect_ran(out)
        _expect_state(api, db_path, dlq_path, "a run")
    # The gateway has fixed its invalid records; the window is loaded again.
    with _fake(seed=_R_SEED, payments=_R_PAYMENTS) as fixed:
        out = _run(run, fixed, db_path, dlq_path)
        _expect_ran(out, "a run with nothing to dead-letter should succeed too")
        _expect_state(fixed, db_path, dlq_path, "a run over the same window with nothing invalid any more")


@pipeline.check("returns fetched, loaded, dead_lettered and reconciled", points=2,
                hint="Count the raw records as they stream past, add the dead letters of both stages, and "
                     "reconcile: fetched == the summary's count and loaded + dead_lettered == fetched.")
def _run_counts(run: Callable[..., Any], tmp_path: Path) -> None:
    with _hostile() as api:
        out = _run(run, api, tmp_path / "p.db", tmp_path / "dlq.ndjson")
        _expect_ran(out)
        seen = {k: out.result.get(k) for k in ("fetched", "loaded", "dead_lettered", "reconciled")}
        want = {"fetched": _R_PAYMENTS, "loaded": _R_PAYMENTS - _R_INVALID, "dead_lettered": _R_INVALID,
                "reconciled": True}
        expect_equal(seen, want, f"the result for {_R_PAYMENTS} payments, {_R_INVALID} of them invalid")


@pipeline.check("a row the database refuses is dead-lettered and counted too", points=1,
                hint="Pass dlq= to load_payments as well, and add its dead_lettered to the transform's: "
                     "the dead letters of both stages go to the same file and into the same count.")
def _run_refused(run: Callable[..., Any], tmp_path: Path) -> None:
    db_path, dlq_path = tmp_path / "p.db", tmp_path / "dlq.ndjson"
    with _hostile() as api:
        invalid = api.state.invalid_payments()
        refused = min(r["payment_id"] for r in api.state.payment_records() if r["payment_id"] not in invalid)
        out = _run(run, api, db_path, dlq_path, refuse=refused)
        if _in_chain(out.error, sqlite3.IntegrityError) is not None:
            fail(f"the table refused payment {refused}, and the run crashed instead of dead-lettering it",
                 expected="load_payments(..., dlq=dlq): the refused row in the dead letter file",
                 seen=_describe(out.error))
        _expect_ran(out)
        _expect_state(api, db_path, dlq_path, f"a run in which the table refused {refused}", (refused,))
        seen = {k: out.result.get(k) for k in ("loaded", "dead_lettered", "reconciled")}
        want = {"loaded": _R_PAYMENTS - _R_INVALID - 1, "dead_lettered": _R_INVALID + 1, "reconciled": True}
        expect_equal(seen, want, f"the result: {_R_INVALID} invalid payments and 1 refused by the table")


@pipeline.check("asks the API's summary with auth, a timeout and retries", points=1,
                hint="GET {base_url}/payments/summary with params from and to, auth=auth and timeout=, inside "
                     "a retry (with_retry(max_attempts=max_retries + 1, sleep=sleep) from 04.2): the summary "
                     "fails now and then like any other request.")
def _run_summary(run: Callable[..., Any], tmp_path: Path) -> None:
    from depipe_course.fakes.api import FaultQueue, RateLimited, ServerError

    faults = FaultQueue([ServerError(503), RateLimited(1)], routes={_SUMMARY})
    with _fake(seed=_R_SEED, payments=60, invalid_payments=2, faults=faults) as api:
        out = _run(run, api, tmp_path / "p.db", tmp_path / "dlq.ndjson")
    calls = api.calls_to(_SUMMARY)
    expect(calls, "run never asked the API for its summary", expected=f"GET {_SUMMARY}", seen="no such request")
    statuses = [c.status if c.status is not None else type(c.error).__name__ for c in calls]
    expect(401 not in statuses, "the summary needs the credentials too", expected="auth=auth on the summary "
           "request", seen=f"answers {statuses}")
    expect(all(c.timeout_passed for c in calls), "the summary request needs a timeout too",
           expected="timeout= on every summary request", seen=f"{sum(not c.timeout_passed for c in calls)} of "
           f"{len(calls)} without one")
    if out.error is not None:
        fail("the summary answered 503, then 429, then 200: retry it as fetch_payments retries a page",
             expected="the run reconciled after 3 summary requests", seen=f"{_describe(out.error)}; answers "
             f"{statuses}")
    _expect_ran(out)
    expect(out.result.get("reconciled") is True, "after the retries the summary agrees with what was fetched",
           expected="reconciled True", seen=f"{out.result.get('reconciled')!r}; summary answers {statuses}")


@pipeline.check("reports reconciled False when the API holds more than was fetched", points=2,
                hint="Ask GET {base_url}/payments/summary?from=...&to=... (with auth and retries) after the "
                     "load, and compare its count with what you fetched: never assume it matches.")
def _run_mismatch(run: Callable[..., Any], tmp_path: Path) -> None:
    with _fake(seed=_R_SEED, payments=120, invalid_payments=4) as api:
        real = api.state.summary

        def one_more(start: int | None = None, end: int | None = None) -> dict[str, int]:
            counts = real(start, end)
            return {**counts, "count": counts["count"] + 1}

        with mock.patch.object(api.state, "summary", one_more):
            out = _run(run, api, tmp_path / "p.db", tmp_path / "dlq.ndjson")
        _expect_ran(out)
        expect(api.count(_SUMMARY) >= 1, "run never asked the API for its summary",
               expected=f"GET {_SUMMARY}", seen="no such request")
        expect(out.result.get("reconciled") is False, "the API's summary counts 121 payments in the window, the "
               "listing served 120: that must not reconcile", expected="reconciled False",
               seen=out.result.get("reconciled"))


@pipeline.check("running again changes nothing", points=2,
                hint="The load is an upsert; the dead letters of the window must be rewritten, not appended "
                     "to: write them to a fresh file beside dlq_path and os.replace it into place at the end. "
                     "Count each run from zero.")
def _run_twice(run: Callable[..., Any], tmp_path: Path) -> None:
    with _hostile() as api:
        first = _run(run, api, tmp_path / "p.db", tmp_path / "dlq.ndjson")
        _expect_ran(first)
        table = _table(tmp_path / "p.db")
        again = _run(run, api, tmp_path / "p.db", tmp_path / "dlq.ndjson")
        _expect_ran(again)
        expect_equal(_table(tmp_path / "p.db"), table, "the table after the second run")
        _expect_state(api, tmp_path / "p.db", tmp_path / "dlq.ndjson", "a second run")
        keys = ("fetched", "loaded", "dead_lettered", "reconciled")
        expect_equal({k: again.result.get(k) for k in keys}, {k: first.result.get(k) for k in keys},
                     "the second run's result")


@pipeline.check("a run killed midway and restarted loads every payment exactly once", points=2,
                hint="Nothing may depend on the killed run having finished: the upsert makes reloading a "
                     "payment harmless, and a dead letter file rebuilt by each run (fresh file, then "
                     "os.replace) never keeps the killed run's half.")
def _run_killed(run: Callable[..., Any], tmp_path: Path) -> None:
    kills: list[tuple[str, Callable[[], requests.Session] | None, int | None]] = [
        ("request 5", lambda: _KillingSession.make(kill_at=5), None),
        ("write 3 (before its commit)", None, 3),
        ("the summary request", lambda: _KillingSession.make(kill_on=_SUMMARY), None),
    ]
    for number, (where, session, kill_after) in enumerate(kills):
        db_path, dlq_path = tmp_path / f"k{number}.db", tmp_path / f"k{number}.ndjson"
        with _hostile() as api:
            # A run that never gets to the kill point (no summary request, say) simply finishes:
            # the restart below must then change nothing, which is checked all the same.
            _run(run, api, db_path, dlq_path, session=session() if session else None, kill_after=kill_after)
        with _hostile() as api:
            restarted = _run(run, api, db_path, dlq_path)
            _expect_ran(restarted)
            _expect_state(api, db_path, dlq_path, f"a kill at {where} and a restart")
            expect(restarted.result.get("reconciled") is True, f"the restart after a kill at {where} should "
                   "reconcile", expected=True, seen=restarted.result.get("reconciled"))


def _all_503(payments: int = 60) -> FakePaymentsAPI:
    from depipe_course.fakes.api import RandomFaults, ServerError

    return _fake(seed=_R_SEED, payments=payments, faults=RandomFaults({ServerError(503): 1.0}, max_in_a_row=None))


@pipeline.check("fails loudly when the API stays down", points=1,
                hint="Let the error of a fetch that gave up propagate (or at least report reconciled False): "
                     "a run that fetched nothing must never report success.")
def _run_down(run: Callable[..., Any], tmp_path: Path) -> None:
    with _all_503() as api:
        out = _run(run, api, tmp_path / "p.db", tmp_path / "dlq.ndjson")
    quiet = out.error is None and isinstance(out.result, Mapping) and out.result.get("reconciled") is not False
    expect(not quiet, "every request answered 503, yet the run reported success",
           expected="an exception (or reconciled False)", seen=repr(out.result)[:150])


@pipeline.check("passes count, max_retries, batch_size and sleep down to the stages", points=1,
                hint="fetch_payments(..., count=count, max_retries=max_retries, sleep=sleep) and "
                     "load_payments(..., batch_size, dlq=dlq): run's arguments are the stages' settings, and a "
                     "stage left on its defaults ignores them (and sleeps for real).")
def _run_passes_down(run: Callable[..., Any], tmp_path: Path) -> None:
    with _hostile() as api:
        out = _run(run, api, tmp_path / "p.db", tmp_path / "dlq.ndjson")
        _expect_ran(out)
        sent = sorted({str(c.params.get("count")) for c in api.calls_to("/payments")})
    count, batch_size = _R_KW["count"], _R_KW["batch_size"]
    expect(sent == [str(count)], f"run was given count={count}: every page request should ask for that many",
           expected=f"count={count}", seen=f"count={sent}")
    valid = _R_PAYMENTS - _R_INVALID
    batches = -(-valid // batch_size)
    expect(out.executemany == batches, f"run was given batch_size={batch_size}: {valid} valid payments are "
           f"{batches} batches", expected=f"{batches} batch writes", seen=out.executemany)
    expect(out.waits and not out.time_sleeps, "the retries' waits must go through the sleep argument",
           expected="waits recorded by sleep, none by time.sleep",
           seen=f"sleep: {len(out.waits)} waits, time.sleep: {len(out.time_sleeps)}")
    with _all_503() as down:
        _run(run, down, tmp_path / "d.db", tmp_path / "d.ndjson", max_retries=2)
    pages = down.count("/payments")
    expect(pages == 3, "run was given max_retries=2: a page that keeps failing is asked for 3 times, then the "
           "run gives up", expected="3 requests for the first page", seen=_n(pages, "request"))
