"""depipe_course.checking: sub-check outcomes, exercise status and reference binding."""

from __future__ import annotations

from pathlib import Path

from depipe_course.checking import (
    Check,
    NotAttempted,
    Result,
    bind_references,
    expect_equal,
    fail,
    run_checks,
    summarise,
)
from depipe_course.exercises import Exercise


def _exercise(*checks: Check) -> Exercise:
    return Exercise("99.1", "test exercise", ("f",), checks=list(checks))


def _passes(f):  # type: ignore[no-untyped-def]
    expect_equal(f(2), 4, "f(2)")


def test_passing_check_earns_its_points() -> None:
    """A check that returns earns its points and the exercise is passed."""
    result = run_checks(_exercise(Check("doubles", _passes, 2)), {"f": lambda x: x * 2})
    assert (result.status, result.score, result.max_score) == ("passed", 2, 2)


def test_failed_check_says_expected_and_seen() -> None:
    """A failing check reports what was expected and what was seen, and its hint."""
    result = run_checks(_exercise(Check("doubles", _passes, 2, hint="multiply")), {"f": lambda x: x + 1})
    (sub,) = result.checks
    assert (sub.status, sub.expected, sub.seen, sub.hint) == ("failed", "4", "3", "multiply")
    assert result.status == "failed" and result.score == 0


def test_stub_is_not_attempted_not_an_exception() -> None:
    """NotImplementedError from learner code marks the exercise not attempted."""

    def stub(x: int) -> int:
        raise NotImplementedError

    result = run_checks(_exercise(Check("doubles", _passes, 1)), {"f": stub})
    assert result.status == "not_attempted" and result.score == 0


def test_not_attempted_raised_by_a_check() -> None:
    """A check can declare a placeholder answer not attempted."""

    def quiz(f):  # type: ignore[no-untyped-def]
        raise NotAttempted("still None")

    result = run_checks(_exercise(Check("quiz", quiz, 1)), {"f": None})
    assert result.status == "not_attempted" and result.checks[0].message == "still None"


def test_learner_exception_fails_the_check_with_its_name() -> None:
    """Any other exception from learner code fails the sub-check and names the error."""

    def broken(x: int) -> int:
        return {}[x]  # type: ignore[return-value]

    result = run_checks(_exercise(Check("doubles", _passes, 1)), {"f": broken})
    assert result.checks[0].status == "failed"
    assert result.checks[0].message.startswith("Your code raised KeyError")


def test_missing_name_is_not_attempted() -> None:
    """A name the learner never defined makes every sub-check not attempted, saying which."""
    result = run_checks(_exercise(Check("doubles", _passes, 1)), {})
    assert result.status == "not_attempted" and "`f`" in result.message


def test_partial_credit() -> None:
    """Some sub-checks passing gives a partial status with their points."""

    def always_fails(f):  # type: ignore[no-untyped-def]
        fail("nope")

    ex = _exercise(Check("a", _passes, 1), Check("b", always_fails, 3))
    result = run_checks(ex, {"f": lambda x: 2 * x})
    assert (result.status, result.score, result.max_score) == ("partial", 1, 4)


def test_tmp_path_is_a_fresh_folder() -> None:
    """A check that asks for tmp_path gets an existing, empty folder."""
    seen: list[Path] = []

    def uses_tmp(f, tmp_path):  # type: ignore[no-untyped-def]
        assert tmp_path.is_dir() and not any(tmp_path.iterdir())
        seen.append(tmp_path)

    run_checks(_exercise(Check("tmp", uses_tmp, 1)), {"f": None})
    assert seen and not seen[0].exists()  # removed afterwards


def test_learner_prints_do_not_reach_feedback(capsys) -> None:  # type: ignore[no-untyped-def]
    """Output printed by learner code during a check is swallowed."""

    def chatty(x: int) -> int:
        print("debugging!")
        return 2 * x

    run_checks(_exercise(Check("doubles", _passes, 1)), {"f": chatty})
    assert "debugging!" not in capsys.readouterr().out


def test_result_round_trips_through_plain_data() -> None:
    """Results cross process boundaries as dicts and come back equal."""
    result = run_checks(_exercise(Check("doubles", _passes, 1, hint="h")), {"f": lambda x: x})
    assert Result.from_dict(result.to_dict()) == result


