"""depipe_course.exercises.part09: v1 pydantic is recognised after the fact, and the checks
leave the process's time zone, warning filters and output as they found them."""

from __future__ import annotations

import contextlib
import io
import os
import time
import warnings
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError, field_validator

from depipe_course import exercises, reference
from depipe_course.checking import Result
from depipe_course.exercises import part09
from tests.judged import judged
from tests.wrong_versions import load_all

PART09 = exercises.exercises_of("09")
WRONG09 = [w for w in load_all() if w.exercise_id.startswith("09.")]


def _grade(ex: exercises.Exercise, objects: dict[str, Any]) -> Result:
    merged = {**reference.objects(ex), **objects}
    return judged(ex, merged)


def _v1_model_with_aliased_import() -> type:
    from pydantic import validator as check_field

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")

        class Base(BaseModel):
            amount: int

            @check_field("amount", pre=True)
            def _coerce(cls, value: Any) -> Any:
                return value

    class Child(Base):
        @field_validator("amount", mode="before")
        @classmethod
        def _also_v2(cls, value: Any) -> Any:
            return value

    return Child


class TestV1Leftovers:
    def test_clean_v2_models_have_none(self) -> None:
        """The reference models show no v1 leftovers."""
        import solutions.part09 as ref

        assert part09._v1_leftovers(ref.Order) == []
        assert part09._v1_leftovers(ref.Payment) == []

    def test_v1_validator_found_through_inheritance_and_alias(self) -> None:
        """A v1 @validator imported under another name and inherited from a base is still reported."""
        assert part09._v1_leftovers(_v1_model_with_aliased_import()) == ["@validator on _coerce()"]

    def test_found_whatever_the_warning_filters(self) -> None:
        """Detection reads pydantic's decorator registry, so a learner who silenced warnings is caught too."""
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert part09._v1_leftovers(_v1_model_with_aliased_import())


class TestDescribe:
    def test_validation_error_is_one_line(self) -> None:
        """A ValidationError is shown as 'field: message' pairs on one line."""
        import solutions.part09 as ref

        with pytest.raises(ValidationError) as info:
            ref.Order(order_id=0, customer_id=1, amount="abc", status="placed", created_at="2026-03-01T00:00:00Z")
        text = part09._describe(info.value)
        assert "\n" not in text
        assert text.startswith("ValidationError: order_id: ") and "amount: " in text


@pytest.mark.parametrize("ex", PART09, ids=lambda ex: ex.id)
def test_checks_restore_time_zone_and_warning_filters(ex: exercises.Exercise) -> None:
    """After the checks, TZ, the C library's zone and the warning filters are as before."""
    saved_tz = os.environ.get("TZ")
    os.environ["TZ"] = "EST+05"
    time.tzset()
    try:
        filters = list(warnings.filters)
        _grade(ex, {})
        assert os.environ.get("TZ") == "EST+05"
        assert time.timezone == 5 * 3600
        assert list(warnings.filters) == filters
    finally:
        if saved_tz is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved_tz
        time.tzset()


@pytest.mark.parametrize("wrong", WRONG09, ids=[w.test_id for w in WRONG09])
def test_wrong_versions_write_nothing_and_keep_the_zone(wrong: Any) -> None:
    """Even a failing answer leaves TZ unset as before and writes nothing to stdout or stderr."""
    ex = exercises.get(wrong.exercise_id)
    saved_tz = os.environ.get("TZ")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        _grade(ex, wrong.objects)
    assert os.environ.get("TZ") == saved_tz
    assert out.getvalue() == "" and err.getvalue() == ""
