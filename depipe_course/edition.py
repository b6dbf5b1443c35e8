"""Which edition of the course is running, and what differs in the learner edition.

The instructor's course holds the reference answers (``solutions/``). A *learner
edition*, built by ``depipe release``, holds none; the file ``_edition.json`` next to
this module marks it. Everything that behaves differently between the two goes
through this module, so that a check module reads the same in both:

* ``stand_ins(ex)``: what replaces the exercises ``ex`` uses. The course supplies the
  references (one mistake costs once); the learner edition has none, so the learner's
  own versions stay in place and ``noted`` says so in one line.
* ``stand_in(id, name)``: one object of another exercise that a check computes with
  (10.2 builds payments with 09.3's ``Payment``): the reference in the course, the
  learner's own (from the namespace being checked) in the learner edition.
* ``expected(key, compute)``: a value a check compares against that the reference
  computes. The course computes it at check time; the release computes it once at
  build time and stores it. Record lists go through ``seal`` in both editions, so
  only their digests are stored and the comparison is one code path.
* ``needs_answers(what)`` and ``@instructor_only``: checks that cannot run without
  the answers (mutation grading) report *not run*; the bodies of functions marked
  ``@instructor_only`` are left out of the learner edition by the release build.
* ``own(*names)``: the learner's own versions of earlier exercises, read from their
  saved notebooks, where a notebook needs them (part 10 builds on parts 04, 05, 09).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
import types
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from depipe_course.checking import NotAttempted, NotRun, fail

if TYPE_CHECKING:
    from depipe_course.checking import Result
    from depipe_course.exercises import Exercise

MARKER = Path(__file__).with_name("_edition.json")
LEARNER = "learner"

F = TypeVar("F", bound=Callable[..., Any])

_CHECKED: ContextVar[Mapping[str, Any] | None] = ContextVar("depipe_checked_namespace", default=None)
_RECORDING: ContextVar[dict[str, Any] | None] = ContextVar("depipe_recording", default=None)


class ReferenceUnavailable(RuntimeError):
    """Asked for a reference answer in the learner edition, which has none."""


@cache
def _marker() -> Mapping[str, Any]:
    if not MARKER.is_file():
        return {}
    data = json.loads(MARKER.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def is_learner_edition() -> bool:
    return _marker().get("edition") == LEARNER


def require_reference(what: str) -> None:
    """Raise ``ReferenceUnavailable`` in the learner edition, saying what needed the reference."""
    if is_learner_edition():
        raise ReferenceUnavailable(f"{what} needs the reference solutions, which this learner edition of the "
                                   "course does not contain (they stay with the instructor)")


# ---------------------------------------------------------------- exercises that use others


def stand_ins(exercise: Exercise) -> dict[str, Any]:
    """Objects to bind in place of the exercises ``exercise`` uses (none in the learner edition)."""
    if is_learner_edition():
        return {}
    from depipe_course import reference

    return reference.objects_used_by(exercise)


def stand_in(exercise_id: str, name: str) -> Any:
    """``name`` of exercise ``exercise_id``, for a check to compute with.

    In the learner edition this is the learner's own version, looked up in the
    namespace being checked; when it is not defined there, the check is not attempted.
    """
    from depipe_course.exercises import get

    if not is_learner_edition():
        from depipe_course import reference

        return reference.objects(get(exercise_id))[name]
    namespace = _CHECKED.get() or {}
    if name not in namespace:
        raise NotAttempted(f"Not attempted yet: this check uses your {name} from exercise {exercise_id}, "
                           "which is not defined here. Run the cell that defines it, then check again.")
    return namespace[name]


@contextlib.contextmanager
def checking(namespace: Mapping[str, Any]) -> Iterator[None]:
    """While checks run, ``stand_in`` looks names up in ``namespace`` (the learner edition)."""
    token = _CHECKED.set(namespace)
    try:
        yield
    finally:
        _CHECKED.reset(token)


def uses_note(exercise: Exercise) -> str:
    """One line saying whose versions of the used exercises a learner-edition check ran with."""
    if not exercise.uses or not is_learner_edition():
        return ""
    from depipe_course.exercises import get

    names = ", ".join(f"{name} ({other})" for other in exercise.uses for name in get(other).names)
    return (f"This edition has no reference answers: {exercise.id} ran with your own {names}, "
            "so a mistake there can show here too.")


def noted(result: Result, exercise: Exercise) -> Result:
    """``result`` with the learner edition's notes in its message (unchanged in the course).

    The notes: which sub-checks the instructor grades (said once for all of them), and
    ``uses_note``. Every report shows the message, so the reason travels with the result.
    """
    if not is_learner_edition():
        return result
    withheld = next((sub.message for sub in result.checks if sub.status == "not_run"), "")
    uses = uses_note(exercise) if result.status != "not_run" else ""  # nothing ran: whose versions is moot
    extra = [note for note in (withheld, uses) if note and note not in result.message]
    if not extra:
        return result
    first = result.message  # feedback shows the message in place of the first sub-check's: keep that
    if not first and result.status == "not_attempted" and result.checks:
        first = result.checks[0].message
    return replace(result, message=" ".join(filter(None, (first, *extra))))


# ---------------------------------------------------------------- checks that need the answers


def instructor_only(fn: F) -> F:
    """Mark a function that holds an answer: the release build keeps its signature only.

    In the learner edition its body raises ``NotRun``; checks that call it must say
    so first with ``needs_answers`` so that the learner reads why.
    """
    fn.__instructor_only__ = True  # type: ignore[attr-defined]
    return fn


def needs_answers(what: str) -> None:
    """Raise ``NotRun`` in the learner edition: ``what`` is graded by the instructor only."""
    if is_learner_edition():
        raise NotRun(f"Graded by the instructor: {what}, which this edition of the course does not contain, "
                     "so it is not run here.")


# ---------------------------------------------------------------- precomputed expectations


@dataclass(frozen=True)
class Sealed:
    """Records kept only as digests: enough to compare with, nothing to read an answer from."""

    digests: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.digests)

    def expect_same(self, records: Iterable[Any], what: str, *, hint: str | None = None) -> None:
        """Fail unless ``records`` are these records (in any order), naming one that is not."""
        records = list(records)
        want = Counter(self.digests)
        extra = []
        for record in records:
            key = _digest(record)
            if want[key]:
                want[key] -= 1
            else:
                extra.append(record)
        missing = sum(want.values())
        if extra or missing:
            fail(f"{what}: {len(extra)} unexpected, {missing} missing (compared by digest: the correct "
                 "records themselves are not stored)", expected=f"{len(self)} records",
                 seen=f"{len(records)} records; the first unexpected one: {extra[0]!r}" if extra
                 else f"{len(records)} records", hint=hint)


def _digest(record: Any) -> str:
    return hashlib.sha256(f"depipe-record\x1f{record!r}".encode()).hexdigest()[:24]


def seal(records: Iterable[Any]) -> Sealed:
    """Keep ``records`` as digests of their ``repr`` (tuples of plain values compare reliably)."""
    return Sealed(tuple(sorted(_digest(r) for r in records)))


def _encode(value: Any) -> Any:
    if isinstance(value, Sealed):
        return {"sealed": list(value.digests)}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {"plain": {str(k): _encode(v) for k, v in value.items()}}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"an expected value must be plain data or sealed records, not {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict) and "sealed" in value:
        return Sealed(tuple(value["sealed"]))
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value["plain"].items()}
    return value


# Exercises whose checks compare against values the reference computes at check time
# (``expected``). The release stores those values (``release/manifest.py``); in the course
# the judge computes them from the reference, which it holds.
NEEDS_EXPECTED: tuple[str, ...] = ("06.5",)


def expected(key: str, compute: Callable[[], Any]) -> Any:
    """What a correct solution gives for ``key``: computed here in the course, stored in the release.

    The value always makes a round trip through the stored form (tuples become lists,
    ``Sealed`` stays sealed), so a check sees the same thing in both editions.
    """
    if is_learner_edition():
        stored = _marker().get("expected", {})
        if key not in stored:
            raise NotRun(f"Graded by the instructor: this sub-check compares against data ({key}) that this "
                         "edition of the course does not contain, so it is not run here.")
        return _decode(stored[key])
    encoded = _encode(compute())
    store = _RECORDING.get()
    if store is not None:
        store[key] = encoded
    return _decode(encoded)


@contextlib.contextmanager
def recording() -> Iterator[dict[str, Any]]:
    """Collect every ``expected`` value computed inside (the release build stores them)."""
    store: dict[str, Any] = {}
    token = _RECORDING.set(store)
    try:
        yield store
    finally:
        _RECORDING.reset(token)


# ---------------------------------------------------------------- the learner's own earlier exercises


def with_uses(ids: Iterable[str]) -> list[str]:
    """``ids`` and every exercise they use, transitively, each after the ones it uses."""
    from depipe_course.exercises import get

    order: list[str] = []

    def visit(exercise_id: str) -> None:
        if exercise_id in order:
            return
        for other in get(exercise_id).uses:
            visit(other)
        order.append(exercise_id)

    for exercise_id in ids:
        visit(exercise_id)
    return order


def own(*names: str, notebooks_dir: Path | None = None) -> Any:
    """The learner's own ``names``, from the exercise cells of their saved notebooks.

    Each name's exercise cell (and the cells of the exercises it uses) runs in a fresh
    module, as the grader runs cells; a stub gives back the stub, whose functions raise
    ``NotImplementedError`` until it is written. One name gives the object, several a tuple.
    """
    from depipe_course import exercises, notebooks
    from depipe_course.grading.screen import python_source
    from depipe_course.paths import NOTEBOOKS_DIR

    owner = {name: ex for ex in exercises.all_exercises() for name in ex.names}
    unknown = [n for n in names if n not in owner]
    if unknown:
        raise KeyError(f"no exercise defines {', '.join(unknown)}")
    folder = notebooks_dir or NOTEBOOKS_DIR
    module = types.ModuleType(f"depipe_own_{abs(hash(names))}")
    sys.modules[module.__name__] = module  # pydantic and dataclasses resolve annotations here
    for exercise_id in with_uses(owner[n].id for n in names):
        ex = exercises.get(exercise_id)
        cells = notebooks.exercise_cells(notebooks.read(folder / ex.part.notebook)).get(ex.id, [])
        if not cells:
            raise LookupError(f"{ex.part.notebook} has no cell for exercise {ex.id}")
        code = compile(python_source(notebooks.source(cells[-1])), f"<{ex.part.notebook} exercise {ex.id}>", "exec")
        exec(code, vars(module))
    found = tuple(getattr(module, n) for n in names)
    return found[0] if len(found) == 1 else found
