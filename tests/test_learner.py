"""depipe_course.learner: check() in a notebook namespace, progress() across the course."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from depipe_course import check, exercises, progress
from solutions import part01


@pytest.fixture(autouse=True)
def _state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DEPIPE_STATE_DIR", str(tmp_path / "state"))
    return tmp_path / "state"


def test_check_reads_the_callers_namespace() -> None:
    """check() finds the learner's names among the caller's globals."""
    globals()["peak_memory"] = part01.peak_memory
    try:
        assert check("01.1").status == "passed"
    finally:
        del globals()["peak_memory"]


def test_check_with_nothing_defined_is_not_attempted() -> None:
    """Checking before running the exercise cell is 'not attempted', not a NameError."""
    assert check("01.1", namespace={}).status == "not_attempted"


def test_progress_lists_every_exercise_with_its_last_result() -> None:
    """progress() has a row per exercise of the course, updated by check()."""
    check("01.2", namespace={"incident_skills": part01.incident_skills})
    rows = {row.id: row for row in progress().rows}
    assert set(rows) == {ex.id for ex in exercises.all_exercises()}
    assert rows["01.2"].status == "passed" and rows["01.1"].status == "not_checked"
    assert rows["01.2"].when and not rows["01.1"].when


def test_progress_says_what_it_shows_and_how_to_get_the_grade() -> None:
    """The check view says it is the last check() and points to the graded view of the saved notebook."""
    text = str(progress())
    assert "last check()" in text and "progress(graded=True)" in text


def test_graded_progress_agrees_with_the_grader(tmp_path: Path) -> None:
    """progress(graded=True) shows the grader's verdict on the saved notebook, not the last check()."""
    from depipe_course import notebooks, reference

    check("01.1", namespace={"peak_memory": part01.peak_memory})  # passed in the kernel, never saved
    nb_path = tmp_path / "01_production_python.ipynb"
    nb = notebooks.read(Path("notebooks/01_production_python.ipynb"))
    ex = exercises.get("01.2")
    notebooks.write(notebooks.solved(nb, {ex.id: reference.source(ex)}), nb_path)
    rows = {row.id: row for row in progress(graded=True, folder=tmp_path).rows}
    assert rows["01.1"].status == "not_attempted"  # the saved cell is still the stub
    assert rows["01.2"].status == "passed" and rows["02.1"].status == "not_attempted"


def test_unwritable_state_folder_does_not_break_check(_state: Path) -> None:
    """A progress file that cannot be written costs a log line, never the check."""
    _state.parent.mkdir(exist_ok=True)
    _state.write_text("a file where a folder should be")
    assert check("01.1", namespace={"peak_memory": part01.peak_memory}).status == "passed"


def test_importing_the_package_stays_light() -> None:
    """`from depipe_course import check` loads neither pandas nor moto nor the grader."""
    code = ("import sys; from depipe_course import check, progress; "
            "heavy = {'pandas', 'moto', 'pyarrow', 'boto3', 'depipe_course.grading'} & set(sys.modules); "
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_hanging_answer_times_out_instead_of_freezing_the_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    """check() stops at the exercise's time limit, as the grader does, and says so with the grader's words."""
    ex = exercises.get("01.1")
    monkeypatch.setattr(ex, "timeout_s", 0.5)

    def peak_memory(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        while True:
            try:
                pass
            except Exception:  # noqa: BLE001 - a learner's catch-all must not swallow the stop
                pass

    result = check("01.1", namespace={"peak_memory": peak_memory})
    assert result.status == "timeout" and result.score == 0
    assert result.message == "stopped after 0.5 s without finishing: look for an infinite loop or a very slow step"
    assert str(result).count("infinite loop") == 1
