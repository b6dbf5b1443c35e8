"""The outside world of the learner's code, served by the judge.

In the worker, ``requests`` sends every request to the judge (``forward_http``), boto3
every AWS call (``forward_aws``), and every log record is reported as it is handled
(``forward_logs``). The judge answers from the fakes its checks started (``serve_http``,
``serve_aws``), so the fake API's request log, moto's buckets and the captured logs
are all on the judge's side. With no fake active the judge answers as a machine
without network would.
"""

from __future__ import annotations

import contextlib
import io
import logging
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from depipe_course.judging.channel import Endpoint

_STANDARD_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


# ------------------------------------------------------------------------------ worker side


def _body(body: Any) -> bytes | None:
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return b"".join(part.encode("utf-8") if isinstance(part, str) else bytes(part) for part in body)


@contextlib.contextmanager
def forward_http(endpoint: Endpoint) -> Iterator[None]:
    """Send every ``requests`` request to the judge while inside."""
    import requests.adapters

    original = requests.adapters.HTTPAdapter.send

    def send(self: Any, request: Any, stream: bool = False, timeout: Any = None, verify: Any = True,
             cert: Any = None, proxies: Any = None) -> Any:
        if timeout is not None and not isinstance(timeout, (int, float, tuple)):
            timeout = repr(timeout)
        response = endpoint.request("http", request.method, request.url, dict(request.headers),
                                    _body(request.body), timeout)
        response.request = request
        response.connection = self
        response._content_consumed = True
        return response

    requests.adapters.HTTPAdapter.send = send  # type: ignore[method-assign]
    try:
        yield
    finally:
        requests.adapters.HTTPAdapter.send = original  # type: ignore[method-assign]


def _is_loopback(url: str) -> bool:
    import ipaddress
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Raw(io.BytesIO):
    """What botocore reads an answer's body from."""

    def stream(self, chunk_size: int = 1024, **_: Any) -> Iterator[bytes]:
        while chunk := self.read(chunk_size):
            yield chunk


@contextlib.contextmanager
def forward_aws(endpoint: Endpoint) -> Iterator[None]:
    """Send every boto3 call to the judge's moto while inside, whichever session made the client."""
    try:
        import botocore.endpoint
        from botocore.awsrequest import AWSResponse
    except ImportError:
        yield
        return
    original = botocore.endpoint.Endpoint._send

    def send(self: Any, request: Any) -> Any:
        if _is_loopback(request.url):  # a fake server the check started: reached like any loopback fake
            return original(self, request)
        status, headers, body = endpoint.request("aws", request.method, request.url, dict(request.headers),
                                                 _body(request.body))
        return AWSResponse(request.url, status, headers, _Raw(body))

    botocore.endpoint.Endpoint._send = send  # type: ignore[method-assign]
    try:
        yield
    finally:
        botocore.endpoint.Endpoint._send = original  # type: ignore[method-assign]


