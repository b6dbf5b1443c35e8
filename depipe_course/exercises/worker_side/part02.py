"""What part 02's checks set up, or watch, inside the learner's process.

Under the judge the learner's functions run in the worker: the warnings they raise, the
boto3 client they are handed (so botocore's errors reach their ``except`` clauses as
botocore's own classes), the fsspec filesystems they open and the chunks they hand on
all live there. The checks reach this module with ``learner_module`` (in the same
process, it is simply this module) and get plain data back.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any


def warnings_raised(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> list[str]:
    """Call ``fn``; return every warning it raised as ``'Category: first line of the message'``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn(*args, **kwargs)
    return [f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught]


def discard(chunk: Any) -> None:
    """A ``write_chunk`` that drops what it is given (the chunk stays in the learner's process)."""


def s3_client() -> Any:
    """A boto3 S3 client; the check's ``fake_s3`` answers its calls.

    It has a session of its own, made now: boto3's default session may date from before
    the check (the learner's own clients) and would not send its calls to the fake.
    """
    import boto3

    from depipe_course.fakes.cloud import FAKE_REGION

    return boto3.session.Session().client("s3", region_name=FAKE_REGION)


def failing_head(client: Any, code: str, status: int) -> Any:
    """A botocore ``Stubber`` on ``client`` whose next ``head_object`` fails with ``code``/``status``:
    enter it (``with``) for the failure to happen."""
    from botocore.stub import Stubber

    stub = Stubber(client)
    stub.add_client_error("head_object", service_error_code=code, service_message="injected by the check",
                          http_status_code=status)
    return stub


# ------------------------------------------------------------------ 02.7: an fsspec filesystem that listens

RECORDING_PROTOCOL = "depipecheck"
_SEEN: list[dict[str, Any]] = []


def _recording_class() -> type:
    from fsspec.implementations.memory import MemoryFileSystem

    class Recording(MemoryFileSystem):
        """An in-memory fsspec filesystem that remembers the options it was created with."""

        protocol = RECORDING_PROTOCOL
        cachable = False
        store: dict[str, Any] = {}  # noqa: RUF012 - fsspec's own class attribute, a store of this class only
        pseudo_dirs = [""]  # noqa: RUF012

        def __init__(self, *args: Any, **options: Any) -> None:
            super().__init__(*args, **options)
            _SEEN.append(dict(options))

        @classmethod
        def _strip_protocol(cls, path: Any) -> Any:
            prefix = f"{RECORDING_PROTOCOL}://"
            if isinstance(path, str) and path.startswith(prefix):
                path = path[len(prefix):]
            return super()._strip_protocol(path)

    return Recording


def recording_filesystem(path: str, data: bytes) -> str:
    """Register the recording filesystem, store ``data`` at ``path`` in it, forget the options seen so far;
    return the URL of ``path``."""
    import fsspec

    recording = _recording_class()
    fsspec.register_implementation(RECORDING_PROTOCOL, recording, clobber=True)
    recording().pipe(path, data)
    _SEEN.clear()
    return f"{RECORDING_PROTOCOL}://{path}"


def options_seen() -> list[dict[str, Any]]:
    """The options each recording filesystem was created with since ``recording_filesystem``."""
    return [dict(options) for options in _SEEN]
