"""Tests for the request log: what checks can see about each call."""

from __future__ import annotations

import requests

from depipe_course.fakes.api import FakePaymentsAPI, ServerError
from depipe_course.fakes.api.log import CallLog, RecordedCall


class TestRecordedCalls:
    def test_params_and_headers(self, api: FakePaymentsAPI, headers: dict[str, str]) -> None:
        """Query parameters arrive as a dict of strings; headers are looked up in any case."""
        params: dict[str, str | int] = {"from": "2026-03-01", "page": 2, "limit": 50}
        requests.get(
            f"{api.base_url}/orders",
            params=params,
            headers={**headers, "X-Run-Id": "r1"},
            timeout=5,
        )
        call = api.calls[-1]
        assert dict(call.params) == {"from": "2026-03-01", "page": "2", "limit": "50"}
        assert call.headers["x-run-id"] == "r1"
        assert call.headers["authorization"].startswith("Bearer ")
        assert (call.method, call.route, call.path, call.status) == ("GET", "/orders", "/orders", 200)

    def test_repeated_param_is_a_list(self, api: FakePaymentsAPI, headers: dict[str, str]) -> None:
        """A parameter sent twice is logged as the list of its values."""
        requests.get(f"{api.base_url}/orders", params=[("page", "1"), ("page", "2")], headers=headers, timeout=5)
        assert api.calls[-1].params["page"] == ["1", "2"]

    def test_timeout_seen(self, api: FakePaymentsAPI, headers: dict[str, str]) -> None:
        """A number or a (connect, read) pair passed as timeout= is logged as given."""
        requests.get(f"{api.base_url}/orders", headers=headers, timeout=2.5)
        requests.get(f"{api.base_url}/orders", headers=headers, timeout=(3.05, 27))
        assert [c.timeout for c in api.calls] == [2.5, (3.05, 27)]
        assert all(c.timeout_passed for c in api.calls)

    def test_timeout_not_seen(self, api: FakePaymentsAPI, headers: dict[str, str]) -> None:
        """Without timeout= the call is logged with timeout None and timeout_passed False."""
        requests.get(f"{api.base_url}/orders", headers=headers)
        with requests.Session() as session:
            session.get(f"{api.base_url}/orders", headers=headers)
        assert [c.timeout_passed for c in api.calls] == [False, False]

    def test_direct_and_session_served_alike(self, api: FakePaymentsAPI, headers: dict[str, str]) -> None:
        """requests.get and Session.get get the same answer and the same kind of log entry."""
        url = f"{api.base_url}/payments"
        direct = requests.get(url, params={"count": 5}, headers=headers, timeout=5)
        with requests.Session() as session:
            via_session = session.get(url, params={"count": 5}, headers=headers, timeout=5)
        assert direct.json() == via_session.json()
        first, second = api.calls
        assert (first.route, first.params, first.status) == (second.route, second.params, second.status)

    def test_token_request_logged_with_body(self, api: FakePaymentsAPI) -> None:
        """Token requests are logged under 'token' with their form body."""
        requests.post(
            api.token_url,
            data={"grant_type": "client_credentials", "client_id": "who", "client_secret": "x"},
            timeout=5,
        )
        (call,) = api.calls_to("token")
        assert call.status == 401 and call.method == "POST"
        assert call.body is not None and "grant_type=client_credentials" in call.body

    def test_fault_recorded(self, api: FakePaymentsAPI, headers: dict[str, str]) -> None:
        """A faulted call records the fault and the status it produced."""
        api.inject(ServerError(504))
        requests.get(f"{api.base_url}/orders", headers=headers, timeout=5)
        assert (api.calls[-1].fault, api.calls[-1].status) == (ServerError(504), 504)

    def test_numbering_and_clear(self, api: FakePaymentsAPI, headers: dict[str, str]) -> None:
        """Calls are numbered from 1 in order; clear() empties the log."""
        for _ in range(3):
            requests.get(f"{api.base_url}/accounts", headers=headers, timeout=5)
        assert [c.number for c in api.calls] == [1, 2, 3]
        api.calls.clear()
        assert len(api.calls) == 0


class TestCallsTo:
    def test_route_path_and_url(self, api: FakePaymentsAPI, headers: dict[str, str]) -> None:
        """calls_to matches a route template, an exact path or a full URL; count agrees."""
        order_id = api.state.order_records()[0]["order_id"]
        for path in (f"/orders/{order_id}", "/orders/1", "/payments", "/payments/summary"):
            requests.get(f"{api.base_url}{path}", headers=headers, timeout=5)
        assert api.count("/orders/{order_id}") == 2
        assert api.count(f"/orders/{order_id}") == 1
        assert api.count("/payments") == 1  # the summary is another endpoint
        assert api.count(f"{api.base_url}/payments/summary") == 1
        assert api.count() == 4

    def test_log_is_a_sequence(self) -> None:
        """CallLog supports len, indexing, slicing and iteration over a snapshot."""
        log = CallLog()
        call = RecordedCall(
            number=1,
            method="GET",
            url="https://x.test/v1/a?b=1",
            route="/a",
            path="/a",
            params={"b": "1"},
            headers={},
            body=None,
            timeout=None,
            status=200,
        )
        log.append(call)
        assert len(log) == 1 and log[0] is call and log[:1] == [call] and list(log) == [call]
        assert log.to("https://x.test/v1/a") == [call]
