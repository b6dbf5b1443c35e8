"""The grading report: the contract's JSON schema, built from per-exercise results.

A report is reproducible: the same submission graded twice gives the same report,
apart from each exercise's ``duration_s`` (how long its run took, for instructors
sizing limits). Messages are normalised where the run leaks randomness (memory
addresses, scratch folder names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from depipe_course.checking import Result

_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")
_SCRATCH = re.compile(r"(/[^\s'\"]*)?/depipe-grade-[A-Za-z0-9_]+")
_CHECK_TMP = re.compile(r"depipe-(\d\d\.\d+)-[A-Za-z0-9_]{6,}")
# Characters that forge a line (\r, U+2028, NEL), are invalid in XML 1.0 (C0 controls,
# lone surrogates, U+FFFE/FFFF) or hide text in a terminal (escape sequences).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def normalise(text: str) -> str:
    """Take out what differs from run to run (addresses, temporary folder names), and show
    control characters as escapes, so learner text cannot forge a report line or break XML."""
    text = _CONTROL.sub(_visible, text)
    text = _ADDRESS.sub("0x…", text)
    text = _SCRATCH.sub("<scratch>", text)
    return _CHECK_TMP.sub(r"depipe-\1-tmp", text)


def _maybe(text: str | None) -> str | None:
    return None if text is None else normalise(text)


@dataclass(frozen=True)
class Graded:
    """One exercise's result and the notebook it was graded from."""

    notebook: str
    result: Result
    duration_s: float | None = None  # wall time of the exercise's run; None when nothing ran
    limits: dict[str, Any] = field(default_factory=dict)  # the limits this exercise ran under

    @property
    def part(self) -> str:
        return self.result.exercise_id[:2]

    def to_dict(self) -> dict[str, Any]:
        r = self.result
        return {
            "id": r.exercise_id,
            "notebook": self.notebook,
            "title": r.title,
            "score": r.score,
            "max": r.max_score,
            "status": r.status,
            "message": normalise(r.message),
            "duration_s": self.duration_s,
            "limits": self.limits,
            "checks": [
                {
                    "name": c.name,
                    "passed": c.passed,
                    "status": c.status,
                    "points": c.points,
                    "max_points": c.max_points,
                    "message": normalise(c.message),
                    "expected": _maybe(c.expected),
                    "seen": _maybe(c.seen),
                    "hint": c.hint,
                    "same_cause_as": c.same_cause_as,
                }
                for c in r.checks
            ],
        }


@dataclass(frozen=True)
class Report:
    exercises: tuple[Graded, ...]
    grader: dict[str, Any] = field(default_factory=dict)  # limits and isolation in force

    @property
    def total(self) -> float:
        return round(sum(g.result.score for g in self.exercises), 2)

    @property
    def max(self) -> float:
        return round(sum(g.result.max_score for g in self.exercises), 2)

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "max": self.max,
            "exercises": [g.to_dict() for g in self.exercises],
            "grader": self.grader,
        }

    def summary(self) -> str:
        """A plain-text table for the terminal."""
        lines = [f"{'id':<6}{'status':<15}{'points':>9}  notebook"]
        for g in self.exercises:
            r = g.result
            lines.append(
                f"{r.exercise_id:<6}{r.status:<15}{f'{r.score:g}/{r.max_score:g}':>9}  {g.notebook}"
            )
        lines.append(f"total: {self.total:g}/{self.max:g}")
        return "\n".join(lines)
