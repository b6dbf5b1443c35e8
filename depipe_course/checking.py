"""Run an exercise's checks against a learner's objects and collect a ``Result``.

A check is a plain function. Its parameters are looked up by name: the learner's
objects (``clean_chunk``), or ``tmp_path`` for a fresh scratch folder. It returns
nothing when the behaviour is right and raises ``CheckFailed`` (through ``fail`` /
``expect``) with what was expected and what was seen when it is not. Learner code
that raises ``NotImplementedError`` marks the check *not attempted*; any other
exception from learner code fails the check and is reported, never propagated, so a
notebook's "Run All" carries on.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import enum
import inspect
import itertools
import os
import sys
import sysconfig
import tempfile
import traceback
import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from depipe_course.diffs import record_diff

if TYPE_CHECKING:
    from depipe_course.exercises import Exercise

Status = Literal[
    "passed", "partial", "failed", "not_attempted", "not_run", "error", "timeout", "rejected"
]
SubStatus = Literal["passed", "failed", "not_attempted", "not_run"]

_MAX_SHOWN = 300


class CheckFailed(AssertionError):
    """A sub-check saw behaviour other than what the exercise asks for."""

    def __init__(
        self, message: str, *, expected: Any = None, seen: Any = None, hint: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.expected = None if expected is None else _shorten(expected)
        self.seen = None if seen is None else _shorten(seen)
        self.hint = hint


class NotAttempted(Exception):
    """Raised by a check when the learner's answer is still the shipped placeholder."""


class NotRun(Exception):
    """Raised by a check that cannot run in this edition of the course (it needs the answers).

    The sub-check is reported as *not run*, with the message, and counts no points;
    the exercise's status is taken from the sub-checks that did run.
    """


def fail(message: str, *, expected: Any = None, seen: Any = None, hint: str | None = None) -> NoReturn:
    """Fail the current sub-check with a message a learner can act on.

    ``hint`` replaces the sub-check's own hint for this failure: a sub-check that can
    fail for several reasons gives the hint that matches the one it saw.
    """
    raise CheckFailed(message, expected=expected, seen=seen, hint=hint)


def expect(
    condition: object, message: str, *, expected: Any = None, seen: Any = None, hint: str | None = None
) -> None:
    """Fail with ``message`` unless ``condition`` holds."""
    if not condition:
        fail(message, expected=expected, seen=seen, hint=hint)


def expect_equal(seen: Any, expected: Any, what: str, *, hint: str | None = None) -> None:
    """Fail unless ``seen == expected``; ``what`` names the value being compared.

    Records (lists of dicts) and DataFrames fail with their first difference (record,
    field, both values) and the records missing or extra, not with two long dumps.
    """
    if impostor := _impostor(seen):
        fail(f"{what} is {impostor}: return plain values, whose comparisons are Python's own",
             expected=f"a plain {type(expected).__name__}", seen=type(seen).__qualname__, hint=hint)
    if not _differs(seen, expected):
        return
    diff = record_diff(seen, expected)
    if diff is not None:
        fail(f"{what}: {diff.message}", expected=diff.shown(diff.expected), seen=diff.shown(diff.seen), hint=hint)
    fail(f"{what} is not what the exercise asks for", expected=expected, seen=seen, hint=hint)


_PLAIN = (bool, int, float, complex, str, bytes, list, tuple, dict, set, frozenset,
          decimal.Decimal, datetime.date, datetime.time, datetime.timedelta)
_COMPARISONS = frozenset({"__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__hash__", "__bool__",
                          "__len__", "__iter__", "__contains__", "__getitem__"})


def _impostor(value: Any, depth: int = 0) -> str | None:
    """Describe a value dressed as a built-in type with comparisons of its own, else None.

    A ``str`` subclass whose ``==`` always agrees would pass any comparison: such values
    are refused, never compared. Enum members and the library types a pipeline returns
    (numpy scalars, pandas timestamps, ``collections`` classes) are the real thing: a
    class counts as a library's only when its module really holds it under its name.
    """
    kind = type(value)
    base = next((b for b in _PLAIN if isinstance(value, b)), None)
    if base is not None and kind is not base and not issubclass(kind, enum.Enum) and not _library_class(kind):
        own = [name for k in kind.__mro__[: kind.__mro__.index(base)] for name in vars(k) if name in _COMPARISONS]
        if own:
            return f"a {kind.__qualname__}, a {base.__name__} with its own {own[0]}"
    if depth < 3 and isinstance(value, list | tuple | set | frozenset | dict):
        items = list(value.items()) if isinstance(value, dict) else value
        for item in itertools.islice(items, 1000):
            for part in item if isinstance(value, dict) else (item,):
                if found := _impostor(part, depth + 1):
                    return found
    return None


