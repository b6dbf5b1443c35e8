"""Grade a class at a time: one sub-folder per learner, a CSV gradebook plus reports.

Learners are graded in parallel (``jobs`` at a time) by one process that shares one
warm forkserver, so a class costs little more than the exercises themselves. Every
learner gets a row, also one whose folder holds nothing gradable (all zeros, with
the reason in their report) or, with a roster, one whose folder is missing.

For more learners than one machine grades comfortably, grade the class in shards
(``shard=Shard(2, 4)``: see ``shards``) on as many machines, then ``merge`` the shard
folders: the result is byte for byte what one run over the whole class writes. Every
output folder holds ``gradebook.csv``, ``shard.json`` (the same rows, machine-readable,
with what the merge checks) and ``<learner>/`` with the reports and ``cells.json`` (the
exercise cells that were graded, which the similarity flags compare). A whole class,
one run or merged, also gets ``similarity.json`` and ``similarity.csv``.
"""

from __future__ import annotations

import csv
import json
import logging
import shutil
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from depipe_course import __version__, exercises, notebooks
from depipe_course.grading import Limits, SubmissionError, grade, similarity
from depipe_course.grading.cells import locate
from depipe_course.grading.report import Report
from depipe_course.grading.shards import FORMAT, WHOLE_CLASS, Shard, ShardError, check_mergeable, read_roster
from depipe_course.grading.submission import collect
from depipe_course.grading.writers import json as json_writer
from depipe_course.grading.writers import junit, markdown, write
from depipe_course.paths import NOTEBOOKS_DIR

logger = logging.getLogger(__name__)

SHARD_FILE = "shard.json"
CELLS_FILE = "cells.json"
REPORTS = ("report.json", "report.md", "junit.xml")


@dataclass(frozen=True)
class Row:
    learner: str
    scores: dict[str, float]
    total: float
    problem: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"learner": self.learner, "scores": {k: float(v) for k, v in self.scores.items()},
                "total": float(self.total), "problem": self.problem}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Row:
        return cls(data["learner"], {k: float(v) for k, v in data["scores"].items()}, float(data["total"]),
                   data.get("problem", ""))


@dataclass(frozen=True)
class Gradebook:
    path: Path
    exercise_ids: tuple[str, ...]
    rows: tuple[Row, ...]
    max: float
    shard: Shard = WHOLE_CLASS
    class_size: int = 0
    similar: tuple[similarity.Pair, ...] | None = None  # None: a shard, whose pairs the merge finds


@cache
def stub_cells() -> dict[str, str]:
    """``{exercise id: the stub cell's source}`` from the course's own notebooks."""
    stubs: dict[str, str] = {}
    for part in exercises.PARTS:
        try:
            nb = notebooks.read(NOTEBOOKS_DIR / part.notebook)
        except (OSError, notebooks.NotebookError):
            continue
        for ex in exercises.exercises_of(part.number):
            stubs[ex.id] = locate(nb, ex).source or ""
    return stubs


def learner_cells(folder: Path) -> dict[str, str]:
    """The exercise cells the grader found in ``folder`` (as ``grade`` locates them), stubs left out."""
    try:
        found = collect(folder)
    except SubmissionError:
        return {}
    stubs = stub_cells()
    cells: dict[str, str] = {}
    for part in exercises.PARTS:
        nb = found[part.number].notebook
        if nb is None:
            continue
        for ex in exercises.exercises_of(part.number):
            source = locate(nb, ex).source
            if source and source.strip() != stubs.get(ex.id, "").strip():
                cells[ex.id] = source
    return cells


def _grade_one(folder: Path, out: Path, limits: Limits, allow_shared_identity: bool = False) -> Row:
    target = out / folder.name
    if folder.is_symlink():  # a link to a classmate's folder would copy her marks
        return Row(folder.name, {}, 0.0, f"{folder.name}/ is a symbolic link: not followed (hand in the folder "
                   "itself)")
    if not folder.is_dir():
        return Row(folder.name, {}, 0.0, f"no folder {folder.name}/ in the class folder: not cloned or not handed in")
    try:
        report = grade(folder, limits=limits, allow_shared_identity=allow_shared_identity)
    except SubmissionError as exc:  # e.g. the folder vanished while the class was graded
        return Row(folder.name, {}, 0.0, str(exc))
    for name, writer in zip(REPORTS, (json_writer, markdown, junit), strict=True):
        write(report, target / name, writer.render)
    (target / CELLS_FILE).write_text(json.dumps(learner_cells(folder), indent=1, ensure_ascii=False) + "\n",
                                     encoding="utf-8")
    return Row(folder.name, _scores(report), report.total)


def _scores(report: Report) -> dict[str, float]:
    return {g.result.exercise_id: g.result.score for g in report.exercises}


