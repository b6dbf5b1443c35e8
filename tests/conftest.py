"""Test-wide set-up: a throw-away progress folder, and no network but loopback."""

from __future__ import annotations

import ipaddress
import os
import socket
import tempfile
from typing import Any

# Before anything imports depipe_course: progress written by check() goes to a
# scratch folder, never to the developer's home. Kernels started by nbval inherit it.
os.environ.setdefault("DEPIPE_STATE_DIR", tempfile.mkdtemp(prefix="depipe-test-state-"))
os.environ.setdefault("PYTHONHASHSEED", "0")
os.environ.setdefault("DEPIPE_NBVAL", "1")


class RemoteConnectionRefused(OSError):
    """A test tried to reach a host other than this machine: fakes only, please."""


def _is_loopback(address: Any) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if not isinstance(host, str):
        return True  # AF_UNIX paths and the like never leave the machine
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name: resolving it is already a network request


def _guard(method: Any) -> Any:
    def connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise RemoteConnectionRefused(f"tests may only connect to loopback, not {address!r}")
        return method(self, address)

    return connect


# Every test process (xdist workers included) refuses connections beyond loopback, so a
# test that forgot its fake fails loudly instead of quietly using the network.
socket.socket.connect = _guard(socket.socket.connect)  # type: ignore[method-assign]
socket.socket.connect_ex = _guard(socket.socket.connect_ex)  # type: ignore[method-assign]
