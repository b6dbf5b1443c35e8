"""The contract's JSON report (``--out``): stable key order, no timings."""

from __future__ import annotations

import json

from depipe_course.grading.report import Report


def render(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)
