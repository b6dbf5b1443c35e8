"""03.1: ``get_oauth_token`` asks for a client-credentials token; ``TokenCache`` keeps it while it is valid.

The token request is a form with a timeout that raises on bad credentials (401). The cache
fetches once while the token lives, takes its lifetime from the server's expires_in on the
injected clock, refreshes skew_s seconds early, and lets a failed fetch raise.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import exercise
from depipe_course.exercises._errors import in_chain as _in_chain
from depipe_course.exercises.part03._shared import _expect_timeouts, _fake, _patched_time, _session

if TYPE_CHECKING:
    from depipe_course.fakes.api import FakeClock, FakePaymentsAPI

oauth = exercise("03.1", "OAuth client credentials and a token cache", ["get_oauth_token", "TokenCache"])

_LIFETIME_S = 600


def _oauth_fake(lifetime: int = _LIFETIME_S, clock: FakeClock | None = None) -> FakePaymentsAPI:
    return _fake(seed=3, orders=5, payments=5, accounts=5, auth="oauth", token_lifetime_s=lifetime, clock=clock)


def _post_token(api: FakePaymentsAPI, secret: str | None = None) -> dict[str, Any]:
    """The check's own, correct token request (so TokenCache is graded on its own)."""
    import requests

    response = requests.post(api.token_url, timeout=5, data={
        "grant_type": "client_credentials", "client_id": api.client_id,
        "client_secret": api.client_secret if secret is None else secret,
    })
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def _accepted(api: FakePaymentsAPI, token: Any) -> bool:
    import requests

    response = requests.get(f"{api.base_url}/orders", params={"limit": 1}, timeout=5,
                            headers={"Authorization": f"Bearer {token}"})
    return response.status_code == 200


@dataclass
class _Cache:
    """A learner's TokenCache wired to a fake, a shared FakeClock and a counted fetch."""

    api: FakePaymentsAPI
    clock: FakeClock
    cache: Any

    @property
    def fetches(self) -> int:
        return self.api.count("token")

    def get(self) -> str:
        token = self.cache.get()
        expect(isinstance(token, str), "get() must return the access token itself (a str)",
               expected="a str such as 'tok_…'", seen=repr(token)[:80])
        return token


@contextlib.contextmanager
def _token_cache(TokenCache: Any, lifetime: int = _LIFETIME_S, **kwargs: Any) -> Iterator[_Cache]:
    from depipe_course.fakes.api import FakeClock

    clock = FakeClock()
    with _oauth_fake(lifetime, clock) as api, _patched_time(clock=clock):
        cache = TokenCache(lambda: _post_token(api), clock=clock, **kwargs)
        yield _Cache(api, clock, cache)


@oauth.check("get_oauth_token posts the client-credentials form and returns the token response",
             points=2,
             hint="session.post(token_url, data={'grant_type': 'client_credentials', 'client_id': ..., "
                  "'client_secret': ...}, timeout=...), raise_for_status(), return response.json(). "
                  "data= sends a form; json= would not be understood.")
def _token_request(get_oauth_token: Callable[..., Any]) -> None:
    with _oauth_fake() as api, _session() as session:
        body = get_oauth_token(session, api.token_url, api.client_id, api.client_secret)
        expect(isinstance(body, Mapping), "return the token endpoint's JSON body as a dict",
               expected="{'access_token': ..., 'expires_in': 600, ...}", seen=repr(body)[:120])
        expect("access_token" in body and "expires_in" in body,
               "the dict should be the server's whole answer, with access_token and expires_in",
               expected="keys access_token, expires_in", seen=sorted(body))
        expect_equal(body["expires_in"], _LIFETIME_S, "expires_in (this fake's tokens live 600 s)")
        expect(_accepted(api, body["access_token"]), "the API rejected the access_token you returned",
               expected="a token the API accepts", seen=body["access_token"])
        expect_equal(api.count("token"), 1, "the number of token requests")


@oauth.check("get_oauth_token passes a timeout", points=1,
             hint="Pass timeout= to session.post: an auth server that never answers would hang the job.")
def _token_timeout(get_oauth_token: Callable[..., Any]) -> None:
    with _oauth_fake() as api, _session() as session:
        get_oauth_token(session, api.token_url, api.client_id, api.client_secret)
        _expect_timeouts(api)


@oauth.check("get_oauth_token raises at once on bad credentials (401)", points=1,
             hint="response.raise_for_status() turns the 401 into requests.HTTPError; do not retry "
                  "it and do not return the error body as if it were a token.")
