"""Names of the fake API's endpoints, shared by the wire layer, faults and the log.

A route is the endpoint's path template relative to ``base_url`` (``"/orders/{order_id}"``),
so a test can say ``api.calls_to("/orders/{order_id}")`` for every single-order lookup.
The token endpoint lives on another host and is called ``"token"``.
"""

from __future__ import annotations

import re

ORDERS = "/orders"
ORDER = "/orders/{order_id}"
PAYMENTS = "/payments"
SUMMARY = "/payments/summary"
ACCOUNTS = "/accounts"
TOKEN = "token"
UNKNOWN = "unknown"

DATA_ROUTES = frozenset({ORDERS, ORDER, PAYMENTS, SUMMARY, ACCOUNTS})
ALL_ROUTES = DATA_ROUTES | {TOKEN}

_ORDER_PATH = re.compile(r"^/orders/(?P<order_id>[^/]+)$")
_FIXED = {ORDERS: ORDERS, PAYMENTS: PAYMENTS, SUMMARY: SUMMARY, ACCOUNTS: ACCOUNTS}


def route_of(path: str) -> tuple[str, dict[str, str]]:
    """Map a path relative to ``base_url`` to its route and path arguments."""
    trimmed = path.rstrip("/") or "/"
    if trimmed in _FIXED:
        return _FIXED[trimmed], {}
    match = _ORDER_PATH.match(trimmed)
    if match:
        return ORDER, match.groupdict()
    return UNKNOWN, {}
