"""The grading report: the contract's JSON schema, built from per-exercise results."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from depipe_course.checking import Result


@dataclass(frozen=True)
class Graded:
    """One exercise's result and the notebook it was graded from."""

    notebook: str
    result: Result

    def to_dict(self) -> dict[str, Any]:
        r = self.result
        return {
            "id": r.exercise_id,
            "notebook": self.notebook,
            "title": r.title,
            "score": r.score,
            "max": r.max_score,
            "status": r.status,
            "message": r.message,
            "checks": [
                {
                    "name": c.name,
                    "passed": c.passed,
                    "status": c.status,
                    "points": c.points,
                    "max_points": c.max_points,
                    "message": c.message,
                    "expected": c.expected,
                    "seen": c.seen,
                }
                for c in r.checks
            ],
        }


@dataclass(frozen=True)
class Report:
    exercises: tuple[Graded, ...]

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
        }

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")

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
