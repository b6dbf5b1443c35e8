"""Wrong answers for part 10: the pipeline's classic mistakes, each caught by a named sub-check.

Names the wrong versions use from other exercises (``Payment``, ``DeadLetterQueue``,
``fetch_payments``, ...) are supplied by the test as the references, as in grading.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from itertools import islice
from pathlib import Path
from typing import Any

import requests
from pydantic import ValidationError

from depipe_course import db
from tests.wrong_versions import wrong

# Names supplied by grading (the references of 09.3, 04.2, 04.3, 10.1–10.3); declared here
# so that linters know them. bind_references replaces them in each wrong version's globals.
Payment: Any = None
DeadLetterQueue: Any = None
with_retry: Any = None
fetch_payments: Any = None
transform_payments: Any = None
load_payments: Any = None

TIMEOUT = (3.05, 30.0)

# ---------------------------------------------------------------- 10.1 fetch_payments

RETRYABLE = (429, 500, 502, 503, 504)

F1 = "10.1"
ALL_ONCE = "yields every payment of [from_ts, to_ts) exactly once"
FEWEST = "asks for count per page and stops on a null next_cursor"
AUTH = "authenticates every request with auth"
LAZY = "is lazy: the first payment arrives after one request"
TIMEOUTS = "passes a timeout on every request"
RETRY_AFTER = "waits Retry-After on a 429 (seconds or an HTTP-date), then carries on"
TRANSIENT = "retries 5xx, timeouts and dropped connections, backing off exponentially"
PER_PAGE = "allows max_retries retries on every page, not max_retries in all"
GIVES_UP = "gives up by raising when a page still fails after max_retries, never by parsing the failure"
OTHER_4XX = "raises other 4xx at once"
SLEEP = "waits through the injected sleep, never time.sleep"


def _page(session: Any, url: str, params: dict[str, Any], auth: Any, max_retries: int,
          sleep: Callable[[float], object], *, timeout: Any = TIMEOUT) -> requests.Response:
    """A correct retrying GET, shared by the wrong versions that err elsewhere."""
    for retry in range(max_retries + 1):
        try:
            response = session.get(url, params=params, auth=auth, timeout=timeout)
        except (requests.ConnectionError, requests.Timeout):
            if retry == max_retries:
                raise
            sleep(2.0**retry)
            continue
        if response.status_code not in RETRYABLE:
            response.raise_for_status()
            return response
        if retry == max_retries:
            response.raise_for_status()
        sleep(_retry_after(response.headers.get("Retry-After"), 2.0**retry))
    raise AssertionError("unreachable")


def _retry_after(value: str | None, otherwise: float) -> float:
    """Seconds from a Retry-After header (whole seconds or an HTTP-date), else ``otherwise``."""
    if not value:
        return otherwise
    if value.isdigit():
        return float(value)
    return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())


def _pages(get: Callable[[dict[str, Any]], requests.Response], params: dict[str, Any],
           cursor_key: str = "next_cursor") -> Iterator[dict[str, Any]]:
    while True:
        body = get(params).json()
        yield from body["items"]
        cursor = body.get(cursor_key)
        if not cursor:
            return
        params = {**params, "cursor": cursor}


def _fetcher(get_page: Callable[..., requests.Response]) -> Callable[..., Iterator[dict[str, Any]]]:
    """A fetch_payments that pages correctly and gets each page with ``get_page``.

    ``get_page(session, url, params, auth, max_retries, sleep)`` is where the wrong
    version errs; paging, laziness and parameters are right.
    """

    def fetch_payments(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                       count: int = 100, max_retries: int = 5,
                       sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
        def get(params: dict[str, Any]) -> requests.Response:
            return get_page(session, f"{base_url}/payments", params, auth, max_retries, sleep)

        yield from _pages(get, {"from": from_ts, "to": to_ts, "count": count})

    return fetch_payments


def _wrong_page(description: str, *, catches: str, requirement: str) -> Callable[[Callable[..., Any]], Any]:
    """Register a wrong ``get_page`` as a whole fetch_payments (see ``_fetcher``)."""

    def register(get_page: Callable[..., requests.Response]) -> Callable[..., requests.Response]:
        wrong(F1, description, catches=catches, requirement=requirement)(_fetcher(get_page))
        return get_page

    return register


@wrong(F1, "gives up on a 429 loop, then parses the failed response", catches=GIVES_UP,
       requirement="after the last retry, raise: never parse a failed response")
def fetch_payments_parses_the_429(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                                  count: int = 100, max_retries: int = 5,
                                  sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
    params: dict[str, Any] = {"from": from_ts, "to": to_ts, "count": count}
    while True:
        for attempt in range(max_retries + 1):
            try:
                response = session.get(f"{base_url}/payments", params=params, auth=auth, timeout=TIMEOUT)
                if response.status_code in RETRYABLE:
                    sleep(_retry_after(response.headers.get("Retry-After"), 2.0**attempt))
                    continue
                response.raise_for_status()
                break
            except (requests.Timeout, requests.ConnectionError):
                if attempt == max_retries:
                    raise
                sleep(2.0**attempt)
        data = response.json()  # after the last 429 this is {"error": "rate_limited", ...}
        yield from data.get("items", [])
        cursor = data.get("next_cursor")
        if not cursor:
            return
        params = {**params, "cursor": cursor}


@wrong(F1, "gives up on a 429 loop, then reads items from the error body", catches=GIVES_UP,
       requirement="after the last retry, raise: never parse a failed response")
def fetch_payments_keyerror_after_429(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                                      count: int = 100, max_retries: int = 5,
                                      sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
    params: dict[str, Any] = {"from": from_ts, "to": to_ts, "count": count}
    while True:
        for retry in range(max_retries + 1):
            try:
                response = session.get(f"{base_url}/payments", params=params, auth=auth, timeout=TIMEOUT)
            except (requests.Timeout, requests.ConnectionError):
                if retry == max_retries:
                    raise
                sleep(2.0**retry)
                continue
            if response.status_code in RETRYABLE:
                sleep(_retry_after(response.headers.get("Retry-After"), 2.0**retry))
                continue
            response.raise_for_status()
            break
        body = response.json()
        yield from body["items"]  # KeyError: 'items' on the 429's body
        if not body.get("next_cursor"):
            return
        params = {**params, "cursor": body["next_cursor"]}


@_wrong_page("raises the last 429 or 5xx, but ends the stream quietly when the connection keeps dropping",
             catches=GIVES_UP, requirement="after the last retry, raise: never parse a failed response")
def _page_quiet_after_resets(session: Any, url: str, params: dict[str, Any], auth: Any, max_retries: int,
                             sleep: Callable[[float], object]) -> Any:
    for retry in range(max_retries + 1):
        try:
            response = session.get(url, params=params, auth=auth, timeout=TIMEOUT)
        except (requests.ConnectionError, requests.Timeout):
            sleep(2.0**retry)
            continue
        if response.status_code in RETRYABLE and retry < max_retries:
            sleep(_retry_after(response.headers.get("Retry-After"), 2.0**retry))
            continue
        response.raise_for_status()
        return response
    return _EmptyPage()  # "the API is down: nothing more to fetch"


class _EmptyPage:
    """What a quiet give-up hands the pager: a last page with nothing on it."""

    def json(self) -> dict[str, Any]:
        return {"items": [], "next_cursor": None}


@_wrong_page("retries without a cap", catches=GIVES_UP,
             requirement="at most max_retries retries per page, not per run")
def _page_retries_for_ever(session: Any, url: str, params: dict[str, Any], auth: Any, max_retries: int,
                           sleep: Callable[[float], object]) -> Any:
    retry = 0
    while True:
        try:
            response = session.get(url, params=params, auth=auth, timeout=TIMEOUT)
        except (requests.ConnectionError, requests.Timeout):
            sleep(min(60.0, 2.0**retry))
            retry += 1
            continue
        if response.status_code not in RETRYABLE:
            response.raise_for_status()
            return response
        sleep(_retry_after(response.headers.get("Retry-After"), min(60.0, 2.0**retry)))
        retry += 1


@wrong(F1, "one retry budget for the whole run, not one per page", catches=PER_PAGE,
       requirement="at most max_retries retries per page, not per run")
def fetch_payments_budget_per_run(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                                  count: int = 100, max_retries: int = 5,
                                  sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
    params: dict[str, Any] = {"from": from_ts, "to": to_ts, "count": count}
    retries = 0  # counted over every page: a long run with a fault here and there runs out
    while True:
        while True:
            try:
                response = session.get(f"{base_url}/payments", params=params, auth=auth, timeout=TIMEOUT)
            except (requests.ConnectionError, requests.Timeout):
                if retries == max_retries:
                    raise
                sleep(2.0**retries)
                retries += 1
                continue
            if response.status_code not in RETRYABLE:
                response.raise_for_status()
                break
            if retries == max_retries:
                response.raise_for_status()
            sleep(_retry_after(response.headers.get("Retry-After"), 2.0**retries))
            retries += 1
        body = response.json()
        yield from body["items"]
        if not body.get("next_cursor"):
            return
        params = {**params, "cursor": body["next_cursor"]}


@wrong(F1, "a retry starts the window again from the first page", catches=PER_PAGE,
       requirement="a retry asks for the same page again")
def fetch_payments_retry_restarts(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                                  count: int = 100, max_retries: int = 5,
                                  sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
    first = {"from": from_ts, "to": to_ts, "count": count}
    params: dict[str, Any] = dict(first)
    retries = 0
    while True:
        try:
            response = session.get(f"{base_url}/payments", params=params, auth=auth, timeout=TIMEOUT)
            failed = response.status_code in RETRYABLE
        except (requests.ConnectionError, requests.Timeout):
            if retries == max_retries:
                raise
            response, failed = None, True
        if failed:
            if retries == max_retries and response is not None:
                response.raise_for_status()
            after = response.headers.get("Retry-After") if response is not None else None
            sleep(_retry_after(after, 2.0**retries))
            retries += 1
            params = dict(first)  # "start over": every page before this one comes again
            continue
        response.raise_for_status()
        retries = 0
        body = response.json()
        yield from body["items"]
        if not body.get("next_cursor"):
            return
        params = {**params, "cursor": body["next_cursor"]}


@wrong(F1, "reads 'cursor' instead of 'next_cursor'", catches=ALL_ONCE,
       requirement="follows next_cursor, sent back as cursor, until it is null")
def fetch_payments_wrong_cursor_key(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                                    count: int = 100, max_retries: int = 5,
                                    sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
    def get(params: dict[str, Any]) -> requests.Response:
        return _page(session, f"{base_url}/payments", params, auth, max_retries, sleep)

    yield from _pages(get, {"from": from_ts, "to": to_ts, "count": count}, cursor_key="cursor")


@wrong(F1, "sends the cursor back as 'next_cursor'", catches=ALL_ONCE,
       requirement="follows next_cursor, sent back as cursor, until it is null")
def fetch_payments_cursor_param_misnamed(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                                         count: int = 100, max_retries: int = 5,
                                         sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
    params: dict[str, Any] = {"from": from_ts, "to": to_ts, "count": count}
    while True:
        body = _page(session, f"{base_url}/payments", params, auth, max_retries, sleep).json()
        yield from body["items"]
        if not body.get("next_cursor"):
            return
        params = {**params, "next_cursor": body["next_cursor"]}  # the API ignores it: page 1 again


@wrong(F1, "no 'to' parameter", catches=ALL_ONCE,
       requirement="every payment of [from_ts, to_ts) exactly once (from and to sent)")
def fetch_payments_no_upper_bound(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                                  count: int = 100, max_retries: int = 5,
                                  sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
    def get(params: dict[str, Any]) -> requests.Response:
        return _page(session, f"{base_url}/payments", params, auth, max_retries, sleep)

    yield from _pages(get, {"from": from_ts, "count": count})


@wrong(F1, "count not sent", catches=FEWEST, requirement="count payments per page")
def fetch_payments_default_page_size(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                                     count: int = 100, max_retries: int = 5,
                                     sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
    def get(params: dict[str, Any]) -> requests.Response:
        return _page(session, f"{base_url}/payments", params, auth, max_retries, sleep)

    yield from _pages(get, {"from": from_ts, "to": to_ts})


@wrong(F1, "a page size of its own instead of count", catches=FEWEST, requirement="count payments per page")
def fetch_payments_fixed_page_size(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                                   count: int = 100, max_retries: int = 5,
                                   sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
    def get(params: dict[str, Any]) -> requests.Response:
        return _page(session, f"{base_url}/payments", params, auth, max_retries, sleep)

    yield from _pages(get, {"from": from_ts, "to": to_ts, "count": 100})


@_wrong_page("auth never sent", catches=AUTH, requirement="auth (a pair or an AuthBase) on every request")
def _page_no_auth(session: Any, url: str, params: dict[str, Any], auth: Any, max_retries: int,
                  sleep: Callable[[float], object]) -> requests.Response:
    return _page(session, url, params, None, max_retries, sleep)


@_wrong_page("auth taken for a (user, password) pair", catches=AUTH,
             requirement="auth (a pair or an AuthBase) on every request")
def _page_basic_only(session: Any, url: str, params: dict[str, Any], auth: Any, max_retries: int,
                     sleep: Callable[[float], object]) -> requests.Response:
    user, password = auth  # a bearer-token AuthBase is not a pair
    return _page(session, url, params, requests.auth.HTTPBasicAuth(user, password), max_retries, sleep)


@wrong(F1, "collects every page into a list first", catches=LAZY,
       requirement="a generator: the next page is fetched only when the consumer reaches it")
def fetch_payments_eager(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                         count: int = 100, max_retries: int = 5,
                         sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
    def get(params: dict[str, Any]) -> requests.Response:
        return _page(session, f"{base_url}/payments", params, auth, max_retries, sleep)

    return iter(list(_pages(get, {"from": from_ts, "to": to_ts, "count": count})))


@_wrong_page("no timeout", catches=TIMEOUTS, requirement="a timeout on every request, retries included")
def _page_no_timeout(session: Any, url: str, params: dict[str, Any], auth: Any, max_retries: int,
                     sleep: Callable[[float], object]) -> requests.Response:
    return _page(session, url, params, auth, max_retries, sleep, timeout=None)


@_wrong_page("a timeout on the first try only", catches=TIMEOUTS,
             requirement="a timeout on every request, retries included")
def _page_timeout_first_try(session: Any, url: str, params: dict[str, Any], auth: Any, max_retries: int,
                            sleep: Callable[[float], object]) -> requests.Response:
    for retry in range(max_retries + 1):
        try:  # the first try has a timeout, the retries forgot it
            response = session.get(url, params=params, auth=auth, **({"timeout": TIMEOUT} if retry == 0 else {}))
        except (requests.ConnectionError, requests.Timeout):
            if retry == max_retries:
                raise
            sleep(2.0**retry)
            continue
        if response.status_code not in RETRYABLE or retry == max_retries:
            response.raise_for_status()
            return response
        sleep(_retry_after(response.headers.get("Retry-After"), 2.0**retry))
    raise AssertionError("unreachable")


@_wrong_page("auth on the first try only", catches=AUTH, requirement="auth (a pair or an AuthBase) on every request")
def _page_auth_first_try(session: Any, url: str, params: dict[str, Any], auth: Any, max_retries: int,
                         sleep: Callable[[float], object]) -> requests.Response:
    for retry in range(max_retries + 1):
        try:  # the retries forgot the credentials
            response = session.get(url, params=params, auth=auth if retry == 0 else None, timeout=TIMEOUT)
        except (requests.ConnectionError, requests.Timeout):
            if retry == max_retries:
                raise
            sleep(2.0**retry)
            continue
        if response.status_code not in RETRYABLE or retry == max_retries:
            response.raise_for_status()
            return response
        sleep(_retry_after(response.headers.get("Retry-After"), 2.0**retry))
    raise AssertionError("unreachable")


@_wrong_page("ignores Retry-After", catches=RETRY_AFTER,
             requirement="a 429 waits what Retry-After says, in seconds or as an HTTP-date")
def _page_fixed_wait(session: Any, url: str, params: dict[str, Any], auth: Any, max_retries: int,
                     sleep: Callable[[float], object]) -> requests.Response:
    for retry in range(max_retries + 1):
        try:
            response = session.get(url, params=params, auth=auth, timeout=TIMEOUT)
        except (requests.ConnectionError, requests.Timeout):
            if retry == max_retries:
                raise
            sleep(2.0**retry)
            continue
        if response.status_code not in RETRYABLE or retry == max_retries:
            response.raise_for_status()
            return response
        sleep(2.0**retry)
    raise AssertionError("unreachable")


@_wrong_page("reads Retry-After as a number only", catches=RETRY_AFTER,
             requirement="a 429 waits what Retry-After says, in seconds or as an HTTP-date")
def _page_retry_after_seconds_only(session: Any, url: str, params: dict[str, Any], auth: Any, max_retries: int,
                                   sleep: Callable[[float], object]) -> requests.Response:
    for retry in range(max_retries + 1):
        try:
            response = session.get(url, params=params, auth=auth, timeout=TIMEOUT)
        except (requests.ConnectionError, requests.Timeout):
            if retry == max_retries:
                raise
            sleep(2.0**retry)
            continue
        if response.status_code not in RETRYABLE or retry == max_retries:
            response.raise_for_status()
            return response
        sleep(float(response.headers.get("Retry-After", 2.0**retry)))  # ValueError on an HTTP-date
    raise AssertionError("unreachable")


@_wrong_page("retries only 429", catches=TRANSIENT,
             requirement="500, 502, 503, 504, timeouts and connection errors are retried")
def _page_only_429(session: Any, url: str, params: dict[str, Any], auth: Any, max_retries: int,
                   sleep: Callable[[float], object]) -> requests.Response:
    for retry in range(max_retries + 1):
        response = session.get(url, params=params, auth=auth, timeout=TIMEOUT)
        if response.status_code == 429 and retry < max_retries:
            sleep(_retry_after(response.headers.get("Retry-After"), 1.0))
            continue
        response.raise_for_status()
        return response
    raise AssertionError("unreachable")


@_wrong_page("retries statuses but not timeouts or dropped connections", catches=TRANSIENT,
             requirement="500, 502, 503, 504, timeouts and connection errors are retried")
def _page_no_transport_retry(session: Any, url: str, params: dict[str, Any], auth: Any, max_retries: int,
                             sleep: Callable[[float], object]) -> requests.Response:
    for retry in range(max_retries + 1):
        response = session.get(url, params=params, auth=auth, timeout=TIMEOUT)
        if response.status_code in RETRYABLE and retry < max_retries:
            sleep(_retry_after(response.headers.get("Retry-After"), 2.0**retry))
            continue
        response.raise_for_status()
        return response
    raise AssertionError("unreachable")


@_wrong_page("the same wait before every retry", catches=TRANSIENT,
             requirement="those retries back off exponentially")
def _page_fixed_backoff(session: Any, url: str, params: dict[str, Any], auth: Any, max_retries: int,
                        sleep: Callable[[float], object]) -> requests.Response:
    for retry in range(max_retries + 1):
        try:
            response = session.get(url, params=params, auth=auth, timeout=TIMEOUT)
        except (requests.ConnectionError, requests.Timeout):
            if retry == max_retries:
                raise
            sleep(1.0)
            continue
        if response.status_code not in RETRYABLE or retry == max_retries:
            response.raise_for_status()
            return response
        sleep(_retry_after(response.headers.get("Retry-After"), 1.0))
    raise AssertionError("unreachable")


@_wrong_page("retries a 401", catches=OTHER_4XX, requirement="any other 4xx is raised at once")
def _page_retries_401(session: Any, url: str, params: dict[str, Any], auth: Any, max_retries: int,
                      sleep: Callable[[float], object]) -> requests.Response:
    for retry in range(max_retries + 1):
        try:
            response = session.get(url, params=params, auth=auth, timeout=TIMEOUT)
        except (requests.ConnectionError, requests.Timeout):
            if retry == max_retries:
                raise
            sleep(2.0**retry)
            continue
        if response.ok or retry == max_retries:
            response.raise_for_status()
            return response
        sleep(_retry_after(response.headers.get("Retry-After"), 2.0**retry))
    raise AssertionError("unreachable")


@_wrong_page("time.sleep instead of the sleep argument", catches=SLEEP,
             requirement="every wait is sleep(seconds), the parameter")
def _page_real_sleep(session: Any, url: str, params: dict[str, Any], auth: Any, max_retries: int,
                     sleep: Callable[[float], object]) -> requests.Response:
    return _page(session, url, params, auth, max_retries, time.sleep)


def _get_page(session: Any, url: str, params: dict[str, Any], auth: Any, max_retries: int, *,
              sleep: Callable[[float], object] = time.sleep) -> requests.Response:
    """A correct retrying GET whose ``sleep`` defaults to the real one."""
    return _page(session, url, params, auth, max_retries, sleep)


@wrong(F1, "sleep left out of the call to its own retry helper", catches=SLEEP,
       requirement="every wait is sleep(seconds), the parameter")
def fetch_payments_helper_sleeps(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, *,
                                 count: int = 100, max_retries: int = 5,
                                 sleep: Callable[[float], object] = time.sleep) -> Iterator[dict[str, Any]]:
    def get(params: dict[str, Any]) -> requests.Response:
        return _get_page(session, f"{base_url}/payments", params, auth, max_retries)  # the helper's default

    yield from _pages(get, {"from": from_ts, "to": to_ts, "count": count})


# ---------------------------------------------------------------- 10.2 transform_payments

T_VALID = "yields a Payment for each valid record, in order"
T_INVALID = "dead-letters each invalid record once, exactly as it came"
T_CONTEXT = "a dead letter says why: the ValidationError and the payment_id"
T_LAZY = "is lazy: one record in, one payment out"
T_PROPAGATES = "lets an error from the source propagate"
T_UNCHANGED = "leaves the raw records unchanged"


@wrong("10.2", "dead letters without context", catches=T_CONTEXT,
       requirement="a dead letter carries the ValidationError and the payment_id")
def transform_payments_no_context(raw: Iterable[Any], dlq: Any) -> Iterator[Any]:
    for record in raw:
        try:
            payment = Payment.model_validate(record)
        except ValidationError as error:
            dlq.write(record, error)
            continue
        yield payment


@wrong("10.2", "the error's text instead of the ValidationError", catches=T_CONTEXT,
       requirement="a dead letter carries the ValidationError and the payment_id")
def transform_payments_error_text(raw: Iterable[Any], dlq: Any) -> Iterator[Any]:
    for record in raw:
        try:
            payment = Payment.model_validate(record)
        except ValidationError as error:
            dlq.write(record, RuntimeError(str(error)), context={"payment_id": record.get("payment_id")})
            continue
        yield payment


@wrong("10.2", "drops invalid records silently", catches=T_INVALID,
       requirement="each invalid record dead-lettered once, exactly as it came")
def transform_payments_drops(raw: Iterable[Any], dlq: Any) -> Iterator[Any]:
    for record in raw:
        try:
            payment = Payment.model_validate(record)
        except ValidationError:
            continue
        yield payment


@wrong("10.2", "dead-letters a half-converted copy", catches=T_INVALID,
       requirement="each invalid record dead-lettered once, exactly as it came")
def transform_payments_stores_a_copy(raw: Iterable[Any], dlq: Any) -> Iterator[Any]:
    for record in raw:
        try:
            payment = Payment.model_validate(record)
        except ValidationError as error:
            dlq.write({**record, "amount": str(record.get("amount"))}, error,
                      context={"payment_id": record.get("payment_id")})
            continue
        yield payment


@wrong("10.2", "stops the stream at the first invalid record", catches=T_VALID,
       requirement="each invalid record dead-lettered once, exactly as it came")
def transform_payments_reraises(raw: Iterable[Any], dlq: Any) -> Iterator[Any]:
    for record in raw:
        try:
            payment = Payment.model_validate(record)
        except ValidationError as error:
            dlq.write(record, error, context={"payment_id": record.get("payment_id")})
            raise  # "make sure somebody notices"
        yield payment


@wrong("10.2", "yields dicts, not Payment models", catches=T_VALID,
       requirement="a Payment for each valid record, in order")
def transform_payments_dicts(raw: Iterable[Any], dlq: Any) -> Iterator[Any]:
    for record in raw:
        try:
            payment = Payment.model_validate(record)
        except ValidationError as error:
            dlq.write(record, error, context={"payment_id": record.get("payment_id")})
            continue
        yield payment.model_dump()


@wrong("10.2", "validates everything into a list first", catches=T_LAZY,
       requirement="a generator: one record in, one payment out")
def transform_payments_eager(raw: Iterable[Any], dlq: Any) -> Iterator[Any]:
    valid = []
    for record in raw:
        try:
            valid.append(Payment.model_validate(record))
        except ValidationError as error:
            dlq.write(record, error, context={"payment_id": record.get("payment_id")})
    return iter(valid)


@wrong("10.2", "a try around the whole loop", catches=T_PROPAGATES,
       requirement="only validation errors are caught: an error raised by raw propagates")
def transform_payments_swallows(raw: Iterable[Any], dlq: Any) -> Iterator[Any]:
    try:
        for record in raw:
            try:
                payment = Payment.model_validate(record)
            except ValidationError as error:
                dlq.write(record, error, context={"payment_id": record.get("payment_id")})
                continue
            yield payment
    except Exception:  # "the pipeline must not crash"
        return


@wrong("10.2", "marks the input record as seen, in place", catches=T_UNCHANGED,
       requirement="the raw records are left unchanged")
def transform_payments_marks_records(raw: Iterable[Any], dlq: Any) -> Iterator[Any]:
    for position, record in enumerate(raw):
        record["_position"] = position  # for the logs; the model ignores unknown keys
        try:
            payment = Payment.model_validate(record)
        except ValidationError as error:
            dlq.write(record, error, context={"payment_id": record.get("payment_id")})
            continue
        yield payment


@wrong("10.2", "fixes up the input record in place", catches=T_UNCHANGED,
       requirement="the raw records are left unchanged")
def transform_payments_mutates(raw: Iterable[Any], dlq: Any) -> Iterator[Any]:
    for record in raw:
        if isinstance(record.get("currency"), str):
            record["currency"] = record["currency"].upper()  # "inr" -> "INR", in the caller's dict
        try:
            payment = Payment.model_validate(record)
        except ValidationError as error:
            dlq.write(record, error, context={"payment_id": record.get("payment_id")})
            continue
        yield payment


# ---------------------------------------------------------------- 10.3 load_payments

L_ALL = "loads every payment into the payments table"
L_VALUES = "stores exact amounts and UTC times, as the table documents"
L_AGAIN = "loading the same payments again changes nothing"
L_UPDATES = "a changed payment is updated in place, in every column"
L_COUNTS = "returns loaded and batches"
L_ONE_TRANSACTION = "writes each batch with one executemany, in one transaction"
L_STREAMS = "commits each batch before reading the next"
L_ROW_BY_ROW = "a batch the database refuses is loaded row by row; the refused row is dead-lettered"
L_COUNTER = "counts every dead letter it writes (dead_lettered)"
L_RAISES = "without a dlq, a refused batch raises and is rolled back"

_INSERT = """
INSERT INTO payments (payment_id, merchant_id, amount, currency, status, method, captured_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
"""
_UPSERT = _INSERT + """ON CONFLICT (payment_id) DO UPDATE SET
    merchant_id = excluded.merchant_id, amount = excluded.amount, currency = excluded.currency,
    status = excluded.status, method = excluded.method, captured_at = excluded.captured_at
"""


def _row(p: Any) -> tuple[Any, ...]:
    captured = None if p.captured_at is None else p.captured_at.astimezone(UTC).isoformat()
    return (p.payment_id, p.merchant_id, format(p.amount, "f"), p.currency, p.status, p.method, captured)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _upserting(payments: Iterable[Any], conn: Any, batch_size: int, dlq: Any, *, sql: str = _UPSERT,
               row: Callable[[Any], tuple[Any, ...]] = _row) -> dict[str, int]:
    """A correct loader but for ``sql`` and ``row``, where the wrong versions built on it err."""
    stats = {"loaded": 0, "batches": 0, "dead_lettered": 0}
    for batch in _chunks(payments, batch_size):
        stats["batches"] += 1
        try:
            with db.transaction(conn):
                db.executemany(conn, sql, [row(p) for p in batch])
            stats["loaded"] += len(batch)
        except db.row_errors(conn):
            if dlq is None:
                raise
            for p in batch:
                try:
                    with db.transaction(conn):
                        db.execute(conn, sql, row(p))
                    stats["loaded"] += 1
                except db.row_errors(conn) as error:
                    dlq.write(p, error, context={"payment_id": p.payment_id})
                    stats["dead_lettered"] += 1
    return stats


@wrong("10.3", "a dead-letter counter that never counts", catches=L_COUNTER,
       requirement="counts what it dead-letters: loaded + dead_lettered is the payments handed in")
def load_payments_counter_never_counts(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                                       dlq: Any = None) -> dict[str, int]:
    loaded = batches = dlq_count = 0
    for batch in _chunks(payments, batch_size):
        batches += 1
        try:
            with db.transaction(conn):
                db.executemany(conn, _UPSERT, [_row(p) for p in batch])
            loaded += len(batch)
        except db.row_errors(conn):
            if dlq is None:
                raise
            for p in batch:
                try:
                    with db.transaction(conn):
                        db.execute(conn, _UPSERT, _row(p))
                    loaded += 1
                except db.row_errors(conn) as error:
                    dlq.write(p, error, context={"payment_id": p.payment_id})
    return {"loaded": loaded, "batches": batches, "dead_lettered": dlq_count}


@wrong("10.3", "counts a refused batch's rows as loaded", catches=L_COUNTER,
       requirement="counts what it dead-letters: loaded + dead_lettered is the payments handed in")
def load_payments_counts_refused_as_loaded(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                                           dlq: Any = None) -> dict[str, int]:
    stats = {"loaded": 0, "batches": 0, "dead_lettered": 0}
    for batch in _chunks(payments, batch_size):
        stats["batches"] += 1
        stats["loaded"] += len(batch)  # counted before it is known whether the batch goes in
        try:
            with db.transaction(conn):
                db.executemany(conn, _UPSERT, [_row(p) for p in batch])
        except db.row_errors(conn):
            if dlq is None:
                raise
            for p in batch:
                try:
                    with db.transaction(conn):
                        db.execute(conn, _UPSERT, _row(p))
                except db.row_errors(conn) as error:
                    dlq.write(p, error, context={"payment_id": p.payment_id})
                    stats["dead_lettered"] += 1
    return stats


@wrong("10.3", "a refused batch is dead-lettered whole", catches=L_ROW_BY_ROW,
       requirement="a refused batch is loaded row by row, each refused row dead-lettered")
def load_payments_drops_the_batch(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                                  dlq: Any = None) -> dict[str, int]:
    stats = {"loaded": 0, "batches": 0, "dead_lettered": 0}
    for batch in _chunks(payments, batch_size):
        stats["batches"] += 1
        try:
            with db.transaction(conn):
                db.executemany(conn, _UPSERT, [_row(p) for p in batch])
            stats["loaded"] += len(batch)
        except db.row_errors(conn) as error:
            if dlq is None:
                raise
            for p in batch:
                dlq.write(p, error, context={"payment_id": p.payment_id})
                stats["dead_lettered"] += 1
    return stats


@wrong("10.3", "the row-by-row rescue in one transaction, rolled back at the bad row", catches=L_ROW_BY_ROW,
       requirement="a refused batch is loaded row by row, each refused row dead-lettered")
def load_payments_rescue_in_one_transaction(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                                            dlq: Any = None) -> dict[str, int]:
    stats = {"loaded": 0, "batches": 0, "dead_lettered": 0}
    for batch in _chunks(payments, batch_size):
        stats["batches"] += 1
        try:
            with db.transaction(conn):
                db.executemany(conn, _UPSERT, [_row(p) for p in batch])
            stats["loaded"] += len(batch)
        except db.row_errors(conn):
            if dlq is None:
                raise
            for p in batch:
                try:
                    db.execute(conn, _UPSERT, _row(p))
                    stats["loaded"] += 1
                except db.row_errors(conn) as error:
                    conn.rollback()  # takes the good rows written before it along
                    dlq.write(p, error, context={"payment_id": p.payment_id})
                    stats["dead_lettered"] += 1
            conn.commit()
    return stats


@wrong("10.3", "float amounts", catches=L_VALUES, requirement="amount stored as exact text with two places")
def load_payments_float_amount(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                               dlq: Any = None) -> dict[str, int]:
    return _upserting(payments, conn, batch_size, dlq, row=lambda p: (*_row(p)[:2], float(p.amount), *_row(p)[3:]))


@wrong("10.3", "captured_at as naive text", catches=L_VALUES,
       requirement="captured_at stored as ISO-8601 text in UTC, None as NULL")
def load_payments_naive_time(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                             dlq: Any = None) -> dict[str, int]:
    def row(p: Any) -> tuple[Any, ...]:
        naive = None if p.captured_at is None else p.captured_at.replace(tzinfo=None).isoformat()
        return (*_row(p)[:6], naive)

    return _upserting(payments, conn, batch_size, dlq, row=row)


@wrong("10.3", "a missing captured_at stored as the text 'None'", catches=L_VALUES,
       requirement="captured_at stored as ISO-8601 text in UTC, None as NULL")
def load_payments_none_as_text(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                               dlq: Any = None) -> dict[str, int]:
    def row(p: Any) -> tuple[Any, ...]:
        captured = p.captured_at.astimezone(UTC).isoformat() if p.captured_at is not None else "None"
        return (*_row(p)[:6], str(captured))

    return _upserting(payments, conn, batch_size, dlq, row=row)


@wrong("10.3", "plain INSERT (a re-run fails on the key)", catches=L_AGAIN,
       requirement="loading the same payments again changes nothing")
def load_payments_insert(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                         dlq: Any = None) -> dict[str, int]:
    return _upserting(payments, conn, batch_size, dlq, sql=_INSERT)


@wrong("10.3", "updates only status on conflict", catches=L_UPDATES,
       requirement="a changed payment is updated in place, every column")
def load_payments_updates_status_only(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                                      dlq: Any = None) -> dict[str, int]:
    sql = _INSERT + "ON CONFLICT (payment_id) DO UPDATE SET status = excluded.status"
    return _upserting(payments, conn, batch_size, dlq, sql=sql)


@wrong("10.3", "updates status and amount, not the other columns", catches=L_UPDATES,
       requirement="a changed payment is updated in place, every column")
def load_payments_updates_some_columns(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                                       dlq: Any = None) -> dict[str, int]:
    sql = _INSERT + "ON CONFLICT (payment_id) DO UPDATE SET status = excluded.status, amount = excluded.amount"
    return _upserting(payments, conn, batch_size, dlq, sql=sql)


@wrong("10.3", "DO NOTHING on conflict", catches=L_UPDATES,
       requirement="a changed payment is updated in place, every column")
def load_payments_do_nothing(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                             dlq: Any = None) -> dict[str, int]:
    return _upserting(payments, conn, batch_size, dlq, sql=_INSERT + "ON CONFLICT (payment_id) DO NOTHING")


@wrong("10.3", "loses the last, short batch", catches=L_ALL,
       requirement="every payment upserted into the payments table")
def load_payments_full_batches_only(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                                    dlq: Any = None) -> dict[str, int]:
    stats = {"loaded": 0, "batches": 0, "dead_lettered": 0}
    batch: list[Any] = []
    for p in payments:
        batch.append(p)
        if len(batch) == batch_size:
            stats = _add(stats, _upserting(batch, conn, batch_size, dlq))
            batch = []
    return stats  # the payments still in `batch` are never written


def _add(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {key: a[key] + b[key] for key in a}


@wrong("10.3", "a commit per row", catches=L_ONE_TRANSACTION,
       requirement="each batch written by one executemany in one transaction")
def load_payments_commit_per_row(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                                 dlq: Any = None) -> dict[str, int]:
    stats = {"loaded": 0, "batches": 0, "dead_lettered": 0}
    for batch in _chunks(payments, batch_size):
        stats["batches"] += 1
        for p in batch:
            try:
                with db.transaction(conn):
                    db.execute(conn, _UPSERT, _row(p))
                stats["loaded"] += 1
            except db.row_errors(conn) as error:
                if dlq is None:
                    raise
                dlq.write(p, error, context={"payment_id": p.payment_id})
                stats["dead_lettered"] += 1
    return stats


@wrong("10.3", "one execute per row, in one transaction per batch", catches=L_ONE_TRANSACTION,
       requirement="each batch written by one executemany in one transaction")
def load_payments_execute_per_row(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                                  dlq: Any = None) -> dict[str, int]:
    stats = {"loaded": 0, "batches": 0, "dead_lettered": 0}
    for batch in _chunks(payments, batch_size):
        try:
            with db.transaction(conn):
                for p in batch:
                    db.execute(conn, _UPSERT, _row(p))
        except db.row_errors(conn):
            if dlq is None:
                raise
            stats = _add(stats, _upserting(batch, conn, 1, dlq))  # row by row, as it should
            stats["batches"] -= len(batch) - 1
            continue
        stats["loaded"] += len(batch)
        stats["batches"] += 1
    return stats


@wrong("10.3", "reads every payment before writing", catches=L_STREAMS,
       requirement="batch_size payments at a time, each batch committed before the next is read")
def load_payments_eager(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                        dlq: Any = None) -> dict[str, int]:
    return _upserting(list(payments), conn, batch_size, dlq)


@wrong("10.3", "batches counted wrong", catches=L_COUNTS, requirement="returns loaded and batches")
def load_payments_off_by_one(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                             dlq: Any = None) -> dict[str, int]:
    stats = _upserting(payments, conn, batch_size, dlq)
    return {**stats, "batches": stats["batches"] - 1}  # "the last one was not a full batch"


@wrong("10.3", "swallows a refused batch when there is no dlq", catches=L_RAISES,
       requirement="without a dlq, a refused batch is rolled back and the error raised")
def load_payments_swallows(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                           dlq: Any = None) -> dict[str, int]:
    stats = {"loaded": 0, "batches": 0, "dead_lettered": 0}
    for batch in _chunks(payments, batch_size):
        stats["batches"] += 1
        try:
            stats = _add(stats, {**_upserting(batch, conn, batch_size, dlq), "batches": 0})
        except db.row_errors(conn):
            continue
    return stats


@wrong("10.3", "commits what a refused batch wrote before the bad row", catches=L_RAISES,
       requirement="without a dlq, a refused batch is rolled back and the error raised")
def load_payments_commits_half_a_batch(payments: Iterable[Any], conn: Any, batch_size: int = 5_000, *,
                                       dlq: Any = None) -> dict[str, int]:
    stats = {"loaded": 0, "batches": 0, "dead_lettered": 0}
    for batch in _chunks(payments, batch_size):
        stats["batches"] += 1
        try:
            db.executemany(conn, _UPSERT, [_row(p) for p in batch])
        except db.row_errors(conn):
            if dlq is None:
                raise
            stats = _add(stats, {**_upserting(batch, conn, 1, dlq), "batches": 0})
            continue
        finally:
            conn.commit()  # "save what we have": the rows before the bad one too
        stats["loaded"] += len(batch)
    return stats


# ---------------------------------------------------------------- 10.4 run

R_STATE = "loads exactly the valid payments and dead-letters the invalid ones"
R_COUNTS = "returns fetched, loaded, dead_lettered and reconciled"
R_REFUSED = "a row the database refuses is dead-lettered and counted too"
R_SUMMARY = "asks the API's summary with auth, a timeout and retries"
R_MISMATCH = "reports reconciled False when the API holds more than was fetched"
R_TWICE = "running again changes nothing"
R_KILLED = "a run killed midway and restarted loads every payment exactly once"
R_DOWN = "fails loudly when the API stays down"
R_PASSES_DOWN = "passes count, max_retries, batch_size and sleep down to the stages"


def _summary(retrying: Any, session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int,
             sleep: Callable[[float], object], *, timeout: Any = TIMEOUT) -> dict[str, int]:
    @retrying(max_attempts=6, sleep=sleep)
    def get() -> dict[str, int]:
        response = session.get(f"{base_url}/payments/summary", params={"from": from_ts, "to": to_ts},
                               auth=auth, timeout=timeout)
        response.raise_for_status()
        return response.json()

    return get()


class _Counting:
    def __init__(self, dlq: Any) -> None:
        self.dlq, self.count = dlq, 0

    def write(self, record: Any, error: BaseException, context: Any = None) -> None:
        self.dlq.write(record, error, context)
        self.count += 1


class _Kept:
    """A dead letter queue that keeps its entries in a list (and never in a file)."""

    def __init__(self) -> None:
        self.entries: list[Any] = []

    def write(self, record: Any, error: BaseException, context: Any = None) -> None:
        self.entries.append((record, error, context))


def _counted(records: Iterable[Any], tally: dict[str, int]) -> Iterator[Any]:
    for record in records:
        tally["fetched"] += 1
        yield record


def _reconciled(counts: dict[str, int], summary_count: int) -> bool:
    return counts["fetched"] == summary_count and counts["loaded"] + counts["dead_lettered"] == counts["fetched"]


def _pipeline(stages: tuple[Any, Any, Any], session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int,
              conn: Any, dlq: Any, *, batch_size: int, count: int, max_retries: int,
              sleep: Callable[[float], object]) -> dict[str, int]:
    """fetch → transform → load (the references, passed in), counting; no summary, no DLQ file handling."""
    fetch_payments, transform_payments, load_payments = stages
    db.create_payments_table(conn)
    tally = {"fetched": 0}
    invalid = _Counting(dlq)
    raw = _counted(fetch_payments(session, base_url, auth, from_ts, to_ts, count=count,
                                  max_retries=max_retries, sleep=sleep), tally)
    stats = load_payments(transform_payments(raw, invalid), conn, batch_size, dlq=dlq)
    return {"fetched": tally["fetched"], "loaded": stats["loaded"],
            "dead_lettered": invalid.count + stats["dead_lettered"]}


def _fresh(dlq_path: str | Path) -> tuple[Path, Path]:
    """(the .partial file this run writes, the file it publishes), the .partial cleared."""
    final = Path(dlq_path)
    partial = final.with_name(final.name + ".partial")
    partial.unlink(missing_ok=True)
    return partial, final


def _publish(partial: Path, final: Path) -> None:
    partial.touch()
    partial.replace(final)


@wrong("10.4", "appends to the dead letter file", catches=R_TWICE,
       requirement="running again changes nothing: table, dead letter file and result")
def run_appends_dead_letters(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, conn: Any,
                             dlq_path: str | Path, *, batch_size: int = 5_000, count: int = 100,
                             max_retries: int = 5, sleep: Callable[[float], object] = time.sleep) -> dict[str, Any]:
    counts = _pipeline((fetch_payments, transform_payments, load_payments), session, base_url, auth, from_ts, to_ts,
                       conn, DeadLetterQueue(dlq_path),
                       batch_size=batch_size, count=count, max_retries=max_retries, sleep=sleep)
    summary = _summary(with_retry, session, base_url, auth, from_ts, to_ts, sleep)
    Path(dlq_path).touch()
    return {**counts, "reconciled": _reconciled(counts, summary["count"])}


@wrong("10.4", "never creates the table", catches=R_STATE, requirement="creates the payments table if needed")
def run_no_table(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, conn: Any,
                 dlq_path: str | Path, *, batch_size: int = 5_000, count: int = 100,
                 max_retries: int = 5, sleep: Callable[[float], object] = time.sleep) -> dict[str, Any]:
    partial, final = _fresh(dlq_path)
    dlq = DeadLetterQueue(partial)
    tally = {"fetched": 0}
    invalid = _Counting(dlq)
    raw = _counted(fetch_payments(session, base_url, auth, from_ts, to_ts, count=count,
                                  max_retries=max_retries, sleep=sleep), tally)
    stats = load_payments(transform_payments(raw, invalid), conn, batch_size, dlq=dlq)  # "the table is there"
    counts = {"fetched": tally["fetched"], "loaded": stats["loaded"],
              "dead_lettered": invalid.count + stats["dead_lettered"]}
    summary = _summary(with_retry, session, base_url, auth, from_ts, to_ts, sleep)
    _publish(partial, final)
    return {**counts, "reconciled": _reconciled(counts, summary["count"])}


@wrong("10.4", "the transform's dead letters kept in a list, not written to the file", catches=R_STATE,
       requirement="the valid payments in the table, the invalid ones in the dead letter file")
def run_dead_letters_in_memory(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, conn: Any,
                               dlq_path: str | Path, *, batch_size: int = 5_000, count: int = 100,
                               max_retries: int = 5, sleep: Callable[[float], object] = time.sleep) -> dict[str, Any]:
    partial, final = _fresh(dlq_path)
    db.create_payments_table(conn)
    kept = _Kept()
    tally = {"fetched": 0}
    raw = _counted(fetch_payments(session, base_url, auth, from_ts, to_ts, count=count,
                                  max_retries=max_retries, sleep=sleep), tally)
    stats = load_payments(transform_payments(raw, kept), conn, batch_size, dlq=DeadLetterQueue(partial))
    counts = {"fetched": tally["fetched"], "loaded": stats["loaded"],
              "dead_lettered": len(kept.entries) + stats["dead_lettered"]}
    summary = _summary(with_retry, session, base_url, auth, from_ts, to_ts, sleep)
    _publish(partial, final)
    return {**counts, "reconciled": _reconciled(counts, summary["count"])}


@wrong("10.4", "publishes the dead letter file only when something was dead-lettered", catches=R_STATE,
       requirement="dlq_path is rebuilt by every run, also when nothing is invalid")
def run_keeps_the_old_file(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, conn: Any,
                           dlq_path: str | Path, *, batch_size: int = 5_000, count: int = 100,
                           max_retries: int = 5, sleep: Callable[[float], object] = time.sleep) -> dict[str, Any]:
    partial, final = _fresh(dlq_path)
    counts = _pipeline((fetch_payments, transform_payments, load_payments), session, base_url, auth, from_ts, to_ts,
                       conn, DeadLetterQueue(partial),
                       batch_size=batch_size, count=count, max_retries=max_retries, sleep=sleep)
    summary = _summary(with_retry, session, base_url, auth, from_ts, to_ts, sleep)
    if partial.exists():  # nothing dead-lettered: the last run's list stays where it was
        partial.replace(final)
    return {**counts, "reconciled": _reconciled(counts, summary["count"])}


@wrong("10.4", "os.replace of a .partial file no dead letter created", catches=R_STATE,
       requirement="dlq_path is rebuilt by every run, also when nothing is invalid")
def run_replace_fails_when_clean(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, conn: Any,
                                 dlq_path: str | Path, *, batch_size: int = 5_000, count: int = 100,
                                 max_retries: int = 5,
                                 sleep: Callable[[float], object] = time.sleep) -> dict[str, Any]:
    partial, final = _fresh(dlq_path)
    counts = _pipeline((fetch_payments, transform_payments, load_payments), session, base_url, auth, from_ts, to_ts,
                       conn, DeadLetterQueue(partial),
                       batch_size=batch_size, count=count, max_retries=max_retries, sleep=sleep)
    summary = _summary(with_retry, session, base_url, auth, from_ts, to_ts, sleep)
    partial.replace(final)  # FileNotFoundError when no dead letter was ever written
    return {**counts, "reconciled": _reconciled(counts, summary["count"])}


@wrong("10.4", "a dead-letter counter that never counts", catches=R_COUNTS,
       requirement="dead_lettered counts the dead letters of both stages")
def run_dead_letters_uncounted(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, conn: Any,
                               dlq_path: str | Path, *, batch_size: int = 5_000, count: int = 100,
                               max_retries: int = 5, sleep: Callable[[float], object] = time.sleep) -> dict[str, Any]:
    partial, final = _fresh(dlq_path)
    counts = _pipeline((fetch_payments, transform_payments, load_payments), session, base_url, auth, from_ts, to_ts,
                       conn, DeadLetterQueue(partial),
                       batch_size=batch_size, count=count, max_retries=max_retries, sleep=sleep)
    counts["dead_lettered"] = 0  # dlq_count = 0, never incremented
    summary = _summary(with_retry, session, base_url, auth, from_ts, to_ts, sleep)
    _publish(partial, final)
    return {**counts, "reconciled": _reconciled(counts, summary["count"])}


@wrong("10.4", "counts the transform's dead letters only", catches=R_REFUSED,
       requirement="dead_lettered counts the dead letters of both stages")
def run_counts_transform_dead_letters(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, conn: Any,
                                      dlq_path: str | Path, *, batch_size: int = 5_000, count: int = 100,
                                      max_retries: int = 5,
                                      sleep: Callable[[float], object] = time.sleep) -> dict[str, Any]:
    partial, final = _fresh(dlq_path)
    db.create_payments_table(conn)
    dlq = DeadLetterQueue(partial)
    invalid = _Counting(dlq)
    tally = {"fetched": 0}
    raw = _counted(fetch_payments(session, base_url, auth, from_ts, to_ts, count=count,
                                  max_retries=max_retries, sleep=sleep), tally)
    stats = load_payments(transform_payments(raw, invalid), conn, batch_size, dlq=dlq)
    counts = {"fetched": tally["fetched"], "loaded": stats["loaded"], "dead_lettered": invalid.count}
    summary = _summary(with_retry, session, base_url, auth, from_ts, to_ts, sleep)
    _publish(partial, final)
    return {**counts, "reconciled": _reconciled(counts, summary["count"])}


@wrong("10.4", "load_payments without dlq=", catches=R_REFUSED,
       requirement="load_payments gets dlq= too: a row the database refuses is dead-lettered")
def run_load_without_dlq(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, conn: Any,
                         dlq_path: str | Path, *, batch_size: int = 5_000, count: int = 100,
                         max_retries: int = 5, sleep: Callable[[float], object] = time.sleep) -> dict[str, Any]:
    partial, final = _fresh(dlq_path)
    db.create_payments_table(conn)
    invalid = _Counting(DeadLetterQueue(partial))
    tally = {"fetched": 0}
    raw = _counted(fetch_payments(session, base_url, auth, from_ts, to_ts, count=count,
                                  max_retries=max_retries, sleep=sleep), tally)
    stats = load_payments(transform_payments(raw, invalid), conn, batch_size)  # a refused row raises
    counts = {"fetched": tally["fetched"], "loaded": stats["loaded"],
              "dead_lettered": invalid.count + stats["dead_lettered"]}
    summary = _summary(with_retry, session, base_url, auth, from_ts, to_ts, sleep)
    _publish(partial, final)
    return {**counts, "reconciled": _reconciled(counts, summary["count"])}


@wrong("10.4", "fetched counts the valid payments", catches=R_COUNTS,
       requirement="fetched counts the raw records as they stream past")
def run_counts_valid_as_fetched(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, conn: Any,
                                dlq_path: str | Path, *, batch_size: int = 5_000, count: int = 100,
                                max_retries: int = 5, sleep: Callable[[float], object] = time.sleep) -> dict[str, Any]:
    partial, final = _fresh(dlq_path)
    db.create_payments_table(conn)
    dlq = DeadLetterQueue(partial)
    invalid = _Counting(dlq)
    tally = {"fetched": 0}
    raw = fetch_payments(session, base_url, auth, from_ts, to_ts, count=count, max_retries=max_retries, sleep=sleep)
    valid = _counted(transform_payments(raw, invalid), tally)  # counted after validation
    stats = load_payments(valid, conn, batch_size, dlq=dlq)
    counts = {"fetched": tally["fetched"], "loaded": stats["loaded"],
              "dead_lettered": invalid.count + stats["dead_lettered"]}
    summary = _summary(with_retry, session, base_url, auth, from_ts, to_ts, sleep)
    _publish(partial, final)
    return {**counts, "reconciled": _reconciled(counts, summary["count"])}


@wrong("10.4", "reports 'ok' instead of reconciled", catches=R_COUNTS,
       requirement="returns fetched, loaded, dead_lettered and reconciled")
def run_says_ok(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, conn: Any,
                dlq_path: str | Path, *, batch_size: int = 5_000, count: int = 100,
                max_retries: int = 5, sleep: Callable[[float], object] = time.sleep) -> dict[str, Any]:
    partial, final = _fresh(dlq_path)
    counts = _pipeline((fetch_payments, transform_payments, load_payments), session, base_url, auth, from_ts, to_ts,
                       conn, DeadLetterQueue(partial),
                       batch_size=batch_size, count=count, max_retries=max_retries, sleep=sleep)
    summary = _summary(with_retry, session, base_url, auth, from_ts, to_ts, sleep)
    _publish(partial, final)
    return {**counts, "ok": _reconciled(counts, summary["count"])}


@wrong("10.4", "asks the summary once, without retries", catches=R_SUMMARY,
       requirement="asks the summary endpoint with auth, a timeout and retries")
def run_summary_without_retries(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, conn: Any,
                                dlq_path: str | Path, *, batch_size: int = 5_000, count: int = 100,
                                max_retries: int = 5, sleep: Callable[[float], object] = time.sleep) -> dict[str, Any]:
    partial, final = _fresh(dlq_path)
    counts = _pipeline((fetch_payments, transform_payments, load_payments), session, base_url, auth, from_ts, to_ts,
                       conn, DeadLetterQueue(partial),
                       batch_size=batch_size, count=count, max_retries=max_retries, sleep=sleep)
    response = session.get(f"{base_url}/payments/summary", params={"from": from_ts, "to": to_ts}, auth=auth,
                           timeout=TIMEOUT)
    response.raise_for_status()
    _publish(partial, final)
    return {**counts, "reconciled": _reconciled(counts, response.json()["count"])}


@wrong("10.4", "asks the summary without a timeout", catches=R_SUMMARY,
       requirement="asks the summary endpoint with auth, a timeout and retries")
def run_summary_without_timeout(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, conn: Any,
                                dlq_path: str | Path, *, batch_size: int = 5_000, count: int = 100,
                                max_retries: int = 5, sleep: Callable[[float], object] = time.sleep) -> dict[str, Any]:
    partial, final = _fresh(dlq_path)
    counts = _pipeline((fetch_payments, transform_payments, load_payments), session, base_url, auth, from_ts, to_ts,
                       conn, DeadLetterQueue(partial),
                       batch_size=batch_size, count=count, max_retries=max_retries, sleep=sleep)
    summary = _summary(with_retry, session, base_url, auth, from_ts, to_ts, sleep, timeout=None)
    _publish(partial, final)
    return {**counts, "reconciled": _reconciled(counts, summary["count"])}


@wrong("10.4", "never asks for the summary", catches=R_MISMATCH,
       requirement="reconciled is False when the API's count differs from what was fetched")
def run_no_summary(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, conn: Any,
                   dlq_path: str | Path, *, batch_size: int = 5_000, count: int = 100,
                   max_retries: int = 5, sleep: Callable[[float], object] = time.sleep) -> dict[str, Any]:
    partial, final = _fresh(dlq_path)
    counts = _pipeline((fetch_payments, transform_payments, load_payments), session, base_url, auth, from_ts, to_ts,
                       conn, DeadLetterQueue(partial),
                       batch_size=batch_size, count=count, max_retries=max_retries, sleep=sleep)
    _publish(partial, final)
    return {**counts, "reconciled": counts["loaded"] + counts["dead_lettered"] == counts["fetched"]}


@wrong("10.4", "dead letters kept from a killed run", catches=R_KILLED,
       requirement="a run killed midway and restarted loads every payment exactly once")
def run_keeps_partial_dead_letters(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, conn: Any,
                                   dlq_path: str | Path, *, batch_size: int = 5_000, count: int = 100,
                                   max_retries: int = 5,
                                   sleep: Callable[[float], object] = time.sleep) -> dict[str, Any]:
    final = Path(dlq_path)
    partial = final.with_name(final.name + ".partial")  # resumed, never cleared: a killed run's half stays
    counts = _pipeline((fetch_payments, transform_payments, load_payments), session, base_url, auth, from_ts, to_ts,
                       conn, DeadLetterQueue(partial),
                       batch_size=batch_size, count=count, max_retries=max_retries, sleep=sleep)
    summary = _summary(with_retry, session, base_url, auth, from_ts, to_ts, sleep)
    _publish(partial, final)
    return {**counts, "reconciled": _reconciled(counts, summary["count"])}


@wrong("10.4", "reports a failed fetch as a finished run", catches=R_DOWN,
       requirement="errors that outlive the retries propagate")
def run_swallows_errors(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, conn: Any,
                        dlq_path: str | Path, *, batch_size: int = 5_000, count: int = 100,
                        max_retries: int = 5, sleep: Callable[[float], object] = time.sleep) -> dict[str, Any]:
    partial, final = _fresh(dlq_path)
    try:
        counts = _pipeline((fetch_payments, transform_payments, load_payments), session, base_url, auth, from_ts,
                           to_ts, conn, DeadLetterQueue(partial),
                           batch_size=batch_size, count=count, max_retries=max_retries, sleep=sleep)
        summary = _summary(with_retry, session, base_url, auth, from_ts, to_ts, sleep)
    except requests.RequestException:
        counts, summary = {"fetched": 0, "loaded": 0, "dead_lettered": 0}, {"count": 0}
    _publish(partial, final)
    return {**counts, "reconciled": _reconciled(counts, summary["count"])}


def _leaving_out(setting: str) -> Callable[..., dict[str, Any]]:
    """A correct run but that it leaves ``setting`` out of its calls: the stage's default applies."""

    def run(session: Any, base_url: str, auth: Any, from_ts: int, to_ts: int, conn: Any, dlq_path: str | Path, *,
            batch_size: int = 5_000, count: int = 100, max_retries: int = 5,
            sleep: Callable[[float], object] = time.sleep) -> dict[str, Any]:
        given = {"count": count, "max_retries": max_retries, "sleep": sleep}
        fetch_settings = {name: value for name, value in given.items() if name != setting}
        load_settings = {} if setting == "batch_size" else {"batch_size": batch_size}
        waiting = {} if setting == "sleep" else {"sleep": sleep}
        partial, final = _fresh(dlq_path)
        db.create_payments_table(conn)
        dlq = DeadLetterQueue(partial)
        invalid = _Counting(dlq)
        tally = {"fetched": 0}
        raw = _counted(fetch_payments(session, base_url, auth, from_ts, to_ts, **fetch_settings), tally)
        stats = load_payments(transform_payments(raw, invalid), conn, dlq=dlq, **load_settings)
        counts = {"fetched": tally["fetched"], "loaded": stats["loaded"],
                  "dead_lettered": invalid.count + stats["dead_lettered"]}

        @with_retry(max_attempts=6, **waiting)
        def summary() -> dict[str, int]:
            response = session.get(f"{base_url}/payments/summary", params={"from": from_ts, "to": to_ts},
                                   auth=auth, timeout=TIMEOUT)
            response.raise_for_status()
            return response.json()

        reconciled = _reconciled(counts, summary()["count"])
        _publish(partial, final)
        return {**counts, "reconciled": reconciled}

    return run


for _setting in ("sleep", "count", "batch_size", "max_retries"):
    wrong("10.4", f"{_setting} not passed on", catches=R_PASSES_DOWN,
          requirement="passes count, max_retries, batch_size and sleep down to the stages")(_leaving_out(_setting))
