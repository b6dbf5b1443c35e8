"""Part 01 — Production Python is not Python 101."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

from depipe_course.checking import NotAttempted, expect, fail
from depipe_course.exercises import exercise

# ---------------------------------------------------------------- 01.1 peak_memory

peak = exercise("01.1", "Measure peak memory", ["peak_memory"])

_TEN_MB = 10 * 1024 * 1024


def _allocate_and_free(size: int) -> str:
    block = bytearray(size)  # allocated, then freed before returning
    del block
    return "done"


@peak.check("returns the function's result and an int", points=1,
            hint="Return a tuple: (whatever fn returned, peak bytes as an int).")
def _returns_pair(peak_memory: Callable[..., Any]) -> None:
    out = peak_memory(_allocate_and_free, 1024)
    expect(isinstance(out, tuple) and len(out) == 2, "peak_memory must return a pair",
           expected="(result, peak_bytes)", seen=out)
    result, size = out
    expect(result == "done", "the first item must be fn's own result", expected="'done'", seen=result)
    expect(isinstance(size, int) and not isinstance(size, bool), "the peak must be an int of bytes",
           expected="int", seen=type(size).__name__)


@peak.check("forwards positional and keyword arguments", points=1,
            hint="Call fn(*args, **kwargs).")
def _forwards(peak_memory: Callable[..., Any]) -> None:
    result, _ = peak_memory(lambda a, b=0, *, c: (a, b, c), 1, 2, c=3)
    expect(result == (1, 2, 3), "arguments did not reach fn unchanged", expected=(1, 2, 3), seen=result)


@peak.check("reports the peak, not what is left at the end", points=2,
            hint="tracemalloc.get_traced_memory() returns (current, peak): a block freed "
                 "before fn returns only shows in the peak.")
def _measures_peak(peak_memory: Callable[..., Any]) -> None:
    _, size = peak_memory(_allocate_and_free, _TEN_MB)
    expect(_TEN_MB <= size < 2 * _TEN_MB, "a 10 MiB block that fn frees before returning "
           "must show in the peak", expected="between 10 and 20 MiB", seen=f"{size:,} bytes")
    _, small = peak_memory(lambda: None)
    expect(small < 256 * 1024, "a function that allocates nothing should show almost no peak",
           expected="under 256 KiB", seen=f"{small:,} bytes")


@peak.check("leaves tracemalloc off if it was off, on if it was on", points=1,
            hint="Remember tracemalloc.is_tracing() before starting, and only stop it if you started it.")
def _restores_state(peak_memory: Callable[..., Any]) -> None:
    if tracemalloc.is_tracing():
        tracemalloc.stop()
    peak_memory(lambda: None)
    expect(not tracemalloc.is_tracing(), "tracemalloc was left running", expected="off afterwards", seen="on")
    tracemalloc.start()
    try:
        peak_memory(lambda: None)
        expect(tracemalloc.is_tracing(), "tracemalloc was on before the call and is off after it",
               expected="still on (the caller was tracing)", seen="off")
    finally:
        tracemalloc.stop()


class _Boom(Exception):
    pass


def _explode() -> None:
    raise _Boom("fn failed")


@peak.check("re-raises fn's exception and still restores tracemalloc", points=1,
            hint="Use try/finally so the clean-up runs when fn raises, and do not catch the error.")
def _on_error(peak_memory: Callable[..., Any]) -> None:
    if tracemalloc.is_tracing():
        tracemalloc.stop()
    try:
        peak_memory(_explode)
    except _Boom:
        pass
    else:
        fail("fn raised, but peak_memory did not re-raise it", expected="_Boom raised", seen="no exception")
    finally:
        left_on = tracemalloc.is_tracing()
        tracemalloc.stop()
    expect(not left_on, "tracemalloc was left running after fn raised", expected="off", seen="on")


# ---------------------------------------------------------------- 01.2 incident quiz

quiz = exercise("01.2", "Which skill prevents which incident?", ["incident_skills"])

SKILLS = ("file I/O at scale", "REST API calls", "error handling and retries",
          "structured logging", "generators", "testable code")

_ANSWERS = {
    "The nightly job was OOM-killed at 3 AM while loading a 40 GB export":
        ("file I/O at scale", "Reading everything at once is the problem: read it in chunks."),
    "A 401 Unauthorized from the payments API was retried 500 times":
        ("error handling and retries", "A 401 will never succeed on retry: it is a permanent error."),
    "Only the first 100 orders arrived: the API returned them one page at a time":
        ("REST API calls", "The rest of the data was on the next pages."),
    "Nobody could tell which run wrote the bad rows: the logs were free-text prints":
        ("structured logging", "A run_id on every log line answers 'which run?'."),
    "A list built from 200 million rows exhausted memory before the first write":
        ("generators", "Produce and consume one record at a time instead of building a list."),
    "A broken discount rule shipped: the logic only ran against the production database":
        ("testable code", "Pure functions can be tested without a database."),
}


def _answer_check(incident: str, skill: str, hint: str) -> None:
    @quiz.check(incident, points=1, hint=hint)
    def _one(incident_skills: Any) -> None:
        if not isinstance(incident_skills, dict):
            fail("incident_skills must be a dict", expected="dict", seen=type(incident_skills).__name__)
        if all(v is None for v in incident_skills.values()):
            raise NotAttempted("Not attempted yet: every answer is still None.")
        if incident not in incident_skills:
            fail("this incident is missing from your dict (keep the keys as given)",
                 expected=repr(incident), seen=sorted(incident_skills))
        given = incident_skills[incident]
        if not isinstance(given, str) or given.strip().lower() not in {s.lower() for s in SKILLS}:
            fail("answer with one of the six skills", expected=", ".join(SKILLS), seen=given)
        expect(given.strip().lower() == skill.lower(), "another skill prevents this incident",
               expected="a different skill (see the hint)", seen=given)


for _incident, (_skill, _hint) in _ANSWERS.items():
    _answer_check(_incident, _skill, _hint)
