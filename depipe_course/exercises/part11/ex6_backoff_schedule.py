"""11.6 (interview): ``backoff_schedule`` lists the waits of exponential backoff with optional jitter.

One wait per retry, growing from ``base_s`` by ``factor`` and capped (also over a very long
schedule); jitter draws each wait from [d/2, d] with the rng it is given (a fresh
``random.Random()`` without one), still spread at the cap; ``max_attempts < 1`` raises.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

from depipe_course.checking import expect
from depipe_course.exercises import exercise
from depipe_course.exercises.part11._shared import _describe, _raised

backoff = exercise("11.6", "Interview: exponential backoff with jitter", ["backoff_schedule"])


def _close(got: Any, want: list[float]) -> bool:
    if not isinstance(got, list) or len(got) != len(want):
        return False
    return all(isinstance(g, int | float) and math.isclose(g, w, rel_tol=1e-9)
               for g, w in zip(got, want, strict=True))


@backoff.check("one wait before each retry: max_attempts - 1 waits", points=1,
               hint="Five attempts have four gaps between them: no wait before the first attempt "
                    "or after the last.")
def _count(backoff_schedule: Callable[..., Any]) -> None:
    seen = {n: len(backoff_schedule(n, 1.0, 2.0, 60.0)) for n in (1, 2, 5)}
    expect(seen == {1: 0, 2: 1, 5: 4}, "the number of waits is off",
           expected={1: 0, 2: 1, 5: 4}, seen=seen)


@backoff.check("grows from base_s by factor", points=2,
               hint="The first retry waits base_s, the second base_s * factor, the k-th "
                    "base_s * factor**(k-1).")
def _grows(backoff_schedule: Callable[..., Any]) -> None:
    for args, want in (((5, 1.0, 2.0, 60.0), [1.0, 2.0, 4.0, 8.0]), ((4, 0.5, 3.0, 100.0), [0.5, 1.5, 4.5])):
        got = backoff_schedule(*args)
        expect(_close(got, want), f"backoff_schedule{args} is wrong", expected=want, seen=got)


@backoff.check("never waits longer than cap_s", points=1,
               hint="min(delay, cap_s): without a cap, retry 10 waits 8.5 minutes and retry 20 six days.")
def _capped(backoff_schedule: Callable[..., Any]) -> None:
    for args, want in (((8, 1.0, 2.0, 10.0), [1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0]),
                       ((4, 5.0, 2.0, 2.0), [2.0, 2.0, 2.0])):  # a cap below base_s caps the first wait too
        got = backoff_schedule(*args)
        expect(_close(got, want), f"backoff_schedule{args} is wrong", expected=want, seen=got)


@backoff.check("a long schedule stays at the cap (no overflow)", points=1,
               hint="2.0 ** 1100 overflows a float (OverflowError): multiply the previous delay and "
                    "stop growing once it reaches the cap.")
def _long(backoff_schedule: Callable[..., Any]) -> None:
    got = backoff_schedule(1_200, 1.0, 2.0, 30.0)
    expect(isinstance(got, list) and len(got) == 1_199, "a schedule for 1,200 attempts",
           expected="1,199 waits", seen=f"{len(got) if isinstance(got, list) else got!r}")
    expect(_close(got[:6], [1.0, 2.0, 4.0, 8.0, 16.0, 30.0]) and _close(got[-3:], [30.0] * 3),
           "the long schedule does not stay at the cap", expected="1, 2, 4, 8, 16, 30, ..., 30",
           seen=f"{got[:6]} ... {got[-3:]}")


def _jittered(backoff_schedule: Callable[..., Any], args: tuple[Any, ...], seed: int) -> list[float]:
    got = backoff_schedule(*args, jitter=True, rng=random.Random(seed))
    expect(isinstance(got, list), "backoff_schedule must return a list", expected="list",
           seen=type(got).__name__)
    return got


@backoff.check("with jitter, each wait lies in [d/2, d]", points=1,
               hint="rng.uniform(d / 2, d), where d is the wait without jitter.")
def _bounds(backoff_schedule: Callable[..., Any]) -> None:
    plain = [1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0, 20.0, 20.0]
    for seed in range(20):
        got = _jittered(backoff_schedule, (10, 1.0, 2.0, 20.0), seed)
        inside = len(got) == len(plain) and all(d / 2 <= g <= d for g, d in zip(got, plain, strict=True))
        expect(inside, f"with rng=random.Random({seed}) a wait fell outside [d/2, d]",
               expected=[f"{d / 2:g}..{d:g}" for d in plain], seen=[round(g, 3) for g in got])
    expect(not _close(got, plain), "jitter=True gave the plain schedule",
           expected="random waits", seen=got)


@backoff.check("jitter still spreads the waits at the cap", points=1,
               hint="Cap first, then jitter: min(uniform(d/2, d), cap) is the cap itself once d/2 "
                    "passes it, and every client waits exactly cap_s again.")
def _spread_at_cap(backoff_schedule: Callable[..., Any]) -> None:
    got = _jittered(backoff_schedule, (12, 1.0, 2.0, 5.0), 7)
    capped = got[4:]
    expect(len(set(capped)) > 1 and all(2.5 <= g <= 5.0 for g in capped),
           "the waits at the cap are all the same (or outside [cap/2, cap])",
           expected="different waits between 2.5 and 5", seen=capped)


@backoff.check("draws jitter from the rng it is given", points=1,
               hint="Call rng.uniform(...), not random.uniform(...): tests (and this check) pass a "
                    "seeded random.Random to get the same schedule every time.")
def _rng(backoff_schedule: Callable[..., Any]) -> None:
    args = (8, 1.0, 2.0, 60.0)
    first, again = (_jittered(backoff_schedule, args, 42) for _ in range(2))
    other = _jittered(backoff_schedule, args, 43)
    expect(first == again, "the same seed gave two different schedules", expected=first, seen=again)
    expect(first != other, "different seeds gave the same schedule", expected="different waits",
           seen=other)


@backoff.check("without an rng, jitter draws from a fresh random.Random()", points=1,
               hint="rng=None is the normal call in production: draw = rng if rng is not None else "
                    "random.Random(). A fixed seed there (random.Random(0)) gives every client the same "
                    "'random' waits, which is no jitter at all.")
def _no_rng(backoff_schedule: Callable[..., Any]) -> None:
    plain = [1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0, 20.0, 20.0]
    runs = [backoff_schedule(10, 1.0, 2.0, 20.0, jitter=True) for _ in range(2)]
    for got in runs:
        inside = (isinstance(got, list) and len(got) == len(plain)
                  and all(d / 2 <= g <= d for g, d in zip(got, plain, strict=True)))
        expect(inside, "with jitter=True and no rng, a wait fell outside [d/2, d]",
               expected=[f"{d / 2:g}..{d:g}" for d in plain], seen=got)
    expect(runs[0] != runs[1], "two calls with jitter=True and no rng gave the same waits",
           expected="different waits on each call", seen=runs[0])


@backoff.check("rejects max_attempts < 1", points=1,
               hint="raise ValueError: a call must be tried at least once.")
def _rejects(backoff_schedule: Callable[..., Any]) -> None:
    for bad in (0, -3):
        exc = _raised(backoff_schedule, bad, 1.0, 2.0, 60.0)
        expect(isinstance(exc, ValueError), f"max_attempts={bad} must raise ValueError",
               expected="ValueError", seen=_describe(exc))
