"""Quiz answer keys kept as salted digests: a check can compare an answer, nobody can read the key.

A quiz question (01.2, 11.7) has a handful of possible answers, so a digest does not
stop anyone from *trying* answers: ``check()`` lets a learner do that anyway, one
question at a time. What it stops is *reading* the key in the check module, which a
learner edition ships. The salt and the question go into each digest, so two questions
with the same answer have different digests and a digest table from elsewhere is useless.

Course and learner edition compare the same way. When an answer changes in
``solutions/``, print the new key with ``key(...)`` (``depipe release`` refuses to build
while a key and the reference disagree)::

    from depipe_course.exercises import _quiz
    _quiz.key("11.7", {"Run started ...": "info"})
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

SALT = "depipe-course quiz key, 2026"


def digest(exercise_id: str, question: str, answer: str) -> str:
    """The digest of ``answer`` (already normalised by the quiz) to ``question``."""
    text = "\x1f".join((SALT, exercise_id, question, answer))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def is_answer(key: str, exercise_id: str, question: str, answer: str) -> bool:
    """Whether ``answer`` to ``question`` is the one whose digest is ``key``."""
    return hmac.compare_digest(digest(exercise_id, question, answer), key)


def key(exercise_id: str, answers: Mapping[str, str]) -> dict[str, str]:
    """``{question: digest}`` for normalised ``answers``: what a quiz's check module stores."""
    return {question: digest(exercise_id, question, answer) for question, answer in answers.items()}
