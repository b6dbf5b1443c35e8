"""Part 08's tests-graded-by-mutation: full, half, empty, assert-free and broken suites, and the baselines.

Issue acceptance 3 and 4: a suite that kills every mutant scores full, one that kills
half scores about half, an empty or assert-free suite scores 0, a suite failing on
correct code scores 0 naming the failing test, and ``check()`` answers in about a
second, mutation grading included.
"""

from __future__ import annotations

import os
import subprocess
from typing import Any

import pandas as pd
import pytest
import requests

import solutions.part08 as ref
from depipe_course import exercises, reference
from depipe_course.checking import Result
from depipe_course.data import messy_orders_frame
from depipe_course.exercises import part08
from depipe_course.grading.runner import Job, grade_in_this_process
from tests.judged import judged
from tests.wrong_versions import part08 as weak


def checked(exercise_id: str, **objects: Any) -> Result:
    ex = exercises.get(exercise_id)
    given = {**reference.objects(ex), **objects}
    return judged(ex, given)


def _gate_index(result: Result) -> int:
    return next(i for i, c in enumerate(result.checks) if c.name.startswith("your tests pass on a correct"))


def mutant_checks(result: Result) -> list[Any]:
    return [c for c in result.checks if c.name.startswith("a test fails when")]


# ---------------------------------------------------------------- 08.2


def test_a_suite_that_kills_every_mutant_scores_full() -> None:
    """The reference suite passes on correct code and fails on each of the 13 wrong clean_orders."""
    result = checked("08.2")
    assert result.status == "passed" and result.score == result.max_score == 6.5
    assert len(mutant_checks(result)) == len(part08.CLEAN_ORDERS_MUTANTS) == 13


def test_a_suite_that_kills_half_scores_about_half() -> None:
    """Three tests that pin down amounts, status spelling and kept rows kill 7 of 13 mutants: 3.5 of 6.5."""
    half = [ref.test_keeps_valid_orders_of_every_status_in_order, ref.test_drops_orders_without_a_positive_amount,
            ref.test_status_is_stripped_and_lower_cased]
    result = checked("08.2", clean_orders_tests=half)
    assert result.status == "partial"
    assert result.score == 3.5 and 0.45 < result.score / result.max_score < 0.6
    survivors = [c.name.removeprefix("a test fails when clean_orders ") for c in mutant_checks(result) if not c.passed]
    assert survivors == ["keeps unknown statuses such as 'shipped'", "keeps orders whose created_at cannot be parsed",
                         "reads '+05:30' timestamps as if they were UTC", "keeps every row of a duplicated order_id",
                         "keeps the last row of a duplicated order_id instead of the first",
                         "changes the frame it was given"]
    failed = next(c for c in mutant_checks(result) if not c.passed)
    assert "no test pins this behaviour down" in failed.message and failed.hint


def test_an_empty_suite_is_not_attempted_and_scores_zero() -> None:
    """No tests listed: not attempted, 0 points."""
    result = checked("08.2", clean_orders_tests=[])
    assert result.status == "not_attempted" and result.score == 0


def test_the_shipped_skeleton_alone_is_not_attempted() -> None:
    """The stub's example test, untouched, is not attempted rather than failed."""
    namespace: dict[str, Any] = {"pd": pd}
    exec(compile(part08.CLEAN_ORDERS_SKELETON, "<stub>", "exec", dont_inherit=True), namespace)
    result = checked("08.2", clean_orders_tests=[namespace[part08.CLEAN_ORDERS_SKELETON_NAME]])
    assert result.status == "not_attempted" and result.score == 0


def test_a_suite_that_asserts_nothing_scores_zero() -> None:
    """Five tests that call clean_orders and assert nothing pass on correct code and kill nothing."""
    suite = [weak.test_runs_on_a_valid_order, weak.test_runs_on_zero_amount, weak.test_runs_on_bad_status,
             weak.test_runs_on_bad_date, weak.test_runs_on_duplicates]
    result = checked("08.2", clean_orders_tests=suite)
    assert result.score == 0 and result.status == "failed"
    assert result.checks[_gate_index(result)].passed
    assert not any(c.passed for c in mutant_checks(result))


def test_a_suite_failing_on_correct_code_scores_zero_and_names_the_test() -> None:
    """One wrong expectation: 0 points, and the message names the test that failed on correct code."""
    suite = [weak.test_status_kept_as_written, ref.test_drops_orders_without_a_positive_amount,
             ref.test_drops_unknown_or_missing_statuses, ref.test_keeps_the_first_row_of_a_duplicated_order_id]
    result = checked("08.2", clean_orders_tests=suite)
    assert result.score == 0 and result.status == "failed"
    message = result.checks[_gate_index(result)].message
    assert "test_status_kept_as_written fails on a correct clean_orders: AssertionError" in message
    assert all("not graded until your tests pass" in c.message for c in mutant_checks(result))


