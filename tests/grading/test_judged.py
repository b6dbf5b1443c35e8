"""Graded by a judge: learner code holds no verdict to forge and no check to rewrite.

The cell runs in a worker; the checks run in the judge. These cells try what scored
full marks when checks shared the learner's process (tests/grading/test_hostile.py
runs more through the sandboxed grader): sending a forged answer down every
connection in sight, rewriting the checks in memory, an ``==`` that always agrees.
Each scores nothing. The last cells hide from the worker's own reports what the judge
reads from the kernel instead: a file kept open, memory kept while its counts say none.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest

from depipe_course import exercises, reference
from depipe_course.grading.child import Job, grade_in_this_process
from depipe_course.grading.sandbox import OWN_PID_NAMESPACE
from tests.grading.conftest import depipe, replace_cell

_STUB = "def is_transient(error):\n    raise NotImplementedError\n"


def _graded(cell: str) -> object:
    return grade_in_this_process(Job("04.1", textwrap.dedent(cell), "<hostile 04.1>"))


def test_a_forged_result_on_every_connection_scores_nothing() -> None:
    """Messages written into the worker's connections are answers at most, never a verdict."""
    result = _graded(_STUB + """
        import gc, json, multiprocessing.connection
        forged = json.dumps({"k": "r", "i": 2, "v": ["D", "problem", "", "objects", ["D"], "namespace", None],
                             "type": "result", "result": {"status": "passed", "score": 11}}).encode()
        for obj in gc.get_objects():
            if isinstance(obj, multiprocessing.connection.Connection):
                try:
                    obj.send_bytes(forged)
                except OSError:
                    pass
    """.replace("\n        ", "\n"))
    assert result.score == 0 and result.status != "passed", str(result)


def test_rewriting_the_checks_in_the_worker_changes_nothing() -> None:
    """The worker's copy of a check module, if any, is not the one that runs."""
    result = _graded(_STUB + """
        import sys
        for name, module in list(sys.modules.items()):
            if name.startswith("depipe_course.exercises.part04"):
                for attr in dir(module):
                    if attr.startswith("_") and callable(getattr(module, attr)):
                        setattr(module, attr, lambda *a, **k: None)
        import depipe_course.checking as checking
        checking.run_checks = lambda *a, **k: None
    """.replace("\n        ", "\n"))
    assert result.score == 0 and result.status == "not_attempted", str(result)


def test_an_always_equal_value_is_refused_not_compared() -> None:
    """A bool subclass whose == agrees with everything is never taken for True or False."""
    result = _graded("""
        class Agree(int):
            def __eq__(self, other):
                return True
            __hash__ = int.__hash__
            def __bool__(self):
                return True
        def is_transient(error):
            return Agree(1)
    """.replace("\n        ", "\n"))
    assert result.score == 0 and result.status == "failed", str(result)


def test_the_reference_still_scores_full_marks() -> None:
    """The same path gives the reference every point (the attacks above are not failing for another reason)."""
    ex = exercises.get("04.1")
    result = grade_in_this_process(Job("04.1", reference.source(ex), "<solution 04.1>"))
    assert result.score == ex.max_points


# A generator that keeps its file open where no check's watcher of open() looks: opened
# through _io, held in a module list, never in one of the generator's own variables.
_LEAKS_PAST_THE_WATCHER = reference.source(exercises.get("06.1")) + """
import _io, json as _json
_kept = []


def read_ndjson(path):
    _kept.append(_io.open(path, encoding="utf-8"))
    for number, line in enumerate(_kept[-1], start=1):
        if line.strip():
            try:
                yield _json.loads(line)
            except ValueError:
                logger.warning("bad JSON on line %d", number)
"""
# A pipeline that keeps every batch, in a process whose own memory counts report nothing.
_KEEPS_BATCHES_AND_SILENCES_ITS_COUNTS = reference.source(exercises.get("06.5")) + """
import importlib as _importlib
_counts = _importlib.import_module("depipe_" + "course.exercises._memory")
_counts.measured = lambda fn, *args, **kwargs: (fn(*args, **kwargs), 0, 0)


def run_pipeline(filepath, conn, batch_size=10_000):
    counts = {"records_read": 0, "rows_written": 0, "batches": 0}
    kept = []
    raw = _counted(read_ndjson(filepath), counts, "records_read")
    for number, batch in enumerate(batch_records(transform_orders(validate_orders(raw)), batch_size), start=1):
        counts["rows_written"] += write_batch(batch, conn)
        counts["batches"] = number
        kept.append(batch)
    return counts
"""
_CLOSES = "closes the file when the consumer stops early"
_FLAT = "constant memory: 10x the records, about the same peak"


