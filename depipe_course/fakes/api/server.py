"""The wire layer: intercepted ``requests`` calls in, HTTP answers or transport errors out.

``FakeServer.register`` adds one ``responses`` callback per method for everything under
``base_url`` and for ``token_url``. Each call then runs the same steps:

1. parse the ``PreparedRequest`` (path, query, headers, form, the caller's ``timeout``);
2. ask for a fault; a fault either replaces the answer (429, 5xx, HTML, a raised
   ``ReadTimeout``/``ConnectTimeout``/``ConnectionError``) or, for ``InsertAtFront``,
   changes the data and lets the request through;
3. route: unknown path 404, wrong method 405, auth 401, else the endpoint's handler;
4. log the call with its status or exception.

Faults come before auth because the proxy or load balancer in front of an API fails
before the API itself looks at credentials.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

import requests
from requests.structures import CaseInsensitiveDict

from depipe_course.fakes.api import routes
from depipe_course.fakes.api.auth import (
    AuthConfig,
    Denied,
    TokenStore,
    authenticate,
    grant,
    parse_basic,
)
from depipe_course.fakes.api.faults import (
    ConnectionReset,
    Fault,
    HtmlPage,
    InsertAtFront,
    RateLimited,
    ServerError,
    TimedOut,
)
from depipe_course.fakes.api.handlers import (
    HANDLERS,
    HttpError,
    Incoming,
    Paging,
    Reply,
    json_reply,
)
from depipe_course.fakes.api.log import CallLog, RecordedCall
from depipe_course.fakes.api.state import ApiState

if TYPE_CHECKING:
    import responses

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
FORM_TYPE = "application/x-www-form-urlencoded"


def parse_params(query: str) -> dict[str, str | list[str]]:
    """Query string to a dict; a name sent more than once maps to the list of values."""
    params: dict[str, str | list[str]] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name not in params:
            params[name] = value
        else:
            previous = params[name]
            params[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
    return params


def text(value: object) -> str | None:
    """A header value or body as text (``requests`` may hold either as bytes)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value if isinstance(value, str) else None


def header_dict(request: requests.PreparedRequest) -> CaseInsensitiveDict[str]:
    return CaseInsensitiveDict({name: text(value) or "" for name, value in request.headers.items()})


def retry_after_date(now: datetime, seconds: int) -> str:
    """``now + seconds`` as an HTTP-date, rounded up to a whole second.

    Rounding up keeps the wait a client computes from it at least ``seconds`` (less
    any time the client itself spends), never shorter.
    """
    when = now.astimezone(UTC) + timedelta(seconds=seconds)
    if when.microsecond:
        when = when.replace(microsecond=0) + timedelta(seconds=1)
    return format_datetime(when, usegmt=True)


def html_page(status: int) -> str:
    """The kind of page a proxy or maintenance screen returns instead of JSON."""
    if status >= 400:
        title = f"{status} {HTTPStatus(status).phrase}"
        heading = title
    else:
        title, heading = "Scheduled maintenance", "We will be back shortly"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{heading}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )


def fault_outcome(
    fault: Fault, req: Incoming, request: requests.PreparedRequest, now: datetime
) -> Reply | requests.RequestException:
    """What the client sees for a fault: an HTTP answer or a transport exception."""
    host = urlsplit(req.url).netloc
    if isinstance(fault, RateLimited):
        headers = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = (
                retry_after_date(now, fault.retry_after) if fault.http_date else str(fault.retry_after)
            )
        return json_reply(429, {"error": "rate_limited", "message": "too many requests"}, headers)
    if isinstance(fault, ServerError | HtmlPage):
        headers = {}
        if isinstance(fault, ServerError) and fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
        if isinstance(fault, HtmlPage) or fault.html:
            return fault.status, {"Content-Type": "text/html", **headers}, html_page(fault.status)
        phrase = HTTPStatus(fault.status).phrase
        error = phrase.lower().replace(" ", "_")
        return json_reply(fault.status, {"error": error, "message": phrase}, headers)
    if isinstance(fault, TimedOut):
        if fault.phase == "connect":
            return requests.exceptions.ConnectTimeout(
                f"connecting to {host} timed out (timeout={req.timeout})", request=request
            )
        return requests.exceptions.ReadTimeout(
            f"{host} sent no answer in time (read timeout={req.timeout})", request=request
        )
    if isinstance(fault, ConnectionReset):
        return requests.exceptions.ConnectionError(
            f"connection to {host} aborted: connection reset by peer", request=request
        )
    raise TypeError(f"not a fault this server knows how to answer with: {fault!r}")


def denied_reply(denied: Denied) -> Reply:
    headers = {"WWW-Authenticate": denied.challenge} if denied.challenge else {}
    return json_reply(denied.status, denied.body(), headers)


