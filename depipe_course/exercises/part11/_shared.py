"""What part 11's exercises share: calling the learner's code with its log records kept out
of the notebook, catching what it raises (a stub's ``NotImplementedError`` passes on), and
writing a small input file.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from depipe_course.exercises.worker_side.part11 import quiet_root


def _describe(exc: BaseException | None) -> str:
    return "no exception" if exc is None else f"{type(exc).__name__}: {exc}"


def _worker_side() -> Any:
    """``_worker_side`` as the learner's process holds it: part 11's logging, set where its code runs."""
    from depipe_course.judging.judge import learner_module

    return learner_module("depipe_course.exercises.worker_side.part11")


@contextlib.contextmanager
def _silent_logs() -> Iterator[None]:
    """Keep the learner's log records out of the notebook while a check runs (where its code
    runs, and here, where they are replayed under the judge)."""
    with _worker_side().quiet_root(), quiet_root():
        yield


def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` with the learner's log records kept out of the notebook."""
    with _silent_logs():
        return fn(*args, **kwargs)


def _raised(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> BaseException | None:
    """The exception ``fn(*args)`` raised (None if it returned); a stub's is passed on."""
    try:
        with _silent_logs():
            result = fn(*args, **kwargs)
            if isinstance(result, Iterator):  # a generator only runs when consumed
                list(itertools.islice(result, 10_000))
    except NotImplementedError:
        raise
    except Exception as exc:
        return exc
    return None


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
