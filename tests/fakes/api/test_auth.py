"""Tests for auth logic and the fake clock, without HTTP."""

from __future__ import annotations

import base64
import random

import pytest

from depipe_course.fakes.api.auth import (
    AuthConfig,
    Denied,
    TokenStore,
    authenticate,
    bearer,
    grant,
    parse_basic,
)
from depipe_course.fakes.api.clock import FakeClock

GOOD_FORM = {
    "grant_type": "client_credentials",
    "client_id": AuthConfig().client_id,
    "client_secret": AuthConfig().client_secret,
    "scope": "read:payments",
}


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(clock: FakeClock) -> TokenStore:
    return TokenStore(60, clock, random.Random(0))


class TestFakeClock:
    def test_moves_only_when_told(self) -> None:
        """The clock stands still until advanced."""
        clock = FakeClock(start=5.0)
        assert clock() == clock() == 5.0
        clock.advance(2.5)
        assert clock() == 7.5

    def test_sleep_records_and_advances(self) -> None:
        """sleep() advances the clock and remembers each wait."""
        clock = FakeClock(start=0)
        clock.sleep(1.5)
        clock.sleep(0)
        assert clock() == 1.5 and clock.sleeps == [1.5, 0]

    def test_no_going_back(self) -> None:
        """Negative advances and sleeps raise ValueError, as time.sleep does."""
        clock = FakeClock()
        with pytest.raises(ValueError):
            clock.advance(-1)
        with pytest.raises(ValueError, match="non-negative"):
            clock.sleep(-0.1)


class TestHeaders:
    def test_parse_basic(self) -> None:
        """Basic credentials decode to (user, password); the password may be empty."""
        assert parse_basic(basic("key_id", "")) == ("key_id", "")
        assert parse_basic(basic("a", "b:c")) == ("a", "b:c")

    @pytest.mark.parametrize("value", [None, "", "Bearer x", "Basic !!!", "Basic " + "bm9jb2xvbg=="])
    def test_parse_basic_rejects(self, value: str | None) -> None:
        """Missing, non-Basic, undecodable or colon-less values give None."""
        assert parse_basic(value) is None

    def test_bearer(self) -> None:
        """The scheme is case-insensitive and an empty token is no token."""
        assert bearer("bearer abc") == "abc"
        assert bearer("Bearer ") is None
        assert bearer("Token abc") is None


class TestGrant:
    def test_issues_token(self, store: TokenStore) -> None:
        """Good client credentials get a Bearer token with the store's lifetime and the scope."""
        body = grant(AuthConfig(), store, GOOD_FORM)
        assert isinstance(body, dict)
        assert body["token_type"] == "Bearer" and body["expires_in"] == 60
        assert body["scope"] == "read:payments"
        assert store.check(body["access_token"]) is None

    def test_basic_client_auth(self, store: TokenStore) -> None:
        """Client credentials may come as HTTP Basic instead of form fields."""
        form = {"grant_type": "client_credentials"}
        pair = (AuthConfig().client_id, AuthConfig().client_secret)
        assert isinstance(grant(AuthConfig(), store, form, pair), dict)

    def test_wrong_secret(self, store: TokenStore) -> None:
        """A wrong secret is a 401 invalid_client and issues nothing."""
        denied = grant(AuthConfig(), store, {**GOOD_FORM, "client_secret": "nope"})
        assert isinstance(denied, Denied) and (denied.status, denied.error) == (401, "invalid_client")
        assert store.issued == 0

    def test_wrong_grant_type(self, store: TokenStore) -> None:
        """Only the client-credentials grant is supported (400)."""
        denied = grant(AuthConfig(), store, {**GOOD_FORM, "grant_type": "password"})
        assert isinstance(denied, Denied) and denied.error == "unsupported_grant_type"

    def test_missing_grant_type(self, store: TokenStore) -> None:
        """A form without grant_type is a 400 that says to send form fields."""
        denied = grant(AuthConfig(), store, {})
        assert isinstance(denied, Denied) and denied.status == 400 and "data=" in denied.message


class TestTokenStore:
    def test_expiry_on_clock(self, store: TokenStore, clock: FakeClock) -> None:
        """A token is valid until its lifetime has passed on the clock, then invalid."""
        token = store.issue()
        clock.advance(59.9)
        assert store.check(token) is None
        clock.advance(0.1)
        denied = store.check(token)
        assert denied is not None and "expired" in denied.message

    def test_unknown_and_missing(self, store: TokenStore) -> None:
        """Unknown and missing tokens are refused with different codes."""
        unknown, missing = store.check("tok_forged"), store.check(None)
        assert unknown is not None and unknown.error == "invalid_token"
        assert missing is not None and missing.error == "missing_token"

    def test_revoke_all(self, store: TokenStore) -> None:
        """revoke_all expires every token at once."""
        tokens = [store.issue(), store.issue()]
        store.revoke_all()
        assert all(store.check(t) is not None for t in tokens)

    def test_tokens_deterministic(self, clock: FakeClock) -> None:
        """Stores seeded alike issue the same tokens."""
        a, b = TokenStore(1, clock, random.Random(4)), TokenStore(1, clock, random.Random(4))
        assert [a.issue(), a.issue()] == [b.issue(), b.issue()]


class TestAuthenticate:
    def test_none_mode(self, store: TokenStore) -> None:
        """In 'none' mode any request passes."""
        assert authenticate(AuthConfig(mode="none"), store, {}) is None

    def test_api_key(self, store: TokenStore) -> None:
        """API key mode checks the configured header."""
        config = AuthConfig(mode="api_key", api_key="k1", api_key_header="X-Key")
        assert authenticate(config, store, {"X-Key": "k1"}) is None
        wrong, missing = authenticate(config, store, {"X-Key": "k2"}), authenticate(config, store, {})
        assert wrong is not None and wrong.error == "invalid_api_key"
        assert missing is not None and "X-Key" in missing.message

    def test_basic(self, store: TokenStore) -> None:
        """Basic mode wants client_id and client_secret as user and password."""
        config = AuthConfig(mode="basic", client_id="u", client_secret="p")
        assert authenticate(config, store, {"Authorization": basic("u", "p")}) is None
        denied = authenticate(config, store, {"Authorization": basic("u", "x")})
        assert denied is not None and denied.status == 401 and denied.challenge

    def test_unknown_mode(self) -> None:
        """An unknown auth mode is refused at construction."""
        with pytest.raises(ValueError, match="auth must be one of"):
            AuthConfig(mode="kerberos")  # type: ignore[arg-type]