def _library_class(kind: type) -> bool:
    module = sys.modules.get(kind.__module__)
    root = kind.__module__.partition(".")[0]
    if module is None or getattr(module, kind.__qualname__, None) is not kind:
        return False
    return root in sys.stdlib_module_names or root in {"numpy", "pandas", "pyarrow", "pydantic", "pydantic_core"}


def _differs(seen: Any, expected: Any) -> bool:
    equals = getattr(expected, "equals", None)
    if type(expected).__name__ == "DataFrame" and callable(equals):
        return type(seen).__name__ != "DataFrame" or not equals(seen)
    return bool(seen != expected)


def _shorten(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


@dataclass(frozen=True)
class Check:
    """One named behaviour of an exercise, worth ``points``."""

    name: str
    fn: Callable[..., None]
    points: float
    hint: str = ""


@dataclass(frozen=True)
class SubCheckResult:
    """The outcome of one ``Check``: plain data, so it crosses process boundaries."""

    name: str
    status: SubStatus
    points: float
    max_points: float
    message: str = ""
    expected: str | None = None
    seen: str | None = None
    hint: str = ""
    same_cause_as: str | None = None  # the earlier sub-check that failed in exactly this way

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def cause(self) -> tuple[str, str | None, str | None]:
        """What a learner would call "the same mistake": same message, same values."""
        return (self.message, self.expected, self.seen)


@dataclass(frozen=True)
class Result:
    """Everything a learner or a report needs to know about one exercise attempt."""

    exercise_id: str
    title: str
    status: Status
    score: float
    max_score: float
    checks: tuple[SubCheckResult, ...] = field(default_factory=tuple)
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["checks"] = [asdict(c) for c in self.checks]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Result:
        checks = tuple(SubCheckResult(**c) for c in data.get("checks", ()))
        return cls(**{**data, "checks": checks})

    def _repr_html_(self) -> str:
        from depipe_course.feedback import to_html

        return to_html(self)

    def __str__(self) -> str:
        from depipe_course.feedback import to_text

        return to_text(self)

    __repr__ = __str__


def group_causes(subs: tuple[SubCheckResult, ...]) -> tuple[SubCheckResult, ...]:
    """Mark failures that repeat an earlier failure word for word as depending on it.

    One mistake (a wrong query parameter, an exception on the first page) often fails
    several sub-checks identically; the learner should read it once, at the top, and
    see the other sub-checks as waiting on it. Scores are not touched.
    """
    first: dict[tuple[str, str | None, str | None], str] = {}
    grouped = []
    for sub in subs:
        if sub.status == "failed" and sub.message:
            root = first.setdefault(sub.cause, sub.name)
            if root != sub.name:
                sub = replace(sub, same_cause_as=root)
        grouped.append(sub)
    return tuple(grouped)


def summarise(
    exercise_id: str, title: str, subs: tuple[SubCheckResult, ...], message: str = ""
) -> Result:
    """Fold sub-check outcomes into an exercise status and score."""
    subs = group_causes(subs)
    score = round(sum(s.points for s in subs), 2)
    max_score = round(sum(s.max_points for s in subs), 2)
    ran = [s for s in subs if s.status != "not_run"]
    status: Status
    if subs and not ran:
        status, score = "not_run", 0.0
    elif ran and all(s.status == "not_attempted" for s in ran):
        status, score = "not_attempted", 0.0
    elif ran and all(s.passed for s in ran):
        status = "passed"
    elif score > 0:
        status = "partial"
    else:
        status = "failed"
    return Result(exercise_id, title, status, score, max_score, subs, message)


def whole_exercise(exercise: Exercise, status: Status, message: str) -> Result:
    """Zero points on every sub-check, one message for all: the exercise as a whole did not run through
    (not attempted, an error, a timeout, rejected)."""
    sub_status: SubStatus = "not_attempted" if status == "not_attempted" else "failed"
    subs = tuple(SubCheckResult(c.name, sub_status, 0.0, c.points, message, hint=c.hint) for c in exercise.checks)
    return Result(exercise.id, exercise.title, status, 0.0, round(exercise.max_points, 2), subs, message)


def timeout_message(seconds: float) -> str:
    """The same words in the notebook and in the grader's report."""
    return f"stopped after {seconds:g} s without finishing: look for an infinite loop or a very slow step"


def run_checks(exercise: Exercise, objects: Mapping[str, Any]) -> Result:
    """Run every check of ``exercise`` against ``objects`` (the learner's names)."""
    missing = [name for name in exercise.names if name not in objects]
    if missing:
        names = ", ".join(f"`{n}`" for n in missing)
        note = f"{names} not defined: run the exercise cell, then check again."
        subs = tuple(
            SubCheckResult(c.name, "not_attempted", 0.0, c.points, note, hint=c.hint)
            for c in exercise.checks
        )
        return summarise(exercise.id, exercise.title, subs, note)
    with tempfile.TemporaryDirectory(prefix=f"depipe-{exercise.id}-") as scratch:
        subs = tuple(
            _run_one(check, objects, Path(scratch) / f"check{i}")
            for i, check in enumerate(exercise.checks)
        )
    return summarise(exercise.id, exercise.title, subs)


def _run_one(check: Check, objects: Mapping[str, Any], scratch: Path) -> SubCheckResult:
    def outcome(status: SubStatus, message: str = "", hint: str | None = None, **extra: Any) -> SubCheckResult:
        points = check.points if status == "passed" else 0.0
        return SubCheckResult(
            check.name, status, points, check.points, message, hint=check.hint if hint is None else hint, **extra
        )

    try:
        kwargs = _arguments(check.fn, objects, scratch)
        scratch.mkdir(parents=True, exist_ok=True)
        # Learner code that writes relative paths writes into the scratch folder,
        # never into the notebook's folder or the repository.
        with _quiet(), contextlib.chdir(scratch):
            check.fn(**kwargs)
    except NotImplementedError:
        return outcome("not_attempted", "Not attempted yet: the stub still raises NotImplementedError.")
    except NotAttempted as exc:
        return outcome("not_attempted", str(exc) or "Not attempted yet.")
    except NotRun as exc:
        return outcome("not_run", str(exc) or "Not run in this edition of the course.")
    except CheckFailed as exc:
        return outcome("failed", exc.message, exc.hint, expected=exc.expected, seen=exc.seen)
    except Exception as exc:  # learner code may raise anything: report it, never propagate
        return outcome("failed", _describe_exception(exc))
    return outcome("passed")


def _arguments(fn: Callable[..., None], objects: Mapping[str, Any], scratch: Path) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for name in inspect.signature(fn).parameters:
        if name == "tmp_path":
            kwargs[name] = scratch
        else:
            kwargs[name] = objects[name]
    return kwargs


def _is_library(filename: str) -> bool:
    """Frames of installed packages, the standard library and the course's own checks."""
    package_dir = str(Path(__file__).parent)
    return filename.startswith((package_dir, *_LIBRARY_DIRS)) or "site-packages" in filename


_LIBRARY_DIRS = tuple({sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")})


def _describe_exception(exc: BaseException) -> str:
    """Name the exception and the learner's line that raised it, not a library's."""
    # Raised in the learner's process (the judge's checks): the frames it passed through came with it.
    frames = [(f.filename, f.lineno) for f in traceback.extract_tb(exc.__traceback__)]
    frames += list(getattr(exc, "remote_where", ()) or ())
    learner = [line for filename, line in frames if not _is_library(filename)]
    where = f" (line {learner[-1]} of your code)" if learner and learner[-1] else ""
    return f"Your code raised {type(exc).__name__}: {_shorten(str(exc))}{where}"


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Keep the learner's own prints out of the feedback while checks run."""
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        yield


def bind_references(objects: Mapping[str, Any], references: Mapping[str, Any]) -> dict[str, Any]:
    """Make the learner's functions see ``references`` instead of their own versions.

    Grading an exercise in isolation means its calls to *other* exercises' names
    (``process_orders_in_chunks`` calling ``clean_chunk``) reach the reference, so one
    mistake costs once. A function's globals are the notebook namespace; we give a
    copy of each function a namespace in which those names are the reference's.
    """
    if not references:
        return dict(objects)
    bound: dict[str, Any] = {}
    for name, obj in objects.items():
        if isinstance(obj, types.FunctionType):
            namespace = {**obj.__globals__, **references}
            copy = types.FunctionType(
                obj.__code__, namespace, obj.__name__, obj.__defaults__, obj.__closure__
            )
            copy.__kwdefaults__ = obj.__kwdefaults__
            copy.__dict__.update(obj.__dict__)
            copy.__qualname__ = obj.__qualname__
            bound[name] = copy
        else:
            bound[name] = obj
    return bound
