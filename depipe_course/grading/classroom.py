"""Grade a class at a time: one sub-folder per learner, a CSV gradebook plus reports.

Learners are graded in parallel (``jobs`` at a time) by one process that shares one
warm forkserver, so a class costs little more than the exercises themselves. Every
learner gets a row, also one whose folder holds nothing gradable (all zeros, with
the reason in their report). For more learners than one machine grades comfortably,
let each learner's repository grade itself in CI (docs/grading.md).
"""

from __future__ import annotations

import csv
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from depipe_course import exercises
from depipe_course.grading import Limits, SubmissionError, grade
from depipe_course.grading.report import Report
from depipe_course.grading.writers import json, junit, markdown, write


@dataclass(frozen=True)
class Row:
    learner: str
    scores: dict[str, float]
    total: float
    problem: str = ""


@dataclass(frozen=True)
class Gradebook:
    path: Path
    exercise_ids: tuple[str, ...]
    rows: tuple[Row, ...]
    max: float


def _grade_one(folder: Path, out: Path, limits: Limits) -> Row:
    target = out / folder.name
    try:
        report = grade(folder, limits=limits)
    except SubmissionError as exc:  # e.g. the folder vanished while the class was graded
        return Row(folder.name, {}, 0.0, str(exc))
    for name, writer in (("report.json", json), ("report.md", markdown), ("junit.xml", junit)):
        write(report, target / name, writer.render)
    return Row(folder.name, _scores(report), report.total)


def _scores(report: Report) -> dict[str, float]:
    return {g.result.exercise_id: g.result.score for g in report.exercises}


def grade_all(submissions: Path, out: Path, *, jobs: int = 2, limits: Limits | None = None) -> Gradebook:
    """Grade every sub-folder of ``submissions`` into ``out``; write ``out/gradebook.csv``."""
    if not submissions.is_dir():
        raise NotADirectoryError(f"{submissions} is not a folder of learner folders")
    limits = limits or Limits()
    learners = sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith("."))
    out.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        rows = tuple(pool.map(lambda folder: _grade_one(folder, out, limits), learners))
    ids = tuple(ex.id for ex in exercises.all_exercises())
    top = round(sum(ex.max_points for ex in exercises.all_exercises()), 2)
    path = out / "gradebook.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["learner", *ids, "total", "max"])
        for row in rows:
            writer.writerow([row.learner, *(f"{row.scores.get(i, 0.0):g}" for i in ids), f"{row.total:g}", f"{top:g}"])
    return Gradebook(path, ids, rows, top)