def test_the_grader_scores_a_cell_as_check_does() -> None:
    """The half suite, run as a graded cell in a fresh namespace, earns what check() gives it."""
    source = reference.source(exercises.get("08.2"))
    head, _, _ = source.partition("clean_orders_tests = [")
    cell = head + ("clean_orders_tests = [test_keeps_valid_orders_of_every_status_in_order, "
                   "test_drops_orders_without_a_positive_amount, test_status_is_stripped_and_lower_cased]\n")
    graded = grade_in_this_process(Job("08.2", cell, "<cell 08.2>"))
    assert graded.status == "partial" and graded.score == 3.5


def test_the_correct_clean_orders_behind_the_mutants_is_the_reference() -> None:
    """The baseline kept with the checks cleans messy exports exactly as solutions/part08.py does."""
    for seed in range(3):
        raw = messy_orders_frame(rows=1_500, seed=seed)
        typed = raw.assign(order_id=raw["order_id"].astype("int64"),
                           amount=pd.to_numeric(raw["amount"], errors="coerce"))
        for frame in (raw, typed, typed.set_axis(range(10_000, 10_000 + len(typed)))):
            pd.testing.assert_frame_equal(part08.correct_clean_orders(frame.copy()), ref.clean_orders(frame.copy()))


@pytest.mark.parametrize("mutant", part08.CLEAN_ORDERS_MUTANTS, ids=lambda m: m.behaviour)
def test_every_clean_orders_mutant_is_really_wrong(mutant: Any) -> None:
    """Each mutant either returns something else than the reference on a messy export, or changes its input."""
    raw = messy_orders_frame(rows=1_500, seed=4)
    given = raw.copy()
    out = mutant.fn(given)
    changed_input = not given.equals(raw)
    assert changed_input or not out.equals(ref.clean_orders(raw)), mutant.behaviour


# ---------------------------------------------------------------- 08.3


def test_a_fetch_suite_that_kills_every_mutant_scores_full() -> None:
    """The reference tests for fetch_order_from_api kill all 8 mutants; with the function's checks, 10 of 10."""
    result = checked("08.3")
    assert result.status == "passed" and result.score == result.max_score == 10
    assert len(mutant_checks(result)) == len(part08.FETCH_ORDER_MUTANTS) == 8


def test_an_empty_fetch_suite_earns_only_the_function_points() -> None:
    """No tests listed: the mutation checks are not attempted, the function's own checks still count."""
    result = checked("08.3", fetch_order_tests=[])
    assert result.status == "partial" and result.score == 6
    assert {c.status for c in mutant_checks(result)} == {"not_attempted"}


def test_a_fetch_suite_failing_on_correct_code_earns_no_mutation_points() -> None:
    """A test that pins a 5 s timeout fails on the correct 10 s version: 0 mutation points, the test named."""
    suite = [weak.test_fetch_returns_order, weak.test_fetch_timeout_is_five, weak.test_fetch_404_raises,
             weak.test_fetch_with_a_mock_session]
    result = checked("08.3", fetch_order_tests=suite)
    assert sum(c.points for c in mutant_checks(result)) == 0
    message = result.checks[_gate_index(result)].message
    assert "test_fetch_timeout_is_five fails on a correct fetch_order_from_api" in message


def test_the_correct_fetch_behind_the_mutants_is_the_reference() -> None:
    """The baseline kept with the checks fetches and fails exactly as solutions/part08.py does."""
    from depipe_course.fakes.api import FakePaymentsAPI

    with FakePaymentsAPI(seed=3, orders=4, payments=1, accounts=1, auth="none") as api:
        order_id = api.state.order_records()[1]["order_id"]
        assert part08.correct_fetch_order(order_id, requests.Session(), api.base_url) == ref.fetch_order_from_api(
            order_id, requests.Session(), api.base_url)
        for fetch in (part08.correct_fetch_order, ref.fetch_order_from_api):
            with pytest.raises(requests.HTTPError):
                fetch(1, requests.Session(), api.base_url)
        assert [c.timeout for c in api.calls] == [10.0] * 4


# ---------------------------------------------------------------- acceptance 4: about a second


@pytest.mark.parametrize("exercise_id", ["08.2", "08.3"])
def test_mutation_grading_runs_in_one_process(exercise_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full check() of the reference suite, mutants included, starts no other process."""

    def no_new_process(*args: object, **kwargs: object) -> None:
        raise AssertionError("mutation grading started a process")

    monkeypatch.setattr(subprocess.Popen, "__init__", no_new_process)
    monkeypatch.setattr(os, "fork", no_new_process)
    assert checked(exercise_id).status == "passed"
