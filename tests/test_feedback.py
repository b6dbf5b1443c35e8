"""depipe_course.feedback: what a learner reads after check()."""

from __future__ import annotations

from depipe_course.checking import Result, SubCheckResult
from depipe_course.feedback import to_html, to_text

_FAILED = Result("02.1", "Clean <one> chunk", "partial", 1.0, 3.0, (
    SubCheckResult("drops duplicates", "passed", 1.0, 1.0),
    SubCheckResult("keeps only positive amounts", "failed", 0.0, 2.0, "zero amounts kept",
                   expected="[1, 2]", seen="[0, 1, 2]", hint="use amount > 0"),
))


def test_text_names_failed_check_expected_seen_and_hint() -> None:
    """The text rendering shows every failed sub-check with expected, seen and hint."""
    text = to_text(_FAILED)
    assert "Partly correct (1/3 points)" in text
    for part in ("keeps only positive amounts", "expected: [1, 2]", "seen:     [0, 1, 2]", "hint:     use amount > 0"):
        assert part in text


def test_html_escapes_learner_values() -> None:
    """HTML feedback escapes titles and values, so learner output cannot inject markup."""
    html = to_html(_FAILED)
    assert "Clean &lt;one&gt; chunk" in html and "<one>" not in html


def test_not_attempted_says_so_once() -> None:
    """A not-attempted result states the reason once and lists what will be checked."""
    subs = tuple(SubCheckResult(n, "not_attempted", 0.0, 1.0, "stub") for n in ("a", "b"))
    text = to_text(Result("01.1", "t", "not_attempted", 0.0, 2.0, subs))
    assert text.count("stub") == 1 and "What the check will look at" in text


def test_rendering_is_deterministic() -> None:
    """The same result renders to the same text and HTML (nbval compares them)."""
    assert to_text(_FAILED) == to_text(_FAILED) and to_html(_FAILED) == to_html(_FAILED)


def test_repeated_failure_is_named_once_at_the_top() -> None:
    """One root cause leads the feedback; the sub-checks that repeat it say so instead of repeating it."""
    from depipe_course.checking import summarise

    subs = tuple(
        SubCheckResult(name, "failed", 0.0, 1.0, "Your code raised KeyError: 'items' (line 3 of your code)",
                       hint="look at the page numbers")
        for name in ("every record once", "lazy", "fewest requests")
    )
    text = to_text(summarise("03.2", "Offset pages", subs))
    assert "Fix this first: 'every record once' (2 more sub-checks fail the same way)" in text
    assert text.count("KeyError") == 1 and text.count("look at the page numbers") == 1
    assert text.count("fails the same way as 'every record once': fix that first") == 2
    assert "Fix this first" in to_html(summarise("03.2", "Offset pages", subs))
