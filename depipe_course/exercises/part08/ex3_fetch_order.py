"""08.3: ``fetch_order_from_api`` and the learner's tests for it, written with ``responses``.

The function asks ``{base_url}/orders/{order_id}`` once, through the session it is given,
with its timeout, returns the parsed order and raises on every HTTP or transport error.
The tests are then graded by mutation like 08.2's, against an ``@instructor_only``
correct version.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.edition import instructor_only
from depipe_course.exercises import _mutation, exercise
from depipe_course.exercises._mutation import Mutant
from depipe_course.judging.judge import learner_module

# The example test the stub ships with: a suite holding only this, unchanged, is "not attempted".
FETCH_ORDER_SKELETON_NAME = "test_returns_the_order"
FETCH_ORDER_SKELETON = '''
@responses.activate
def test_returns_the_order():
    responses.get("https://api.example.test/v1/orders/42", json={"order_id": 42, "status": "placed"})
    # YOUR ANSWER HERE: call fetch_order_from_api(42, requests.Session(), "https://api.example.test/v1")
    # and assert on what it returns (and on responses.calls)
'''.strip("\n") + "\n"


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
    # Under the judge this runs there: a request that bypasses the session must still be made where the
    # learner's test and its responses mocks are, so requests.get is the worker's.
    getter = learner_module("requests").get if flaw == "ignores session" else session.get
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
