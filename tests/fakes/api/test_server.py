"""Tests for the wire layer: endpoints, pagination, auth and faults over real requests calls."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
import urllib3
from requests.adapters import HTTPAdapter

from depipe_course.fakes.api import (
    ConnectionReset,
    FakeClock,
    FakePaymentsAPI,
    Fault,
    HtmlPage,
    InsertAtFront,
    RandomFaults,
    RateLimited,
    ServerError,
    TimedOut,
)

Record = dict[str, Any]


def offset_client(
    session: requests.Session, api: FakePaymentsAPI, headers: dict[str, str], limit: int
) -> Iterator[Record]:
    page = 1
    while True:
        params: dict[str, str | int] = {"from": api.start_date, "page": page, "limit": limit}
        response = session.get(f"{api.base_url}/orders", params=params, headers=headers, timeout=5)
        response.raise_for_status()
        items = response.json()["items"]
        yield from items
        if len(items) < limit:
            return
        page += 1


def cursor_client(
    session: requests.Session, api: FakePaymentsAPI, headers: dict[str, str], count: int, **window: Any
) -> Iterator[Record]:
    params: dict[str, Any] = {"from": api.start_date, "count": count, **window}
    while True:
        response = session.get(f"{api.base_url}/payments", params=params, headers=headers, timeout=5)
        response.raise_for_status()
        body = response.json()
        yield from body["items"]
        if not body["next_cursor"]:
            return
        params["cursor"] = body["next_cursor"]


def next_url_client(session: requests.Session, url: str, headers: dict[str, str]) -> Iterator[Record]:
    next_url: str | None = url
    while next_url:
        response = session.get(next_url, headers=headers, timeout=5)
        response.raise_for_status()
        body = response.json()
        yield from body["records"]
        next_url = body["nextRecordsUrl"] and urljoin(response.url, body["nextRecordsUrl"])


class TestOffsetPagination:
    def test_every_order_once_short_last_page(
        self, api: FakePaymentsAPI, session: requests.Session, headers: dict[str, str]
    ) -> None:
        """57 orders at limit 10: six requests, the last page holds 7, each order once."""
        orders = list(offset_client(session, api, headers, limit=10))
        assert orders == api.state.order_records()
        assert api.count("/orders") == 6
        assert len(api.calls_to("/orders")[-1].params) == 3

    def test_exact_multiple_ends_on_empty_page(
        self, api: FakePaymentsAPI, session: requests.Session, headers: dict[str, str]
    ) -> None:
        """57 orders at limit 19: three full pages, then an empty fourth ends the loop."""
        assert len(list(offset_client(session, api, headers, limit=19))) == 57
        last = session.get(f"{api.base_url}/orders", params={"page": 4, "limit": 19}, headers=headers, timeout=5)
        assert last.json() == {"items": []}
        assert api.count("/orders") == 5

    def test_from_filters_by_created_at(
        self, api: FakePaymentsAPI, session: requests.Session, headers: dict[str, str]
    ) -> None:
        """from=YYYY-MM-DD keeps orders created on or after that day (UTC)."""
        params: dict[str, str | int] = {"from": "2026-03-20", "limit": 1_000}
        response = session.get(f"{api.base_url}/orders", params=params, headers=headers, timeout=5)
        items = response.json()["items"]
        assert items and all(item["created_at"] >= "2026-03-20" for item in items)
        assert len(items) < 57

    @pytest.mark.parametrize(
        "params", [{"limit": 0}, {"limit": 1_001}, {"page": 0}, {"page": "two"}, {"from": "01/03/2026"}]
    )
    def test_bad_parameters(
        self, api: FakePaymentsAPI, session: requests.Session, headers: dict[str, str], params: dict[str, Any]
    ) -> None:
        """Out-of-range or malformed parameters get a 400 naming the parameter."""
        response = session.get(f"{api.base_url}/orders", params=params, headers=headers, timeout=5)
        assert response.status_code == 400
        assert next(iter(params)) in response.json()["message"]


class TestCursorPagination:
    def test_every_payment_once_fewest_requests(
        self, api: FakePaymentsAPI, session: requests.Session, headers: dict[str, str]
    ) -> None:
        """83 payments at count 10: nine requests, next_cursor null on the ninth."""
        payments = list(cursor_client(session, api, headers, count=10))
        assert payments == api.state.payment_records()
        assert api.count("/payments") == 9

    def test_epoch_window(self, api: FakePaymentsAPI, session: requests.Session, headers: dict[str, str]) -> None:
        """Adjacent epoch windows split the payments with no overlap and no gap."""
        start, end = api.window
        middle = (start + end) // 2
        first = list(cursor_client(session, api, headers, 7, **{"from": start, "to": middle}))
        second = list(cursor_client(session, api, headers, 7, **{"from": middle, "to": end}))
        assert second + first == api.state.payment_records()  # newest first
        assert all(start <= p["captured_at"] < middle for p in first if p["captured_at"])
        assert any(p["captured_at"] is None for p in first + second)

    def test_bad_cursor(self, api: FakePaymentsAPI, session: requests.Session, headers: dict[str, str]) -> None:
        """A cursor the API never issued is a 400."""
        response = session.get(f"{api.base_url}/payments", params={"cursor": "forged"}, headers=headers, timeout=5)
        assert response.status_code == 400 and "cursor" in response.json()["message"]


class TestNextUrlPagination:
    def test_relative_next_url(self, api: FakePaymentsAPI, session: requests.Session, headers: dict[str, str]) -> None:
        """31 accounts at 10 a page: four pages; next URLs are paths to join, then null."""
        accounts = list(next_url_client(session, f"{api.base_url}/accounts", headers))
        assert accounts == api.state.account_records()
        first = session.get(f"{api.base_url}/accounts", headers=headers, timeout=5).json()
        assert first["nextRecordsUrl"].startswith("/v1/accounts?page_token=")
        assert api.count("/accounts") == 5

    def test_relative_url_used_as_is_fails(
        self, api: FakePaymentsAPI, session: requests.Session, headers: dict[str, str]
    ) -> None:
        """Requesting the relative next URL without joining it raises MissingSchema."""
        first = session.get(f"{api.base_url}/accounts", headers=headers, timeout=5).json()
        with pytest.raises(requests.exceptions.MissingSchema):
            session.get(first["nextRecordsUrl"], headers=headers, timeout=5)

    def test_absolute_next_url(self, session: requests.Session) -> None:
        """With next_url='absolute' the next URL is complete and the pages cover all accounts."""
        with FakePaymentsAPI(accounts=12, accounts_page_size=5, next_url="absolute", auth="none") as api:
            first = session.get(f"{api.base_url}/accounts", timeout=5).json()
            assert first["nextRecordsUrl"].startswith(f"{api.base_url}/accounts?")
            assert len(list(next_url_client(session, f"{api.base_url}/accounts", {}))) == 12


class TestSingleOrderAndSummary:
    def test_one_order(self, api: FakePaymentsAPI, session: requests.Session, headers: dict[str, str]) -> None:
        """GET /orders/{id} returns that order."""
        order = api.state.order_records()[5]
        response = session.get(f"{api.base_url}/orders/{order['order_id']}", headers=headers, timeout=5)
        assert response.status_code == 200 and response.json() == order

    @pytest.mark.parametrize("order_id", ["999", "abc"])
    def test_unknown_order_404(
        self, api: FakePaymentsAPI, session: requests.Session, headers: dict[str, str], order_id: str
    ) -> None:
        """An unknown or non-numeric order id is a JSON 404."""
        response = session.get(f"{api.base_url}/orders/{order_id}", headers=headers, timeout=5)
        assert response.status_code == 404 and response.json()["error"] == "not_found"

    def test_summary_matches_items(self, session: requests.Session) -> None:
        """The summary's count and amount match the listed payments of the window, invalid too."""
        with FakePaymentsAPI(payments=120, invalid_payments=10, auth="none") as api:
            start, end = api.window
            window = {"from": start, "to": end}
            summary = session.get(f"{api.base_url}/payments/summary", params=window, timeout=5).json()
            items = list(cursor_client(session, api, {}, 50, **window))
        assert summary["count"] == len(items) == 120
        assert summary["amount"] == sum(p["amount"] for p in items if isinstance(p["amount"], int))

    def test_unknown_path_and_method(
        self, api: FakePaymentsAPI, session: requests.Session, headers: dict[str, str]
    ) -> None:
        """An unknown path under base_url is a 404; POST on a GET endpoint is a 405."""
        assert session.get(f"{api.base_url}/refunds", headers=headers, timeout=5).status_code == 404
        posted = session.post(f"{api.base_url}/orders", headers=headers, timeout=5)
        assert posted.status_code == 405 and posted.headers["Allow"] == "GET"

    def test_unknown_host_refused(self, api: FakePaymentsAPI) -> None:
        """A URL outside the fake raises responses' ConnectionError, never real network."""
        with pytest.raises(requests.exceptions.ConnectionError, match="Connection refused"):
            requests.get("https://elsewhere.example.test/v1/orders", timeout=5)


