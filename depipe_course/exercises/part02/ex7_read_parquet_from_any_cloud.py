"""02.7: ``read_parquet_from_any_cloud(path, storage_options)`` reads Parquet through fsspec.

The same function must read file://, memory:// and s3:// URLs, and hand storage_options
to the filesystem it opens.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from depipe_course.checking import expect, expect_equal
from depipe_course.exercises import exercise
from depipe_course.exercises.part02._shared import _BUCKET, _expect_frame, _ids, _typed_orders, _worker_side
from depipe_course.judging.judge import learner_module, serve_port

anycloud = exercise("02.7", "Read Parquet from any filesystem with fsspec",
                    ["read_parquet_from_any_cloud"])


def _small_parquet() -> tuple[Any, bytes]:
    import io

    frame = _typed_orders(20, floats=False)
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return frame, buffer.getvalue()


def _expect_same(out: Any, frame: Any) -> None:
    _expect_frame(out, "read_parquet_from_any_cloud")
    expect_equal(list(out.columns), list(frame.columns), "the list of columns read")
    expect_equal(_ids(out), _ids(frame), "the list of order_ids read")


@anycloud.check("reads a local file:// URL", points=1,
                hint="with fsspec.open(path, 'rb', **(storage_options or {})) as f: "
                     "return pd.read_parquet(f).")
def _file_url(read_parquet_from_any_cloud: Callable[..., Any], tmp_path: Path) -> None:
    frame, data = _small_parquet()
    path = tmp_path / "orders.parquet"
    path.write_bytes(data)
    _expect_same(read_parquet_from_any_cloud(path.as_uri()), frame)


@anycloud.check("reads a memory:// URL", points=1,
                hint="fsspec understands the protocol; the builtin open() does not.")
def _memory_url(read_parquet_from_any_cloud: Callable[..., Any]) -> None:
    frame, data = _small_parquet()
    # fsspec's memory filesystem is a registry of the process that uses it: the learner's.
    fs = learner_module("fsspec").filesystem("memory")
    path = "/depipe-check/02.7/orders.parquet"
    fs.pipe(path, data)
    try:
        _expect_same(read_parquet_from_any_cloud(f"memory://{path}"), frame)
    finally:
        fs.rm(path)


@anycloud.check("reads an s3:// URL with storage_options", points=2,
                hint="Pass storage_options through to fsspec.open: they carry the endpoint "
                     "and credentials.")
def _s3_url(read_parquet_from_any_cloud: Callable[..., Any]) -> None:
    from depipe_course.fakes.cloud import fake_s3_server

    frame, data = _small_parquet()
    with fake_s3_server(buckets=(_BUCKET,)) as server:
        serve_port(int(server.endpoint_url.rsplit(":", 1)[1]))  # reachable from the learner's code
        server.client().put_object(Bucket=_BUCKET, Key="curated/orders.parquet", Body=data)
        out = read_parquet_from_any_cloud(f"s3://{_BUCKET}/curated/orders.parquet",
                                          storage_options=dict(server.storage_options))
    _expect_same(out, frame)


@anycloud.check("hands storage_options to the filesystem", points=1,
                hint="fsspec.open(path, 'rb', **storage_options): without them a real bucket "
                     "gets no credentials and no endpoint.")
def _options_used(read_parquet_from_any_cloud: Callable[..., Any]) -> None:
    frame, data = _small_parquet()
    # An in-memory filesystem that remembers the options it was created with, where fsspec opens it.
    learner_side = _worker_side()
    url = learner_side.recording_filesystem("/orders.parquet", data)
    options = {"token": "from-the-check", "region": "xx-test-1"}
    out = read_parquet_from_any_cloud(url, storage_options=options)
    _expect_same(out, frame)
    got = [{k: v for k, v in s.items() if k in options} for s in learner_side.options_seen()]
    expect(options in got, "the filesystem was created without the storage_options given",
           expected=options, seen=got or "no filesystem created")
