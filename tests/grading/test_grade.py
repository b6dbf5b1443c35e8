"""``depipe grade`` and ``depipe solve`` end to end, through the real command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from depipe_course import exercises
from depipe_course.grading import grade
from depipe_course.paths import NOTEBOOKS_DIR
from tests.grading.conftest import PART01, depipe

WRITTEN = exercises.all_exercises()
STATUSES = {"passed", "partial", "failed", "not_attempted", "error", "timeout", "rejected"}


def _grade(submission: Path, out: Path, *extra: str) -> dict:
    done = depipe("grade", str(submission), "--out", str(out), *extra, timeout=900)
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def _check_schema(report: dict) -> None:
    assert set(report) >= {"total", "max", "exercises"}
    for entry in report["exercises"]:
        assert set(entry) >= {"id", "notebook", "score", "max", "status", "checks"}
        assert entry["status"] in STATUSES
        for check in entry["checks"]:
            assert set(check) >= {"name", "passed", "message"}


def test_shipped_notebooks_score_zero_not_attempted(tmp_path: Path) -> None:
    """Every exercise of the shipped notebooks is not attempted and earns 0 points."""
    report = _grade(NOTEBOOKS_DIR, tmp_path / "r.json", "--jobs", "2")
    _check_schema(report)
    assert [e["id"] for e in report["exercises"]] == [ex.id for ex in WRITTEN]
    assert {e["status"] for e in report["exercises"]} == {"not_attempted"}
    assert report["total"] == 0 and report["max"] == sum(ex.max_points for ex in WRITTEN)


def test_solved_notebooks_score_full_points(solved: Path, tmp_path: Path) -> None:
    """Notebooks solved from solutions/ earn every point of every exercise they hold."""
    report = _grade(solved, tmp_path / "r.json", "--jobs", "2", "--fail-under", "1")  # above it: exit 0
    _check_schema(report)
    present = {p.name for p in solved.glob("*.ipynb")}
    graded = [e for e in report["exercises"] if e["notebook"] in present]
    not_full = [(e["id"], e["status"], e["message"]) for e in graded if e["score"] != e["max"]]
    assert graded and not not_full
    assert report["grader"]["limits"]["memory_mb"] > 0


def test_a_clone_of_the_course_is_graded_from_its_notebooks_folder(solved: Path, tmp_path: Path) -> None:
    """`depipe grade .` in a learner's clone finds the notebooks under notebooks/."""
    clone = tmp_path / "clone"
    (clone / "notebooks").mkdir(parents=True)
    shutil.copy(solved / PART01, clone / "notebooks" / PART01)
    (clone / "README.md").write_text("my copy of the course\n", encoding="utf-8")
    report = grade(clone)
    part01 = [g.result for g in report.exercises if g.result.exercise_id.startswith("01.")]
    assert part01 and all(r.status == "passed" for r in part01)


def test_single_renamed_notebook_is_recognised_by_its_cells(solved: Path, tmp_path: Path) -> None:
    """One .ipynb under another name is matched to its part by its exercise cells."""
    renamed = tmp_path / "my work.ipynb"
    shutil.copy(solved / PART01, renamed)
    report = grade(renamed)
    part01 = [g.result for g in report.exercises if g.result.exercise_id.startswith("01.")]
    assert part01 and all(r.status == "passed" for r in part01)
    assert all("my work.ipynb" in r.message for r in part01)


def test_bad_submission_path_exits_non_zero(tmp_path: Path) -> None:
    """Grading a path that does not exist is the grader failing to run: exit status 2."""
    done = depipe("grade", str(tmp_path / "nope"))
    assert done.returncode == 2 and "does not exist" in done.stderr


def test_help_explains_every_command() -> None:
    """depipe --help lists grade, grade-all, solve, data, lab and execute."""
    done = depipe("--help")
    assert done.returncode == 0
    for command in ("grade", "grade-all", "solve", "data", "lab", "execute"):
        assert command in done.stdout


def test_grade_help_lists_every_limit_and_report() -> None:
    """depipe grade --help documents the limits and the report formats."""
    done = depipe("grade", "--help")
    for option in ("--timeout", "--cpu-limit", "--memory-limit", "--file-size-limit", "--process-limit",
                   "--output-limit", "--sandbox", "--out", "--junit", "--markdown", "--gradescope", "--fail-under"):
        assert option in done.stdout


def test_grading_refuses_to_run_learner_code_as_the_grading_user(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Where the host gives learner code no identity of its own, grading stops unless explicitly allowed."""
    import depipe_course.grading as grading
    from depipe_course.grading import IsolationRefused, grade

    shared = {"user": "same user", "network": "in-process guard (no user namespaces here)"}
    monkeypatch.setattr(grading, "isolation_in_force", lambda mode: shared)
    with pytest.raises(IsolationRefused, match="allow-shared-identity"):
        grade(tmp_path)
    report = grade(tmp_path, allow_shared_identity=True)  # an empty folder: nothing runs, every exercise listed
    assert {g.result.status for g in report.exercises} == {"not_attempted"}
