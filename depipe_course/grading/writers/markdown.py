"""A Markdown summary (``--markdown``), written for ``$GITHUB_STEP_SUMMARY``.

First a per-part table (what a learner or instructor looks at first), then one line
per exercise, then the details of every sub-check that did not pass, folded away in
``<details>`` so a long report stays readable in the job summary.
"""

from __future__ import annotations

from collections import Counter
from html import escape

from depipe_course.exercises import PARTS
from depipe_course.grading.report import Graded, Report, normalise

_ICON = {"passed": "✅", "partial": "🟡", "failed": "❌", "not_attempted": "⚪", "not_run": "➖", "error": "💥",
         "timeout": "⏱️", "rejected": "⛔"}


def _cell(text: str) -> str:
    """Learner text as one inert table cell: no markup, no line breaks, no column breaks."""
    return escape(normalise(text), quote=False).replace("|", "\\|").replace("\n", " ").replace("`", "&#96;")


def _part_rows(report: Report) -> list[str]:
    rows = ["| part | notebook | points | passed | statuses |", "|---|---|---:|---:|---|"]
    titles = {p.number: p.title for p in PARTS}
    by_part: dict[str, list[Graded]] = {}
    for g in report.exercises:
        by_part.setdefault(g.part, []).append(g)
    for number, items in by_part.items():
        score = round(sum(g.result.score for g in items), 2)
        top = round(sum(g.result.max_score for g in items), 2)
        passed = sum(1 for g in items if g.result.status == "passed")
        statuses = Counter(g.result.status for g in items)
        mix = ", ".join(f"{_ICON.get(s, '')} {n} {s.replace('_', ' ')}" for s, n in sorted(statuses.items()))
        rows.append(f"| {number} {_cell(titles.get(number, ''))} | `{items[0].notebook}` | {score:g}/{top:g} "
                    f"| {passed}/{len(items)} | {mix} |")
    return rows


def _exercise_rows(report: Report) -> list[str]:
    rows = ["| exercise | status | points | message |", "|---|---|---:|---|"]
    for g in report.exercises:
        r = g.result
        rows.append(f"| {r.exercise_id} {_cell(r.title)} | {_ICON.get(r.status, '')} {r.status} "
                    f"| {r.score:g}/{r.max_score:g} | {_cell(r.message)[:200]} |")
    return rows


def _details(report: Report) -> list[str]:
    out: list[str] = []
    for g in report.exercises:
        r = g.result
        missed = [c for c in r.checks if not c.passed and c.status != "not_run"]  # the message says why once
        if not missed or r.status == "not_attempted":
            continue
        out.append(f"<details><summary>{r.exercise_id} {_cell(r.title)}: {r.score:g}/{r.max_score:g}</summary>\n")
        for c in missed:
            line = f"- **{_cell(c.name)}** ({c.status.replace('_', ' ')}): {_cell(c.message)}"
            if c.same_cause_as:
                line = f"- **{_cell(c.name)}**: fails the same way as **{_cell(c.same_cause_as)}**"
            else:
                if c.expected or c.seen:
                    expected, seen = _cell(c.expected or ""), _cell(c.seen or "")
                    line += f" — expected <code>{expected}</code>, seen <code>{seen}</code>"
                if c.hint and c.status == "failed":
                    line += f"<br>hint: {_cell(c.hint)}"
            out.append(line)
        out.append("\n</details>\n")
    return out


def render(report: Report) -> str:
    lines = [f"## depipe-course grade: {report.total:g} / {report.max:g} points", ""]
    lines += _part_rows(report) + [""] + _exercise_rows(report) + [""]
    lines += _details(report)
    return "\n".join(lines)
