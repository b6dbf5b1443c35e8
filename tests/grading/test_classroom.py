"""depipe_course.grading.classroom: ``depipe grade-all`` grades a class into a gradebook."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from depipe_course import exercises
from tests.grading.conftest import PART01, depipe, replace_cell


def test_grade_all_writes_a_gradebook_and_reports(solved: Path, tmp_path: Path) -> None:
    """Every learner folder gets a full gradebook row and its own reports, also an empty one."""
    class_dir, out = tmp_path / "class", tmp_path / "out"
    for name in ("ada", "grace"):
        (class_dir / name).mkdir(parents=True)
        shutil.copy(solved / PART01, class_dir / name / PART01)
    replace_cell(class_dir / "grace" / PART01, "01.1", "def peak_memory(fn, *a, **k):\n    raise NotImplementedError\n")
    (class_dir / "linus").mkdir()  # handed in nothing
    done = depipe("grade-all", str(class_dir), "--out", str(out), "--jobs", "2")
    assert done.returncode == 0, done.stderr
    with (out / "gradebook.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    ids = [ex.id for ex in exercises.all_exercises()]
    assert [r["learner"] for r in rows] == ["ada", "grace", "linus"]
    assert all(set(ids) <= set(r) and all(r[i] != "" for i in ids) for r in rows)
    part01 = [i for i in ids if i.startswith("01.")]
    full = sum(ex.max_points for ex in exercises.exercises_of("01"))
    assert float(rows[0]["total"]) == full == sum(float(rows[0][i]) for i in part01)
    assert float(rows[1]["01.1"]) == 0 and float(rows[2]["total"]) == 0
    for name in ("ada", "grace", "linus"):
        assert {p.name for p in (out / name).iterdir()} == {"report.json", "report.md", "junit.xml"}


def test_grade_all_refuses_a_missing_folder(tmp_path: Path) -> None:
    """A SUBMISSIONS_DIR that does not exist is the grader failing to run: exit 2."""
    done = depipe("grade-all", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and "not a folder" in done.stderr
