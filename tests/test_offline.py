"""The test suite itself is offline: only loopback connections are allowed."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import RemoteConnectionRefused


def test_remote_connection_is_refused() -> None:
    """A connection to a public address fails at once, before any packet leaves."""
    with socket.socket() as sock, pytest.raises(RemoteConnectionRefused):
        sock.connect(("93.184.216.34", 80))


def test_loopback_is_allowed() -> None:
    """A server on 127.0.0.1 can still be reached (moto, JupyterLab, PostgreSQL)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.socket() as client:
            client.connect(server.getsockname())
