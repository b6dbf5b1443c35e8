"""depipe_course.grading.writers: JSON, JUnit XML, Markdown and Gradescope reports.

Writers are tested on a report holding every status, built without running anything;
one end-to-end test runs the CLI twice to show the files are reproducible and that
--fail-under gates the exit status.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from depipe_course import exercises
from depipe_course.checking import Result, SubCheckResult, summarise
from depipe_course.grading import Limits, grade
from depipe_course.grading.child import failure
from depipe_course.grading.report import Graded, Report, normalise
from depipe_course.grading.writers import gradescope, junit, markdown, write
from depipe_course.grading.writers import json as json_writer
from tests.grading.conftest import depipe

XSD = Path(__file__).with_name("junit-10.xsd")
STATUSES = ("passed", "partial", "failed", "not_attempted", "error", "timeout", "rejected")


def _result(ex: exercises.Exercise, status: str) -> Result:
    if status in {"error", "timeout", "rejected"}:
        return failure(ex.id, status, f"{status} | with <xml> & \"quotes\" at 0x7f3a2b1c9d10")
    subs = []
    for i, c in enumerate(ex.checks):
        passed = status == "passed" or (status == "partial" and i == 0)
        sub_status = "not_attempted" if status == "not_attempted" else ("passed" if passed else "failed")
        subs.append(SubCheckResult(c.name, sub_status, c.points if passed else 0.0, c.points,  # type: ignore[arg-type]
                                   "" if passed else "wrong | answer", expected="1", seen="2", hint=c.hint))
    return summarise(ex.id, ex.title, tuple(subs))


@pytest.fixture(scope="module")
def report() -> Report:
    """One exercise per status (exercises with at least two checks, so 'partial' exists)."""
    pool = [ex for ex in exercises.all_exercises() if len(ex.checks) >= 2][: len(STATUSES)]
    assert len(pool) == len(STATUSES)
    return Report(tuple(Graded(ex.part.notebook, _result(ex, s)) for ex, s in zip(pool, STATUSES, strict=True)))


def _keys(value: object) -> list[str]:
    if isinstance(value, dict):
        return [k for k, v in value.items() for k in (k, *_keys(v))]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []


def test_statuses_are_all_present(report: Report) -> None:
    """The fixture really holds one exercise of each status."""
    assert [g.result.status for g in report.exercises] == list(STATUSES)


def test_json_follows_the_contract(report: Report) -> None:
    """The JSON report has total, max and every exercise with its checks; times only as duration_s."""
    data = json.loads(json_writer.render(report))
    assert set(data) >= {"total", "max", "exercises"}
    assert data["total"] == report.total and data["max"] == report.max
    assert [e["status"] for e in data["exercises"]] == list(STATUSES)
    assert all({"name", "passed", "message"} <= set(c) for e in data["exercises"] for c in e["checks"])
    assert {k for k in _keys(data) if "time" in k or "duration" in k} <= {"duration_s", "timeout_s"}


def test_json_has_each_exercises_time_and_limits() -> None:
    """Instructors sizing limits see how long each exercise ran and under which limits."""
    ex = exercises.get("01.1")
    graded = Graded(ex.part.notebook, summarise(ex.id, ex.title, ()), 1.25, Limits().for_exercise(ex.timeout_s))
    entry = json.loads(json_writer.render(Report((graded,))))["exercises"][0]
    assert entry["duration_s"] == 1.25
    assert entry["limits"]["timeout_s"] == ex.timeout_s and entry["limits"]["cpu_s"] == 2 * ex.timeout_s


def test_markdown_shows_hints_and_names_a_repeated_failure_once(report: Report) -> None:
    """Failed sub-checks carry their hint; ones failing the same way point at the first."""
    text = markdown.render(report)
    hinted = [c.hint for g in report.exercises if g.result.status in {"partial", "failed"}
              for c in g.result.checks if c.status == "failed" and c.hint and not c.same_cause_as]
    assert hinted and all(f"hint: {markdown._cell(h)}" in text for h in hinted)
    assert "fails the same way as" in text


def test_junit_validates_against_the_common_schema(report: Report, tmp_path: Path) -> None:
    """The JUnit XML validates against the junit-10.xsd shape that Jenkins and other CIs read."""
    xmlschema = pytest.importorskip("xmlschema")
    path = tmp_path / "junit.xml"
    write(report, path, junit.render)
    xmlschema.XMLSchema(str(XSD)).validate(str(path))


def test_junit_has_one_case_per_sub_check(report: Report) -> None:
    """Each sub-check is a test case: failed ones fail, skipped ones skip, broken exercises error."""
    root = ET.fromstring(junit.render(report))
    suites = root.findall("testsuite")
    assert len(suites) == len(report.exercises)
    for suite, graded in zip(suites, report.exercises, strict=True):
        cases = suite.findall("testcase")
        assert len(cases) == len(graded.result.checks) == int(suite.get("tests", "-1"))
        status = graded.result.status
        kinds = {child.tag for case in cases for child in case}
        if status == "passed":
            assert not kinds
        elif status in {"error", "timeout", "rejected"}:
            assert kinds == {"error"} and int(suite.get("errors", "0")) == len(cases)
        elif status == "not_attempted":
            assert kinds == {"skipped"}
        else:
            assert "failure" in kinds
    assert int(root.get("tests", "0")) == sum(len(g.result.checks) for g in report.exercises)
    assert "0x7f3a" not in junit.render(report)


def test_markdown_has_a_per_part_table(report: Report) -> None:
    """The summary opens with the total and a table with one row per part graded."""
    text = markdown.render(report)
    assert text.startswith(f"## depipe-course grade: {report.total:g} / {report.max:g} points")
    assert "| part | notebook | points | passed | statuses |" in text
    parts = {g.part for g in report.exercises}
    rows = [line for line in text.splitlines() if line.startswith("| ") and line[2:4] in parts]
    assert len(rows) >= len(parts)
    assert "wrong \\| answer" in text  # pipes in messages cannot break the table


def test_gradescope_results(report: Report) -> None:
    """results.json has the total as score and one visible test per sub-check with score and max_score."""
    data = json.loads(gradescope.render(report))
    assert data["score"] == report.total
    assert len(data["tests"]) == sum(len(g.result.checks) for g in report.exercises)
    for test in data["tests"]:
        assert {"name", "score", "max_score", "visibility", "status"} <= set(test)
        assert test["visibility"] == "visible" and 0 <= test["score"] <= test["max_score"]
    assert round(sum(t["score"] for t in data["tests"]), 2) == report.total


def test_normalise_removes_what_differs_between_runs() -> None:
    """Addresses and scratch folder names are replaced by stable placeholders."""
    text = "at 0x7f3a2b1c9d10 in /tmp/depipe-grade-ab12_x/depipe-02.1-k3j4h5g6/check0/out.csv"
    assert normalise(text) == "at 0x… in <scratch>/depipe-02.1-tmp/check0/out.csv"


def test_cli_reports_are_reproducible_and_fail_under_gates(part01_only, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The CLI's files equal those of a second, separate grading; below --fail-under the exit status is 1."""
    sub = part01_only()
    out = tmp_path / "cli"
    done = depipe("grade", str(sub), "--out", str(out / "r.json"), "--junit", str(out / "j.xml"),
                  "--markdown", str(out / "s.md"), "--gradescope", str(out / "g.json"), "--fail-under", "1000")
    assert done.returncode == 1 and "below --fail-under" in done.stderr
    again = grade(sub)  # another process, another forkserver
    assert again.total > 0
    for name, writer in (("r.json", json_writer), ("j.xml", junit), ("s.md", markdown), ("g.json", gradescope)):
        write(again, tmp_path / name, writer.render)
        if name == "r.json":  # equal but for how long each exercise took
            assert _timeless(tmp_path / name) == _timeless(out / name)
        else:
            assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def _timeless(path: Path) -> dict[str, object]:
    data = json.loads(path.read_text(encoding="utf-8"))
    for entry in data["exercises"]:
        entry.pop("duration_s")
    return data


