"""One function per endpoint: a parsed request in, ``(status, headers, body)`` out.

Handlers only read query parameters and call ``ApiState``; auth, faults and logging
happen around them in ``server.py``. A bad parameter raises ``HttpError``, which the
server turns into a 400 with a sentence saying what was wrong.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from depipe_course.fakes.api import routes
from depipe_course.fakes.api.data import day_start_ts
from depipe_course.fakes.api.state import ApiState, records

Reply = tuple[int, dict[str, str], str]
Params = Mapping[str, str | list[str]]
NextUrlStyle = Literal["relative", "absolute"]

DEFAULT_LIMIT = 100
DEFAULT_COUNT = 10


class HttpError(Exception):
    """An error answer: status, machine-readable code, and a human sentence."""

    def __init__(self, status: int, error: str, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.headers = dict(headers or {})

    def reply(self) -> Reply:
        return json_reply(self.status, {"error": self.error, "message": self.message}, self.headers)


def json_reply(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Reply:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(body)


@dataclass(frozen=True)
class Incoming:
    """The parts of an intercepted request that endpoints and checks care about."""

    method: str
    url: str
    path: str
    route: str
    args: Mapping[str, str]
    params: Params
    headers: Mapping[str, str]
    body: str | None
    timeout: Any


@dataclass(frozen=True)
class Paging:
    """Server-side paging settings of one fake."""

    base_url: str
    next_url: NextUrlStyle = "relative"
    accounts_page_size: int = 25
    max_page_size: int = 1_000


def param(params: Params, name: str) -> str | None:
    """A query parameter's value; the first one when it was sent more than once."""
    value = params.get(name)
    return value[0] if isinstance(value, list) else value


def is_integer(text: str) -> bool:
    """True for up to 18 plain ASCII digits (``str.isdigit`` also accepts "²")."""
    return text.isascii() and text.isdigit() and len(text) <= 18


def int_param(params: Params, name: str, default: int, low: int, high: int) -> int:
    text = param(params, name)
    if text is None:
        return default
    if not is_integer(text) or not low <= int(text) <= high:
        raise HttpError(400, "bad_request", f"'{name}' must be an integer from {low} to {high}, got {text!r}")
    return int(text)


def time_param(params: Params, name: str) -> int | None:
    """Epoch seconds from ``YYYY-MM-DD`` (midnight UTC) or from epoch seconds."""
    text = param(params, name)
    if text is None:
        return None
    if is_integer(text):
        return int(text)
    try:
        return day_start_ts(date.fromisoformat(text))
    except ValueError:
        raise HttpError(400, "bad_request", f"'{name}' must be YYYY-MM-DD or epoch seconds, got {text!r}") from None


def window(params: Params) -> tuple[int | None, int | None]:
    """The ``from`` (inclusive) and ``to`` (exclusive) bounds of a request."""
    return time_param(params, "from"), time_param(params, "to")


def list_orders(state: ApiState, req: Incoming, paging: Paging) -> Reply:
    """Offset pages: ``page`` from 1, ``limit`` per page; a short page is the last."""
    page = int_param(req.params, "page", 1, 1, 10**9)
    limit = int_param(req.params, "limit", DEFAULT_LIMIT, 1, paging.max_page_size)
    rows = state.orders.offset_page(page, limit, *window(req.params))
    return json_reply(200, {"items": records(rows)})


def get_order(state: ApiState, req: Incoming, paging: Paging) -> Reply:
    text = req.args["order_id"]
    row = state.orders.get(int(text)) if is_integer(text) else None
    if row is None:
        raise HttpError(404, "not_found", f"no order with order_id {text!r}")
    return json_reply(200, dict(row.record))


def list_payments(state: ApiState, req: Incoming, paging: Paging) -> Reply:
    """Cursor pages: ``count`` per page; ``next_cursor`` is null on the last page."""
    count = int_param(req.params, "count", DEFAULT_COUNT, 1, paging.max_page_size)
    try:
        rows, cursor = state.payments.cursor_page(count, *window(req.params), cursor=param(req.params, "cursor"))
    except ValueError as error:
        raise HttpError(400, "bad_request", str(error)) from None
    return json_reply(200, {"items": records(rows), "next_cursor": cursor})


def payment_summary(state: ApiState, req: Incoming, paging: Paging) -> Reply:
    return json_reply(200, state.summary(*window(req.params)))


def next_records_url(paging: Paging, token: str) -> str:
    """Where the next accounts page lives: a full URL, or a path the client must join."""
    absolute = f"{paging.base_url}{routes.ACCOUNTS}?page_token={token}"
    if paging.next_url == "absolute":
        return absolute
    parts = urlsplit(absolute)
    return urlunsplit(("", "", parts.path, parts.query, ""))


def list_accounts(state: ApiState, req: Incoming, paging: Paging) -> Reply:
    """Next-URL pages: follow ``nextRecordsUrl`` until it is null."""
    try:
        rows, token = state.accounts.cursor_page(paging.accounts_page_size, cursor=param(req.params, "page_token"))
    except ValueError as error:
        raise HttpError(400, "bad_request", str(error)) from None
    url = next_records_url(paging, token) if token else None
    return json_reply(200, {"records": records(rows), "nextRecordsUrl": url})


Handler = Callable[[ApiState, Incoming, Paging], Reply]

HANDLERS: dict[str, Handler] = {
    routes.ORDERS: list_orders,
    routes.ORDER: get_order,
    routes.PAYMENTS: list_payments,
    routes.SUMMARY: payment_summary,
    routes.ACCOUNTS: list_accounts,
}