def class_list(submissions: Path, roster: Path | None = None) -> list[str]:
    """The learners of the class: the roster's names, or else the sub-folders of ``submissions``."""
    if roster is not None:
        return [learner.name for learner in read_roster(roster)]
    return sorted(p.name for p in submissions.iterdir() if p.is_dir() and not p.name.startswith("."))


def grade_all(submissions: Path, out: Path, *, jobs: int = 2, limits: Limits | None = None,
              shard: Shard = WHOLE_CLASS, roster: Path | None = None,
              threshold: float = similarity.DEFAULT_THRESHOLD, allow_shared_identity: bool = False) -> Gradebook:
    """Grade the learners of ``shard`` (all by default) in ``submissions`` into ``out``.

    With ``roster``, the class is the roster's learners and a missing folder is a row
    of zeros saying so; without, it is the sub-folders of ``submissions``. Raises
    ``IsolationRefused`` as ``grade`` does (see there).
    """
    if not submissions.is_dir():
        raise NotADirectoryError(f"{submissions} is not a folder of learner folders")
    limits = limits or Limits()
    names = class_list(submissions, roster)
    if roster is not None:
        strangers = sorted(set(class_list(submissions)) - set(names))
        if strangers:
            logger.warning("not on the roster, not graded: %s", ", ".join(strangers))
    out.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        rows = tuple(pool.map(lambda name: _grade_one(submissions / name, out, limits, allow_shared_identity),
                              shard.select(names)))
    ids = tuple(ex.id for ex in exercises.all_exercises())
    top = round(sum(ex.max_points for ex in exercises.all_exercises()), 2)
    grader = {"version": __version__, "limits": limits.to_dict()}
    return _write(out, names, shard, ids, top, grader, rows, threshold)


def _write(out: Path, names: Sequence[str], shard: Shard, ids: tuple[str, ...], top: float,
           grader: dict[str, Any], rows: tuple[Row, ...], threshold: float) -> Gradebook:
    """gradebook.csv and shard.json for ``rows``; for a whole class, the similarity flags too."""
    path = out / "gradebook.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["learner", *ids, "total", "max"])
        for row in rows:
            writer.writerow([row.learner, *(f"{row.scores.get(i, 0.0):g}" for i in ids), f"{row.total:g}", f"{top:g}"])
    doc = {"format": FORMAT, "shard": str(shard), "index": shard.index, "count": shard.count,
           "class": sorted(names), "learners": [row.learner for row in rows], "exercise_ids": list(ids),
           "max": top, "grader": grader, "rows": [row.to_dict() for row in rows]}
    (out / SHARD_FILE).write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    similar = None
    if shard.count == 1:
        sources = {row.learner: _read_cells(out / row.learner) for row in rows}
        similar = tuple(similarity.class_pairs(sources, stub_cells(), list(ids), threshold=threshold))
        similarity.write(list(similar), out, threshold)
    return Gradebook(path, ids, rows, top, shard, len(names), similar)


def _read_cells(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / CELLS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {str(k): str(v) for k, v in data.items()}


def read_shard(folder: Path) -> dict[str, Any]:
    """The ``shard.json`` of a shard folder; ``ShardError`` when there is none."""
    path = folder / SHARD_FILE
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ShardError(f"{folder} holds no {SHARD_FILE}: it is not the --out folder of a "
                         "`depipe grade-all --shard` run") from exc
    except json.JSONDecodeError as exc:
        raise ShardError(f"{path} is not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    if not isinstance(doc, dict):
        raise ShardError(f"{path} is not a shard file")
    return doc


def merge(shard_dirs: Sequence[Path], out: Path, *, threshold: float = similarity.DEFAULT_THRESHOLD) -> Gradebook:
    """Merge the ``--out`` folders of every shard of one class into ``out``: the same files one
    unsharded ``grade_all`` writes. Refuses overlapping or missing shards (``ShardError``)."""
    resolved_out = out.resolve()
    if any(d.resolve() == resolved_out for d in shard_dirs):
        raise ShardError(f"--out {out} is one of the shard folders: merge into a new folder")
    docs = [(d, read_shard(d)) for d in shard_dirs]
    try:
        check_mergeable(docs)
    except KeyError as exc:
        raise ShardError(f"a shard file lacks {exc}: it was not written by this grader") from exc
    first = docs[0][1]
    out.mkdir(parents=True, exist_ok=True)
    by_name: dict[str, Row] = {}
    for folder, doc in docs:
        for data in doc["rows"]:
            row = Row.from_dict(data)
            by_name[row.learner] = row
            if (folder / row.learner).is_dir():
                shutil.copytree(folder / row.learner, out / row.learner, dirs_exist_ok=True)
    rows = tuple(by_name[name] for name in sorted(by_name))
    return _write(out, first["class"], WHOLE_CLASS, tuple(first["exercise_ids"]), first["max"], first["grader"],
                  rows, threshold)
