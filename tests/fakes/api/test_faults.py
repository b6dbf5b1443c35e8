"""Tests for fault values and the schedules that hand them out."""

from __future__ import annotations

import pytest

from depipe_course.fakes.api import routes
from depipe_course.fakes.api.faults import (
    ConnectionReset,
    Fault,
    FaultQueue,
    NoFaults,
    RandomFaults,
    RateLimited,
    ScriptedFaults,
    ServerError,
    TimedOut,
)


def draw(
    schedule: RandomFaults | ScriptedFaults | FaultQueue, n: int, route: str = routes.PAYMENTS
) -> list[Fault | None]:
    return [schedule.next_fault(route) for _ in range(n)]


class TestFaultValues:
    def test_server_error_must_be_5xx(self) -> None:
        """ServerError refuses a status outside 500-599."""
        with pytest.raises(ValueError, match="5xx"):
            ServerError(404)

    def test_faults_are_hashable_values(self) -> None:
        """Equal faults compare equal and can key a rates mapping."""
        assert RateLimited(2) == RateLimited(2)
        assert len({ServerError(502), ServerError(502), TimedOut()}) == 2


class TestNoFaults:
    def test_never(self) -> None:
        """NoFaults never injects anything."""
        assert NoFaults().next_fault(routes.ORDERS) is None


class TestFaultQueue:
    def test_in_order_then_normal(self) -> None:
        """Queued faults come out in order (None passes a request), then None forever."""
        queue = FaultQueue([RateLimited(), None, ServerError(502)])
        assert draw(queue, 5) == [RateLimited(), None, ServerError(502), None, None]

    def test_push_on_demand(self) -> None:
        """push adds faults for the next requests."""
        queue = FaultQueue()
        queue.push(TimedOut(), ConnectionReset())
        assert len(queue) == 2
        assert draw(queue, 3) == [TimedOut(), ConnectionReset(), None]

    def test_scope(self) -> None:
        """Out-of-scope requests neither get nor consume a fault; token is out by default."""
        queue = FaultQueue([ServerError()], routes={routes.ORDERS})
        assert queue.next_fault(routes.PAYMENTS) is None
        assert queue.next_fault(routes.TOKEN) is None
        assert queue.next_fault(routes.ORDERS) == ServerError()

    def test_token_opt_in(self) -> None:
        """The token endpoint gets faults only when named in routes."""
        queue = FaultQueue([ServerError()], routes=routes.ALL_ROUTES)
        assert queue.next_fault(routes.TOKEN) == ServerError()


class TestScriptedFaults:
    def test_by_request_number(self) -> None:
        """Request n (from 1, in scope only) gets script[n]."""
        script = ScriptedFaults({2: ServerError(503), 4: RateLimited(3)})
        assert script.next_fault(routes.TOKEN) is None  # not counted
        assert draw(script, 5) == [None, ServerError(503), None, RateLimited(3), None]
        assert script.seen == 5


class TestRandomFaults:
    RATES: dict[Fault, float] = {ServerError(503): 0.3, RateLimited(1): 0.2, TimedOut(): 0.1}

    def test_same_seed_same_faults(self) -> None:
        """Two schedules with one seed fault the same requests the same way."""
        a = RandomFaults(self.RATES, seed=9)
        b = RandomFaults(self.RATES, seed=9)
        assert draw(a, 200) == draw(b, 200)

    def test_rates_roughly_respected(self) -> None:
        """Without a cap, fault frequencies follow the rates."""
        faults = draw(RandomFaults(self.RATES, seed=1, max_in_a_row=None), 5_000)
        assert 0.27 < faults.count(ServerError(503)) / 5_000 < 0.33
        assert 0.37 < faults.count(None) / 5_000 < 0.43

    def test_cap_on_faults_in_a_row(self) -> None:
        """Never more than max_in_a_row faulted requests back to back."""
        faults = draw(RandomFaults({ServerError(): 1.0}, max_in_a_row=2), 9)
        assert faults == [ServerError(), ServerError(), None] * 3

    def test_bad_rates(self) -> None:
        """Rates that are negative or sum above 1 are refused."""
        too_much: dict[Fault, float] = {ServerError(): 0.7, TimedOut(): 0.4}
        with pytest.raises(ValueError):
            RandomFaults(too_much)
        with pytest.raises(ValueError):
            RandomFaults({ServerError(): -0.1})


def test_request_budget_resets_every_request_past_its_limit() -> None:
    """A budget passes the inner schedule's faults, then answers each request over the limit with a reset."""
    from depipe_course.fakes.api import ConnectionReset, FaultQueue, RequestBudget, ServerError

    budget = RequestBudget(2, FaultQueue([ServerError(503)]))
    assert [budget.next_fault("/payments") for _ in range(4)] == [
        ServerError(503), None, ConnectionReset(), ConnectionReset()]
    assert budget.exceeded and budget.next_fault("token") is None
