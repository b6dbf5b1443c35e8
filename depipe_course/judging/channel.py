"""Requests between the judge and the worker, and the proxies that make them.

Each side holds an ``Endpoint`` on one connection. Sending a value that is not data
registers it with the sender and sends a handle; the receiver gets a ``Remote`` proxy
whose calls, attribute reads, iteration and context-manager use are requests back to
the owner. Whoever is waiting for a reply serves the requests that arrive meanwhile,
so calls can nest both ways (the judge calls the learner's ``TokenCache.get``, which
calls the judge's clock) on one connection. Threads of the learner's code may call too:
each message is filed with the request it answers or was made while serving.

The two sides are not equal. The worker serves any use of its objects: they are the
learner's. The judge serves only what a program given the object could do anyway:
call it, read its public attributes, iterate it, enter it; never read a private or
special attribute (no ``__globals__``, no ``_state``) and never set one. Objects of the
course's fakes that are meant to be called (a fake clock) can only be called.
"""

from __future__ import annotations

import collections
import itertools
import multiprocessing.connection
import threading
from collections.abc import Callable
from typing import Any

from depipe_course.judging.codec import CodecError, Decoder, Encoder, dumps, loads

Op = Callable[..., Any]


class ChannelClosed(BaseException):
    """The other side went away (a BaseException: learner code cannot swallow it)."""


class ProtocolBroken(ChannelClosed):
    """The other side sent what this conversation never sends (a forged or garbled message)."""


class Refusal(PermissionError):
    """A request the judge does not serve."""


def kind_of(obj: Any) -> str:
    import inspect

    if inspect.isgenerator(obj):
        return "generator"
    if inspect.isclass(obj):
        return "class"
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return "generator function" if inspect.isgeneratorfunction(obj) else "function"
    if inspect.ismethod(obj):
        return "generator function" if inspect.isgeneratorfunction(obj) else "method"
    if inspect.ismodule(obj):
        return "module"
    if hasattr(obj, "__next__") and hasattr(obj, "__iter__"):
        return "iterator"
    return "callable" if callable(obj) else "object"


def describe(obj: Any) -> str:
    kind = type(obj)
    name = getattr(obj, "__qualname__", None) if isinstance(obj, type) or callable(obj) else None
    return str(name if isinstance(name, str) else f"{kind.__qualname__} object")[:200]


_READABLE_SPECIALS = frozenset({"__name__", "__qualname__", "__wrapped__", "__module__", "__defaults__",
                                "__kwdefaults__", "__annotations__", "__type_params__"})
# What functools.wraps copies: the judge answers these about its functions, and no other special name.
_METADATA = frozenset({"__name__", "__qualname__", "__doc__", "__module__", "__annotations__", "__type_params__"})


