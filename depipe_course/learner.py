"""What a learner calls in a notebook: ``check("02.1")`` and ``progress()``."""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from depipe_course import edition, exercises
from depipe_course.checking import Result, bind_references, timeout_message, whole_exercise
from depipe_course.judging import kernel
from depipe_course.paths import state_dir

logger = logging.getLogger(__name__)

_PROGRESS_FILE = "progress.json"


def check(exercise_id: str, namespace: Mapping[str, Any] | None = None) -> Result:
    """Check exercise ``exercise_id`` against the names defined in the notebook.

    ``namespace`` defaults to the caller's globals, which in Jupyter is the
    notebook's namespace. Exercises this one builds on are replaced by their
    references, exactly as the grader does; the learner edition has no references,
    so there the learner's own versions are used and the result says so.
    """
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    exercise = exercises.get(exercise_id)
    supplied = edition.stand_ins(exercise)
    objects = bind_references({name: namespace[name] for name in exercise.names if name in namespace}, supplied)
    kernel.warm()  # before the time limit: the judge's start-up is not the learner's time
    try:
        with _time_limit(exercise.timeout_s):
            result = kernel.check(exercise.id, objects, namespace, supplied, stop_on=(CheckTimedOut,))
    except CheckTimedOut:
        result = whole_exercise(exercise, "timeout", timeout_message(exercise.timeout_s))
    _record(result)
    return result


class CheckTimedOut(BaseException):
    """The exercise's time limit passed (a BaseException: learner code's ``except Exception`` cannot swallow it)."""


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Stop the checks after ``seconds``, as the grader does, so a hanging answer cannot freeze the kernel.

    A real-time timer interrupts Python loops and blocking calls alike; it works in the main
    thread only, which is where Jupyter runs cells. Elsewhere the checks run unbounded.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise CheckTimedOut

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


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
        "status": result.status, "score": result.score, "max": result.max_score,
        "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    path = _progress_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        logger.warning("could not save progress to %s: %s", path, exc)


_LAST_CHECKS = (
    "Your last check() of each exercise, as run in the notebook (code you ran, saved or not). "
    "The grader re-runs your saved notebooks instead: progress(graded=True) shows that view "
    "(save the notebook first; takes about half a minute)."
)
_GRADED = "Graded view: your saved notebooks in {folder}, re-run by the grader exactly as CI grades them."


@dataclass(frozen=True)
class Row:
    """One exercise in the overview."""

    id: str
    title: str
    status: str
    score: float
    max_score: float
    when: str = ""  # when it was last checked (the check view only)


@dataclass(frozen=True)
class Progress:
    """Every exercise of the course with a result, and a sentence saying which result it is."""

    rows: tuple[Row, ...]
    source: str = _LAST_CHECKS

    @property
    def score(self) -> float:
        return round(sum(r.score for r in self.rows), 2)

    @property
    def max_score(self) -> float:
        return round(sum(r.max_score for r in self.rows), 2)

    def __str__(self) -> str:
        lines = [self.source, "", f"{'id':<6}{'status':<15}{'points':>9}  {'last checked':<17}exercise"]
        for r in self.rows:
            lines.append(f"{r.id:<6}{r.status:<15}{f'{r.score:g}/{r.max_score:g}':>9}  {r.when:<17}{r.title}")
        lines.append(f"total: {self.score:g}/{self.max_score:g} points")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td>{escape(r.id)}</td><td>{escape(r.title)}</td><td>{escape(r.status)}</td>"
            f"<td>{r.score:g}/{r.max_score:g}</td><td>{escape(r.when)}</td></tr>"
            for r in self.rows
        )
        return (
            f"<p>{escape(self.source)}</p>"
            "<table><thead><tr><th>id</th><th>exercise</th><th>status</th><th>points</th>"
            f"<th>last checked</th></tr></thead><tbody>{body}</tbody></table>"
            f"<p><b>total: {self.score:g}/{self.max_score:g} points</b></p>"
        )


def _when(stamp: object) -> str:
    """A stored UTC time as the learner's local time, to the minute."""
    try:
        return datetime.fromisoformat(str(stamp)).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return ""


def progress(graded: bool = False, folder: str | Path = ".") -> Progress:
    """The whole course at a glance.

    By default: each exercise's last ``check()`` in this environment, with when it ran;
    fast, but it reflects code you ran, which may differ from what you saved. With
    ``graded=True``: the grader's verdict on the notebooks saved in ``folder`` (the same
    re-run CI does), so it agrees with ``depipe grade``.
    """
    if graded:
        return _graded(Path(folder))
    seen = _load()
    rows = []
    for ex in exercises.all_exercises():
        last = seen.get(ex.id, {})
        rows.append(Row(ex.id, ex.title, last.get("status", "not_checked"),
                        float(last.get("score", 0.0)), ex.max_points, _when(last.get("checked_at", ""))))
    return Progress(tuple(rows))


def _graded(folder: Path) -> Progress:
    from depipe_course.grading import grade  # the grader is heavy: load it only when asked

    # The learner's own notebooks: on a laptop without user namespaces that is still fine to run.
    report = grade(folder, jobs=2, allow_shared_identity=True)
    rows = tuple(Row(g.result.exercise_id, g.result.title, g.result.status, g.result.score, g.result.max_score)
                 for g in report.exercises)
    return Progress(rows, _GRADED.format(folder=folder.resolve()))
