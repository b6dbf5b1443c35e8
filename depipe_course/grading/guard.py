"""An audit hook in the child: refuse the network when no namespace does, and raise the
alarm the moment learner code reaches for the reference or for raw memory.

Audit hooks (PEP 578) cannot be removed from Python code, and the alarm is sent to the
parent at once, so code that later covers its tracks is still caught. What they see is
limited to audited events: this is a tripwire, not a wall (see docs/grading.md).
"""

from __future__ import annotations

import codecs
import ctypes
import importlib
import ipaddress
import linecache
import os
import pathlib
import pkgutil
import runpy
import sys
import tokenize
from collections.abc import Callable
from types import FrameType
from typing import Any

_CTYPES_EVENTS = frozenset({"ctypes.dlopen", "ctypes.dlsym", "ctypes.dlsym/handle", "ctypes.cdata",
                            "ctypes.string_at", "ctypes.wstring_at", "ctypes.call_function"})
_NET_EVENTS = frozenset({"socket.connect", "socket.sendto", "socket.sendmsg"})
_DNS_EVENTS = frozenset({"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
                         "socket.gethostbyaddr", "socket.getnameinfo"})
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "", None})
# Library frames that only pass a request through: the frame below them decides who asked.
_TRANSPARENT = frozenset(str(m.__file__) for m in (codecs, ctypes, importlib, linecache, pathlib, pkgutil,
                                                   runpy, tokenize))


class NetworkRefused(PermissionError):
    """Raised where learner code tries to reach a non-loopback address while graded."""


def _is_loopback(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


class Guard:
    """The audit hook; ``alarm(reason)`` is called once per distinct reason."""

    def __init__(self, learner_file: str, solutions_dir: str, scratch: str, *, network_guard: bool,
                 alarm: Callable[[str], None]) -> None:
        self.learner_file = learner_file
        self.solutions_dir = os.path.realpath(solutions_dir) + os.sep
        self.scratch = os.path.realpath(scratch) + os.sep
        self.network_guard = network_guard
        self._alarm = alarm
        self._raised: set[str] = set()
        self._busy = False

    def install(self) -> None:
        sys.addaudithook(self)

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if self._busy:
            return
        if self.network_guard and (event in _NET_EVENTS or event in _DNS_EVENTS):
            self._refuse_network(event, args)
        elif event == "import" and isinstance(args[0], str):
            name = args[0]
            if (name == "solutions" or name.startswith("solutions.")) and self._learner_asked():
                self._raise_alarm(f"your code imported the reference ({name})")
        elif event == "open" and isinstance(args[0], str | bytes):
            path = os.fsdecode(args[0])
            if path.startswith(self.solutions_dir) or os.path.realpath(path).startswith(self.solutions_dir):
                if self._learner_asked():
                    self._raise_alarm("your code read the reference solutions from disk")
        elif event in _CTYPES_EVENTS and self._learner_asked():
            self._raise_alarm(f"your code used ctypes ({event}), which can rewrite the grader's memory")

    def _refuse_network(self, event: str, args: tuple[Any, ...]) -> None:
        if event in _DNS_EVENTS:
            host = args[0]
        elif event == "socket.connect" or event == "socket.sendto":
            address = args[1]
            if isinstance(address, str | bytes):  # AF_UNIX: only sockets in the scratch folder
                path = os.fsdecode(address)
                if path and os.path.realpath(path).startswith(self.scratch):
                    return
                raise NetworkRefused(f"unix socket {path!r} is out of reach while grading")
            host = address[0] if isinstance(address, tuple) and address else None
        else:
            return  # sendmsg: the connect before it was checked
        if not _is_loopback(host):
            raise NetworkRefused(f"network access to {host!r} is disabled while grading; "
                                 "use the injected fakes (loopback addresses work)")

    def _learner_asked(self) -> bool:
        """Whether the nearest frame that is not import or file plumbing is learner code.

        The grader's own code imports the reference (checks compare against it, and a
        ``check()`` call inside a cell reaches it too): that must not count.
        """
        frame: FrameType | None = sys._getframe(2)
        while frame is not None:
            name = frame.f_code.co_filename
            if not (name.startswith("<frozen") or name in _TRANSPARENT):
                return name == self.learner_file or name.startswith("<")
            frame = frame.f_back
        return False

    def _raise_alarm(self, reason: str) -> None:
        if reason in self._raised:
            return
        self._raised.add(reason)
        self._busy = True
        try:
            self._alarm(reason)
        finally:
            self._busy = False
