"""Part 01 — Production Python is not Python 101."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

from depipe_course.checking import NotAttempted, expect, fail
from depipe_course.exercises import _quiz, exercise

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


@peak.check("reports the peak, not what is left at the end", points=1,
            hint="tracemalloc.get_traced_memory() returns (current, peak): a block freed "
                 "before fn returns only shows in the peak.")
def _measures_peak(peak_memory: Callable[..., Any]) -> None:
    _, size = peak_memory(_allocate_and_free, _TEN_MB)
    expect(_TEN_MB <= size < 2 * _TEN_MB, "a 10 MiB block that fn frees before returning "
           "must show in the peak", expected="between 10 and 20 MiB", seen=f"{size:,} bytes")
    _, small = peak_memory(lambda: None)
    expect(small < 256 * 1024, "a function that allocates nothing should show almost no peak",
           expected="under 256 KiB", seen=f"{small:,} bytes")


@peak.check("counts only what fn allocates, also when the caller was tracing", points=1,
            hint="Call tracemalloc.reset_peak() just before fn, and subtract the memory traced "
                 "before the call (get_traced_memory()[0]) from the peak.")
def _only_fn(peak_memory: Callable[..., Any]) -> None:
    if tracemalloc.is_tracing():
        tracemalloc.stop()
    tracemalloc.start()
    try:
        held = bytearray(_TEN_MB)  # the caller's own data, alive during the call
        _allocate_and_free(2 * _TEN_MB)  # the caller's earlier peak: 30 MiB
        _, size = peak_memory(lambda: None)
        del held
    finally:
        tracemalloc.stop()
    if size >= 2 * _TEN_MB:
        fail("the caller was tracing and had peaked at 30 MiB before the call; fn allocates "
             "nothing, yet your peak includes the caller's earlier peak", expected="under 256 KiB",
             seen=f"{size:,} bytes", hint="tracemalloc's peak is the highest point since tracing "
             "started: call tracemalloc.reset_peak() just before fn.")
    expect(size < 256 * 1024, "the caller was tracing and held 10 MiB during the call; fn allocates "
           "nothing, yet your peak includes the caller's memory", expected="under 256 KiB",
           seen=f"{size:,} bytes", hint="Read get_traced_memory()[0] before calling fn and subtract "
           "it from the peak: what the caller already held was not allocated by fn.")


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

# {incident: (salted digest of the skill that prevents it, hint)}: see _quiz.py.
_ANSWERS = {
    "The nightly job was OOM-killed at 3 AM while loading a 40 GB export":
        ("8b248c5f92fe80926eb0d59d2019d9a2", "Reading everything at once is the problem: read it in chunks."),
    "A 401 Unauthorized from the payments API was retried 500 times":
        ("48c9be381d846323283fa4e9f4e68357", "A 401 will never succeed on retry: it is a permanent error."),
    "Only the first 100 orders arrived: the API returned them one page at a time":
        ("94603b5afc8432cb81749ee18069b38b", "The rest of the data was on the next pages."),
    "Nobody could tell which run wrote the bad rows: the logs were free-text prints":
        ("7d78ba8916348e0b979aa2c185017043", "A run_id on every log line answers 'which run?'."),
    "A list built from 200 million rows exhausted memory before the first write":
        ("39f815d037486396f8f7ebbad78c553d", "Produce and consume one record at a time instead of building a list."),
    "A broken discount rule shipped: the logic only ran against the production database":
        ("fd9499ff7f284bd74d6561370b7149cc", "Pure functions can be tested without a database."),
}


def _answer_check(incident: str, key: str, hint: str) -> None:
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
        expect(_quiz.is_answer(key, "01.2", incident, given.strip().lower()), "another skill prevents this incident",
               expected="a different skill (see the hint)", seen=given)


for _incident, (_key, _hint) in _ANSWERS.items():
    _answer_check(_incident, _key, _hint)
