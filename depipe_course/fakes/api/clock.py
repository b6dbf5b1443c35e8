"""A clock that moves only when told to, so token expiry is tested without waiting.

The fake API reads time through a callable (``clock()`` → seconds). ``FakeClock`` is
such a callable; hand the same instance to the fake and to the learner's code (for
example ``TokenCache(fetch, clock=clock)``) and both agree on what "now" is.
"""

from __future__ import annotations

DEFAULT_START_S = 1_000.0


class FakeClock:
    """Monotonic seconds that advance by ``advance()`` or ``sleep()``, never by themselves."""

    def __init__(self, start: float = DEFAULT_START_S) -> None:
        self._now = float(start)
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward; going backwards is refused (clocks here are monotonic)."""
        if seconds < 0:
            raise ValueError(f"a clock cannot go back: advance({seconds})")
        self._now += seconds

    def sleep(self, seconds: float) -> None:
        """Stand-in for ``time.sleep``: records the wait and advances the clock by it.

        A negative wait raises ``ValueError`` as ``time.sleep`` does, so a bug that
        computes one (e.g. from an HTTP-date in the past) is not hidden.
        """
        if seconds < 0:
            raise ValueError(f"sleep length must be non-negative, got {seconds}")
        self.sleeps.append(seconds)
        self.advance(seconds)

    def __repr__(self) -> str:
        return f"FakeClock(now={self._now})"
