"""What a check changes around the learner's code, repeated in the worker while it runs.

Checks set the stage in their own process: a fake clock in place of ``time.sleep``, a
fixed ``random.random``, environment variables, a working directory, a fake HTTP API
or AWS. The learner's code runs in the worker, so with each request the judge sends
the stage as it stands (``Stage.state``) and the worker sets it up the same way
(``apply``): a patched function becomes a proxy that calls the judge's, so the sleeps,
clock reads and file renames a check records are recorded where no learner code runs.
Only differences from the judge's starting point cross, never the grader's own
environment.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Callable
from typing import Any

# Functions a check may replace for the learner's code; the worker mirrors each replacement.
PATCHABLE: tuple[tuple[Any, str], ...] = (
    (time, "sleep"), (time, "monotonic"), (time, "time"), (time, "perf_counter"),
    (random, "random"), (random, "uniform"),
    (os, "replace"), (os, "rename"), (os, "fsync"), (os, "fdatasync"),
    (sys, "stdout"), (sys, "stderr"),
)
_FILE_FUNCTIONS = frozenset({"os.replace", "os.rename"})


def _key(module: Any, name: str) -> str:
    return f"{module.__name__}.{name}"


class Stage:
    """The judge's side: what differs from the start, as the state sent with a request."""

    def __init__(self, encode: Callable[[Any], Any], allowed_roots: tuple[str, ...]) -> None:
        self.encode = encode
        self.allowed_roots = tuple(os.path.realpath(r) for r in allowed_roots)
        self.originals = {_key(m, n): getattr(m, n) for m, n in PATCHABLE}
        self.environ = dict(os.environ)
        self.cwd = os.getcwd()
        self.ports: list[int] = []  # loopback fakes (moto's server) the worker must reach
        self._guards: dict[int, Callable[..., Any]] = {}
        self._last: Any = None

    def state(self) -> Any:
        patched = {}
        for module, name in PATCHABLE:
            key = _key(module, name)
            now = getattr(module, name)
            patched[key] = None if now is self.originals[key] else self._guarded(key, now)
        changed = {k: v for k, v in os.environ.items() if self.environ.get(k) != v}
        removed = sorted(k for k in self.environ if k not in os.environ)
        cwd = os.getcwd()
        key = (tuple(id(v) for v in patched.values()), tuple(sorted(changed.items())), tuple(removed), cwd,
               tuple(self.ports))
        if key == self._last:
            return 0
        self._last = key
        return {"p": {k: None if v is None else self.encode(v) for k, v in patched.items()},
                "e": changed, "u": removed, "c": cwd, "t": list(self.ports)}

    def _guarded(self, key: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        """File functions run here on the worker's behalf only inside the check's own folders."""
        if key not in _FILE_FUNCTIONS:
            return fn
        guard = self._guards.get(id(fn))
        if guard is None:
            roots = self.allowed_roots

            def guard(*args: Any, **kwargs: Any) -> Any:
                for path in args[:2]:
                    real = os.path.realpath(os.path.dirname(os.path.abspath(os.fspath(path))))
                    if not any(real == r or real.startswith(r + os.sep) for r in roots):
                        raise PermissionError(f"{key} outside the check's folders is not allowed while grading")
                return fn(*args, **kwargs)

            self._guards[id(fn)] = guard
        return guard


class Applier:
    """The worker's side: set the stage as the judge describes it."""

    def __init__(self, decode: Callable[[Any], Any], open_tunnel: Callable[[int], None] | None = None,
                 serving_here: Callable[[], bool] = lambda: True) -> None:
        self.decode = decode
        self.serving_here = serving_here
        self.open_tunnel = open_tunnel
        self.originals = {_key(m, n): (m, n, getattr(m, n)) for m, n in PATCHABLE}
        self.environ = dict(os.environ)
        self.cwd = _cwd()
        self.tunnels: set[int] = set()
        # The learner's namespaces: a name bound to a patched function (``from time import sleep``)
        # is rebound with it, as if the patch had been made before the cell ran.
        self.namespaces: list[dict[str, Any]] = []
        self._aliases: dict[str, list[tuple[dict[str, Any], str]]] = {}

    def apply(self, state: Any) -> None:
        if not isinstance(state, dict):
            return
        for key, value in (state.get("p") or {}).items():
            if key in self.originals:
                module, name, original = self.originals[key]
                replacement = original if value is None else self._for_serving_thread(self.decode(value), original)
                setattr(module, name, replacement)
                self._rebind_aliases(key, original, replacement)
        wanted = {**self.environ, **{str(k): str(v) for k, v in (state.get("e") or {}).items()}}
        for name in state.get("u") or []:
            wanted.pop(str(name), None)
        if wanted != dict(os.environ):
            tz_before = os.environ.get("TZ")
            os.environ.clear()
            os.environ.update(wanted)
            if os.environ.get("TZ") != tz_before and hasattr(time, "tzset"):
                time.tzset()
        cwd = state.get("c")
        if isinstance(cwd, str) and cwd != _cwd():
            try:
                os.chdir(cwd)
            except OSError:
                pass
        if self.open_tunnel is not None:
            for port in state.get("t") or []:
                if type(port) is int and port not in self.tunnels:
                    self.tunnels.add(port)
                    self.open_tunnel(port)

    def _for_serving_thread(self, patched: Any, original: Any) -> Any:
        """A patched function reaches the judge from the thread serving it; other threads (the learner's own,
        a kernel's) keep the real one, as a check's patch "for the checking thread" means."""
        if not callable(original) or not callable(patched):
            return patched
        serving_here = self.serving_here

        def call(*args: Any, **kwargs: Any) -> Any:
            return patched(*args, **kwargs) if serving_here() else original(*args, **kwargs)

        return call

    def _rebind_aliases(self, key: str, original: Any, replacement: Any) -> None:
        if replacement is original:
            for namespace, name in self._aliases.pop(key, []):
                namespace[name] = original
            return
        if key not in self._aliases:
            self._aliases[key] = [(ns, name) for ns in self.namespaces for name, v in list(ns.items())
                                  if v is original and not name.startswith("__")]
        for namespace, name in self._aliases[key]:
            namespace[name] = replacement

    def restore(self) -> None:
        for key, (module, name, original) in self.originals.items():
            setattr(module, name, original)
            self._rebind_aliases(key, original, original)
        if self.cwd and _cwd() != self.cwd:
            try:
                os.chdir(self.cwd)
            except OSError:
                pass
        if dict(os.environ) != self.environ:
            tz_before = os.environ.get("TZ")
            os.environ.clear()
            os.environ.update(self.environ)
            if os.environ.get("TZ") != tz_before and hasattr(time, "tzset"):
                time.tzset()


def _cwd() -> str:
    try:
        return os.getcwd()
    except OSError:
        return ""
