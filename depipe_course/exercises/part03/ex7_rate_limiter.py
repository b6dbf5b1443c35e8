"""03.7: ``RateLimiter(calls_per_second, burst)`` is a token bucket whose ``wait()`` paces calls.

Never more than rate × window + burst calls through, a burst of ``burst`` at once (from
the start and after idling), and no wait longer than the next token takes.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from depipe_course.checking import expect, fail
from depipe_course.exercises import exercise
from depipe_course.exercises.part03._shared import _patched_time

if TYPE_CHECKING:
    pass

limiter = exercise("03.7", "A token-bucket rate limiter", ["RateLimiter"])


class _BusyWait(Exception):
    pass


class _Clock:
    """A FakeClock that refuses to be read endlessly (a busy-wait would never end).

    Only a sleep or the check moves it, so reading it 10,000 times in a row without
    either is already a loop that cannot end: it stops there, also where each reading
    is a request to the check (the learner's code in another process).
    """

    _IN_A_ROW = 10_000
    _IN_ALL = 200_000

    def __init__(self) -> None:
        from depipe_course.fakes.api import FakeClock

        self._clock = FakeClock()
        self.reads = 0
        self.unmoved = 0  # readings since the clock last moved

    def __call__(self) -> float:
        self.reads += 1
        self.unmoved += 1
        if self.unmoved > self._IN_A_ROW:
            raise _BusyWait(f"read the clock {self._IN_A_ROW:,} times in a row without sleeping")
        if self.reads > self._IN_ALL:
            raise _BusyWait(f"read the clock {self._IN_ALL:,} times without returning")
        return self._clock()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.unmoved = 0
        self._clock.sleep(seconds)

    def advance(self, seconds: float) -> None:
        self.unmoved = 0
        self._clock.advance(seconds)


def _limited(RateLimiter: Any, rate: float, burst: int, gaps: Iterable[float]) -> list[float]:
    """When each ``wait()`` returned, on a fake clock that ``sleep`` advances."""
    clock = _Clock()
    stamps: list[float] = []
    with _patched_time(clock=clock, sleep=clock.sleep):
        gate = RateLimiter(rate, burst=burst, clock=clock, sleep=clock.sleep)
        for gap in gaps:
            if gap:
                clock.advance(gap)
            try:
                gate.wait()
            except _BusyWait as exc:
                fail(f"wait() {exc}: sleep instead of looping on the clock",
                     expected="sleep(seconds until the next token)", seen="busy-waiting")
            stamps.append(clock._clock())
    return stamps


def _worst_window(stamps: list[float], rate: float, burst: int) -> tuple[int, float, float] | None:
    """The window holding the most calls beyond ``rate * length + burst``, if any."""
    worst = None
    for i, start in enumerate(stamps):
        for j in range(i, len(stamps)):
            calls, length = j - i + 1, stamps[j] - start
            excess = calls - (rate * length + burst)
            if excess > 1e-6 and (worst is None or excess > worst[0]):
                worst = (excess, calls, length)
    return None if worst is None else (worst[1], worst[2], rate * worst[2] + burst)


def _mixed_gaps(n: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [rng.choice((0, 0, 0, 0, 0, 0, 0.05, 0.1, 0.2, 2.5)) for _ in range(n)]


@limiter.check("never lets more than rate × window + burst calls through", points=3,
               hint="Keep a bucket of up to burst tokens that refills at calls_per_second; each wait() "
                    "takes a token, sleeping (1 - tokens) / rate when none is there. Cap the bucket at "
                    "burst, or a long idle spell saves up an unbounded burst.")
def _never_too_many(RateLimiter: Any) -> None:
    for rate, burst, gaps in ((5, 1, [0] * 60), (10, 4, _mixed_gaps(120, 1)), (2, 3, [100] + [0] * 30)):
        stamps = _limited(RateLimiter, rate, burst, gaps)
        worst = _worst_window(stamps, rate, burst)
        if worst is not None:
            calls, length, allowed = worst
            fail(f"RateLimiter({rate}, burst={burst}) let {calls} calls through in {length:.2f} s",
                 expected=f"at most {rate} × {length:.2f} + {burst} = {allowed:.2f} calls",
                 seen=f"{calls} calls")


@limiter.check("lets a burst of `burst` calls through at once, from the start and after idling", points=2,
               hint="A full bucket holds burst tokens: after an idle spell, burst calls go through "
                    "without any wait. A fixed minimum interval between calls cannot do that.")
def _allows_burst(RateLimiter: Any) -> None:
    stamps = _limited(RateLimiter, 2, 5, [0] * 5 + [10] + [0] * 4)
    spread = stamps[4] - stamps[0]
    expect(spread < 1e-9, "a new RateLimiter(2, burst=5) starts full: its first 5 calls go through at once",
           expected="5 calls in 0 s", seen=f"5 calls spread over {spread:.2f} s",
           hint="Start with a full bucket of burst tokens (tokens = burst in __init__, with the time of "
                "that moment), and let it refill up to burst, not up to 1.")
    spread = stamps[9] - stamps[5]
    expect(spread < 1e-9, "after 10 s idle, RateLimiter(2, burst=5) should let 5 calls through at once",
           expected="5 calls in 0 s", seen=f"5 calls spread over {spread:.2f} s")


@limiter.check("keeps the average rate without waiting needlessly", points=2,
               hint="Sleep only as long as it takes the next token to arrive: (1 - tokens) / rate.")
def _not_too_slow(RateLimiter: Any) -> None:
    for rate, burst, n in ((4, 1, 41), (4, 3, 43)):
        stamps = _limited(RateLimiter, rate, burst, [10] + [0] * (n - 1))
        ideal = (n - burst) / rate
        took = stamps[-1] - stamps[0]
        expect(took <= ideal * 1.01 + 1e-6, f"{n} back-to-back calls at {rate}/s with burst={burst} "
               f"need {ideal:g} s", expected=f"{ideal:g} s", seen=f"{took:.2f} s")
