"""``depipe grade`` and ``depipe solve`` end to end, through the real command line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from depipe_course import exercises
from depipe_course.paths import NOTEBOOKS_DIR

DEPIPE = str(Path(sys.executable).with_name("depipe"))
WRITTEN = [ex for ex in exercises.all_exercises()]
STATUSES = {"passed", "partial", "failed", "not_attempted", "error", "timeout", "rejected"}


def _grade(submission: Path, out: Path, *extra: str) -> dict:
    done = subprocess.run([DEPIPE, "grade", str(submission), "--out", str(out), *extra],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def _check_schema(report: dict) -> None:
    assert set(report) >= {"total", "max", "exercises"}
    for entry in report["exercises"]:
        assert set(entry) >= {"id", "notebook", "score", "max", "status", "checks"}
        assert entry["status"] in STATUSES
        for check in entry["checks"]:
            assert set(check) >= {"name", "passed", "message"}


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("solved")
    subprocess.run([DEPIPE, "solve", "--out", str(out)], check=True, capture_output=True, timeout=120)
    return out


def test_shipped_notebooks_score_zero_not_attempted(tmp_path: Path) -> None:
    """Every exercise of the shipped notebooks is not attempted and earns 0 points."""
    report = _grade(NOTEBOOKS_DIR, tmp_path / "r.json", "--jobs", "2")
    _check_schema(report)
    assert [e["id"] for e in report["exercises"]] == [ex.id for ex in WRITTEN]
    assert {e["status"] for e in report["exercises"]} == {"not_attempted"}
    assert report["total"] == 0 and report["max"] == sum(ex.max_points for ex in WRITTEN)


def test_solved_notebooks_score_full_points(solved: Path, tmp_path: Path) -> None:
    """Notebooks solved from solutions/ earn every point of every exercise."""
    report = _grade(solved, tmp_path / "r.json", "--jobs", "2")
    _check_schema(report)
    not_full = [(e["id"], e["status"], e["message"]) for e in report["exercises"] if e["score"] != e["max"]]
    assert not not_full
    assert report["total"] == report["max"] > 0


def test_stored_outputs_are_never_trusted(solved: Path, tmp_path: Path) -> None:
    """A notebook whose stored outputs claim success but whose cells are stubs scores 0."""
    shipped = NOTEBOOKS_DIR / exercises.PARTS[0].notebook
    nb = json.loads(shipped.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "Correct (6/6 points)"}]
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / shipped.name).write_text(json.dumps(nb), encoding="utf-8")
    report = _grade(sub, tmp_path / "r.json")
    part01 = [e for e in report["exercises"] if e["notebook"] == shipped.name]
    assert part01 and all(e["score"] == 0 for e in part01)


def test_missing_and_unreadable_notebooks(solved: Path, tmp_path: Path) -> None:
    """A missing notebook is not_attempted, a truncated one is an error; others still graded."""
    sub = tmp_path / "sub"
    shutil.copytree(solved, sub)
    first, *rest = sorted(sub.glob("*.ipynb"))
    first.write_text(first.read_text(encoding="utf-8")[:200], encoding="utf-8")
    for path in rest[:1]:
        path.unlink()
    before = {p.name: p.read_bytes() for p in sub.iterdir()}
    report = _grade(sub, tmp_path / "r.json", "--jobs", "2")
    assert before == {p.name: p.read_bytes() for p in sub.iterdir()}, "grading changed the submission"
    by_nb: dict[str, set[str]] = {}
    for e in report["exercises"]:
        by_nb.setdefault(e["notebook"], set()).add(e["status"])
    assert by_nb[first.name] == {"error"}
    for path in rest[:1]:
        assert by_nb[path.name] == {"not_attempted"}
    for path in rest[1:]:
        assert by_nb[path.name] == {"passed"}


def test_single_renamed_notebook_is_recognised_by_its_cells(solved: Path, tmp_path: Path) -> None:
    """One .ipynb under another name is matched to its part by its exercise ids."""
    renamed = tmp_path / "my work.ipynb"
    shutil.copy(solved / exercises.PARTS[0].notebook, renamed)
    report = _grade(renamed, tmp_path / "r.json")
    part01 = [e for e in report["exercises"] if e["id"].startswith("01.")]
    assert part01 and all(e["status"] == "passed" for e in part01)


def test_bad_submission_path_exits_non_zero(tmp_path: Path) -> None:
    """Grading a path that does not exist is the grader failing to run: exit status 2."""
    done = subprocess.run([DEPIPE, "grade", str(tmp_path / "nope")], capture_output=True, text=True)
    assert done.returncode == 2 and "does not exist" in done.stderr


def test_help_explains_every_command() -> None:
    """depipe --help lists grade, solve, data, lab and execute."""
    done = subprocess.run([DEPIPE, "--help"], capture_output=True, text=True, check=True)
    for command in ("grade", "solve", "data", "lab", "execute"):
        assert command in done.stdout