class FakeServer:
    """Routes intercepted requests to handlers, injecting faults and logging each call."""

    def __init__(
        self,
        *,
        state: ApiState,
        paging: Paging,
        token_url: str,
        auth: AuthConfig,
        tokens: TokenStore,
        next_fault: Callable[[str], Fault | None],
        log: CallLog,
        wall_clock: Callable[[], datetime],
    ) -> None:
        self.state = state
        self.paging = paging
        self.token_url = token_url
        self.auth = auth
        self.tokens = tokens
        self.next_fault = next_fault
        self.log = log
        self.wall_clock = wall_clock
        self._lock = threading.Lock()

    def register(self, mock: responses.RequestsMock) -> None:
        """Serve ``token_url`` and everything under ``base_url`` (token first: it may nest)."""
        token = re.compile(re.escape(self.token_url) + r"(?:[?#].*)?$")
        base = re.compile(re.escape(self.paging.base_url) + r"(?:[/?#].*)?$")
        for pattern in (token, base):
            for method in METHODS:
                mock.add_callback(method, pattern, self.handle, content_type=None)

    def handle(self, request: requests.PreparedRequest) -> Reply | requests.RequestException:
        """The ``responses`` callback: answer one request and log it."""
        with self._lock:
            req = self.parse(request)
            fault = self.next_fault(req.route) if req.route != routes.UNKNOWN else None
            outcome = self.outcome(req, fault, request)
            status = outcome[0] if isinstance(outcome, tuple) else None
            error = outcome if isinstance(outcome, BaseException) else None
            self.log.append(
                RecordedCall(
                    number=self.log.next_number(),
                    method=req.method,
                    url=req.url,
                    route=req.route,
                    path=req.path,
                    params=req.params,
                    headers=req.headers,
                    body=req.body,
                    timeout=req.timeout,
                    status=status,
                    error=error,
                    fault=fault,
                )
            )
            return outcome

    def parse(self, request: requests.PreparedRequest) -> Incoming:
        url = str(request.url)
        parts = urlsplit(url)
        bare = url.split("?", 1)[0].split("#", 1)[0]
        args: dict[str, str] = {}
        if bare == self.token_url:
            route, path = routes.TOKEN, parts.path
        else:
            path = bare[len(self.paging.base_url) :] or "/"
            route, args = routes.route_of(path)
        kwargs = getattr(request, "req_kwargs", {})
        return Incoming(
            method=str(request.method),
            url=url,
            path=path,
            route=route,
            args=args,
            params=parse_params(parts.query),
            headers=header_dict(request),
            body=text(request.body),
            timeout=kwargs.get("timeout"),
        )

    def outcome(
        self, req: Incoming, fault: Fault | None, request: requests.PreparedRequest
    ) -> Reply | requests.RequestException:
        if isinstance(fault, InsertAtFront):
            self.insert_at_front(req.route)
        elif fault is not None:
            return fault_outcome(fault, req, request, self.wall_clock())
        try:
            return self.serve(req)
        except HttpError as error:
            return error.reply()

    def insert_at_front(self, route: str) -> None:
        """``InsertAtFront`` on orders or payments; other routes have nothing to shift."""
        if route in (routes.ORDERS, routes.ORDER):
            self.state.insert_order()
        elif route in (routes.PAYMENTS, routes.SUMMARY):
            self.state.insert_payment()

    def serve(self, req: Incoming) -> Reply:
        if req.route == routes.TOKEN:
            return self.token(req)
        if req.route == routes.UNKNOWN:
            raise HttpError(404, "not_found", f"no endpoint at {req.method} {req.url}")
        if req.method != "GET":
            raise HttpError(405, "method_not_allowed", f"{req.route} only answers GET", {"Allow": "GET"})
        denied = authenticate(self.auth, self.tokens, req.headers)
        if denied is not None:
            return denied_reply(denied)
        return HANDLERS[req.route](self.state, req, self.paging)

    def token(self, req: Incoming) -> Reply:
        """The OAuth token endpoint (client-credentials grant only)."""
        if req.method != "POST":
            raise HttpError(405, "method_not_allowed", "the token endpoint only answers POST", {"Allow": "POST"})
        if not req.headers.get("Content-Type", "").startswith(FORM_TYPE):
            raise HttpError(
                400,
                "invalid_request",
                "send the fields form-encoded in the body (data=...), not as JSON or query parameters",
            )
        form = dict(parse_qsl(req.body or "", keep_blank_values=True))
        result = grant(self.auth, self.tokens, form, parse_basic(req.headers.get("Authorization")))
        if isinstance(result, Denied):
            return denied_reply(result)
        return json_reply(200, result, {"Cache-Control": "no-store"})
