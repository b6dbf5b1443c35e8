"""What a learner calls in a notebook: ``check("02.1")`` and ``progress()``."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

from depipe_course import exercises, reference
from depipe_course.checking import Result, bind_references, run_checks
from depipe_course.paths import state_dir

logger = logging.getLogger(__name__)

_PROGRESS_FILE = "progress.json"


def check(exercise_id: str, namespace: Mapping[str, Any] | None = None) -> Result:
    """Check exercise ``exercise_id`` against the names defined in the notebook.

    ``namespace`` defaults to the caller's globals, which in Jupyter is the
    notebook's namespace. Exercises this one builds on are replaced by their
    references, exactly as the grader does.
    """
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    exercise = exercises.get(exercise_id)
    objects = {name: namespace[name] for name in exercise.names if name in namespace}
    objects = bind_references(objects, reference.objects_used_by(exercise))
    result = run_checks(exercise, objects)
    _record(result)
    return result


def _progress_path() -> Any:
    return state_dir() / _PROGRESS_FILE


def _load() -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(_progress_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _record(result: Result) -> None:
    """Remember the latest result; a read-only home folder must not break a check."""
    data = _load()
    data[result.exercise_id] = {
        "status": result.status, "score": result.score, "max": result.max_score
    }
    path = _progress_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        logger.warning("could not save progress to %s: %s", path, exc)


@dataclass(frozen=True)
class Progress:
    """Every exercise of the course with its last checked result."""

    rows: tuple[tuple[str, str, str, float, float], ...]  # id, title, status, score, max

    @property
    def score(self) -> float:
        return round(sum(r[3] for r in self.rows), 2)

    @property
    def max_score(self) -> float:
        return round(sum(r[4] for r in self.rows), 2)

    def __str__(self) -> str:
        lines = [f"{'id':<6}{'status':<15}{'points':>9}  exercise"]
        for ex_id, title, status, score, max_score in self.rows:
            lines.append(f"{ex_id:<6}{status:<15}{f'{score:g}/{max_score:g}':>9}  {title}")
        lines.append(f"total: {self.score:g}/{self.max_score:g} points")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td>{escape(i)}</td><td>{escape(t)}</td><td>{escape(s)}</td>"
            f"<td>{sc:g}/{mx:g}</td></tr>"
            for i, t, s, sc, mx in self.rows
        )
        return (
            "<table><thead><tr><th>id</th><th>exercise</th><th>status</th><th>points</th>"
            f"</tr></thead><tbody>{body}</tbody></table>"
            f"<p><b>total: {self.score:g}/{self.max_score:g} points</b></p>"
        )


def progress() -> Progress:
    """The whole course at a glance: each exercise and its last checked result."""
    seen = _load()
    rows = []
    for ex in exercises.all_exercises():
        last = seen.get(ex.id, {})
        rows.append(
            (ex.id, ex.title, last.get("status", "not_checked"),
             float(last.get("score", 0.0)), ex.max_points)
        )
    return Progress(tuple(rows))