@contextlib.contextmanager
def forward_logs(endpoint: Endpoint) -> Iterator[None]:
    """Report every record a logger handles to the judge, as data (message already formatted)."""
    original = logging.Logger.callHandlers

    def call_handlers(self: logging.Logger, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            endpoint.notify("log", _record_data(record))
        original(self, record)

    logging.Logger.callHandlers = call_handlers  # type: ignore[method-assign]
    # The judge's handlers have the records: none is printed here as a last resort.
    last_resort, warned = logging.lastResort, logging.root.manager.emittedNoHandlerWarning
    logging.lastResort, logging.root.manager.emittedNoHandlerWarning = None, True  # type: ignore[assignment]
    try:
        yield
    finally:
        logging.Logger.callHandlers = original  # type: ignore[method-assign]
        logging.lastResort, logging.root.manager.emittedNoHandlerWarning = last_resort, warned


def _record_data(record: logging.LogRecord) -> dict[str, Any]:
    try:
        message = record.getMessage()
    except Exception as exc:  # noqa: BLE001 - a bad format string is the learner's to see
        message = f"<unformattable log message: {type(exc).__name__}>"
    extra = {k: v for k, v in vars(record).items() if k not in _STANDARD_RECORD_FIELDS and not k.startswith("_")}
    exc_text = None
    if record.exc_info and record.exc_info[1] is not None:
        exc_text = logging.Formatter().formatException(record.exc_info)
    return {"name": record.name, "levelno": record.levelno, "levelname": record.levelname, "msg": message,
            "created": record.created, "funcName": record.funcName, "lineno": record.lineno,
            "pathname": record.pathname, "exc_text": exc_text,
            "exc": record.exc_info[1] if record.exc_info and record.exc_info[1] is not None else None,
            "extra": extra}


def open_tunnel(endpoint: Endpoint, port: int) -> None:
    """Listen on 127.0.0.1:``port`` here and pass each HTTP request to the judge's fake on that port."""
    import http.server

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, headers, data = endpoint.request("tunnel", port, self.command, self.path,
                                                     dict(self.headers), body)
            self.send_response(int(status))
            length = str(len(data))
            for name, value in headers.items():
                if name.lower() == "content-length" and self.command == "HEAD":
                    length = str(value)  # a HEAD answer has no body but says how long the object is
                elif name.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(name, value)
            self.send_header("Content-Length", length)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = _forward

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()


# ------------------------------------------------------------------------------ judge side


def _fakes_active() -> bool:
    import requests.adapters

    return requests.adapters.HTTPAdapter.send is not _REAL_SEND


def _original_send() -> Callable[..., Any]:
    import requests.adapters

    return requests.adapters.HTTPAdapter.send


_REAL_SEND = _original_send()  # before any fake patched it: with it in place, no fake is active


def serve_http(endpoint: Endpoint, method: str, url: str, headers: dict[str, str], body: bytes | None,
               timeout: Any) -> Any:
    import requests
    import requests.adapters
    from requests.hooks import default_hooks
    from requests.structures import CaseInsensitiveDict

    if not _fakes_active():
        raise requests.ConnectionError(f"no network while checking: {url} is not one of the course's fakes")
    prepared = requests.PreparedRequest()
    prepared.method = str(method)
    prepared.url = str(url)
    prepared.headers = CaseInsensitiveDict({str(k): str(v) for k, v in headers.items()})
    prepared.body = body
    prepared.hooks = default_hooks()
    response = requests.adapters.HTTPAdapter().send(prepared, timeout=timeout)
    _ = response.content
    return response


def serve_aws(endpoint: Endpoint, method: str, url: str, headers: dict[str, str], body: bytes | None) -> Any:
    from botocore.awsrequest import AWSPreparedRequest
    from botocore.exceptions import EndpointConnectionError

    try:
        from moto.core.models import botocore_stubber
    except ImportError:
        botocore_stubber = None
    if botocore_stubber is None or not getattr(botocore_stubber, "enabled", False):
        raise EndpointConnectionError(endpoint_url=url)
    request = AWSPreparedRequest(method, url, headers, body, stream_output=False)
    response = botocore_stubber("before-send", request)
    if response is None:
        raise EndpointConnectionError(endpoint_url=url)
    return [response.status_code, {str(k): str(v) for k, v in response.headers.items()}, response.content]


def serve_tunnel(endpoint: Endpoint, port: int, method: str, path: str, headers: dict[str, str],
                 body: bytes) -> list[Any]:
    import http.client

    stage = getattr(endpoint, "stage", None)
    if stage is None or port not in stage.ports:
        raise PermissionError(f"no fake of this check listens on port {port}")
    connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
    try:
        connection.request(str(method), str(path), body=body or None,
                           headers={k: v for k, v in headers.items() if k.lower() != "host"} |
                           {"Host": headers.get("Host", f"127.0.0.1:{port}")})
        answer = connection.getresponse()
        return [answer.status, dict(answer.getheaders()), answer.read()]
    finally:
        connection.close()


def replay_log(kind: str, data: Any) -> None:
    """A record the worker handled, handled again here, where the checks' handlers are."""
    if kind != "log" or not isinstance(data, dict):
        return
    fields = {k: data.get(k) for k in ("name", "levelno", "levelname", "msg", "created", "funcName", "lineno",
                                      "pathname", "exc_text")}
    extra = data.get("extra") if isinstance(data.get("extra"), dict) else {}
    exc = data.get("exc")
    record = logging.makeLogRecord({**{k: v for k, v in extra.items() if isinstance(k, str)}, **fields,
                                    "args": None,
                                    "exc_info": (type(exc), exc, None) if isinstance(exc, BaseException) else None})
    logging.getLogger(str(fields["name"] or "root")).handle(record)


JUDGE_OPS = {"http": serve_http, "aws": serve_aws, "tunnel": serve_tunnel}
