"""11.7 (interview quiz): ``log_levels`` maps each pipeline event to the level it belongs at.

One sub-check per event; the key is kept as salted digests (``_quiz.py``), and each hint
explains the level without naming it.
"""

from __future__ import annotations

import logging
from typing import Any

from depipe_course.checking import NotAttempted, expect, fail
from depipe_course.exercises import _quiz, exercise

levels = exercise("11.7", "Interview: which level for which event?", ["log_levels"])

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

# {event: (salted digest of the level it belongs at, hint)}: see _quiz.py. A hint explains the
# level without naming it, so the key cannot be read from the hints either.
_LEVEL_ANSWERS = {
    "Requesting page 48 of payments with cursor c_8f2a":
        ("b81defdc57c0f7d0aec571c216f5bd6c", "One line per page is detail for the person debugging, not for "
         "every run's log."),
    "Run started for the payments window 2026-03-17":
        ("d70980a7e948336f7b6920f37984050f", "A normal milestone of a run, worth a line in every run's log."),
    "Run finished: 42,118 payments loaded, 12 dead-lettered":
        ("ba1adc055424ffec06a646c8a205dece", "The run did its job; the dead-lettered records were each "
         "reported when they happened. The summary of a normal run is a milestone, like its start."),
    "429 Too Many Requests: waiting 15 seconds before retry 2 of 5":
        ("8512ea487663bc94df07d191fa73ba94", "Something went wrong and the pipeline is handling it: worth "
         "noticing, nobody has to act."),
    "Reconciliation: window 2026-03-17 is 3 payments short, re-fetching it":
        ("bb97ccdc0eab4d3a6a9c613aa1cec072", "Unexpected, but the pipeline has a recovery: worth noticing, "
         "nobody has to act yet."),
    "Database unreachable after 5 attempts: run aborted, nothing loaded":
        ("1ea22a5e6bd63addd58944da698cef19", "The run failed at its job: someone must act."),
    "Window 2026-03-17 still 3 payments short after the re-fetch":
        ("5367aabfc286f317c970b405528bb3c3", "The recovery did not work and the data is incomplete: someone must act."),
}


def _level_check(event: str, key: str, hint: str) -> None:
    @levels.check(event, points=1, hint=hint)
    def _one(log_levels: Any) -> None:
        if not isinstance(log_levels, dict):
            fail("log_levels must be a dict", expected="dict", seen=type(log_levels).__name__)
        if all(v is None for v in log_levels.values()):
            raise NotAttempted("Not attempted yet: every answer is still None.")
        if event not in log_levels:
            fail("this event is missing from your dict (keep the keys as given)",
                 expected=repr(event), seen=sorted(log_levels))
        given = log_levels[event]
        name = logging.getLevelName(given) if isinstance(given, int) else given
        if not isinstance(name, str) or name.strip().upper() not in LEVELS:
            fail("answer with one of the four levels", expected=", ".join(LEVELS), seen=given)
        expect(_quiz.is_answer(key, "11.7", event, name.strip().upper()), "another level fits this event better",
               expected="a different level (see the hint)", seen=given)


for _event, (_key, _hint) in _LEVEL_ANSWERS.items():
    _level_check(_event, _key, _hint)
