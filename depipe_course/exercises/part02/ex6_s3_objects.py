"""02.6: four boto3 helpers: read a CSV object, write a Parquet object, list keys, probe a key.

Listing must follow every page under a prefix; probing returns True or False for a key
that exists or is missing (404) and raises every other error, such as a 403.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from depipe_course.checking import expect, expect_equal
from depipe_course.exercises import _files, exercise
from depipe_course.exercises.part02._shared import (
    _BUCKET,
    ORDER_COLUMNS,
    _expect_frame,
    _ids,
    _typed_orders,
    _worker_side,
)

s3_ex = exercise("02.6", "Read, write, list and probe S3 objects",
                 ["read_csv_from_s3", "write_parquet_to_s3", "list_s3_files", "s3_file_exists"])


@contextlib.contextmanager
def _fake_s3() -> Iterator[tuple[Any, Any]]:
    """A fake S3 with the bucket: (the check's own client, a client made where the learner's code runs).

    The learner's functions get the second, so botocore's errors reach their ``except``
    clauses as botocore's own classes; the check sets up and reads back with the first.
    """
    from depipe_course.fakes.cloud import fake_s3

    with fake_s3(buckets=(_BUCKET,)) as s3:
        yield s3, _worker_side().s3_client()


@s3_ex.check("reads a CSV object into a DataFrame", points=1,
             hint="response = s3.get_object(Bucket=..., Key=...); pd.read_csv(response['Body']).")
def _s3_read(read_csv_from_s3: Callable[..., Any]) -> None:
    with _fake_s3() as (s3, learners):
        s3.put_object(Bucket=_BUCKET, Key="raw/orders.csv", Body=_files.BASIC.text.encode())
        out = read_csv_from_s3(learners, _BUCKET, "raw/orders.csv")
    _expect_frame(out, "read_csv_from_s3")
    expect_equal(list(out.columns), ORDER_COLUMNS, "the list of columns")
    expect_equal([int(v) for v in out["order_id"]], [1001, 1002, 1003, 1004, 1005, 1006, 1007, 1007],
                 "the list of order_ids, in file order")


@s3_ex.check("writes a Parquet object that reads back", points=1,
             hint="df.to_parquet(buffer, index=False) into io.BytesIO, then put_object or "
                  "upload_fileobj.")
def _s3_write(write_parquet_to_s3: Callable[..., Any]) -> None:
    import io

    import pandas as pd
    import pyarrow.parquet as pq

    frame = _typed_orders(50, floats=False)
    frame = frame[frame["order_id"] % 3 != 0]  # irregular index: not a RangeIndex
    with _fake_s3() as (s3, learners):
        write_parquet_to_s3(learners, frame, _BUCKET, "curated/orders.parquet")
        body = s3.get_object(Bucket=_BUCKET, Key="curated/orders.parquet")["Body"].read()
    expect(body[:4] == b"PAR1", "the object is not a Parquet file", expected="starts with b'PAR1'",
           seen=repr(body[:4]))
    expect_equal(pq.read_schema(io.BytesIO(body)).names, list(frame.columns),
                 "the list of columns stored (the index does not belong in the file)")
    back = pd.read_parquet(io.BytesIO(body))
    expect_equal(_ids(back), _ids(frame), "the list of order_ids read back")


@s3_ex.check("lists every key under the prefix, across pages", points=2,
             hint="One list_objects_v2 call returns at most 1,000 keys: use "
                  "s3.get_paginator('list_objects_v2').paginate(Bucket=..., Prefix=...).")
def _s3_list(list_s3_files: Callable[..., Any]) -> None:
    from depipe_course.fakes.cloud import put_many

    wanted = [f"raw/orders/{i:05d}.csv" for i in range(1_001)]
    with _fake_s3() as (_, learners):
        put_many(_BUCKET, wanted)
        put_many(_BUCKET, ["raw/customers/0.csv", "raw/orders.csv", "curated/x.parquet"])
        seen = list_s3_files(learners, _BUCKET, "raw/orders/")
    expect(isinstance(seen, list), "list_s3_files must return a list of keys", expected="list",
           seen=type(seen).__name__)
    expect(len(seen) == len(wanted) and sorted(seen) == wanted,
           "1,001 keys sit under the prefix 'raw/orders/'", expected=f"{len(wanted):,} keys",
           seen=f"{len(seen):,} keys" + (" (one page is at most 1,000)" if len(seen) == 1_000 else ""))


@s3_ex.check("lists nothing for an empty prefix", points=1,
             hint="A page with no objects has no 'Contents' key: page.get('Contents', []).")
def _s3_list_empty(list_s3_files: Callable[..., Any]) -> None:
    with _fake_s3() as (s3, learners):
        s3.put_object(Bucket=_BUCKET, Key="raw/orders/1.csv", Body=b"x")
        seen = list_s3_files(learners, _BUCKET, "nothing/here/")
    expect_equal(seen, [], "the list of keys under a prefix that holds nothing")


@s3_ex.check("returns True for an existing key and False for a missing one", points=1,
             hint="head_object raises a ClientError whose Error.Code is '404' for a missing "
                  "key; it is not s3.exceptions.NoSuchKey.")
def _s3_exists(s3_file_exists: Callable[..., Any]) -> None:
    with _fake_s3() as (s3, learners):
        s3.put_object(Bucket=_BUCKET, Key="raw/orders.csv", Body=b"x")
        here = s3_file_exists(learners, _BUCKET, "raw/orders.csv")
        gone = s3_file_exists(learners, _BUCKET, "raw/missing.csv")
    expect_equal((here, gone), (True, False), "the pair (existing key, missing key)")


@s3_ex.check("raises for 403 and other errors instead of returning False", points=2,
             hint="Catch botocore's ClientError, return False only when the code is '404', "
                  "and re-raise everything else: a 403 is a permissions problem to surface.")
def _s3_exists_errors(s3_file_exists: Callable[..., Any]) -> None:
    outcomes = {}
    with _fake_s3() as (s3, learners):
        s3.put_object(Bucket=_BUCKET, Key="raw/orders.csv", Body=b"x")
        here = s3_file_exists(learners, _BUCKET, "raw/orders.csv")
        expect(here is True, "for an existing key the function must return True (a function that "
               "always raises tells nothing about errors)", expected=True, seen=here)
        for code, status in (("403", 403), ("InternalError", 500)):
            with _worker_side().failing_head(learners, code, status):
                try:
                    outcomes[status] = f"returned {s3_file_exists(learners, _BUCKET, 'raw/orders.csv')!r}"
                except NotImplementedError:
                    raise
                except Exception as exc:  # raising is the behaviour asked for
                    outcomes[status] = f"raised {type(exc).__name__}"
    wrong = {s: o for s, o in outcomes.items() if not o.startswith("raised")}
    expect(not wrong, "an error other than 404 must reach the caller", expected="raised for 403 and 500",
           seen=outcomes)
