"""Part 03 — REST APIs: reference solutions."""

# %% [03.1]
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests

TOKEN_TIMEOUT = (3.05, 10.0)  # (connect, read) seconds


def get_oauth_token(
    session: requests.Session,
    token_url: str,
    client_id: str,
    client_secret: str,
    *,
    scope: str = "read",
    timeout: float | tuple[float, float] = TOKEN_TIMEOUT,
) -> dict[str, Any]:
    """Ask the token endpoint for an access token (OAuth 2.0 client-credentials grant).

    Returns the server's JSON body, which holds ``access_token`` and ``expires_in``.
    Bad credentials (401) raise ``requests.HTTPError`` at once: retrying cannot fix them.
    """
    response = session.post(
        token_url,
        data={  # form-encoded, as the OAuth spec requires (not json=)
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "scope": scope,
        },
        timeout=timeout,
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    if "access_token" not in body or "expires_in" not in body:
        raise ValueError(f"token response lacks access_token/expires_in: {sorted(body)}")
    return body


class TokenCache:
    """Hand out one access token until shortly before it expires, then fetch a new one.

    ``fetch`` returns a token response (``access_token``, ``expires_in``). The expiry
    is measured on ``clock`` from the moment the request was made, and the token is
    refreshed ``skew_s`` seconds early (at most half its lifetime early), so a token
    never expires between ``get()`` and the request that carries it.
    """

    def __init__(
        self,
        fetch: Callable[[], Mapping[str, Any]],
        clock: Callable[[], float] = time.monotonic,
        skew_s: float = 60,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._skew_s = skew_s
        self._token: str | None = None
        self._refresh_at = float("-inf")
        self._lock = threading.Lock()  # one refresh at a time when threads share the cache

    def get(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._refresh_at:
                return self._refresh()
            return self._token

    def invalidate(self) -> None:
        """Forget the token (e.g. after the API rejected it); the next ``get()`` fetches."""
        with self._lock:
            self._token = None

    def _refresh(self) -> str:
        requested_at = self._clock()
        body = self._fetch()  # an error propagates: nothing is cached, nothing retried
        lifetime = float(body["expires_in"])
        self._token = token = str(body["access_token"])
        self._refresh_at = requested_at + lifetime - min(self._skew_s, lifetime / 2)
        return token


# %% [03.2]
import logging
from collections.abc import Iterator
from typing import Any

import requests

logger = logging.getLogger(__name__)
TIMEOUT = (3.05, 30.0)  # (connect, read) seconds


def fetch_all_orders_offset(
    session: requests.Session,
    base_url: str,
    start_date: str,
    limit: int = 200,
    *,
    timeout: float | tuple[float, float] = TIMEOUT,
) -> Iterator[dict[str, Any]]:
    """Yield every order created on or after ``start_date``, one page at a time.

    Pages are numbered from 1. A page shorter than ``limit`` (or empty) is the last
    one, so ``n`` orders cost ``n // limit + 1`` requests.
    """
    page = 1
    while True:
        response = session.get(
            f"{base_url}/orders",
            params={"from": start_date, "page": page, "limit": limit},
            timeout=timeout,
        )
        response.raise_for_status()
        items: list[dict[str, Any]] = response.json()["items"]
        logger.debug("orders page %d: %d items", page, len(items))
        yield from items
        if len(items) < limit:
            return
        page += 1


# %% [03.3]
import logging
from collections.abc import Iterator
from typing import Any

import requests

logger = logging.getLogger(__name__)
TIMEOUT = (3.05, 30.0)  # (connect, read) seconds


def fetch_all_payments_cursor(
    session: requests.Session,
    base_url: str,
    start_date: str,
    count: int = 100,
    *,
    timeout: float | tuple[float, float] = TIMEOUT,
) -> Iterator[dict[str, Any]]:
    """Yield every payment from ``start_date`` on, following ``next_cursor`` until it is null."""
    params: dict[str, str | int] = {"from": start_date, "count": count}
    while True:
        response = session.get(f"{base_url}/payments", params=params, timeout=timeout)
        response.raise_for_status()
        body = response.json()
        yield from body["items"]
        cursor = body.get("next_cursor")
        if not cursor:
            return
        params["cursor"] = cursor


# %% [03.4]
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import requests

TIMEOUT = (3.05, 30.0)  # (connect, read) seconds


def fetch_all_accounts_next_url(
    session: requests.Session,
    url: str,
    *,
    timeout: float | tuple[float, float] = TIMEOUT,
) -> Iterator[dict[str, Any]]:
    """Yield every account, following ``nextRecordsUrl`` until it is null.

    The next URL may be relative (``/v1/accounts?page_token=...``): it is resolved
    against the URL of the page that named it, as a browser resolves a link.
    """
    next_url: str | None = url
    while next_url:
        response = session.get(next_url, timeout=timeout)
        response.raise_for_status()
        body = response.json()
        yield from body["records"]
        link = body.get("nextRecordsUrl")
        next_url = urljoin(response.url, link) if link else None


# %% [03.5]
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests

logger = logging.getLogger(__name__)
TIMEOUT = (3.05, 30.0)  # (connect, read) seconds


def temporary_twin(path: Path) -> Path:
    """Where the next checkpoint is written before it replaces ``path``: the same folder."""
    return path.with_name(f".{path.name}.tmp")


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Replace ``path`` with ``state`` as JSON, atomically.

    The new content goes to a temporary file in the same folder (``os.replace`` is
    atomic only within one file system), is flushed to disk, and then renamed over
    the old file: a crash at any moment leaves either the old checkpoint or the new
    one, never half of one.
    """
    tmp = temporary_twin(path)
    with tmp.open("w", encoding="utf-8") as f:
        json.dump(state, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load_checkpoint(path: Path, start_date: str) -> str | None:
    """The cursor to resume from, or None to start at the beginning."""
    if not path.exists():
        return None
    state = json.loads(path.read_text(encoding="utf-8"))
    if state.get("from") != start_date:
        raise ValueError(f"{path} belongs to a run from {state.get('from')!r}, not {start_date!r}")
    return state["cursor"]


def fetch_with_checkpoint(
    session: requests.Session,
    base_url: str,
    checkpoint_path: str | Path,
    start_date: str,
    *,
    count: int = 100,
    timeout: float | tuple[float, float] = TIMEOUT,
) -> Iterator[dict[str, Any]]:
    """Yield every payment from ``start_date`` on, resuming where a previous run stopped.

    The checkpoint names the *next* page to fetch. It is saved only after every record
    of the current page was handed to the consumer and the consumer asked for more, so
    a consumer that dies mid-page re-reads that one page (at-least-once) and loses
    nothing. It is removed once the last page has been consumed.
    """
    path = Path(checkpoint_path)
    cursor = load_checkpoint(path, start_date)
    if cursor is not None:
        logger.info("resuming payments from a checkpoint in %s", path)
    while True:
        params: dict[str, str | int] = {"from": start_date, "count": count}
        if cursor is not None:
            params["cursor"] = cursor
        response = session.get(f"{base_url}/payments", params=params, timeout=timeout)
        response.raise_for_status()
        body = response.json()
        yield from body["items"]
        # Reached only when the consumer asked for the record after this page's last.
        cursor = body.get("next_cursor")
        if not cursor:
            path.unlink(missing_ok=True)
            temporary_twin(path).unlink(missing_ok=True)  # left by a crash mid-write, if any
            return
        save_checkpoint(path, {"from": start_date, "cursor": cursor})


# %% [03.6]
import logging
import random
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

logger = logging.getLogger(__name__)
TIMEOUT = (3.05, 30.0)  # (connect, read) seconds
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
TRANSIENT_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


def retry_after_s(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delay-seconds or an HTTP-date.

    None when the header is absent or unreadable; never negative (a date in the past
    means "now").
    """
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # HTTP-dates are GMT by definition
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_s(retry: int, base_s: float = 1.0, cap_s: float = 60.0, jitter: bool = True) -> float:
    """Exponential backoff for retry ``retry`` (from 0): ``base * 2**retry``, capped, jittered into [d/2, d]."""
    delay = min(cap_s, base_s * 2**retry)
    return random.uniform(delay / 2, delay) if jitter else delay


def make_api_request(
    session: requests.Session,
    url: str,
    *,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    max_retries: int = 5,
    sleep: Callable[[float], None] = time.sleep,
    timeout: float | tuple[float, float] = TIMEOUT,
    base_delay_s: float = 1.0,
    max_delay_s: float = 60.0,
) -> requests.Response:
    """GET ``url``; retry what can succeed later, raise at once what cannot.

    429 waits ``Retry-After`` (seconds or HTTP-date) when given, else backs off; 5xx,
    timeouts and connection errors back off. Any other 4xx raises ``HTTPError`` after
    one request. After ``max_retries`` retries the last error is raised: the
    ``HTTPError`` of the last response, or the last transport exception.
    """
    if max_retries < 0:
        raise ValueError(f"max_retries must be >= 0, got {max_retries}")
    for retry in range(max_retries + 1):
        final = retry == max_retries
        try:
            response = session.get(url, params=params, headers=headers, timeout=timeout)
        except TRANSIENT_ERRORS as error:
            if final:
                raise
            wait = backoff_s(retry, base_delay_s, max_delay_s)
            logger.warning("GET %s failed (%s); retry %d in %.1f s", url, type(error).__name__, retry + 1, wait)
            sleep(wait)
            continue
        if response.status_code not in RETRY_STATUSES:
            response.raise_for_status()  # other 4xx: permanent, raise now
            return response
        if final:
            response.raise_for_status()  # HTTPError carrying the last response
        wait = retry_after_s(response.headers.get("Retry-After"))
        if wait is None:
            wait = backoff_s(retry, base_delay_s, max_delay_s)
        logger.warning("GET %s answered %d; retry %d in %.1f s", url, response.status_code, retry + 1, wait)
        sleep(wait)
    raise AssertionError("unreachable: the final attempt returns or raises")


# %% [03.7]
import threading
import time
from collections.abc import Callable

_EPSILON = 1e-9


class RateLimiter:
    """A token bucket: ``burst`` calls at once, then ``calls_per_second`` on average.

    The bucket holds up to ``burst`` tokens and refills continuously at
    ``calls_per_second``. Each ``wait()`` takes one token, sleeping until one is
    there, so over any window of ``w`` seconds at most ``calls_per_second * w + burst``
    calls get through.
    """

    def __init__(
        self,
        calls_per_second: float,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if calls_per_second <= 0:
            raise ValueError(f"calls_per_second must be > 0, got {calls_per_second}")
        if burst < 1:
            raise ValueError(f"burst must be >= 1, got {burst}")
        self.rate = float(calls_per_second)
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._updated = clock()
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until a call is allowed, then count it."""
        with self._lock:
            while True:
                now = self._clock()
                self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
                self._updated = now
                if self._tokens >= 1 - _EPSILON:  # tolerate float rounding after a sleep
                    self._tokens -= 1
                    return
                self._sleep((1 - self._tokens) / self.rate)
