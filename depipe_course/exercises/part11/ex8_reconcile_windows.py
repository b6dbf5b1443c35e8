"""11.8 (interview): ``reconcile_windows`` sorts windows into complete, missing and surplus.

Loaded plus dead-lettered is compared with the source's summary per window; a window never
loaded is missing, more than the summary is a surplus, each list is in window order, and
counts for a window without a summary raise ValueError.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from depipe_course.checking import expect, expect_equal
from depipe_course.exercises import exercise
from depipe_course.exercises.part11._shared import _call, _describe, _raised

reconcile = exercise("11.8", "Interview: reconcile a load against the source's summary", ["reconcile_windows"])

_DAY = 86_400
_T0 = 1_773_705_600  # 2026-03-17T00:00:00Z


def _windows(n: int) -> list[tuple[int, int]]:
    return [(_T0 + i * _DAY, _T0 + (i + 1) * _DAY) for i in range(n)]


def _verdict(reconcile_windows: Callable[..., Any], summary: dict[Any, int], loaded: dict[Any, int],
             dead: dict[Any, int]) -> dict[str, Any]:
    out = _call(reconcile_windows, dict(summary), dict(loaded), dict(dead))
    expect(isinstance(out, dict) and set(out) == {"complete", "missing", "surplus"},
           "reconcile_windows must return a dict with the keys complete, missing and surplus",
           expected="{'complete': [...], 'missing': [...], 'surplus': [...]}", seen=out)
    return {key: list(value) for key, value in out.items()}


@reconcile.check("windows whose counts match are complete", points=1,
                 hint="loaded + dead-lettered == the summary's count: the window is complete.")
def _complete(reconcile_windows: Callable[..., Any]) -> None:
    w = _windows(3)
    got = _verdict(reconcile_windows, {w[0]: 120, w[1]: 98, w[2]: 0}, {w[0]: 120, w[1]: 98, w[2]: 0}, {})
    expect_equal(got, {"complete": w, "missing": [], "surplus": []}, "the verdict")


@reconcile.check("dead-lettered records count as accounted for", points=2,
                 hint="An invalid record went to the dead-letter queue: it was received, so it "
                      "counts towards the summary. Compare loaded + dead_lettered with the summary.")
def _dead_letters(reconcile_windows: Callable[..., Any]) -> None:
    w = _windows(2)
    got = _verdict(reconcile_windows, {w[0]: 120, w[1]: 98}, {w[0]: 117, w[1]: 98}, {w[0]: 3})
    expect_equal(got, {"complete": w, "missing": [], "surplus": []},
                 "the verdict when window 1 has 117 loaded and 3 dead-lettered of 120")


@reconcile.check("a window short of records is missing", points=1,
                 hint="Fewer accounted for than the summary says: put the window in 'missing' "
                      "(re-fetch it; the upsert makes that safe).")
def _missing(reconcile_windows: Callable[..., Any]) -> None:
    w = _windows(3)
    got = _verdict(reconcile_windows, {w[0]: 120, w[1]: 98, w[2]: 40},
                   {w[0]: 120, w[1]: 95, w[2]: 40}, {w[1]: 1})
    expect_equal(got, {"complete": [w[0], w[2]], "missing": [w[1]], "surplus": []}, "the verdict")


@reconcile.check("a window never loaded is missing", points=1,
                 hint="A window absent from loaded_counts loaded nothing: use .get(window, 0), "
                      "and go through the summary's windows, not the loaded ones.")
def _never_loaded(reconcile_windows: Callable[..., Any]) -> None:
    w = _windows(3)
    got = _verdict(reconcile_windows, {w[0]: 120, w[1]: 98, w[2]: 40}, {w[0]: 120, w[2]: 40}, {})
    expect_equal(got, {"complete": [w[0], w[2]], "missing": [w[1]], "surplus": []},
                 "the verdict when window 2 is absent from the loaded counts")


@reconcile.check("more records than the source reports is a surplus, not complete", points=2,
                 hint="'at least the summary' is not complete: more rows than the source holds means "
                      "duplicates or overlapping windows. Put it in 'surplus'.")
def _surplus(reconcile_windows: Callable[..., Any]) -> None:
    w = _windows(2)
    got = _verdict(reconcile_windows, {w[0]: 120, w[1]: 98}, {w[0]: 121, w[1]: 97}, {w[1]: 1})
    expect_equal(got, {"complete": [w[1]], "missing": [], "surplus": [w[0]]}, "the verdict")


@reconcile.check("each list is sorted by window start", points=1,
                 hint="sorted(summary_counts) gives the windows in time order.")
def _sorted(reconcile_windows: Callable[..., Any]) -> None:
    w = _windows(6)
    order = [w[4], w[1], w[5], w[0], w[3], w[2]]
    summary = {window: 10 for window in order}
    loaded = {w[0]: 10, w[1]: 9, w[2]: 11, w[3]: 10, w[4]: 8, w[5]: 12}
    got = _verdict(reconcile_windows, summary, loaded, {})
    expect_equal(got, {"complete": [w[0], w[3]], "missing": [w[1], w[4]], "surplus": [w[2], w[5]]},
                 "the verdict (lists in window order)")


@reconcile.check("counts for a window without a summary raise ValueError", points=1,
                 hint="A window you loaded but have no summary for cannot be checked: raise "
                      "ValueError instead of leaving it out of the verdict.")
def _no_summary(reconcile_windows: Callable[..., Any]) -> None:
    w = _windows(3)
    exc = _raised(reconcile_windows, {w[0]: 10, w[1]: 10}, {w[0]: 10, w[1]: 10, w[2]: 7}, {})
    expect(isinstance(exc, ValueError), "window 3 was loaded but has no summary",
           expected="ValueError", seen=_describe(exc))
    exc = _raised(reconcile_windows, {w[0]: 10, w[1]: 10}, {w[0]: 10, w[1]: 8}, {w[1]: 2, w[2]: 1})
    expect(isinstance(exc, ValueError), "window 3 has a dead-lettered record but no summary",
           expected="ValueError", seen=_describe(exc))