class Remote:
    # An object living on the other side; every use is a request to it.

    __slots__ = ("_endpoint", "_id", "remote_kind", "remote_name", "__weakref__")

    def __init__(self, endpoint: Endpoint, ident: int, kind: str, name: str) -> None:
        object.__setattr__(self, "_endpoint", endpoint)
        object.__setattr__(self, "_id", ident)
        object.__setattr__(self, "remote_kind", kind)
        object.__setattr__(self, "remote_name", name)

    def _ask(self, op: str, *args: Any) -> Any:
        return self._endpoint.request(op, self, *args)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._ask("call", list(args), kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__") and name not in _READABLE_SPECIALS:
            raise AttributeError(name)  # Python's own probes (__length_hint__, __array__) stay here
        return self._ask("getattr", name)

    @property
    def __doc__(self) -> Any:  # type: ignore[override]
        return self._ask("getattr", "__doc__")

    @property
    def __signature__(self) -> Any:
        import inspect

        parameters = [inspect.Parameter(name, inspect._ParameterKind(kind),
                                        default=default if has_default else inspect.Parameter.empty)
                      for name, kind, has_default, default in self._ask("signature")]
        return inspect.Signature(parameters)

    def __setattr__(self, name: str, value: Any) -> None:
        self._ask("setattr", name, value)

    def __iter__(self) -> Any:
        return self._ask("iter")

    def __next__(self) -> Any:
        return self._ask("next")

    def __len__(self) -> int:
        return int(self._ask("len"))

    def __getitem__(self, key: Any) -> Any:
        return self._ask("getitem", key)

    def __contains__(self, item: Any) -> bool:
        return bool(self._ask("contains", item))

    def __enter__(self) -> Any:
        return self._ask("enter")

    def __exit__(self, *exc_info: Any) -> Any:
        return self._ask("exit", exc_info[1])

    def send(self, value: Any) -> Any:
        return self._ask("gen_send", value)

    def close(self) -> Any:
        return self._ask("getattr", "close")() if self.remote_kind != "generator" else self._ask("gen_close")

    def __bool__(self) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return f"<{self.remote_kind} {self.remote_name}>"

    def __fspath__(self) -> str:
        value = self._ask("fspath")
        if type(value) is not str:
            raise TypeError("not a path")
        return value


class Endpoint:
    """One side of the conversation: its objects, its proxies, and the request loop."""

    def __init__(self, conn: multiprocessing.connection.Connection, *, trusting: bool,
                 ops: dict[str, Op] | None = None) -> None:
        """``trusting``: this side serves every use of its objects (the worker); the judge is not."""
        self.conn = conn
        self.trusting = trusting
        self.ops: dict[str, Op] = {**_OBJECT_OPS, **(ops or {})}
        self.before_request: Callable[[], Any] = lambda: None  # judge: the state mirrored with each request
        self.on_mirror: Callable[[Any], None] = lambda state: None  # worker: apply that state
        self.on_notice: Callable[[str, Any], None] = lambda kind, value: None
        self._objects: dict[int, Any] = {}
        self._ids: dict[int, int] = {}
        self._proxies: dict[int, Remote] = {}
        self._next = itertools.count(1)
        self._requests = itertools.count(1)
        self._send_lock = threading.Lock()
        self._cond = threading.Condition()
        self._boxes: dict[int | None, collections.deque[dict[str, Any]]] = {None: collections.deque()}
        self._waiting: list[int] = []
        self._reading = False
        self._local = threading.local()
        # Exceptions that end the conversation on this side rather than being answered (a time limit).
        self.fatal: tuple[type[BaseException], ...] = ()
        self.encoder = Encoder(self._handle)
        self.decoder = Decoder(self._resolve, trusted_exceptions=not trusting)
        self.closed = False

    # ------------------------------------------------------------------ handles

    def _handle(self, obj: Any) -> list[Any]:
        if isinstance(obj, Remote):
            if obj._endpoint is not self:
                raise CodecError("a proxy of another conversation")
            return ["H", "r", obj._id]
        key = id(obj)
        ident = self._ids.get(key)
        if ident is None or self._objects.get(ident) is not obj:
            ident = next(self._next)
            self._objects[ident] = obj
            self._ids[key] = ident
        return ["H", "s", ident, kind_of(obj), describe(obj)]

    def _resolve(self, rest: list[Any]) -> Any:
        owner, ident = rest[0], rest[1]
        if type(ident) is not int:
            raise CodecError("a handle without a number")
        if owner == "r":
            if ident not in self._objects:
                raise CodecError("a handle to nothing this side gave out")
            return self._objects[ident]
        if owner != "s":
            raise CodecError("a handle of no side")
        proxy = self._proxies.get(ident)
        if proxy is None:
            proxy = Remote(self, ident, str(rest[2])[:40], str(rest[3])[:200])
            self._proxies[ident] = proxy
        return proxy

    def forget_handles(self) -> None:
        """Let go of every object handed out and every proxy held (between two conversations' worth)."""
        with self._cond:
            self._objects.clear()
            self._ids.clear()
            self._proxies.clear()

    def serving_here(self) -> bool:
        """Whether this thread is serving a request of the other side right now."""
        return bool(self._serving())

    # ------------------------------------------------------------------ the loop

    def _send(self, message: dict[str, Any]) -> None:
        data = dumps(message)
        try:
            with self._send_lock:
                self.conn.send_bytes(data)
        except (OSError, ValueError) as exc:
            self.closed = True
            raise ChannelClosed(f"the other side is gone ({exc})") from None

    def _recv(self) -> dict[str, Any]:
        try:
            raw = self.conn.recv_bytes()
        except (EOFError, OSError) as exc:
            self.closed = True
            raise ChannelClosed("the other side is gone") from exc
        message = loads(raw)
        if not isinstance(message, dict) or message.get("k") not in ("q", "r", "x", "n"):
            raise CodecError("not a message of this conversation")
        return message

    def request(self, op: str, *args: Any) -> Any:
        """Ask the other side to do ``op``; serve its requests until the answer comes."""
        try:
            return self._request(op, *args)
        except CodecError as exc:
            self.closed = True
            raise ProtocolBroken(str(exc)) from None

    def _request(self, op: str, *args: Any) -> Any:
        ident = next(self._requests)
        serving = self._serving()
        with self._cond:
            self._boxes[ident] = collections.deque()
            self._waiting.append(ident)
        try:
            self._send({"k": "q", "i": ident, "p": serving[-1] if serving else None, "op": op,
                        "a": [self.encoder.encode(a) for a in args], "m": self.before_request()})
            while True:
                message = self._next_for(ident)
                if message["k"] == "q":
                    self._serve(message)
                    continue
                if message["k"] == "r":
                    return self.decoder.decode(message.get("v"))
                error = self.decoder.decode(message.get("e"))
                if not isinstance(error, BaseException):
                    raise CodecError("an error that is not an exception")
                raise error
        finally:
            with self._cond:
                self._boxes.pop(ident, None)
                self._waiting.remove(ident)

    def notify(self, kind: str, value: Any) -> None:
        self._send({"k": "n", "op": kind, "a": [self.encoder.encode(value)]})

    def serve_one(self) -> None:
        """Serve the next request that belongs to no waiting request (the worker's top level)."""
        try:
            message = self._next_for(None)
        except CodecError as exc:
            self.closed = True
            raise ProtocolBroken(str(exc)) from None
        self._serve(message)

    def _serving(self) -> list[Any]:
        stack = getattr(self._local, "serving", None)
        if stack is None:
            stack = self._local.serving = []
        return stack

    def _next_for(self, key: int | None) -> dict[str, Any]:
        """The next message for the waiter ``key`` (a request of this side, or None for the top level).

        One thread reads at a time and files each message where it belongs: an answer with the request
        it answers, a request with the request of this side it was made while serving (the other side
        calling back), or, from a side that serves one thing at a time, with the innermost waiter.
        """
        while True:
            with self._cond:
                while True:
                    box = self._boxes.get(key)
                    if box:
                        return box.popleft()
                    if self.closed:
                        raise ChannelClosed("the other side is gone")
                    if not self._reading:
                        self._reading = True
                        break
                    self._cond.wait()
            try:
                message = self._recv()
            except BaseException:
                with self._cond:
                    self._reading = False
                    self._cond.notify_all()
                raise
            with self._cond:
                self._reading = False
                self._file(message)
                self._cond.notify_all()

    def _file(self, message: dict[str, Any]) -> None:
        kind = message["k"]
        if kind == "n":
            self._notice(message)
            return
        if kind in ("r", "x"):
            box = self._boxes.get(message.get("i")) if type(message.get("i")) is int else None
            if box is None:
                raise CodecError("an answer to a question not asked")
            box.append(message)
            return
        parent = message.get("p")
        if self.trusting:
            target = parent if parent in self._boxes else None
        else:  # the worker may call from any of its threads: the judge serves inside its innermost wait
            target = self._waiting[-1] if self._waiting else None
        self._boxes.setdefault(target, collections.deque()).append(message)

    def _notice(self, message: dict[str, Any]) -> None:
        args = message.get("a") or [None]
        self.on_notice(str(message.get("op")), self.decoder.decode(args[0]))

    def _serve(self, message: dict[str, Any]) -> None:
        ident = message.get("i")
        serving = self._serving()
        serving.append(ident)
        try:
            self.on_mirror(message.get("m"))
            op = self.ops.get(str(message.get("op")))
            if op is None:
                raise Refusal(f"no such request: {message.get('op')!r}")
            args = [self.decoder.decode(a) for a in message.get("a") or []]
            value = op(self, *args)
            reply = {"k": "r", "i": ident, "v": self.encoder.encode(value)}
        except (ChannelClosed, *self.fatal):
            raise
        except BaseException as exc:  # noqa: BLE001 - whatever happened is the answer
            if isinstance(exc, (KeyboardInterrupt, SystemExit)) and not self.trusting:
                raise
            reply = {"k": "x", "i": ident, "e": self.encoder.exception(exc)}
        finally:
            serving.pop()
        self._send(reply)

    # ------------------------------------------------------------------ what may be done to an object

    def allowed(self, obj: Any, op: str, name: str = "") -> None:
        """Refuse the judge's objects what a program given them could not do (see the module docstring)."""
        if self.trusting:
            return
        if op == "setattr" or (op == "getattr" and name.startswith("_") and name not in _METADATA):
            raise Refusal(f"the grader's objects do not allow {op} {name!r}")
        if op != "call" and _call_only(obj):
            raise Refusal(f"this object of the grader can only be called ({type(obj).__name__})")


def _call_only(obj: Any) -> bool:
    module = type(obj).__module__
    return callable(obj) and module.startswith("depipe_course") and not isinstance(obj, type) \
        and type(obj).__name__ not in ("function", "method")


def _target(endpoint: Endpoint, obj: Any, op: str, name: str = "") -> Any:
    if isinstance(obj, Remote):
        raise Refusal("a request about the asker's own object")
    endpoint.allowed(obj, op, name)
    return obj


def _call(ep: Endpoint, obj: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if type(kwargs) is not dict or not all(type(k) is str for k in kwargs):
        raise Refusal("keyword arguments must be named by strings")
    return _target(ep, obj, "call")(*args, **kwargs)


def _getattr(ep: Endpoint, obj: Any, name: str) -> Any:
    if type(name) is not str:
        raise Refusal("an attribute name must be a str")
    return getattr(_target(ep, obj, "getattr", name), name)


def _setattr(ep: Endpoint, obj: Any, name: str, value: Any) -> None:
    setattr(_target(ep, obj, "setattr", name), name, value)


def _exit(ep: Endpoint, obj: Any, exc: Any) -> Any:
    target = _target(ep, obj, "exit")
    if isinstance(exc, BaseException):
        return target.__exit__(type(exc), exc, exc.__traceback__)
    return target.__exit__(None, None, None)


def _fspath(ep: Endpoint, obj: Any) -> Any:
    import os

    return os.fspath(_target(ep, obj, "fspath"))


def _signature(ep: Endpoint, obj: Any) -> list[list[Any]]:
    import inspect

    signature = inspect.signature(_target(ep, obj, "signature"))
    return [[p.name, int(p.kind), p.default is not p.empty, None if p.default is p.empty else p.default]
            for p in signature.parameters.values()]


def _gen_close(ep: Endpoint, obj: Any) -> None:
    _target(ep, obj, "close").close()


_OBJECT_OPS: dict[str, Op] = {
    "call": _call,
    "getattr": _getattr,
    "setattr": _setattr,
    "iter": lambda ep, obj: iter(_target(ep, obj, "iter")),
    "next": lambda ep, obj: next(_target(ep, obj, "next")),
    "len": lambda ep, obj: len(_target(ep, obj, "len")),
    "getitem": lambda ep, obj, key: _target(ep, obj, "getitem")[key],
    "contains": lambda ep, obj, item: item in _target(ep, obj, "contains"),
    "enter": lambda ep, obj: _target(ep, obj, "enter").__enter__(),
    "exit": _exit,
    "fspath": _fspath,
    "gen_send": lambda ep, obj, value: _target(ep, obj, "send").send(value),
    "gen_close": _gen_close,
    "signature": _signature,
}
