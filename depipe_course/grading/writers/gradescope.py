"""Gradescope's autograder ``results.json`` (``--gradescope``): one test per sub-check.

Each test has ``score``, ``max_score``, ``status`` and ``visibility``; the top-level
``score`` is the report's total, so Gradescope shows the same number as the JSON
report. The learner sees every test (``visible``): feedback is the point of the course.
"""

from __future__ import annotations

import json
from typing import Any

from depipe_course.grading.report import Report, normalise


def results(report: Report) -> dict[str, Any]:
    tests: list[dict[str, Any]] = []
    for g in report.exercises:
        r = g.result
        for i, c in enumerate(r.checks, start=1):
            output = normalise(r.message if r.status in {"error", "timeout", "rejected"} else c.message)
            if c.expected or c.seen:
                output += f"\nexpected: {normalise(c.expected or '')}\nseen: {normalise(c.seen or '')}"
            if c.hint and not c.passed:
                output += f"\nhint: {c.hint}"
            tests.append({
                "name": f"{r.exercise_id} {r.title}: {c.name}",
                "number": f"{r.exercise_id}.{i}",
                "score": c.points,
                "max_score": c.max_points,
                "status": "passed" if c.passed else "failed",
                "output": output.strip(),
                "tags": [r.exercise_id[:2], r.status],
                "visibility": "visible",
            })
    return {"score": report.total, "output": f"{report.total:g} / {report.max:g} points",
            "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}


def render(report: Report) -> str:
    return json.dumps(results(report), indent=2, ensure_ascii=False)