class TestAuthFlows:
    def token(self, api: FakePaymentsAPI, **form: str) -> requests.Response:
        fields = {
            "grant_type": "client_credentials",
            "client_id": api.client_id,
            "client_secret": api.client_secret,
            "scope": "read",
            **form,
        }
        return requests.post(api.token_url, data=fields, timeout=5)

    def test_token_issue_and_use(self, api: FakePaymentsAPI) -> None:
        """A token from the token endpoint opens the data endpoints."""
        body = self.token(api).json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 3_600
        response = requests.get(
            f"{api.base_url}/orders", timeout=5, headers={"Authorization": f"Bearer {body['access_token']}"}
        )
        assert response.status_code == 200

    def test_expired_token_401(self) -> None:
        """Once the fake clock passes expires_in, the same token gets a 401."""
        clock = FakeClock()
        with FakePaymentsAPI(clock=clock, token_lifetime_s=600, orders=3) as api:
            token = self.token(api).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            clock.advance(599)
            assert requests.get(f"{api.base_url}/orders", headers=headers, timeout=5).ok
            clock.advance(1)
            expired = requests.get(f"{api.base_url}/orders", headers=headers, timeout=5)
        assert expired.status_code == 401
        assert expired.json()["error"] == "invalid_token"
        assert "invalid_token" in expired.headers["WWW-Authenticate"]

    def test_wrong_credentials_401(self, api: FakePaymentsAPI) -> None:
        """A wrong client secret gets 401 invalid_client from the token endpoint."""
        response = self.token(api, client_secret="guess")
        assert response.status_code == 401 and response.json()["error"] == "invalid_client"

    def test_token_as_json_400(self, api: FakePaymentsAPI) -> None:
        """Posting the fields as JSON instead of a form is a 400 that says so."""
        response = requests.post(api.token_url, json={"grant_type": "client_credentials"}, timeout=5)
        assert response.status_code == 400 and "data=" in response.json()["message"]

    def test_no_token_401(self, api: FakePaymentsAPI) -> None:
        """A data request without a token gets a JSON 401."""
        response = requests.get(f"{api.base_url}/payments", timeout=5)
        assert response.status_code == 401 and response.json()["error"] == "missing_token"

    def test_api_key(self) -> None:
        """API-key mode accepts the key in its header and refuses a missing one."""
        with FakePaymentsAPI(auth="api_key", orders=3) as api:
            url = f"{api.base_url}/orders"
            assert requests.get(url, headers={"X-API-Key": api.api_key}, timeout=5).ok
            assert requests.get(url, timeout=5).status_code == 401

    def test_basic(self) -> None:
        """Basic mode accepts auth=(client_id, client_secret) and refuses a wrong password."""
        with FakePaymentsAPI(auth="basic", orders=3) as api:
            url = f"{api.base_url}/orders"
            assert requests.get(url, auth=api.basic_auth, timeout=5).ok
            assert requests.get(url, auth=(api.client_id, "x"), timeout=5).status_code == 401

    def test_none(self) -> None:
        """With auth='none' no credentials are needed."""
        with FakePaymentsAPI(auth="none", orders=3) as api:
            assert requests.get(f"{api.base_url}/orders", timeout=5).ok


