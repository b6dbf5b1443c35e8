"""JUnit XML (``--junit``): one test suite per exercise, one test case per sub-check.

The shape is the common one CI systems read (Jenkins' junit-10.xsd, GitHub and GitLab
test reporters): a failed sub-check is a ``<failure>``, one not attempted is
``<skipped>``, and an exercise that could not be graded normally (error, timeout,
rejected) turns each of its sub-checks into an ``<error>`` carrying the reason. No
``time`` attributes: the report must be the same on every run.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from depipe_course.grading.report import Graded, Report, normalise

_BROKEN = {"error", "timeout", "rejected"}


def _counts(graded: Graded) -> tuple[int, int, int]:
    """(failures, errors, skipped) among the exercise's sub-checks."""
    r = graded.result
    if r.status in _BROKEN:
        return 0, len(r.checks), 0
    failures = sum(1 for c in r.checks if c.status == "failed")
    skipped = sum(1 for c in r.checks if c.status in {"not_attempted", "not_run"})
    return failures, 0, skipped


def _suite(graded: Graded) -> ET.Element:
    r = graded.result
    failures, errors, skipped = _counts(graded)
    suite = ET.Element("testsuite", {
        "name": f"{r.exercise_id} {r.title}", "tests": str(len(r.checks)), "failures": str(failures),
        "errors": str(errors), "skipped": str(skipped), "package": graded.notebook,
    })
    props = ET.SubElement(suite, "properties")
    for name, value in (("status", r.status), ("score", f"{r.score:g}"), ("max", f"{r.max_score:g}")):
        ET.SubElement(props, "property", {"name": name, "value": value})
    for c in r.checks:
        case = ET.SubElement(suite, "testcase", {
            "name": f"{c.name} ({c.points:g}/{c.max_points:g} points)",
            "classname": f"depipe.{r.exercise_id.replace('.', '_')}",
        })
        detail = "\n".join(filter(None, (
            normalise(c.message), c.expected and f"expected: {normalise(c.expected)}",
            c.seen and f"seen: {normalise(c.seen)}", c.hint and f"hint: {c.hint}",
        )))
        if r.status in _BROKEN:
            ET.SubElement(case, "error", {"type": r.status, "message": normalise(r.message)}).text = detail
        elif c.status == "failed":
            ET.SubElement(case, "failure", {"type": "failed", "message": normalise(c.message)}).text = detail
        elif c.status in {"not_attempted", "not_run"}:
            ET.SubElement(case, "skipped", {"message": normalise(c.message) or c.status.replace("_", " ")})
    return suite


def render(report: Report) -> str:
    suites = [_suite(g) for g in report.exercises]
    totals = [_counts(g) for g in report.exercises]
    root = ET.Element("testsuites", {
        "name": f"depipe-course: {report.total:g}/{report.max:g} points",
        "tests": str(sum(len(g.result.checks) for g in report.exercises)),
        "failures": str(sum(t[0] for t in totals)),
        "errors": str(sum(t[1] for t in totals)),
    })
    root.extend(suites)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
