"""The judge: runs an exercise's checks against the learner's objects in another process.

``judge`` is the one place checks run, for ``check()`` in a notebook and for the grader
alike. The learner's names arrive as proxies; the judge's end of the conversation
serves the fake API, AWS and the logs to the worker, mirrors the stage each check
sets (``mirror.Stage``), and holds every observation. No learner code runs here: what
comes back from the worker is data, rebuilt by the codec, or a proxy.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from depipe_course import edition
from depipe_course.checking import Result, run_checks
from depipe_course.judging import services
from depipe_course.judging.channel import Endpoint
from depipe_course.judging.mirror import Stage

if TYPE_CHECKING:
    from depipe_course.exercises import Exercise


class RemoteNamespace(Mapping[str, Any]):
    """The worker's namespace, read name by name (the learner edition's stand-ins)."""

    def __init__(self, namespace: Any, names: tuple[str, ...]) -> None:
        self._namespace = namespace
        self._names = names

    def __getitem__(self, name: str) -> Any:
        try:
            return self._namespace.lookup(name)
        except KeyError:
            raise KeyError(name) from None

    def __contains__(self, name: object) -> bool:
        try:
            self[str(name)]
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


class Judge:
    """The judge's end of one conversation with a worker."""

    def __init__(self, endpoint: Endpoint, learner_pid: int, *, fresh_worker: bool = False) -> None:
        self.endpoint = endpoint
        self.learner_pid = learner_pid  # the process running the learner's code, as /proc here names it
        # A worker forked for this exercise alone (the grader's): its resident memory moves with what
        # the learner's code holds, so the kernel's figures for it are worth comparing (exercises/_memory.py).
        self.fresh_worker = fresh_worker
        self.alarms: list[str] = []
        endpoint.ops.update(services.JUDGE_OPS)
        endpoint.on_notice = self._notice
        self.stage = Stage(endpoint.encoder.encode, (tempfile.gettempdir(),))
        endpoint.stage = self.stage  # type: ignore[attr-defined]
        endpoint.before_request = self.stage.state

    def _notice(self, kind: str, value: Any) -> None:
        if kind == "alarm":
            self.alarms.append(str(value)[:300])
        else:
            services.replay_log(kind, value)

    def check(self, exercise: Exercise, objects: Mapping[str, Any], namespace: Any) -> Result:
        """Run ``exercise``'s checks against ``objects`` (proxies), the worker's ``namespace`` for stand-ins."""
        with _active(self), _no_last_resort(), edition.checking(RemoteNamespace(namespace, _used_names(exercise))):
            return edition.noted(run_checks(exercise, objects), exercise)


@contextlib.contextmanager
def _no_last_resort() -> Iterator[None]:
    """Records replayed from the worker reach the checks' handlers, and are never printed here."""
    import logging

    handler = logging.NullHandler()
    logging.root.addHandler(handler)
    try:
        yield
    finally:
        logging.root.removeHandler(handler)


def _used_names(exercise: Exercise) -> tuple[str, ...]:
    from depipe_course.exercises import get

    return tuple(name for other in exercise.uses for name in get(other).names)


_ACTIVE: list[Judge] = []


@contextlib.contextmanager
def _active(judge: Judge) -> Iterator[None]:
    _ACTIVE.append(judge)
    try:
        yield
    finally:
        _ACTIVE.pop()


def current() -> Judge | None:
    """The judge whose checks are running (``None`` outside a check)."""
    return _ACTIVE[-1] if _ACTIVE else None


def learner_module(name: str) -> Any:
    """Module ``name`` as the learner's code sees it: in the worker, through a proxy.

    Checks that set up state the learner's code reads from a library's module-level
    registry (fsspec's memory filesystem, a logger's configuration) do it here.
    """
    import importlib

    judge = current()
    if judge is None:
        return importlib.import_module(name)
    return judge.endpoint.request("module", name)


def learner_pid() -> int:
    """The pid of the process that runs the learner's code: the worker's, or this one outside the judge."""
    import os

    judge = current()
    return os.getpid() if judge is None else judge.learner_pid


def serve_port(port: int) -> None:
    """Make a loopback fake on ``port`` (started by the check) reachable from the learner's code."""
    judge = current()
    if judge is not None and port not in judge.stage.ports:
        judge.stage.ports.append(port)


def in_worker(value: Any) -> Any:
    """``value`` copied into the learner's process and kept there: pass it to the learner's code, then
    ``fetch`` it to see what that code did to it (the input-mutation checks). Outside the judge, ``value``."""
    judge = current()
    if judge is None:
        return value
    return judge.endpoint.request("keep", value)


def fetch(kept: Any) -> Any:
    """What a value kept in the learner's process (``in_worker``) holds now, as data."""
    from depipe_course.judging.channel import Remote

    if not isinstance(kept, Remote):
        return kept
    return kept._endpoint.request("fetch", kept)
