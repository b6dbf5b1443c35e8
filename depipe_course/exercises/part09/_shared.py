"""What part 09's exercises share: building a model from a record, reading its errors,
and telling pydantic v1 leftovers apart (see the package docstring for how).

A stub's ``NotImplementedError`` always propagates from these helpers, so a sub-check
on a stub is *not attempted* rather than failed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from depipe_course.checking import expect, fail
from depipe_course.exercises._remote import class_names, instance_of, subclass_of
from depipe_course.judging.codec import raised_as
from depipe_course.judging.judge import learner_module

_DROP = object()  # a field value meaning "leave the field out"
_VALIDATION_ERROR = "pydantic_core._pydantic_core.ValidationError"  # pydantic.ValidationError
_BASE_MODEL = "pydantic.main.BaseModel"  # v2's; pydantic.v1's is pydantic.v1.main.BaseModel


def _worker_side() -> Any:
    """The helpers that run where the learner's models live (``_worker_side``'s docstring says why)."""
    return learner_module("depipe_course.exercises.worker_side.part09")


def _attempt(model: Any, data: Mapping[str, Any]) -> tuple[Any, BaseException | None]:
    """``(instance, None)`` if ``model`` accepts ``data``, else ``(None, the exception)``."""
    try:
        return model(**data), None
    except NotImplementedError:
        raise
    except Exception as exc:  # a ValidationError, or whatever the learner's validators raise
        return None, exc


def _locs(exc: BaseException) -> list[tuple[Any, ...]]:
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return []
    return [tuple(e.get("loc", ())) for e in errors()]


def _describe(exc: BaseException) -> str:
    """One line: a ValidationError as 'field: message; ...', anything else as 'Type: text'."""
    errors = getattr(exc, "errors", None)
    if raised_as(exc, _VALIDATION_ERROR) and callable(errors):
        parts = [f"{'.'.join(str(p) for p in e['loc']) or '(record)'}: {e['msg']}" for e in errors()]
        return "ValidationError: " + "; ".join(parts)
    return f"{type(exc).__name__}: {exc}"


def _accepted(model: Any, data: Mapping[str, Any], what: str) -> Any:
    """The instance built from ``data``; fail, showing the error, if it was refused.

    A stub's NotImplementedError propagates, so the sub-check is *not attempted*.
    """
    made, exc = _attempt(model, data)
    if exc is not None:
        fail(f"{what} was rejected", expected="accepted", seen=_describe(exc))
    return made


def _build(model: Any, data: Mapping[str, Any]) -> Any:
    return _accepted(model, data, f"a valid record {dict(data)}")


def _expect_rejected(model: Any, data: Mapping[str, Any], field: str, what: str) -> None:
    """``data`` must raise a pydantic ValidationError with an error located at ``field``."""
    made, exc = _attempt(model, data)
    if exc is None:
        fail(f"{what} was accepted", expected=f"a ValidationError on {field!r}",
             seen=f"{field}={getattr(made, field, '?')!r}")
    expect(raised_as(exc, _VALIDATION_ERROR),
           f"{what} raised {type(exc).__name__}, not a ValidationError: a batch that catches "
           "ValidationError to dead-letter bad records would crash on it",
           expected="pydantic.ValidationError", seen=_describe(exc))
    locs = _locs(exc)
    expect(any(loc[:1] == (field,) for loc in locs), f"the error for {what} must point at the field",
           expected=f"an error located at ('{field}',)", seen=locs)


def _utc_value(value: Any, expected: datetime, what: str) -> None:
    expect(isinstance(value, datetime), f"{what} must be a datetime", expected="datetime",
           seen=f"{type(value).__name__}: {value!r}")
    offset = value.utcoffset()
    expect(offset is not None, f"{what} is naive: it does not say which time zone it is in",
           expected="a timezone-aware datetime in UTC", seen=repr(value))
    expect(value == expected, f"{what} is not the right instant", expected=expected.isoformat(),
           seen=value.isoformat())
    expect(offset == timedelta(0), f"{what} is the right instant but not expressed in UTC",
           expected=expected.isoformat(), seen=value.isoformat())


@contextlib.contextmanager
def _recording_deprecations() -> Iterator[list[str]]:
    """Collect deprecation and pydantic warnings the learner's code raises inside (each as 'Category: message')."""
    seen: list[str] = []
    with _worker_side().DeprecationRecorder() as recorder:
        yield seen
    seen.extend(recorder.seen())


def _v1_leftovers(model: Any) -> list[str]:
    """What in ``model`` is pydantic v1 API (empty for a clean v2 model), read where the model lives."""
    return list(_worker_side().v1_leftovers(model))


def _expect_v2_model(model: Any, name: str, valid: Mapping[str, Any]) -> None:
    """A pydantic v2 model with no v1 leftovers, which builds and dumps without deprecation warnings."""
    with _recording_deprecations() as deprecations:
        made = _build(model, valid)
        if instance_of(made, learner_module("pydantic").BaseModel):
            made.model_dump()
            made.model_dump_json()
            learner_module("builtins").type(made).model_validate(dict(valid))
    bases = [base for base in class_names(model)[1:] if base != "builtins.object"]
    expect(subclass_of(model, _BASE_MODEL),
           f"{name} must subclass pydantic.BaseModel (v2); pydantic.v1.BaseModel is the deprecated API",
           expected="a subclass of pydantic.BaseModel", seen=f"bases {bases}")
    leftovers = _v1_leftovers(model)
    expect(not leftovers, f"{name} uses the pydantic v1 API, which warns PydanticDeprecatedSince20",
           expected="@field_validator(..., mode='before') with @classmethod; model_config = ConfigDict(...)",
           seen="; ".join(leftovers))
    expect(not deprecations, f"building and dumping a {name} raised deprecation warnings",
           expected="no warnings", seen="; ".join(dict.fromkeys(deprecations)))