class TestFaults:
    def get(self, api: FakePaymentsAPI, path: str = "/payments") -> requests.Response:
        return requests.get(f"{api.base_url}{path}", headers=api.auth_headers(), timeout=5)

    def test_429_seconds(self, api: FakePaymentsAPI) -> None:
        """RateLimited(7) answers 429 with Retry-After: 7, then service resumes."""
        api.inject(RateLimited(7))
        limited = self.get(api)
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
        assert self.get(api).status_code == 200

    def test_429_http_date(self) -> None:
        """RateLimited(http_date=True) sends now + n as an HTTP-date, rounded up."""
        now = datetime(2026, 3, 9, 10, 0, 0, 250_000, tzinfo=UTC)
        with FakePaymentsAPI(auth="none", orders=3, wall_clock=lambda: now) as api:
            api.inject(RateLimited(30, http_date=True))
            header = self.get(api).headers["Retry-After"]
        assert header == "Mon, 09 Mar 2026 10:00:31 GMT"
        assert 30 <= (parsedate_to_datetime(header) - now).total_seconds() < 31

    def test_429_without_header(self, api: FakePaymentsAPI) -> None:
        """RateLimited(None) answers 429 with no Retry-After."""
        api.inject(RateLimited(None))
        assert "Retry-After" not in self.get(api).headers

    @pytest.mark.parametrize("status", [500, 502, 503, 504])
    def test_5xx_json(self, api: FakePaymentsAPI, status: int) -> None:
        """Each 5xx comes with a JSON error body."""
        api.inject(ServerError(status))
        response = self.get(api)
        assert response.status_code == status
        assert response.headers["Content-Type"] == "application/json"
        assert "error" in response.json()

    def test_5xx_html(self, api: FakePaymentsAPI) -> None:
        """ServerError(502, html=True) sends a proxy's HTML page that .json() cannot parse."""
        api.inject(ServerError(502, html=True))
        response = self.get(api)
        assert response.status_code == 502 and "502 Bad Gateway" in response.text
        assert response.headers["Content-Type"].startswith("text/html")
        with pytest.raises(requests.exceptions.JSONDecodeError):
            response.json()

    def test_html_with_200(self, api: FakePaymentsAPI) -> None:
        """HtmlPage() passes raise_for_status yet is not JSON."""
        api.inject(HtmlPage())
        response = self.get(api)
        response.raise_for_status()
        assert response.text.startswith("<html>")
        with pytest.raises(requests.exceptions.JSONDecodeError):
            response.json()

    def test_503_retry_after(self, api: FakePaymentsAPI) -> None:
        """ServerError may carry a Retry-After too."""
        api.inject(ServerError(503, retry_after=4))
        assert self.get(api).headers["Retry-After"] == "4"

    @pytest.mark.parametrize(
        ("phase", "error"), [("read", requests.exceptions.ReadTimeout), ("connect", requests.exceptions.ConnectTimeout)]
    )
    def test_timeouts(self, api: FakePaymentsAPI, phase: str, error: type[requests.RequestException]) -> None:
        """TimedOut raises ReadTimeout or ConnectTimeout from the transport, logged without status."""
        api.inject(TimedOut(phase))  # type: ignore[arg-type]
        with pytest.raises(error):
            self.get(api)
        call = api.calls[-1]
        assert call.status is None and isinstance(call.error, error)

    def test_connection_reset(self, api: FakePaymentsAPI) -> None:
        """ConnectionReset raises ConnectionError that is not a Timeout."""
        api.inject(ConnectionReset())
        with pytest.raises(requests.exceptions.ConnectionError, match="reset") as raised:
            self.get(api)
        assert not isinstance(raised.value, requests.exceptions.Timeout)

    def test_faults_come_before_auth(self, api: FakePaymentsAPI) -> None:
        """A fault is served even to a request with no credentials."""
        api.inject(ServerError(503))
        assert requests.get(f"{api.base_url}/orders", timeout=5).status_code == 503

    def test_changing_page_duplicates_offset(
        self, api: FakePaymentsAPI, session: requests.Session, headers: dict[str, str]
    ) -> None:
        """A record inserted before page 2 makes offset paging return page 1's last order twice."""
        api.inject(None, InsertAtFront())
        orders = list(offset_client(session, api, headers, limit=10))
        ids = [order["order_id"] for order in orders]
        assert len(ids) == 58 and len(set(ids)) == 57
        assert ids[9] == ids[10]

    def test_changing_page_spares_cursor(
        self, api: FakePaymentsAPI, session: requests.Session, headers: dict[str, str]
    ) -> None:
        """The same insert leaves cursor paging with every original payment exactly once."""
        before = api.state.payment_records()
        api.inject(None, InsertAtFront())
        payments = list(cursor_client(session, api, headers, count=10))
        assert payments == before
        assert len(api.state.payments) == 84

    def test_random_faults_deterministic(self) -> None:
        """Same seed and schedule, same requests: the same statuses and errors in the log."""

        def run() -> list[tuple[int | None, str, Fault | None]]:
            rates: dict[Fault, float] = {ServerError(503): 0.2, RateLimited(1): 0.1, TimedOut(): 0.1}
            with FakePaymentsAPI(auth="none", faults=RandomFaults(rates, seed=4)) as api:
                for _ in range(30):
                    try:
                        requests.get(f"{api.base_url}/payments", timeout=5)
                    except requests.RequestException:
                        pass
                return [(c.status, type(c.error).__name__, c.fault) for c in api.calls]

        first = run()
        assert first == run()
        assert any(fault is not None for _, _, fault in first)

    def test_capped_random_faults_let_a_retrying_client_finish(self) -> None:
        """With max_in_a_row=2, a client allowing 3 attempts per page fetches every payment once."""
        rates: dict[Fault, float] = {
            RateLimited(1): 0.2,
            ServerError(503): 0.2,
            TimedOut(): 0.1,
            ConnectionReset(): 0.1,
        }
        clock = FakeClock()
        with FakePaymentsAPI(auth="basic", payments=150, faults=RandomFaults(rates, seed=2)) as api:
            params: dict[str, str | int] = {"from": api.window[0], "to": api.window[1], "count": 20}
            seen: list[Record] = []
            while True:
                for _ in range(3):
                    try:
                        response = requests.get(
                            f"{api.base_url}/payments", params=params, auth=api.basic_auth, timeout=5
                        )
                    except (requests.Timeout, requests.ConnectionError):
                        clock.sleep(1)
                        continue
                    if response.status_code in (429, 503):
                        clock.sleep(float(response.headers.get("Retry-After", 1)))
                        continue
                    break
                response.raise_for_status()
                body = response.json()
                seen += body["items"]
                if not body["next_cursor"]:
                    break
                params["cursor"] = body["next_cursor"]
        assert seen == api.state.payment_records()
        assert any(call.fault is not None for call in api.calls)


