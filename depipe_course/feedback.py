"""Render a ``Result`` for a person: rich HTML in JupyterLab, plain text elsewhere.

Both renderings are deterministic (no times, no paths), so notebooks that show
feedback can be compared by nbval without sanitizers.
"""

from __future__ import annotations

from html import escape

from depipe_course.checking import Result, SubCheckResult

_HEADLINE = {
    "passed": "Correct",
    "partial": "Partly correct",
    "failed": "Not yet",
    "not_attempted": "Not attempted",
    "not_run": "Graded by the instructor",
    "error": "Could not run",
    "timeout": "Took too long",
    "rejected": "Rejected",
}
_MARK = {"passed": "✔", "failed": "✘", "not_attempted": "·", "not_run": "–"}
_COLOUR = {"passed": "#1a7f37", "partial": "#9a6700", "not_attempted": "#57606a", "not_run": "#57606a"}


def headline(result: Result) -> str:
    withheld = sum(sub.max_points for sub in result.checks if sub.status == "not_run")
    graded_elsewhere = ""
    if withheld and result.status != "not_run":
        graded_elsewhere = f"; {_points(withheld)} graded by the instructor"
    return (
        f"{result.exercise_id} {result.title}: {_HEADLINE[result.status]} "
        f"({_points(result.score)}/{_points(result.max_score)} points{graded_elsewhere})"
    )


def _summary_note(result: Result) -> str:
    """One sentence for the whole result; a not-attempted one says it once, not per check."""
    if result.message:
        return result.message
    if result.status in {"not_attempted", "not_run"} and result.checks:
        return result.checks[0].message
    # Sub-checks that need the answers share one message: say it once, not per line.
    return next((sub.message for sub in result.checks if sub.status == "not_run"), "")


def root_causes(result: Result) -> list[tuple[SubCheckResult, int]]:
    """Failures that others repeat, each with how many sub-checks wait on it."""
    waiting: dict[str, int] = {}
    for sub in result.checks:
        if sub.same_cause_as:
            waiting[sub.same_cause_as] = waiting.get(sub.same_cause_as, 0) + 1
    return [(sub, waiting[sub.name]) for sub in result.checks if sub.name in waiting]


def fix_first(sub: SubCheckResult, others: int) -> str:
    """The line that puts a repeated failure at the top."""
    checks = "sub-check" if others == 1 else "sub-checks"
    return f"Fix this first: {sub.name!r} ({others} more {checks} fail the same way)"


def to_text(result: Result) -> str:
    lines = [headline(result)]
    if note := _summary_note(result):
        lines.append(f"  {note}")
    if result.status == "not_attempted":
        lines.append("  What the check will look at:")
    lines.extend(f"  {fix_first(sub, n)}" for sub, n in root_causes(result))
    for sub in result.checks:
        lines.append(f"  {_MARK[sub.status]} {sub.name}")
        lines.extend(f"      {line}" for line in _details(sub, result.status in _WHOLE))
    return "\n".join(lines)


def to_html(result: Result) -> str:
    colour = _COLOUR.get(result.status, "#cf222e")
    rows = "".join(_html_row(sub, result.status in _WHOLE) for sub in result.checks)
    note = _summary_note(result)
    if result.status == "not_attempted":
        note += " What the check will look at:"
    note = f"<p style='margin:2px 0'>{escape(note.strip())}</p>" if note else ""
    note += "".join(f"<p style='margin:2px 0'><b>{escape(fix_first(sub, n))}</b></p>" for sub, n in root_causes(result))
    return (
        f'<div class="depipe-result" style="border-left:4px solid {colour};padding:4px 10px">'
        f'<b style="color:{colour}">{escape(headline(result))}</b>{note}'
        f'<ul style="list-style:none;padding-left:0;margin:4px 0">{rows}</ul></div>'
    )


_WHOLE = {"error", "timeout", "rejected"}  # one message for the whole exercise, said once at the top


def _details(sub: SubCheckResult, whole: bool = False) -> list[str]:
    if sub.status != "failed" or whole:
        return []
    if sub.same_cause_as:
        return [f"fails the same way as {sub.same_cause_as!r}: fix that first"]
    details = [sub.message] if sub.message else []
    if sub.expected is not None:
        details.append(f"expected: {sub.expected}")
    if sub.seen is not None:
        details.append(f"seen:     {sub.seen}")
    if sub.hint:
        details.append(f"hint:     {sub.hint}")
    return details


def _html_row(sub: SubCheckResult, whole: bool = False) -> str:
    colour = _COLOUR.get(sub.status, "#cf222e")
    details = "".join(
        f"<div style='margin-left:1.5em;font-family:monospace;white-space:pre-wrap'>{escape(d)}</div>"
        for d in _details(sub, whole)
    )
    return (
        f"<li><span style='color:{colour}'>{_MARK[sub.status]}</span> "
        f"{escape(sub.name)}{details}</li>"
    )


def _points(value: float) -> str:
    return f"{value:g}"
