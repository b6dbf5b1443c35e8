"""``FakePaymentsAPI``: the one object notebooks, checks and tests use.

It builds the state (seeded records), the auth, the fault schedule and the request log,
and while active it answers every ``requests`` call to its URLs, whether the code uses
an injected ``Session`` or calls ``requests.get`` directly::

    with FakePaymentsAPI(seed=7, payments=1_000) as api:
        token = get_oauth_token(requests.Session(), api.token_url, api.client_id,
                                api.client_secret)
        ...
        assert all(call.timeout_passed for call in api.calls)

In a notebook, ``api = FakePaymentsAPI().start()`` and later ``api.stop()``.

What the fake can and cannot show about urllib3 retries
-------------------------------------------------------
``responses`` replaces ``HTTPAdapter.send``, so urllib3's own retry loop never runs.
``responses`` emulates it instead from ``adapter.max_retries``: a status in
``status_forcelist`` (or a 413/429/503 carrying ``Retry-After`` when ``total`` is set)
is retried, each retry reaches the fake as a new logged call, and ``RetryError`` is
raised when the budget runs out. That emulation never sleeps (so backoff and
``Retry-After`` waits cannot be observed through it) and never retries a raised
exception, so ``TimedOut`` and ``ConnectionReset`` reach the caller at once even where
real urllib3 would retry connect/read errors. POST is retried only with
``allowed_methods=None``. Retry logic written by hand (with an injected ``sleep``) is
fully observable.

Only one fake is active at a time: starting a second one (or ``responses.activate``)
shadows the first until it stops.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Self

import responses

from depipe_course.fakes.api.auth import (
    DEFAULT_API_KEY,
    DEFAULT_API_KEY_HEADER,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_TOKEN_LIFETIME_S,
    AuthConfig,
    AuthMode,
    TokenStore,
)
from depipe_course.fakes.api.clock import FakeClock
from depipe_course.fakes.api.data import DAYS, START_DATE, DataSpec, rng_for
from depipe_course.fakes.api.faults import Fault, FaultQueue, FaultSchedule, NoFaults
from depipe_course.fakes.api.handlers import NextUrlStyle, Paging
from depipe_course.fakes.api.log import CallLog, RecordedCall
from depipe_course.fakes.api.server import FakeServer
from depipe_course.fakes.api.state import ApiState

DEFAULT_BASE_URL = "https://api.example.test/v1"
DEFAULT_TOKEN_URL = "https://auth.example.test/oauth/token"


def utc_now() -> datetime:
    return datetime.now(UTC)


class FakePaymentsAPI:
    """An offline, deterministic payments API on ``responses``; see the module docstring."""

    def __init__(
        self,
        *,
        seed: int = 0,
        orders: int = 1_000,
        payments: int = 1_000,
        accounts: int = 100,
        invalid_payments: int = 0,
        start: date = START_DATE,
        days: int = DAYS,
        auth: AuthMode = "oauth",
        base_url: str = DEFAULT_BASE_URL,
        token_url: str = DEFAULT_TOKEN_URL,
        next_url: NextUrlStyle = "relative",
        accounts_page_size: int = 25,
        max_page_size: int = 1_000,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        api_key: str = DEFAULT_API_KEY,
        api_key_header: str = DEFAULT_API_KEY_HEADER,
        token_lifetime_s: int = DEFAULT_TOKEN_LIFETIME_S,
        faults: FaultSchedule | None = None,
        clock: Callable[[], float] | None = None,
        wall_clock: Callable[[], datetime] = utc_now,
    ) -> None:
        if next_url not in ("relative", "absolute"):
            raise ValueError(f"next_url must be 'relative' or 'absolute', got {next_url!r}")
        self.spec = DataSpec(seed, orders, payments, accounts, invalid_payments, start, days)
        self.state = ApiState(self.spec)
        self.auth = AuthConfig(auth, client_id, client_secret, api_key, api_key_header, token_lifetime_s)
        self.clock: Callable[[], float] = clock if clock is not None else FakeClock()
        self.tokens = TokenStore(token_lifetime_s, self.clock, rng_for(seed, "tokens"))
        self.faults: FaultSchedule = faults if faults is not None else NoFaults()
        self.injected = FaultQueue()
        self.calls = CallLog()
        self.paging = Paging(base_url.rstrip("/"), next_url, accounts_page_size, max_page_size)
        self.token_url = token_url
        self._server = FakeServer(
            state=self.state,
            paging=self.paging,
            token_url=token_url,
            auth=self.auth,
            tokens=self.tokens,
            next_fault=self._next_fault,
            log=self.calls,
            wall_clock=wall_clock,
        )
        self._mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        self._server.register(self._mock)
        self._active = False

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> Self:
        """Begin intercepting ``requests``; returns self for ``api = FakePaymentsAPI().start()``."""
        self._mock.start()
        self._active = True
        return self

    def stop(self) -> None:
        self._mock.stop(allow_assert=False)
        self._active = False

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def active(self) -> bool:
        return self._active

    # -- what a client needs -----------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self.paging.base_url

    @property
    def client_id(self) -> str:
        return self.auth.client_id

    @property
    def client_secret(self) -> str:
        return self.auth.client_secret

    @property
    def api_key(self) -> str:
        return self.auth.api_key

    @property
    def basic_auth(self) -> tuple[str, str]:
        """``(user, password)`` for ``auth=`` in ``basic`` mode."""
        return self.auth.client_id, self.auth.client_secret

    @property
    def start_date(self) -> str:
        """First day of the data, ``YYYY-MM-DD``: ``from=start_date`` lists everything."""
        return self.spec.start.isoformat()

    @property
    def window(self) -> tuple[int, int]:
        """``(from_ts, to_ts)`` epoch seconds covering every generated record."""
        return self.spec.start_ts, self.spec.end_ts

    def issue_token(self) -> str:
        """A valid access token, minted without an HTTP call (so it is not logged)."""
        return self.tokens.issue()

    def auth_headers(self) -> dict[str, str]:
        """Headers a correct client sends in this fake's auth mode."""
        mode = self.auth.mode
        if mode == "oauth":
            return {"Authorization": f"Bearer {self.issue_token()}"}
        if mode == "api_key":
            return {self.auth.api_key_header: self.auth.api_key}
        if mode == "basic":
            pair = f"{self.auth.client_id}:{self.auth.client_secret}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode()}
        return {}

    def revoke_tokens(self) -> None:
        """Expire every issued token now; the next request with one gets 401."""
        self.tokens.revoke_all()

    # -- faults ------------------------------------------------------------------------

    def inject(self, *faults: Fault | None) -> None:
        """Serve these faults to the next requests to data endpoints, before the schedule.

        The schedule still counts those requests. None serves one request normally.
        """
        self.injected.push(*faults)

    def _next_fault(self, route: str) -> Fault | None:
        scheduled = self.faults.next_fault(route)
        injected = self.injected.next_fault(route)
        return injected if injected is not None else scheduled

    # -- request log -------------------------------------------------------------------

    def calls_to(self, target: str) -> list[RecordedCall]:
        """Logged calls to a route (``"/orders/{order_id}"``), a path, a URL, or ``"token"``."""
        return self.calls.to(target)

    def count(self, target: str | None = None) -> int:
        """How many requests the fake saw, in all or to ``target``."""
        return len(self.calls) if target is None else len(self.calls_to(target))

    def __repr__(self) -> str:
        return (
            f"FakePaymentsAPI(base_url={self.base_url!r}, auth={self.auth.mode!r}, "
            f"orders={len(self.state.orders)}, payments={len(self.state.payments)}, "
            f"accounts={len(self.state.accounts)}, calls={len(self.calls)}, "
            f"active={self._active})"
        )
