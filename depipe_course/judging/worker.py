"""The worker: where the learner's code runs, answering the judge's requests and nothing else.

In grading, the worker is a sandboxed process that executes the learner's cell (after
the reference cells of the exercises it uses) and then serves until the judge hangs
up. In a notebook, the kernel is the worker for the length of one ``check()``. Either
way the same things are set up around the learner's code (``serving``): ``requests``,
boto3 and logging report to the judge, and the judge's stage is mirrored.
"""

from __future__ import annotations

import builtins
import contextlib
import sys
import types
from collections.abc import Iterator, Mapping
from typing import Any

from depipe_course.checking import bind_references
from depipe_course.judging import services
from depipe_course.judging.channel import ChannelClosed, Endpoint
from depipe_course.judging.mirror import Applier


@contextlib.contextmanager
def serving(endpoint: Endpoint, *, tunnels: bool = False,
            namespace: dict[str, Any] | None = None) -> Iterator[None]:
    """The learner's outside world routed to the judge while inside (``namespace``: the learner's names)."""
    _import_quietly()
    applier = Applier(endpoint.decoder.decode,
                      (lambda port: services.open_tunnel(endpoint, port)) if tunnels else None,
                      endpoint.serving_here)
    if namespace is not None:
        applier.namespaces.append(namespace)
    endpoint.on_mirror = applier.apply
    endpoint.applier = applier  # type: ignore[attr-defined]
    try:
        with services.forward_http(endpoint), services.forward_aws(endpoint), services.forward_logs(endpoint), \
                root_quiet():
            yield
    finally:
        applier.restore()


@contextlib.contextmanager
def root_quiet(level: int | None = None) -> Iterator[None]:
    """The root logger with only a ``NullHandler`` (and at ``level``, if given) while inside, then as it was.

    Records are still handled (under the judge each is sent to the checks), never printed
    in the notebook or the worker's stderr, nor kept by a handler the learner's process had
    installed; what the learner's code configures inside is undone after. The worker serves
    the judge inside it, and checks quiet the learner's logging with it (worker_side).
    """
    import logging

    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    root.handlers = [logging.NullHandler()]
    if level is not None:
        root.setLevel(level)
    try:
        yield
    finally:
        root.handlers = saved_handlers
        root.setLevel(saved_level)


def _import_quietly() -> None:
    """Import what the forwarding patches, leaving ``warnings.filters`` as it was (libraries add filters)."""
    import warnings

    with warnings.catch_warnings():
        import requests.adapters  # noqa: F401

        try:
            import botocore.endpoint  # noqa: F401
        except ImportError:
            pass


class Namespace:
    """The learner's names, for the judge: the cell's objects, bound to the references it uses."""

    def __init__(self, namespace: dict[str, Any], supplied: Mapping[str, Any]) -> None:
        self.namespace = namespace
        self.supplied = dict(supplied)

    def objects(self, names: list[str]) -> dict[str, Any]:
        found = {name: self.namespace[name] for name in names if name in self.namespace}
        return bind_references(found, self.supplied)

    def lookup(self, name: str) -> Any:
        if name not in self.namespace:
            raise KeyError(name)
        return self.namespace[name]


def load_cells(cells: list[tuple[str, str]], supplied_cells: list[tuple[str, str]]) -> tuple[Namespace, str]:
    """Run the reference cells of the used exercises, then the learner's cells, in a fresh ``__main__``.

    Returns the namespace and '' or the sentence saying why the learner's last cell failed.
    """
    main = types.ModuleType("__main__")
    sys.modules["__main__"] = main
    namespace = vars(main)
    namespace["__builtins__"] = dict(vars(builtins))
    for filename, source in supplied_cells:
        execute_cell(filename, source, namespace)
    supplied_names = {k: v for k, v in namespace.items() if not k.startswith("__")}
    problem = ""
    for filename, source in cells:
        problem = execute_cell(filename, source, namespace)
    return Namespace(namespace, supplied_names), problem


def serve_until_closed(endpoint: Endpoint) -> None:
    try:
        while True:
            endpoint.serve_one()
    except ChannelClosed:
        return


def execute_cell(filename: str, source: str, namespace: dict[str, Any]) -> str:
    """Run a cell; return '' on success, else a sentence saying what went wrong."""
    from depipe_course.grading.screen import python_source

    try:
        code = compile(python_source(source), filename, "exec")
    except SyntaxError as exc:
        return f"syntax error in the exercise cell, line {exc.lineno}: {exc.msg}"
    except (ValueError, OverflowError, RecursionError, MemoryError) as exc:
        return f"the exercise cell cannot be compiled: {type(exc).__name__}"
    try:
        exec(code, namespace)
    except SystemExit as exc:
        return f"the exercise cell called sys.exit({exc.code!r}); remove it"
    except MemoryError:
        return "the exercise cell ran out of memory (it hit the grader's memory limit)"
    except RecursionError:
        return "the exercise cell recursed too deeply (RecursionError)"
    except BaseException as exc:  # noqa: BLE001 - learner code may raise anything
        return f"running the exercise cell raised {type(exc).__name__}: {_shorten(str(exc))}"
    return ""


def _shorten(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _load(endpoint: Endpoint, cells: list[Any], supplied_cells: list[Any], names: list[str],
          exercise_id: str) -> dict[str, Any]:
    namespace, problem = load_cells([(str(f), str(s)) for f, s in cells],
                                    [(str(f), str(s)) for f, s in supplied_cells])
    applier = getattr(endpoint, "applier", None)
    if applier is not None:
        applier.namespaces.append(namespace.namespace)
    if problem:
        return {"problem": problem, "objects": {}, "namespace": namespace}
    return {"problem": "", "objects": namespace.objects([str(n) for n in names]), "namespace": namespace}


def _module(endpoint: Endpoint, name: str) -> Any:
    import importlib

    return importlib.import_module(str(name))


def _describe(endpoint: Endpoint, obj: Any) -> dict[str, Any]:
    """What the judge may ask about one of the learner's objects: its class ancestry, an enum's members."""
    import enum

    cls = obj if isinstance(obj, type) else type(obj)
    members = {m.name: m.value for m in obj} if isinstance(obj, type) and issubclass(obj, enum.Enum) else {}
    return {"mro": [f"{c.__module__}.{c.__qualname__}" for c in cls.__mro__], "members": members}


def _isinstance(endpoint: Endpoint, value: Any, cls: Any) -> bool:
    return isinstance(cls, type | tuple) and isinstance(value, cls)


def _keep(endpoint: Endpoint, value: Any) -> Any:
    from depipe_course.judging.codec import ByHandle

    return ByHandle(value)


WORKER_OPS: dict[str, Any] = {
    "ping": lambda ep: None, "load": _load, "module": _module, "describe": _describe, "isinstance": _isinstance,
    "keep": _keep, "fetch": lambda ep, obj: obj,
}