HOSTILE = "line one\r\n## forged heading\x1b[2J </details><script>x</script> `tick` \u2028 \x00\ud800 | col"


def _hostile_report() -> Report:
    ex = exercises.get("02.1")
    subs = tuple(SubCheckResult(c.name, "failed", 0.0, c.points, HOSTILE, expected=HOSTILE, seen=HOSTILE)
                 for c in ex.checks)
    return Report((Graded(ex.part.notebook, Result(ex.id, ex.title, "failed", 0.0, ex.max_points, subs, HOSTILE)),))


def test_learner_text_cannot_forge_a_markdown_line_or_markup() -> None:
    """Control characters, line separators, HTML and backticks from learner code stay inert text."""
    text = markdown.render(_hostile_report())
    assert not any(line.startswith("## forged") for line in text.splitlines())
    for bad in ("\r", "\x1b", "\u2028", "\x00", "<script>", "</details><script>", "`tick`"):
        assert bad not in text
    assert "\\x0d" in text and "&lt;script&gt;" in text


def test_learner_text_keeps_junit_valid_xml(tmp_path: Path) -> None:
    """A message with control characters and lone surrogates still gives a JUnit file that parses."""
    path = tmp_path / "junit.xml"
    write(_hostile_report(), path, junit.render)
    root = ET.parse(path).getroot()
    assert "\\x1b" in root.find("testsuite/testcase/failure").get("message", "")  # type: ignore[union-attr]


def test_learner_text_keeps_json_parseable() -> None:
    """The JSON report of a hostile message is valid UTF-8 JSON with the characters escaped."""
    text = json_writer.render(_hostile_report())
    text.encode("utf-8")  # a lone surrogate would raise here
    assert json.loads(text)["exercises"][0]["message"].startswith("line one\\x0d")
