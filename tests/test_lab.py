"""The lab command serves the workbook: a notebook is fetched and run through its kernel."""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import websocket

NOTEBOOK = "02_file_io_at_scale.ipynb"
_URL = re.compile(r"http://127\.0\.0\.1:(\d+)/lab")


@pytest.fixture(scope="module")
def lab() -> Iterator[tuple[str, str]]:
    """``depipe lab`` as the README starts it, on a free loopback port, no browser."""
    token = secrets.token_hex(16)
    depipe = Path(sys.executable).with_name("depipe")
    proc = subprocess.Popen(
        [str(depipe), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", "--ServerApp.port=0",
         f"--IdentityProvider.token={token}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        base = _wait_for_url(proc, deadline=time.monotonic() + 90)
        # Keep reading the server's log so it never blocks on a full pipe.
        threading.Thread(target=proc.stderr.read, daemon=True).start()  # type: ignore[union-attr]
        _wait_until_serving(base, token, deadline=time.monotonic() + 30)
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        assert proc.stderr is not None
        proc.stderr.close()


def _wait_until_serving(base: str, token: str, deadline: float) -> None:
    while True:
        try:
            requests.get(f"{base}/api/status", headers={"Authorization": f"token {token}"}, timeout=5)
            return
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _wait_for_url(proc: subprocess.Popen[str], deadline: float) -> str:
    assert proc.stderr is not None
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            raise RuntimeError(f"depipe lab exited with {proc.returncode} before serving")
        if match := _URL.search(line):
            return f"http://127.0.0.1:{match.group(1)}"
    raise TimeoutError("depipe lab did not print its URL within 90 s")


def _message(code: str, session: str) -> dict[str, object]:
    return {
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": "execute_request", "username": "test",
                   "session": session, "date": "", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell",
        "content": {"code": code, "silent": False, "store_history": True,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }


def _run_cell(ws: websocket.WebSocket, code: str, session: str) -> dict[str, object]:
    request = _message(code, session)
    ws.send(json.dumps(request))
    msg_id = request["header"]["msg_id"]  # type: ignore[index]
    while True:
        reply = json.loads(ws.recv())
        if reply.get("parent_header", {}).get("msg_id") == msg_id and reply["msg_type"] == "execute_reply":
            return reply["content"]


def test_lab_serves_and_runs_notebook_02(lab: tuple[str, str]) -> None:
    """The contents API returns notebook 02 and every code cell runs without an error."""
    base, token = lab
    auth = {"Authorization": f"token {token}"}
    got = requests.get(f"{base}/api/contents/{NOTEBOOK}", headers=auth, params={"content": 1}, timeout=30)
    assert got.status_code == 200, got.text
    cells = [c for c in got.json()["content"]["cells"] if c["cell_type"] == "code"]
    assert cells
    kernel = requests.post(f"{base}/api/kernels", headers=auth, json={"name": "python3"}, timeout=30).json()
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{base.rsplit(':', 1)[1]}/api/kernels/{kernel['id']}/channels?token={token}",
        timeout=300,
    )
    session = uuid.uuid4().hex
    try:
        for index, cell in enumerate(cells):
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            content = _run_cell(ws, source, session)
            error = f"{content.get('ename')}: {content.get('evalue')}"
            assert content["status"] == "ok", f"code cell {index} failed: {error}"
    finally:
        ws.close()
        requests.delete(f"{base}/api/kernels/{kernel['id']}", headers=auth, timeout=30)