class TestUrllib3Retry:
    def session(self, **retry: Any) -> requests.Session:
        session = requests.Session()
        adapter = HTTPAdapter(max_retries=urllib3.util.Retry(**retry))
        session.mount("https://", adapter)
        return session

    def test_503_then_200(self, api: FakePaymentsAPI, headers: dict[str, str]) -> None:
        """A Retry adapter with 503 in status_forcelist gets through 503-then-200 (two calls)."""
        api.inject(ServerError(503))
        with self.session(total=3, status_forcelist=[503], backoff_factor=10) as session:
            response = session.get(f"{api.base_url}/orders", headers=headers, timeout=5)
        assert response.status_code == 200
        assert [c.status for c in api.calls_to("/orders")] == [503, 200]

    def test_retry_budget_exhausted(self, api: FakePaymentsAPI, headers: dict[str, str]) -> None:
        """When every attempt fails, the adapter raises RetryError after total + 1 calls."""
        api.inject(*[ServerError(502)] * 5)
        with self.session(total=2, status_forcelist=[502]) as session, pytest.raises(requests.exceptions.RetryError):
            session.get(f"{api.base_url}/orders", headers=headers, timeout=5)
        assert api.count("/orders") == 3

    def test_exceptions_not_retried(self, api: FakePaymentsAPI, headers: dict[str, str]) -> None:
        """The emulation does not retry raised timeouts: one call, ReadTimeout to the caller."""
        api.inject(TimedOut())
        with self.session(total=3, read=3) as session, pytest.raises(requests.exceptions.ReadTimeout):
            session.get(f"{api.base_url}/orders", headers=headers, timeout=5)
        assert api.count("/orders") == 1