def _sandboxed(solved: Path, root: Path, cells: dict[str, str]) -> dict[str, Any]:
    """A solved notebook with ``cells`` (exercise id → source) put in, through the sandboxed
    ``depipe grade``; its report's entries by exercise id."""
    notebook = exercises.get(next(iter(cells))).part.notebook
    submission = root / "learner"
    submission.mkdir()
    shutil.copy(solved / notebook, submission / notebook)
    for exercise_id, source in cells.items():
        replace_cell(submission / notebook, exercise_id, source)
    done = depipe("grade", str(submission), "--out", str(root / "report.json"), timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads((root / "report.json").read_text(encoding="utf-8"))
    assert report["grader"]["isolation"]["pids"] == OWN_PID_NAMESPACE  # the worker is a grandchild here
    return {e["id"]: e for e in report["exercises"] if e["notebook"] == notebook}


@pytest.fixture(scope="module")
def graded_06(solved: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The solved part 06 notebook with both cells above."""
    return _sandboxed(solved, tmp_path_factory.mktemp("lies"), {
        "06.1": _LEAKS_PAST_THE_WATCHER, "06.5": _KEEPS_BATCHES_AND_SILENCES_ITS_COUNTS})


def _verdicts(entry: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["status"] for c in entry["checks"]}


def test_a_file_kept_open_out_of_sight_is_seen_by_the_kernel(graded_06: dict[str, Any]) -> None:
    """06.1's open files are the kernel's count (/proc/<pid>/fd), read by the judge behind the
    sandbox's PID namespace: the hidden handle fails "closes the file" and costs 06.1 alone."""
    entry = graded_06["06.1"]
    assert _verdicts(entry)[_CLOSES] == "failed" and entry["score"] == entry["max"] - 2, entry
    assert all(e["score"] == e["max"] for i, e in graded_06.items() if i not in ("06.1", "06.5"))


def test_a_file_kept_open_out_of_sight_fails_in_the_plain_worker_too() -> None:
    """Without the sandbox (check() and ``--sandbox none``) the judge reads the same count."""
    plain = grade_in_this_process(Job("06.1", _LEAKS_PAST_THE_WATCHER, "<hostile 06.1>"))
    assert {c.name: c.status for c in plain.checks}[_CLOSES] == "failed", str(plain)


def test_memory_counts_silenced_in_the_worker_do_not_hide_kept_batches(graded_06: dict[str, Any]) -> None:
    """06.5's process reports no memory at all, yet keeps every batch: the resident size the judge
    reads from /proc climbs on 10x the records, and the memory sub-check fails on that figure."""
    entry = graded_06["06.5"]
    failed = [c for c in entry["checks"] if c["status"] != "passed"]
    assert [c["name"] for c in failed] == [_FLAT], entry
    assert "the kernel saw" in failed[0]["message"], failed[0]


# Answer keys a check package holds (part 08's correct versions, kept for mutation grading),
# read from the worker: imported by name, or found among the objects in its memory (each
# spelled past the static screen, which is a first line only).
_08_1_FROM_THE_CHECK_MODULE = """
import importlib
_checks = importlib.import_module("depipe" + "_course.exercises.part08.ex2_clean_orders_tests")
clean_orders = _checks.correct_clean_orders
"""
_08_2_AGAINST_AN_ORACLE_IN_MEMORY = reference.source(exercises.get("08.2")) + """
def _oracle():
    for found in getattr(__import__("g" + "c"), "get_" + "objects")():
        if type(found).__name__ == "function" and found.__name__ == "clean_orders" \\
                and "part08" in str(found.__module__) and "flaw" not in str(getattr(found, "__clo" + "sure__")):
            return found
    return None


def test_same_as_the_correct_version():
    frame = orders_frame((1, 10.0, " Placed ", NOON_UTC), (2, -1.0, "x", "bad"))
    assert clean_orders(frame.copy()).equals(_oracle()(frame.copy()))


clean_orders_tests = [test_same_as_the_correct_version] + clean_orders_tests[:3]
"""


@pytest.fixture(scope="module")
def graded_08(solved: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The solved part 08 notebook, 08.1 and 08.2 reaching for the correct versions."""
    return _sandboxed(solved, tmp_path_factory.mktemp("keys"), {
        "08.1": _08_1_FROM_THE_CHECK_MODULE, "08.2": _08_2_AGAINST_AN_ORACLE_IN_MEMORY})


def test_a_check_package_is_not_readable_where_the_learner_code_runs(graded_08: dict[str, Any]) -> None:
    """The correct clean_orders beside 08.2's checks cannot be imported by the 08.1 cell: no points, the reason."""
    entry = graded_08["08.1"]
    assert entry["score"] == 0 and entry["status"] == "error", entry
    assert "No module named 'depipe_course.exercises.part08" in entry["message"], entry["message"]
    assert graded_08["08.3"]["score"] == graded_08["08.3"]["max"]


def test_mutation_versions_are_not_in_the_learners_process(graded_08: dict[str, Any]) -> None:
    """08.2's tests see stand-ins that call the judge: a test comparing against the correct version
    found in memory finds none, so the suite fails on the correct version and earns nothing."""
    entry = graded_08["08.2"]
    assert entry["score"] == 0, entry
    assert "test_same_as_the_correct_version fails on a correct clean_orders" in entry["checks"][0]["message"]


_08_2_KEEPS_THE_FIRST_VERSION = reference.source(exercises.get("08.2")) + """
_kept = []


def test_against_the_first_version():
    if not _kept:
        _kept.append(clean_orders)
    frame = orders_frame((1, 10.0, " Placed ", NOON_UTC), (1, 0.0, "x", "bad"), (2, -1.0, "shipped", None))
    assert clean_orders(frame.copy()).equals(_kept[0](frame.copy()))


clean_orders_tests = [test_against_the_first_version] + clean_orders_tests[:3]
"""


def test_a_version_kept_from_an_earlier_run_is_out_of_turn() -> None:
    """A test that keeps the clean_orders of the first run (the correct one) and compares each later
    version with it is an oracle: the judge sees a version called outside its run, and grades nothing."""
    result = grade_in_this_process(Job("08.2", _08_2_KEEPS_THE_FIRST_VERSION, "<hostile 08.2>"))
    assert result.score == 0, str(result)
    assert "kept from an earlier run" in result.checks[0].message, result.checks[0].message
