"""Wrong answers for part 03: the mistakes of common tutorial snippets and the other likely ones."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from solutions.part03 import TokenCache as _RightCache
from solutions.part03 import save_checkpoint as _atomic_save
from tests.wrong_versions import wrong

Record = dict[str, Any]
T = 5  # a timeout, where a version is not about timeouts
BURST = "lets a burst of `burst` calls through at once, from the start and after idling"

# ---------------------------------------------------------------- 03.1


def _clocked(cache: Any) -> Callable[[], float]:
    return cache.clock if hasattr(cache, "clock") else time.monotonic


@wrong("03.1", "hard-coded 3,500 s expiry", catches="TokenCache takes the expiry from the server's expires_in",
       name="TokenCache",
       requirement="expiry from the server's expires_in")
class TokenCacheHardCoded:
    def __init__(self, fetch: Callable[[], Mapping[str, Any]], clock: Callable[[], float] = time.monotonic,
                 skew_s: float = 60) -> None:
        self.fetch, self.clock, self.token, self.expires_at = fetch, clock, None, 0.0

    def get(self) -> str:
        if self.token is None or self.clock() >= self.expires_at:
            self.token = self.fetch()["access_token"]
            self.expires_at = self.clock() + 3_500  # "1 h minus a buffer", whatever the server says
        return self.token


@wrong("03.1", "refreshes on every call", catches="TokenCache fetches one token while it is valid",
       name="TokenCache",
       requirement="get() reuses one token while it is valid")
class TokenCacheNoCache:
    def __init__(self, fetch: Callable[[], Mapping[str, Any]], clock: Callable[[], float] = time.monotonic,
                 skew_s: float = 60) -> None:
        self.fetch = fetch

    def get(self) -> str:
        return str(self.fetch()["access_token"])


@wrong("03.1", "no skew: refreshes only once expired", catches="TokenCache refreshes skew_s seconds before the expiry",
       name="TokenCache",
       requirement="refreshed skew_s seconds before the expiry")
class TokenCacheNoSkew:
    def __init__(self, fetch: Callable[[], Mapping[str, Any]], clock: Callable[[], float] = time.monotonic,
                 skew_s: float = 60) -> None:
        self.fetch, self.clock, self.token, self.expires_at = fetch, clock, None, 0.0

    def get(self) -> str:
        if self.token is None or self.clock() >= self.expires_at:
            started = self.clock()
            body = self.fetch()
            self.token, self.expires_at = body["access_token"], started + body["expires_in"]
        return self.token


@wrong("03.1", "retries a failed token request", catches="TokenCache raises a failed token request at once",
       name="TokenCache",
       requirement="an exception from fetch() reaches the caller at once")
class TokenCacheRetries(_RightCache):
    def get(self) -> str:
        for _ in range(3):
            try:
                return super().get()
            except requests.HTTPError:
                continue
        raise RuntimeError("could not get a token")


@wrong("03.1", "skew_s ignored: always 60 s early", catches="TokenCache refreshes skew_s seconds before the expiry",
       name="TokenCache", requirement="refreshed skew_s seconds before the expiry")
class TokenCacheFixedSkew(_RightCache):
    def __init__(self, fetch: Callable[[], Mapping[str, Any]], clock: Callable[[], float] = time.monotonic,
                 skew_s: float = 60) -> None:
        super().__init__(fetch, clock, 60)


def _right_token(session: requests.Session, token_url: str, client_id: str, client_secret: str,
                 **kwargs: Any) -> requests.Response:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
    return session.post(token_url, data=form, **kwargs)


@wrong("03.1", "json= instead of a form", catches="get_oauth_token posts the client-credentials form and "
       "returns the token response", name="get_oauth_token",
       requirement="get_oauth_token posts the client-credentials form")
def get_oauth_token_json(session: requests.Session, token_url: str, client_id: str, client_secret: str) -> Record:
    body = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
    response = session.post(token_url, json=body, timeout=T)
    response.raise_for_status()
    return response.json()


@wrong("03.1", "returns only the access token", catches="get_oauth_token posts the client-credentials form and "
       "returns the token response", name="get_oauth_token",
       requirement="get_oauth_token returns the server's JSON answer")
def get_oauth_token_str(session: requests.Session, token_url: str, client_id: str, client_secret: str) -> Any:
    response = _right_token(session, token_url, client_id, client_secret, timeout=T)
    response.raise_for_status()
    return response.json()["access_token"]


@wrong("03.1", "no timeout on the token request", catches="get_oauth_token passes a timeout",
       name="get_oauth_token",
       requirement="get_oauth_token passes a timeout")
def get_oauth_token_no_timeout(session: requests.Session, token_url: str, client_id: str,
                               client_secret: str) -> Record:
    response = _right_token(session, token_url, client_id, client_secret)
    response.raise_for_status()
    return response.json()


@wrong("03.1", "no raise_for_status: the 401 body comes back as a token",
       catches="get_oauth_token raises at once on bad credentials (401)", name="get_oauth_token",
       requirement="get_oauth_token raises requests.HTTPError on an error status, at once")
def get_oauth_token_unchecked(session: requests.Session, token_url: str, client_id: str,
                              client_secret: str) -> Record:
    return _right_token(session, token_url, client_id, client_secret, timeout=T).json()


@wrong("03.1", "retries the 401", catches="get_oauth_token raises at once on bad credentials (401)",
       name="get_oauth_token",
       requirement="get_oauth_token raises requests.HTTPError on an error status, at once")
def get_oauth_token_retries(session: requests.Session, token_url: str, client_id: str,
                            client_secret: str) -> Record:
    for _ in range(3):
        response = _right_token(session, token_url, client_id, client_secret, timeout=T)
        if response.ok:
            return response.json()
    response.raise_for_status()
    return {}


# ---------------------------------------------------------------- 03.2 offset


def _offset(session: requests.Session, base_url: str, start_date: str, limit: int, *, first_page: int = 1,
            stop_on_short: bool = True, timeout: float | None = T, send_limit: bool = True) -> Iterator[Record]:
    page = first_page
    while True:
        params: dict[str, Any] = {"from": start_date, "page": page}
        if send_limit:
            params["limit"] = limit
        response = session.get(f"{base_url}/orders", params=params, timeout=timeout)
        response.raise_for_status()
        items = response.json()["items"]
        if not items:
            return
        yield from items
        if stop_on_short and len(items) < limit:
            return
        page += 1


@wrong("03.2", "only the first page (the naive single request)", catches="yields every order from start_date "
       "exactly once",
       requirement="every order from start_date exactly once")
def fetch_all_orders_offset_one_page(session: requests.Session, base_url: str, start_date: str,
                                     limit: int = 200) -> Iterator[Record]:
    response = session.get(f"{base_url}/orders", params={"from": start_date, "limit": limit}, timeout=T)
    response.raise_for_status()
    yield from response.json()["items"]


@wrong("03.2", "pages counted from 0", catches="yields every order from start_date exactly once",
       requirement="pages numbered from 1")
def fetch_all_orders_offset_page_zero(session: requests.Session, base_url: str, start_date: str,
                                      limit: int = 200) -> Iterator[Record]:
    return _offset(session, base_url, start_date, limit, first_page=0)


@wrong("03.2", "ignores start_date", catches="yields every order from start_date exactly once",
       requirement="every order from start_date exactly once")
def fetch_all_orders_offset_no_from(session: requests.Session, base_url: str, start_date: str,
                                    limit: int = 200) -> Iterator[Record]:
    return _offset(session, base_url, "2026-03-01", limit)


@wrong("03.2", "stops only on an empty page", catches="makes the fewest requests: limit per page, stop on a "
       "short page",
       requirement="stops after a short page: no request beyond it")
def fetch_all_orders_offset_until_empty(session: requests.Session, base_url: str, start_date: str,
                                        limit: int = 200) -> Iterator[Record]:
    return _offset(session, base_url, start_date, limit, stop_on_short=False)


@wrong("03.2", "limit never sent (server default 100)", catches="makes the fewest requests: limit per page, stop "
       "on a short page",
       requirement="limit sent on every request")
def fetch_all_orders_offset_no_limit(session: requests.Session, base_url: str, start_date: str,
                                     limit: int = 200) -> Iterator[Record]:
    return _offset(session, base_url, start_date, 100, send_limit=False)


@wrong("03.2", "collects every page into a list", catches="is lazy: the first order arrives after one request",
       requirement="lazy: the first order after one request")
def fetch_all_orders_offset_eager(session: requests.Session, base_url: str, start_date: str,
                                  limit: int = 200) -> Iterator[Record]:
    return iter(list(_offset(session, base_url, start_date, limit)))


@wrong("03.2", "no timeout", catches="passes a timeout on every request",
       requirement="timeout= on every request")
def fetch_all_orders_offset_no_timeout(session: requests.Session, base_url: str, start_date: str,
                                       limit: int = 200) -> Iterator[Record]:
    return _offset(session, base_url, start_date, limit, timeout=None)


@wrong("03.2", "pages counted from 0, no raise_for_status (KeyError 'items')",
       catches="yields every order from start_date exactly once", requirement="pages numbered from 1")
def fetch_all_orders_offset_page_zero_unchecked(session: requests.Session, base_url: str, start_date: str,
                                                limit: int = 200) -> Iterator[Record]:
    page = 0
    while True:
        params = {"from": start_date, "page": page, "limit": limit}
        items = session.get(f"{base_url}/orders", params=params, timeout=T).json()["items"]
        yield from items
        if len(items) < limit:
            return
        page += 1


@wrong("03.2", "a generator that fetches every page before its first yield",
       catches="is lazy: the first order arrives after one request",
       requirement="lazy: the first order after one request")
def fetch_all_orders_offset_gathers_first(session: requests.Session, base_url: str, start_date: str,
                                          limit: int = 200) -> Iterator[Record]:
    gathered = list(_offset(session, base_url, start_date, limit))
    yield from gathered


# ---------------------------------------------------------------- 03.3 cursor


def _cursor(session: requests.Session, base_url: str, start_date: str, count: int | None, *,
            timeout: float | None = T) -> Iterator[Record]:
    params: dict[str, Any] = {"from": start_date}
    if count is not None:
        params["count"] = count
    while True:
        response = session.get(f"{base_url}/payments", params=params, timeout=timeout)
        response.raise_for_status()
        body = response.json()
        yield from body["items"]
        if not body["next_cursor"]:
            return
        params["cursor"] = body["next_cursor"]


@wrong("03.3", "stops on an empty page, not on a null cursor (starts over)", catches="yields every payment from "
       "start_date exactly once",
       requirement="every payment from start_date exactly once")
def fetch_all_payments_cursor_until_empty(session: requests.Session, base_url: str, start_date: str,
                                          count: int = 100) -> Iterator[Record]:
    cursor = None
    while True:
        params: dict[str, Any] = {"from": start_date, "count": count}
        if cursor:
            params["cursor"] = cursor
        response = session.get(f"{base_url}/payments", params=params, timeout=T)
        response.raise_for_status()
        body = response.json()
        if not body["items"]:
            return
        yield from body["items"]
        cursor = body["next_cursor"]


@wrong("03.3", "page numbers sent to a cursor API", catches="yields every payment from start_date exactly once",
       requirement="every payment from start_date exactly once")
def fetch_all_payments_cursor_pages(session: requests.Session, base_url: str, start_date: str,
                                    count: int = 100) -> Iterator[Record]:
    page = 1
    while True:
        params = {"from": start_date, "count": count, "page": page}
        response = session.get(f"{base_url}/payments", params=params, timeout=T)
        response.raise_for_status()
        items = response.json()["items"]
        yield from items
        if len(items) < count:
            return
        page += 1


@wrong("03.3", "count never sent (server default 10)", catches="makes the fewest requests: count per page, stop "
       "on a null next_cursor",
       requirement="count sent on every request")
def fetch_all_payments_cursor_no_count(session: requests.Session, base_url: str, start_date: str,
                                       count: int = 100) -> Iterator[Record]:
    return _cursor(session, base_url, start_date, None)


@wrong("03.3", "collects every page into a list", catches="is lazy: the first payment arrives after one request",
       requirement="lazy: the first payment after one request")
def fetch_all_payments_cursor_eager(session: requests.Session, base_url: str, start_date: str,
                                    count: int = 100) -> Iterator[Record]:
    return iter(list(_cursor(session, base_url, start_date, count)))


@wrong("03.3", "no timeout", catches="passes a timeout on every request",
       requirement="timeout= on every request")
def fetch_all_payments_cursor_no_timeout(session: requests.Session, base_url: str, start_date: str,
                                         count: int = 100) -> Iterator[Record]:
    return _cursor(session, base_url, start_date, count, timeout=None)


@wrong("03.3", "stops on a short page, not on a null next_cursor",
       catches="makes the fewest requests: count per page, stop on a null next_cursor",
       requirement="stops when next_cursor is null: no request beyond the last page")
def fetch_all_payments_cursor_short_page(session: requests.Session, base_url: str, start_date: str,
                                         count: int = 100) -> Iterator[Record]:
    params: dict[str, Any] = {"from": start_date, "count": count}
    while True:
        response = session.get(f"{base_url}/payments", params=params, timeout=T)
        response.raise_for_status()
        body = response.json()
        yield from body["items"]
        if len(body["items"]) < count:
            return
        params["cursor"] = body["next_cursor"]  # None on a full last page: requests drops it


# ---------------------------------------------------------------- 03.4 next URL


def _next_url(session: requests.Session, url: str, resolve: Callable[[str, str], str], *,
              timeout: float | None = T) -> Iterator[Record]:
    first, current = url, url
    while current:
        response = session.get(current, timeout=timeout)
        response.raise_for_status()
        body = response.json()
        yield from body["records"]
        link = body.get("nextRecordsUrl")
        current = resolve(first, link) if link else ""


@wrong("03.4", "relative next URL used as is", catches="follows a relative nextRecordsUrl: every account exactly "
       "once",
       requirement="every account exactly once, following a relative nextRecordsUrl")
def fetch_all_accounts_next_url_as_is(session: requests.Session, url: str) -> Iterator[Record]:
    return _next_url(session, url, lambda first, link: link)


@wrong("03.4", "next URL glued onto the first URL", catches="follows a relative nextRecordsUrl: every account "
       "exactly once",
       requirement="every account exactly once, following a relative nextRecordsUrl")
def fetch_all_accounts_next_url_glued(session: requests.Session, url: str) -> Iterator[Record]:
    return _next_url(session, url, lambda first, link: first.rstrip("/") + link)


@wrong("03.4", "always prefixes scheme and host", catches="follows an absolute nextRecordsUrl",
       requirement="an absolute nextRecordsUrl followed as it is")
def fetch_all_accounts_next_url_prefixed(session: requests.Session, url: str) -> Iterator[Record]:
    def resolve(first: str, link: str) -> str:
        parts = urlsplit(first)
        return f"{parts.scheme}://{parts.netloc}{link}"

    return _next_url(session, url, resolve)


@wrong("03.4", "a first request just to see whether there is data", catches="stops when nextRecordsUrl is null: "
       "the fewest requests",
       requirement="stops when nextRecordsUrl is null: the fewest requests")
def fetch_all_accounts_next_url_peek(session: requests.Session, url: str) -> Iterator[Record]:
    if not session.get(url, timeout=T).json()["records"]:
        return
    yield from _next_url(session, url, urljoin)


@wrong("03.4", "collects every page into a list", catches="is lazy: the first account arrives after one request",
       requirement="lazy: the first account after one request")
def fetch_all_accounts_next_url_eager(session: requests.Session, url: str) -> Iterator[Record]:
    return iter(list(_next_url(session, url, urljoin)))


@wrong("03.4", "no timeout", catches="passes a timeout on every request",
       requirement="timeout= on every request")
def fetch_all_accounts_next_url_no_timeout(session: requests.Session, url: str) -> Iterator[Record]:
    return _next_url(session, url, lambda first, link: urljoin(first, link), timeout=None)


@wrong("03.4", "timeout on the first request only", catches="passes a timeout on every request",
       requirement="timeout= on every request")
def fetch_all_accounts_next_url_first_timeout(session: requests.Session, url: str) -> Iterator[Record]:
    response = session.get(url, timeout=T)
    while True:
        response.raise_for_status()
        body = response.json()
        yield from body["records"]
        if not body.get("nextRecordsUrl"):
            return
        response = session.get(urljoin(response.url, body["nextRecordsUrl"]))


# ---------------------------------------------------------------- 03.5 checkpoint


def _checkpointed(session: requests.Session, base_url: str, checkpoint_path: str | Path, start_date: str, *,
                  save: Callable[[Path, dict[str, Any]], None] = _atomic_save, save_before_yield: bool = False,
                  save_on_exit: bool = False, remove: bool = True, resume: bool = True,
                  tolerant_load: bool = False, remove_early: bool = False, advance: bool = True,
                  timeout: float | None = T) -> Iterator[Record]:
    path = Path(checkpoint_path)
    cursor = None
    if resume and path.exists():
        try:
            cursor = json.loads(path.read_text())["cursor"]
        except ValueError:
            if not tolerant_load:
                raise
    while True:
        params: dict[str, Any] = {"from": start_date, "count": 100}
        if cursor:
            params["cursor"] = cursor
        response = session.get(f"{base_url}/payments", params=params, timeout=timeout)
        response.raise_for_status()
        body = response.json()
        next_cursor = body["next_cursor"]
        if save_before_yield and next_cursor:
            save(path, {"cursor": next_cursor})
        if remove_early and not next_cursor:
            path.unlink(missing_ok=True)
        try:
            yield from body["items"]
        finally:
            if save_on_exit and next_cursor:
                save(path, {"cursor": next_cursor})
        if not next_cursor:
            if remove:
                path.unlink(missing_ok=True)
            return
        if not (save_before_yield or save_on_exit):
            save(path, {"cursor": next_cursor})
        if advance:
            cursor = next_cursor


def _save_in_place(path: Path, state: dict[str, Any]) -> None:
    path.write_text(json.dumps(state))


@wrong("03.5", "checkpoint written in place (write_text)", catches="writes the checkpoint "
       "atomically: a crash mid-write leaves a usable file",
       requirement="the checkpoint saved atomically: temporary file in the same folder + os.replace")
def fetch_with_checkpoint_in_place(session: requests.Session, base_url: str, checkpoint_path: str | Path,
                                   start_date: str) -> Iterator[Record]:
    return _checkpointed(session, base_url, checkpoint_path, start_date, save=_save_in_place)


@wrong("03.5", "in place, and a corrupt checkpoint silently starts over", catches="writes the checkpoint "
       "atomically: a crash mid-write leaves a usable file",
       requirement="the checkpoint saved atomically: temporary file in the same folder + os.replace")
def fetch_with_checkpoint_in_place_tolerant(session: requests.Session, base_url: str, checkpoint_path: str | Path,
                                            start_date: str) -> Iterator[Record]:
    return _checkpointed(session, base_url, checkpoint_path, start_date, save=_save_in_place, tolerant_load=True)


@wrong("03.5", "json.dump into the open checkpoint file", catches="writes the checkpoint atomically: a crash "
       "mid-write leaves a usable file",
       requirement="the checkpoint saved atomically: temporary file in the same folder + os.replace")
def fetch_with_checkpoint_dump(session: requests.Session, base_url: str, checkpoint_path: str | Path,
                               start_date: str) -> Iterator[Record]:
    def save(path: Path, state: dict[str, Any]) -> None:
        with open(path, "w") as f:
            json.dump(state, f)

    return _checkpointed(session, base_url, checkpoint_path, start_date, save=save)


@wrong("03.5", "temporary file in the system's temp folder, then os.replace",
       catches="writes the checkpoint atomically: a crash mid-write leaves a usable file",
       requirement="the checkpoint saved atomically: temporary file in the same folder + os.replace")
def fetch_with_checkpoint_tmp_elsewhere(session: requests.Session, base_url: str, checkpoint_path: str | Path,
                                        start_date: str) -> Iterator[Record]:
    def save(path: Path, state: dict[str, Any]) -> None:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as tmp:
            json.dump(state, tmp)
        os.replace(tmp.name, path)

    return _checkpointed(session, base_url, checkpoint_path, start_date, save=save)


@wrong("03.5", "cursor saved before the page is yielded", catches="a consumer that crashes and restarts loses no "
       "payment",
       requirement="the next cursor saved only after every record of the page was yielded")
def fetch_with_checkpoint_too_early(session: requests.Session, base_url: str, checkpoint_path: str | Path,
                                    start_date: str) -> Iterator[Record]:
    return _checkpointed(session, base_url, checkpoint_path, start_date, save_before_yield=True)


@wrong("03.5", "cursor saved just before the page's last record is yielded", catches="a consumer that crashes "
       "and restarts loses no payment",
       requirement="the next cursor saved only after every record of the page was yielded")
def fetch_with_checkpoint_before_last(session: requests.Session, base_url: str, checkpoint_path: str | Path,
                                      start_date: str) -> Iterator[Record]:
    path, cursor = Path(checkpoint_path), None
    if path.exists():
        cursor = json.loads(path.read_text())["cursor"]
    while True:
        params: dict[str, Any] = {"from": start_date, "count": 100, **({"cursor": cursor} if cursor else {})}
        body = session.get(f"{base_url}/payments", params=params, timeout=T).json()
        items, cursor = body["items"], body["next_cursor"]
        for i, item in enumerate(items):
            if i == len(items) - 1 and cursor:
                _atomic_save(path, {"cursor": cursor})  # "the page is done"
            yield item
        if not cursor:
            path.unlink(missing_ok=True)
            return


@wrong("03.5", "cursor saved in a finally (runs when the consumer dies)", catches="a consumer that crashes and "
       "restarts loses no payment",
       requirement="the next cursor saved only after every record of the page was yielded")
def fetch_with_checkpoint_finally(session: requests.Session, base_url: str, checkpoint_path: str | Path,
                                  start_date: str) -> Iterator[Record]:
    return _checkpointed(session, base_url, checkpoint_path, start_date, save_on_exit=True)


@wrong("03.5", "never reads the checkpoint", catches="a restart re-reads at most one page",
       requirement="continues from the cursor saved in the checkpoint")
def fetch_with_checkpoint_no_resume(session: requests.Session, base_url: str, checkpoint_path: str | Path,
                                    start_date: str) -> Iterator[Record]:
    return _checkpointed(session, base_url, checkpoint_path, start_date, resume=False)


@wrong("03.5", "checkpoint left behind", catches="removes the checkpoint when the stream is done",
       requirement="the checkpoint removed once the last page has been yielded")
def fetch_with_checkpoint_left(session: requests.Session, base_url: str, checkpoint_path: str | Path,
                               start_date: str) -> Iterator[Record]:
    return _checkpointed(session, base_url, checkpoint_path, start_date, remove=False)


@wrong("03.5", "temporary files copied over the checkpoint and left behind", catches="removes the checkpoint when "
       "the stream is done",
       requirement="no temporary file left behind")
def fetch_with_checkpoint_tmp_left(session: requests.Session, base_url: str, checkpoint_path: str | Path,
                                   start_date: str) -> Iterator[Record]:
    def save(path: Path, state: dict[str, Any]) -> None:
        with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False) as tmp:
            json.dump(state, tmp)
        shutil.copyfile(tmp.name, path)

    return _checkpointed(session, base_url, checkpoint_path, start_date, save=save)


@wrong("03.5", "no timeout", catches="passes a timeout on every request",
       requirement="timeout= on every request")
def fetch_with_checkpoint_no_timeout(session: requests.Session, base_url: str, checkpoint_path: str | Path,
                                     start_date: str) -> Iterator[Record]:
    return _checkpointed(session, base_url, checkpoint_path, start_date, timeout=None)


@wrong("03.5", "checkpoint removed as soon as the last page arrives, before it is yielded",
       catches="a restart re-reads at most one page",
       requirement="the checkpoint removed once the last page has been yielded")
def fetch_with_checkpoint_removed_early(session: requests.Session, base_url: str, checkpoint_path: str | Path,
                                        start_date: str) -> Iterator[Record]:
    return _checkpointed(session, base_url, checkpoint_path, start_date, remove_early=True)


@wrong("03.5", "the cursor is saved but never used within the run",
       catches="yields every payment exactly once in an uninterrupted run",
       requirement="every payment exactly once in an uninterrupted run")
def fetch_with_checkpoint_stuck(session: requests.Session, base_url: str, checkpoint_path: str | Path,
                                start_date: str) -> Iterator[Record]:
    return _checkpointed(session, base_url, checkpoint_path, start_date, advance=False)


# ---------------------------------------------------------------- 03.6 retries


def _retrying(session: requests.Session, url: str, *, params: Any = None, headers: Any = None,
              max_retries: int = 5, sleep: Callable[[float], None] = time.sleep,
              parse_retry_after: Callable[[str], float] | None = None, honour_retry_after: bool = True,
              retry_on: Callable[[int], bool] = lambda status: status in (429, 500, 502, 503, 504),
              transient: tuple[type[BaseException], ...] = (requests.ConnectionError, requests.Timeout),
              wait: Callable[[int], float] = lambda retry: 2.0**retry, timeout: float | None = T,
              give_up: str = "raise", missing_retry_after: float | None = None) -> requests.Response:
    for retry in range(max_retries + 1):
        try:
            response = session.get(url, params=params, headers=headers, timeout=timeout)
        except transient:
            if retry == max_retries:
                raise
            sleep(wait(retry))
            continue
        if response.status_code == 200:
            return response
        if not retry_on(response.status_code):
            response.raise_for_status()
        if retry == max_retries:
            break
        header = response.headers.get("Retry-After")
        if header and honour_retry_after and parse_retry_after is not None:
            sleep(parse_retry_after(header))
        elif not header and response.status_code == 429 and missing_retry_after is not None:
            sleep(missing_retry_after)
        else:
            sleep(wait(retry))
    if give_up == "return":
        return response
    if give_up == "runtime":
        raise RuntimeError(f"Failed after {max_retries} attempts. Last status: {response.status_code}")
    response.raise_for_status()
    return response


def _date_aware(value: str) -> float:
    if value.isdigit():
        return float(value)
    return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())


@wrong("03.6", "int(retry_after) on an HTTP-date", catches="waits until the Retry-After HTTP-date "
       "on a 429",
       requirement="429: waits until a Retry-After HTTP-date")
def make_api_request_int_retry_after(session: requests.Session, url: str, **kwargs: Any) -> requests.Response:
    return _retrying(session, url, parse_retry_after=int, **kwargs)


@wrong("03.6", "an unreadable Retry-After falls back to backoff", catches="waits until the Retry-After HTTP-date "
       "on a 429",
       requirement="429: waits until a Retry-After HTTP-date")
def make_api_request_date_ignored(session: requests.Session, url: str, **kwargs: Any) -> requests.Response:
    return _retrying(session, url, parse_retry_after=lambda v: float(v) if v.isdigit() else 1.0, **kwargs)


@wrong("03.6", "Retry-After ignored", catches="waits Retry-After seconds on a 429",
       requirement="429: waits Retry-After seconds")
def make_api_request_no_retry_after(session: requests.Session, url: str, **kwargs: Any) -> requests.Response:
    return _retrying(session, url, honour_retry_after=False, **kwargs)


@wrong("03.6", "connection errors not retried", catches="retries connection errors",
       requirement="connection errors retried")
def make_api_request_no_connection_errors(session: requests.Session, url: str, **kwargs: Any) -> requests.Response:
    return _retrying(session, url, parse_retry_after=_date_aware, transient=(requests.Timeout,), **kwargs)


@wrong("03.6", "timeouts not retried", catches="retries timeouts",
       requirement="timeouts retried")
def make_api_request_no_timeouts(session: requests.Session, url: str, **kwargs: Any) -> requests.Response:
    return _retrying(session, url, parse_retry_after=_date_aware, transient=(), **kwargs)


@wrong("03.6", "retries every error status, 404 included", catches="raises other 4xx at once: one request, no wait",
       requirement="other 4xx: HTTPError at once, one request, no wait")
def make_api_request_retries_404(session: requests.Session, url: str, **kwargs: Any) -> requests.Response:
    return _retrying(session, url, parse_retry_after=_date_aware, retry_on=lambda status: True, **kwargs)


@wrong("03.6", "a fixed one-second wait", catches="backs off exponentially on 5xx",
       requirement="500/502/503/504: exponential backoff, then retry")
def make_api_request_fixed_wait(session: requests.Session, url: str, **kwargs: Any) -> requests.Response:
    return _retrying(session, url, parse_retry_after=_date_aware, wait=lambda retry: 1.0, **kwargs)


@wrong("03.6", "returns the last failed response", catches="gives up after max_retries with the last error",
       requirement="after max_retries: the last error raised, never a failed response returned")
def make_api_request_returns_failure(session: requests.Session, url: str, **kwargs: Any) -> requests.Response:
    return _retrying(session, url, parse_retry_after=_date_aware, give_up="return", **kwargs)


@wrong("03.6", "a vague RuntimeError after giving up", catches="gives up after max_retries with the "
       "last error",
       requirement="after max_retries: the last error raised, never a failed response returned")
def make_api_request_runtime_error(session: requests.Session, url: str, **kwargs: Any) -> requests.Response:
    return _retrying(session, url, parse_retry_after=_date_aware, give_up="runtime", **kwargs)


@wrong("03.6", "max_retries ignored (retries for ever)", catches="gives up after max_retries with the last error",
       requirement="at most max_retries retries")
def make_api_request_forever(session: requests.Session, url: str, **kwargs: Any) -> requests.Response:
    kwargs["max_retries"] = 1_000
    return _retrying(session, url, parse_retry_after=_date_aware, **kwargs)


@wrong("03.6", "no timeout", catches="passes params, headers and a timeout",
       requirement="a timeout on every request")
def make_api_request_no_timeout(session: requests.Session, url: str, **kwargs: Any) -> requests.Response:
    return _retrying(session, url, parse_retry_after=_date_aware, timeout=None, **kwargs)


@wrong("03.6", "headers dropped", catches="passes params, headers and a timeout",
       requirement="params and headers passed on")
def make_api_request_no_headers(session: requests.Session, url: str, **kwargs: Any) -> requests.Response:
    kwargs.pop("headers", None)
    return _retrying(session, url, parse_retry_after=_date_aware, **kwargs)


@wrong("03.6", "returns response.json()", catches="returns the response of a 200",
       requirement="returns the response of a 200")
def make_api_request_json(session: requests.Session, url: str, **kwargs: Any) -> Any:
    return _retrying(session, url, parse_retry_after=_date_aware, **kwargs).json()


@wrong("03.6", "a 429 without Retry-After waits 0 s", catches="backs off on a 429 without Retry-After",
       requirement="429 without Retry-After: backs off")
def make_api_request_no_wait_without_header(session: requests.Session, url: str, **kwargs: Any) -> requests.Response:
    return _retrying(session, url, parse_retry_after=_date_aware, missing_retry_after=0.0, **kwargs)


@wrong("03.6", "sleeps after the last attempt too", catches="gives up after max_retries with the last error",
       requirement="no wait after the last attempt")
def make_api_request_sleeps_last(session: requests.Session, url: str, *, params: Any = None, headers: Any = None,
                                 max_retries: int = 5, sleep: Callable[[float], None] = time.sleep
                                 ) -> requests.Response:
    error: Exception | None = None
    for retry in range(max_retries + 1):
        try:
            response = session.get(url, params=params, headers=headers, timeout=T)
        except (requests.ConnectionError, requests.Timeout) as exc:
            error = exc
        else:
            if response.status_code not in (429, 500, 502, 503, 504):
                response.raise_for_status()
                return response
            error = requests.HTTPError(f"{response.status_code}", response=response)
            header = response.headers.get("Retry-After")
            if header:
                sleep(_date_aware(header))  # also after the last attempt: the error waits for nothing
                continue
        sleep(2.0**retry)
    assert error is not None
    raise error


# ---------------------------------------------------------------- 03.7 rate limiter


@wrong("03.7", "minimum interval between calls: no bursts", catches=BURST,
       requirement="a full burst of calls at once after an idle spell")
class RateLimiterMinInterval:
    def __init__(self, calls_per_second: float, burst: int = 1, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.min_interval = 1.0 / calls_per_second
        self.last_call_time = 0.0

    def wait(self) -> None:
        elapsed = time.monotonic() - self.last_call_time
        if elapsed < self.min_interval:
            time.sleep(self.min_interval - elapsed)
        self.last_call_time = time.monotonic()


@wrong("03.7", "never sleeps", catches="never lets more than rate × window + burst calls through",
       requirement="never more than rate × window + burst calls")
class RateLimiterNoSleep:
    def __init__(self, calls_per_second: float, burst: int = 1, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.calls = 0

    def wait(self) -> None:
        self.calls += 1


class _Bucket:
    def __init__(self, calls_per_second: float, burst: int = 1, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, *, cap: bool = True) -> None:
        self.rate, self.burst, self.clock, self.sleep, self.cap = calls_per_second, burst, clock, sleep, cap
        self.tokens, self.updated = float(burst), clock()

    def refill(self) -> None:
        now = self.clock()
        self.tokens += (now - self.updated) * self.rate
        if self.cap:
            self.tokens = min(self.tokens, self.burst)
        self.updated = now

    def wait(self) -> None:
        self.refill()
        if self.tokens < 1 - 1e-9:
            self.sleep((1 - self.tokens) / self.rate)
            self.refill()
        self.tokens -= 1


@wrong("03.7", "bucket without a cap: idle time saves up an unbounded burst", catches="never lets more than rate × "
       "window + burst calls through",
       requirement="never more than rate × window + burst calls")
class RateLimiterNoCap(_Bucket):
    def __init__(self, calls_per_second: float, burst: int = 1, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(calls_per_second, burst, clock, sleep, cap=False)


@wrong("03.7", "always sleeps a full interval", catches=BURST,
       requirement="a full burst of calls at once after an idle spell")
class RateLimiterAlwaysSleeps(_Bucket):
    def wait(self) -> None:
        self.sleep(1 / self.rate)
        super().wait()


@wrong("03.7", "sleeps twice as long as needed", catches="keeps the average rate without waiting needlessly",
       requirement="sleeps just long enough for the next token")
class RateLimiterOversleeps(_Bucket):
    def wait(self) -> None:
        self.refill()
        if self.tokens < 1 - 1e-9:
            self.sleep(2 * (1 - self.tokens) / self.rate)
            self.refill()
        self.tokens -= 1


@wrong("03.7", "bucket starts empty", catches=BURST, requirement="starts full: burst calls at once from the start")
class RateLimiterStartsEmpty(_Bucket):
    def __init__(self, calls_per_second: float, burst: int = 1, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(calls_per_second, burst, clock, sleep)
        self.tokens = 0.0


@wrong("03.7", "burst ignored: a bucket of one", catches=BURST,
       requirement="a full burst of calls at once after an idle spell")
class RateLimiterNoBurst(_Bucket):
    def __init__(self, calls_per_second: float, burst: int = 1, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(calls_per_second, 1, clock, sleep)
