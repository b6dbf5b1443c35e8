"""Tests for the FakePaymentsAPI facade and the pytest fixtures."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
from requests.adapters import HTTPAdapter

from depipe_course.fakes.api import (
    AuthMode,
    FakePaymentsAPI,
    FaultQueue,
    RateLimited,
    ScriptedFaults,
    ServerError,
)


class TestLifecycle:
    def test_context_manager_restores_requests(self) -> None:
        """Inside the block requests are intercepted; after it the adapter is the original."""
        original = HTTPAdapter.send
        with FakePaymentsAPI(auth="none", orders=2) as api:
            assert HTTPAdapter.send is not original and api.active
            assert requests.get(f"{api.base_url}/orders", timeout=5).ok
        assert HTTPAdapter.send is original and not api.active

    def test_start_returns_self_and_restarts(self) -> None:
        """start() returns the fake (for notebooks) and works again after stop()."""
        api = FakePaymentsAPI(auth="none", orders=2).start()
        api.stop()
        with api:
            assert requests.get(f"{api.base_url}/orders", timeout=5).ok
        assert api.count() == 1

    def test_repr(self) -> None:
        """The repr names the URL, auth mode and sizes."""
        text = repr(FakePaymentsAPI(orders=4, payments=5, accounts=6))
        assert "auth='oauth'" in text and "orders=4" in text and "active=False" in text

    def test_bad_next_url_style(self) -> None:
        """next_url other than relative/absolute is refused."""
        with pytest.raises(ValueError, match="next_url"):
            FakePaymentsAPI(next_url="sideways")  # type: ignore[arg-type]


class TestConfiguration:
    def test_same_seed_same_answers(self) -> None:
        """Two fakes with one seed answer the same requests identically, tokens included."""

        def run() -> list[object]:
            with FakePaymentsAPI(seed=21, payments=30) as api:
                token = requests.post(
                    api.token_url,
                    timeout=5,
                    data={
                        "grant_type": "client_credentials",
                        "client_id": api.client_id,
                        "client_secret": api.client_secret,
                    },
                ).json()["access_token"]
                page = requests.get(
                    f"{api.base_url}/payments",
                    params={"count": 7},
                    timeout=5,
                    headers={"Authorization": f"Bearer {token}"},
                ).json()
                return [token, page]

        assert run() == run()

    def test_custom_urls(self) -> None:
        """base_url loses a trailing slash; a token URL under base_url is still the token endpoint."""
        with FakePaymentsAPI(
            base_url="https://pay.example.test/api/", orders=2, token_url="https://pay.example.test/api/oauth/token"
        ) as api:
            assert api.base_url == "https://pay.example.test/api"
            response = requests.post(
                api.token_url,
                timeout=5,
                data={
                    "grant_type": "client_credentials",
                    "client_id": api.client_id,
                    "client_secret": api.client_secret,
                },
            )
            assert response.ok and api.calls[-1].route == "token"

    @pytest.mark.parametrize("mode", ["oauth", "api_key", "basic", "none"])
    def test_auth_headers(self, mode: AuthMode) -> None:
        """auth_headers() gives what a correct client sends in each mode."""
        with FakePaymentsAPI(auth=mode, orders=2) as api:
            response = requests.get(f"{api.base_url}/orders", headers=api.auth_headers(), timeout=5)
        assert response.ok

    def test_issue_token_not_logged(self, fake_api: FakePaymentsAPI) -> None:
        """issue_token mints a working token without a logged HTTP call."""
        token = fake_api.issue_token()
        assert fake_api.count() == 0
        assert requests.get(f"{fake_api.base_url}/accounts", timeout=5, headers={"Authorization": f"Bearer {token}"}).ok

    def test_revoke_tokens(self, api: FakePaymentsAPI, headers: dict[str, str]) -> None:
        """After revoke_tokens() an issued token gets 401."""
        api.revoke_tokens()
        assert requests.get(f"{api.base_url}/orders", headers=headers, timeout=5).status_code == 401

    def test_window_and_start_date(self, api: FakePaymentsAPI) -> None:
        """window covers the generated period; start_date is its first day."""
        start, end = api.window
        assert api.start_date == "2026-03-01" and end - start == 31 * 86_400


class TestFaultWiring:
    def test_inject_precedes_schedule_which_still_counts(self) -> None:
        """An injected fault wins over the schedule, and the schedule still counts that request."""
        script = ScriptedFaults({1: ServerError(500), 2: ServerError(502)})
        with FakePaymentsAPI(auth="none", orders=2, faults=script) as api:
            api.inject(RateLimited(1))
            statuses = [requests.get(f"{api.base_url}/orders", timeout=5).status_code for _ in range(3)]
        assert statuses == [429, 502, 200]

    def test_swap_schedule(self) -> None:
        """Assigning api.faults replaces the schedule mid-test."""
        with FakePaymentsAPI(auth="none", orders=2) as api:
            assert requests.get(f"{api.base_url}/orders", timeout=5).ok
            api.faults = FaultQueue([ServerError(503)])
            assert requests.get(f"{api.base_url}/orders", timeout=5).status_code == 503

    def test_token_endpoint_spared_by_default(self, api: FakePaymentsAPI) -> None:
        """Injected faults skip the token endpoint and wait for a data request."""
        api.inject(ServerError(503))
        assert requests.post(
            api.token_url,
            timeout=5,
            data={"grant_type": "client_credentials", "client_id": api.client_id, "client_secret": api.client_secret},
        ).ok
        assert requests.get(f"{api.base_url}/orders", timeout=5).status_code == 503


class TestFixtures:
    def test_fake_api_fixture(self, fake_api: FakePaymentsAPI) -> None:
        """fake_api is an active default fake."""
        assert fake_api.active and fake_api.auth.mode == "oauth"

    def test_factory_fixture(self, fake_api_factory: Callable[..., FakePaymentsAPI]) -> None:
        """fake_api_factory builds active fakes from keyword arguments."""
        api = fake_api_factory(auth="none", orders=4)
        assert api.active
        assert len(requests.get(f"{api.base_url}/orders", timeout=5).json()["items"]) == 4
