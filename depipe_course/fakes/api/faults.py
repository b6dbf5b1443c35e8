"""What goes wrong, and when: fault values plus schedules that hand them out.

A fault is plain data (a frozen dataclass); the wire layer decides what it looks like
on the wire. A schedule is a strategy with one method, ``next_fault(route)``, asked
once per request; it returns a fault or None ("serve normally"). Swap schedules the way
``responses`` swaps registries:

* ``NoFaults`` - everything succeeds (the default).
* ``FaultQueue`` - faults in order, on demand (``push``); then normal service.
* ``ScriptedFaults`` - by request number: ``{2: ServerError(503)}``.
* ``RandomFaults`` - seeded probabilities, with a cap on faults in a row so that a
  client with a sensible retry budget always gets through.
* ``RequestBudget`` - wraps another schedule and resets every data request past a
  limit, so a client that never stops asking fails fast instead of hanging a check.

Schedules only see requests to their ``routes`` (default: the data endpoints, not the
token endpoint) and only count those.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar

from depipe_course.fakes.api.routes import DATA_ROUTES


@dataclass(frozen=True, slots=True)
class RateLimited:
    """429 Too Many Requests; ``Retry-After`` in seconds, as an HTTP-date, or absent (None)."""

    retry_after: int | None = 1
    http_date: bool = False


@dataclass(frozen=True, slots=True)
class ServerError:
    """A 5xx answer, with a JSON body or the HTML page a proxy sends instead."""

    status: int = 503
    html: bool = False
    retry_after: int | None = None

    def __post_init__(self) -> None:
        if not 500 <= self.status <= 599:
            raise ValueError(f"ServerError status must be 5xx, got {self.status}")


@dataclass(frozen=True, slots=True)
class HtmlPage:
    """An HTML page where JSON was expected, with a status that may well be 200."""

    status: int = 200


@dataclass(frozen=True, slots=True)
class TimedOut:
    """The transport gives up: ``ReadTimeout`` (default) or ``ConnectTimeout``."""

    phase: Literal["read", "connect"] = "read"


@dataclass(frozen=True, slots=True)
class ConnectionReset:
    """The peer drops the connection: ``requests.exceptions.ConnectionError``."""


@dataclass(frozen=True, slots=True)
class InsertAtFront:
    """A new record appears at the front of the listing, then the request is served."""


Fault = RateLimited | ServerError | HtmlPage | TimedOut | ConnectionReset | InsertAtFront


AnyFault = TypeVar("AnyFault", bound=Fault)


class FaultSchedule(Protocol):
    """Anything that decides, request by request, which fault (if any) to inject."""

    def next_fault(self, route: str) -> Fault | None: ...


def _routes(routes: Collection[str] | None) -> frozenset[str]:
    return DATA_ROUTES if routes is None else frozenset(routes)


class NoFaults:
    """Every request is served normally."""

    def next_fault(self, route: str) -> Fault | None:
        return None


class FaultQueue:
    """Faults handed out in order to the next requests in scope; None entries pass one."""

    def __init__(self, faults: Iterable[Fault | None] = (), *, routes: Collection[str] | None = None) -> None:
        self._pending: deque[Fault | None] = deque(faults)
        self.routes = _routes(routes)

    def __len__(self) -> int:
        return len(self._pending)

    def push(self, *faults: Fault | None) -> None:
        self._pending.extend(faults)

    def next_fault(self, route: str) -> Fault | None:
        if route not in self.routes or not self._pending:
            return None
        return self._pending.popleft()


class ScriptedFaults:
    """Faults by request number (from 1, counting only requests in scope)."""

    def __init__(self, script: Mapping[int, Fault], *, routes: Collection[str] | None = None) -> None:
        self.script = dict(script)
        self.routes = _routes(routes)
        self.seen = 0

    def next_fault(self, route: str) -> Fault | None:
        if route not in self.routes:
            return None
        self.seen += 1
        return self.script.get(self.seen)


class RandomFaults:
    """Faults drawn with fixed probabilities from a generator seeded with ``seed``.

    ``rates`` maps each fault to its probability per request (their sum at most 1).
    After ``max_in_a_row`` faulted requests the next one is served normally, so any
    client allowing more attempts than that always finishes; None lifts the cap.
    """

    def __init__(
        self,
        rates: Mapping[AnyFault, float],
        *,
        seed: int = 0,
        max_in_a_row: int | None = 2,
        routes: Collection[str] | None = None,
    ) -> None:
        if any(p < 0 for p in rates.values()) or sum(rates.values()) > 1:
            raise ValueError(f"rates must be >= 0 and sum to at most 1, got {dict(rates)}")
        self.rates: dict[Fault, float] = {fault: rate for fault, rate in rates.items()}
        self.max_in_a_row = max_in_a_row
        self.routes = _routes(routes)
        self._rng = random.Random(f"{seed}:faults")
        self._in_a_row = 0

    def next_fault(self, route: str) -> Fault | None:
        if route not in self.routes:
            return None
        draw = self._rng.random()  # drawn even when capped, so the sequence stays fixed
        if self.max_in_a_row is not None and self._in_a_row >= self.max_in_a_row:
            self._in_a_row = 0
            return None
        fault = _pick(self.rates, draw)
        self._in_a_row = self._in_a_row + 1 if fault is not None else 0
        return fault


def _pick(rates: Mapping[Fault, float], draw: float) -> Fault | None:
    """The fault whose slice of [0, 1) holds ``draw``; None past the last slice."""
    edge = 0.0
    for fault, rate in rates.items():
        edge += rate
        if draw < edge:
            return fault
    return None


class RequestBudget:
    """``inner``'s faults for the first ``limit`` data requests, then a reset for each one.

    Checks wrap their fakes in a budget so that learner code stuck in a request loop
    (a pager that never stops, a retry without a cap) ends in seconds; ``exceeded``
    tells the check that this, not the learner's error handling, is what happened.
    """

    def __init__(self, limit: int, inner: FaultSchedule | None = None) -> None:
        self.limit = limit
        self.inner = inner
        self.seen = 0

    @property
    def exceeded(self) -> bool:
        return self.seen > self.limit

    def next_fault(self, route: str) -> Fault | None:
        if route not in DATA_ROUTES:
            return None
        self.seen += 1
        if self.exceeded:
            return ConnectionReset()
        return self.inner.next_fault(route) if self.inner is not None else None
