"""01.2: ``incident_skills`` maps each of six incidents to the one skill that prevents it.

One sub-check per incident. The key holds salted digests (see ``_quiz.py``), not the
answers; a dict whose answers are all still None is not attempted.
"""

from __future__ import annotations

from typing import Any

from depipe_course.checking import NotAttempted, expect, fail
from depipe_course.exercises import _quiz, exercise

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