def test_summarise_statuses() -> None:
    """No sub-checks passing and no points is 'failed', not 'partial'."""
    assert summarise("99.1", "t", ()).status == "failed"


def helper() -> str:
    return "learner's helper"


def caller() -> str:
    return helper()


def test_bind_references_redirects_calls_to_other_exercises() -> None:
    """A learner function calling another exercise's name reaches the reference instead."""
    bound = bind_references({"caller": caller}, {"helper": lambda: "reference"})
    assert bound["caller"]() == "reference"
    assert caller() == "learner's helper"  # the original is untouched


def test_exception_names_the_learners_line_not_the_librarys() -> None:
    """An error raised inside a library reports the learner's own line, not the library's."""
    import json

    namespace: dict = {"json": json}
    exec(compile("def f(x):\n    return json.loads('not json')\n", "<cell>", "exec"), namespace)
    result = run_checks(_exercise(Check("doubles", _passes, 1)), {"f": namespace["f"]})
    assert result.checks[0].message.endswith("(line 2 of your code)"), result.checks[0].message


def test_relative_writes_land_in_scratch_not_the_working_folder(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Learner code writing a relative path during a check cannot litter the learner's folder."""
    monkeypatch.chdir(tmp_path)

    def writes(x: int) -> int:
        Path("orders.db").write_text("x")
        return 2 * x

    run_checks(_exercise(Check("doubles", _passes, 1)), {"f": writes})
    assert not (tmp_path / "orders.db").exists()


def _calls_f(f):  # type: ignore[no-untyped-def]
    f(1)


def test_one_mistake_is_charged_once_in_the_feedback() -> None:
    """Sub-checks failing with the same exception point at the first; points are untouched."""
    def broken(x: int) -> int:
        return {}["items"]  # type: ignore[return-value]

    def other(f):  # type: ignore[no-untyped-def]
        fail("a different mistake")

    result = run_checks(
        _exercise(Check("first", _calls_f, 1), Check("second", _calls_f, 2), Check("third", other, 1)),
        {"f": broken},
    )
    first, second, third = result.checks
    assert first.same_cause_as is None and second.same_cause_as == "first"
    assert third.same_cause_as is None  # a different failure stands on its own
    assert result.score == 0 and result.max_score == 4


def test_different_failures_are_not_grouped() -> None:
    """Failures with different messages or values are each reported in full."""
    def check_a(f):  # type: ignore[no-untyped-def]
        fail("too many requests", expected=1, seen=2)

    def check_b(f):  # type: ignore[no-untyped-def]
        fail("too many requests", expected=1, seen=3)

    result = run_checks(_exercise(Check("a", check_a, 1), Check("b", check_b, 1)), {"f": len})
    assert [c.same_cause_as for c in result.checks] == [None, None]


def test_a_failure_can_carry_its_own_hint() -> None:
    """fail(..., hint=) replaces the sub-check's static hint, so the hint matches the failure."""
    def check(f):  # type: ignore[no-untyped-def]
        fail("batches emptied after they were handed over", hint="yield a new list; do not .clear() it")

    result = run_checks(_exercise(Check("a", check, 1, hint="the static hint")), {"f": len})
    assert result.checks[0].hint == "yield a new list; do not .clear() it"


def test_a_value_whose_equality_lies_is_refused_not_compared() -> None:
    """A str subclass whose == always agrees fails expect_equal, also inside a list or dict."""
    class Agreeable(str):
        def __eq__(self, other: object) -> bool:
            return True

        def __ne__(self, other: object) -> bool:
            return False

        __hash__ = str.__hash__

    for seen in (Agreeable("x"), [Agreeable("x")], {"status": Agreeable("x")}):
        try:
            expect_equal(seen, "delivered" if isinstance(seen, str) else [0], "the status")
        except AssertionError as exc:
            assert "Agreeable, a str with its own __eq__" in str(exc)
        else:
            raise AssertionError(f"{seen!r} passed as equal")


def test_enums_and_library_subclasses_are_compared_as_usual() -> None:
    """StrEnum members, numpy scalars and collections classes are real values, not impostors."""
    import collections
    import enum

    import numpy as np

    class Status(enum.StrEnum):
        DELIVERED = "delivered"

    expect_equal(Status.DELIVERED, "delivered", "the status")
    expect_equal(np.float64(1.5), 1.5, "the amount")
    expect_equal(collections.OrderedDict(a=1), {"a": 1}, "the counts")
