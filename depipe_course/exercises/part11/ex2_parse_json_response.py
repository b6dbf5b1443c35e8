"""11.2: ``parse_json_response(response)`` returns a 2xx response's JSON object, or fails clearly.

A 4xx or 5xx raises ``requests.HTTPError`` carrying the response, with the status, the URL
and a snippet of the body; a success that is not a JSON object raises ValueError with the
status, the Content-Type and a snippet; a large body is quoted in part only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from depipe_course.checking import expect, expect_equal
from depipe_course.exercises import exercise
from depipe_course.exercises.part11._shared import _call, _describe, _raised

if TYPE_CHECKING:
    import requests


responses_ex = exercise("11.2", "Decode an HTTP body, or fail clearly", ["parse_json_response"])

# No status code hides in its digits, so "200" found in a message is the status, not the URL.
_URL = "https://api.example.test/v1/payments?from=1772409600&count=50"


def _response(status: int, body: str | bytes, content_type: str = "application/json") -> requests.Response:
    """A real ``requests.Response`` as the transport would hand it over."""
    import requests

    response = requests.Response()
    response.status_code = status
    response.reason = _phrase(status)
    response.url = _URL
    response.headers["Content-Type"] = content_type
    response._content = body.encode("utf-8") if isinstance(body, str) else body
    response.encoding = "utf-8"
    response.request = requests.Request("GET", _URL).prepare()
    return response


def _phrase(status: int) -> str:
    from http import HTTPStatus

    return HTTPStatus(status).phrase


def _html(status: int) -> str:
    from depipe_course.fakes.api.server import html_page

    return html_page(status)


@responses_ex.check("returns the JSON object of a 2xx response", points=1,
                    hint="Any status below 400 with a JSON object body: return response.json(). "
                         "201 Created is a success too.")
def _returns_json(parse_json_response: Callable[..., Any]) -> None:
    body = {"items": [{"payment_id": "p_1", "amount": 38050}], "next_cursor": None}
    for status in (200, 201):
        got = _call(parse_json_response, _response(status, json.dumps(body)))
        expect_equal(got, body, f"the value returned for a {status} with a JSON body")


@responses_ex.check("a 5xx HTML page raises HTTPError with the status, the URL and the start of the body",
                    points=2,
                    hint="Check the status before decoding: for status >= 400 raise "
                         "requests.HTTPError(f'HTTP {status} from {url}: {snippet!r}', response=response) "
                         "where url is response.url and snippet the first ~200 characters of response.text.")
def _html_5xx(parse_json_response: Callable[..., Any]) -> None:
    import requests

    exc = _raised(parse_json_response, _response(502, _html(502), "text/html"))
    expect(isinstance(exc, requests.HTTPError), "a 502 from a proxy must raise requests.HTTPError "
           "(retry code recognises it), not a JSON decoding error",
           expected="requests.HTTPError", seen=_describe(exc))
    message = str(exc)
    expect("502" in message, "the message must give the status", expected="'502' in the message",
           seen=message)
    expect(_URL in message, "the message must give the URL, so the reader knows which call failed",
           expected=f"{_URL!r} (response.url) in the message", seen=message)
    expect("<title>502 Bad Gateway</title>" in message,
           "the message must quote the start of the body, so the reader sees it was an HTML page",
           expected="the body's '<title>502 Bad Gateway</title>' in the message", seen=message)


@responses_ex.check("a 4xx or 5xx with a JSON error body still raises", points=2,
                    hint="A JSON body does not make a 503 or a 404 a success: test "
                         "response.status_code >= 400 first, whatever the body is.")
def _json_errors(parse_json_response: Callable[..., Any]) -> None:
    import requests

    for status, code in ((503, "service_unavailable"), (404, "not_found")):
        body = json.dumps({"error": code, "message": _phrase(status)})
        exc = _raised(parse_json_response, _response(status, body))
        expect(isinstance(exc, requests.HTTPError), f"a {status} with a JSON error body was not raised",
               expected="requests.HTTPError", seen=_describe(exc))
        expect(str(status) in str(exc) and code in str(exc),
               "the message must give the status and the start of the body",
               expected=f"'{status}' and '{code}' in the message", seen=str(exc))


def _what_caller_sees(response: Any) -> tuple[Any, ...]:
    """A response as a caller reads it: its status, its URL and its body."""
    return tuple(getattr(response, name, None) for name in ("status_code", "url", "content"))


@responses_ex.check("the HTTPError carries the response", points=1,
                    hint="Pass response=response to requests.HTTPError, so callers (part 04's "
                         "is_transient) can read error.response.status_code.")
def _carries_response(parse_json_response: Callable[..., Any]) -> None:
    import requests

    response = _response(504, _html(504), "text/html")
    exc = _raised(parse_json_response, response)
    expect(isinstance(exc, requests.HTTPError), "a 504 must raise requests.HTTPError",
           expected="requests.HTTPError", seen=_describe(exc))
    attached = getattr(exc, "response", None)
    # Under the judge the response is rebuilt on each side: "the same object" is what a caller reads.
    expect(_what_caller_sees(attached) == _what_caller_sees(response),
           "the error's .response is not the response that failed",
           expected="error.response is the response", seen=repr(attached))


@responses_ex.check("a 200 that is not JSON raises ValueError with the status, the Content-Type and the body",
                    points=2,
                    hint="Wrap response.json() in try/except requests.exceptions.JSONDecodeError "
                         "and raise ValueError naming the status, the Content-Type and the start of "
                         "the body: 'Expecting value: line 1 column 1' alone tells nobody anything.")
def _html_200(parse_json_response: Callable[..., Any]) -> None:
    cases = (("a maintenance page", _html(200), "text/html", "<title>Scheduled maintenance</title>"),
             ("an empty body", "", "application/json", None))
    for what, body, content_type, marker in cases:
        exc = _raised(parse_json_response, _response(200, body, content_type))
        expect(isinstance(exc, ValueError), f"a 200 with {what} must raise ValueError",
               expected="ValueError", seen=_describe(exc))
        message = str(exc)
        expect("200" in message, f"a 200 with {what}: the message must give the status",
               expected="'200' in the message", seen=message)
        expect(content_type in message, f"a 200 with {what}: the message must give the Content-Type "
               "(an HTML page where JSON was expected says 'wrong endpoint or an error page')",
               expected=f"{content_type!r} in the message", seen=message)
        if marker:
            expect(marker in message, f"a 200 with {what}: the message must quote the body",
                   expected=f"{marker!r} in the message", seen=message)


@responses_ex.check("quotes a snippet of a large body, not all of it", points=1,
                    hint="Cut the body to a few hundred characters (response.text[:200]) before "
                         "putting it in the message.")
def _snippet(parse_json_response: Callable[..., Any]) -> None:
    page = "<html><body>" + "<p>upstream trace line</p>\n" * 40_000 + "</body></html>"
    for status in (500, 200):
        exc = _raised(parse_json_response, _response(status, page, "text/html"))
        expect(exc is not None, f"a {status} with a 1 MB HTML page must raise",
               expected="an exception", seen="a return value")
        size = len(str(exc))
        expect(size <= 1_000, f"a {status} with a 1 MB body: the message quotes too much of it",
               expected="a message of at most 1,000 characters", seen=f"{size:,} characters")


@responses_ex.check("a JSON body that is not an object raises ValueError", points=1,
                    hint="The API always answers with an object: raise ValueError when "
                         "response.json() gives a list, a number or None.")
def _not_object(parse_json_response: Callable[..., Any]) -> None:
    for body in ("[1, 2, 3]", "null"):
        exc = _raised(parse_json_response, _response(200, body))
        expect(isinstance(exc, ValueError), f"a 200 whose body is {body} must raise ValueError",
               expected="ValueError", seen=_describe(exc))