def _token_401(get_oauth_token: Callable[..., Any]) -> None:
    import requests

    with _oauth_fake() as api, _session() as session:
        try:
            body = get_oauth_token(session, api.token_url, api.client_id, "not-the-secret")
        except NotImplementedError:
            raise
        except Exception as exc:  # the check inspects what was raised
            found = _in_chain(exc, requests.HTTPError)
            expect(found is not None, "a 401 should surface as requests.HTTPError (raise_for_status)",
                   expected="requests.HTTPError (401)", seen=f"{type(exc).__name__}: {exc}"[:160])
        else:
            fail("bad credentials did not raise", expected="requests.HTTPError (401)",
                 seen=f"returned {body!r}"[:160])
        expect_equal(api.count("token"), 1, "the number of token requests for a 401 (retrying cannot fix it)")


@oauth.check("TokenCache fetches one token while it is valid", points=2,
             hint="Keep the token and the time it should be refreshed; get() only calls fetch() "
                  "when there is no token yet or that time has come.")
def _cache_reuses(TokenCache: Any) -> None:
    with _token_cache(TokenCache) as run:
        tokens = []
        for _ in range(10):
            tokens.append(run.get())
            run.clock.advance(50)
        expect(run.fetches == 1, "10 get() calls during the first 450 s of a 600 s token should "
               "reuse one token", expected="1 token request", seen=f"{run.fetches} token requests")
        expect(len(set(tokens)) == 1, "get() returned different tokens", expected="one token",
               seen=sorted(set(tokens)))
        expect(_accepted(run.api, tokens[-1]), "the API rejected the cached token",
               expected="a token the API accepts", seen=tokens[-1])


@oauth.check("TokenCache takes the expiry from the server's expires_in", points=2,
             hint="The token response says how long the token lives (expires_in, in seconds): "
                  "expiry = clock() at the request + expires_in, read on the injected clock. A "
                  "hard-coded lifetime is wrong for every server whose tokens live longer or shorter.")
def _cache_uses_expires_in(TokenCache: Any) -> None:
    with _token_cache(TokenCache, lifetime=600) as run:
        run.get()
        run.clock.advance(700)
        token = run.get()
        expect(run.fetches == 2 and _accepted(run.api, token),
               "700 s after a 600 s token was issued, get() should fetch a new one",
               expected="a fresh token (2 token requests)",
               seen=f"{run.fetches} token request(s); the API "
                    f"{'accepted' if _accepted(run.api, token) else 'rejected'} the token")
    with _token_cache(TokenCache, lifetime=7_200) as run:
        run.get()
        run.clock.advance(3_600)
        run.get()
        expect(run.fetches == 1, "a token that lives 7,200 s was refreshed after 3,600 s",
               expected="1 token request", seen=f"{run.fetches} token requests")


@oauth.check("TokenCache refreshes skew_s seconds before the expiry", points=1,
             hint="Refresh when clock() >= expiry - skew_s, so a token never expires between get() "
                  "and the request that carries it.")
def _cache_skew(TokenCache: Any) -> None:
    with _token_cache(TokenCache, lifetime=600, skew_s=100) as run:
        run.get()
        run.clock.advance(480)
        run.get()
        expect(run.fetches == 1, "with skew_s=100, a 600 s token is still good 480 s after it was issued",
               expected="1 token request", seen=f"{run.fetches} token requests")
        run.clock.advance(40)
        run.get()
        expect(run.fetches == 2, "with skew_s=100, a 600 s token is due for refresh 520 s after it was "
               "issued", expected="2 token requests", seen=f"{run.fetches} token request(s)")


@oauth.check("TokenCache raises a failed token request at once", points=1,
             hint="Let the exception from fetch() propagate: no retry loop, nothing cached.")
def _cache_raises(TokenCache: Any) -> None:
    import requests

    from depipe_course.fakes.api import FakeClock

    clock = FakeClock()
    with _oauth_fake(clock=clock) as api, _patched_time(clock=clock):
        cache = TokenCache(lambda: _post_token(api, secret="revoked-secret"), clock=clock)
        try:
            token = cache.get()
        except NotImplementedError:
            raise
        except Exception as exc:  # the check inspects what was raised
            expect(_in_chain(exc, requests.HTTPError) is not None, "the 401 from fetch() should reach "
                   "the caller as requests.HTTPError", expected="requests.HTTPError (401)",
                   seen=f"{type(exc).__name__}: {exc}"[:160])
        else:
            fail("fetch() failed with a 401 but get() did not raise", expected="requests.HTTPError (401)",
                 seen=f"returned {token!r}"[:120])
        expect_equal(api.count("token"), 1, "token requests for one get() whose fetch fails with 401")
