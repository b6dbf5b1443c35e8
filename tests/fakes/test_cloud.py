"""depipe_course.fakes.cloud: fake S3 and Secrets Manager on moto, offline and leak-free."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time

import pytest

from depipe_course.fakes.cloud import (
    FAKE_REGION,
    fake_s3,
    fake_s3_server,
    fake_secrets,
    put_many,
)

LEARNER_ENV = {
    "AWS_PROFILE": "learner-production",
    "AWS_ACCESS_KEY_ID": "AKIAREALLEARNERKEY00",
    "AWS_SECRET_ACCESS_KEY": "real-secret",
    "AWS_ENDPOINT_URL_S3": "https://s3.example.invalid",
}


@pytest.fixture
def learner_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A learner's real AWS set-up in the environment; returns the environment to restore."""
    for name, value in LEARNER_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    return _environ()


def _environ() -> dict[str, str]:
    """os.environ without the variable pytest itself changes between test phases."""
    return {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}


def _parquet_bytes() -> bytes:
    import io

    import pandas as pd

    buffer = io.BytesIO()
    pd.DataFrame({"order_id": [1, 2, 3], "status": ["placed", "delivered", "placed"]}).to_parquet(buffer)
    return buffer.getvalue()


class TestImport:
    def test_import_does_not_load_moto_or_boto3(self) -> None:
        """Importing the module loads neither moto nor boto3."""
        code = (
            "import sys, depipe_course.fakes.cloud; "
            "print(sorted(m for m in ('moto', 'boto3', 'botocore') if m in sys.modules))"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        assert out.strip() == "[]"


class TestFakeS3:
    def test_buckets_created_and_objects_round_trip(self) -> None:
        """The named buckets exist and an object written is read back."""
        with fake_s3(buckets=("course-data", "archive")) as s3:
            names = sorted(b["Name"] for b in s3.list_buckets()["Buckets"])
            s3.put_object(Bucket="course-data", Key="a.csv", Body=b"x,y\n1,2\n")
            body = s3.get_object(Bucket="course-data", Key="a.csv")["Body"].read()
        assert names == ["archive", "course-data"]
        assert body == b"x,y\n1,2\n"

    def test_state_does_not_survive_the_context(self) -> None:
        """A second fake starts empty."""
        with fake_s3() as s3:
            s3.put_object(Bucket="course-data", Key="left-over", Body=b"")
        with fake_s3() as s3:
            assert s3.list_objects_v2(Bucket="course-data")["KeyCount"] == 0

    def test_learner_aws_variables_hidden_inside_restored_after(self, learner_env) -> None:
        """Inside, only fake credentials are visible; afterwards the environment is as before."""
        with fake_s3():
            inside = {k: v for k, v in os.environ.items() if k.startswith("AWS_")}
        assert "AWS_PROFILE" not in inside and "AWS_ENDPOINT_URL_S3" not in inside
        assert inside["AWS_ACCESS_KEY_ID"] != LEARNER_ENV["AWS_ACCESS_KEY_ID"]
        assert inside["AWS_DEFAULT_REGION"] == FAKE_REGION
        assert _environ() == learner_env

    def test_environment_restored_after_an_exception(self, learner_env) -> None:
        """An exception inside the block still restores the environment."""
        with pytest.raises(ZeroDivisionError), fake_s3():
            os.environ["AWS_ADDED_INSIDE"] = "1"
            1 / 0  # noqa: B018
        assert _environ() == learner_env


class TestPutMany:
    def test_fifteen_hundred_keys_fast_and_paginated(self) -> None:
        """1,500 keys are stored in well under a second and a paginated listing sees them all."""
        with fake_s3() as s3:
            start = time.perf_counter()
            count = put_many("course-data", (f"orders/{i:05d}.csv" for i in range(1_500)))
            elapsed = time.perf_counter() - start
            first_page = s3.list_objects_v2(Bucket="course-data", Prefix="orders/")
            pages = s3.get_paginator("list_objects_v2").paginate(Bucket="course-data", Prefix="orders/")
            keys = [obj["Key"] for page in pages for obj in page.get("Contents", [])]
        assert count == 1_500 and elapsed < 1.0
        assert first_page["KeyCount"] == 1_000 and first_page["IsTruncated"]
        assert keys == [f"orders/{i:05d}.csv" for i in range(1_500)]

    def test_objects_are_ordinary(self) -> None:
        """Objects from put_many are read and headed through the API like any other."""
        with fake_s3() as s3:
            put_many("course-data", ["a/1.csv"], body=b"id\n1\n")
            head = s3.head_object(Bucket="course-data", Key="a/1.csv")
            body = s3.get_object(Bucket="course-data", Key="a/1.csv")["Body"].read()
        assert head["ContentLength"] == 5 and body == b"id\n1\n"


class TestFakeS3Server:
    def test_loopback_endpoint_and_client(self) -> None:
        """The server listens on 127.0.0.1 at a real port and its client sees the bucket."""
        with fake_s3_server(buckets=("course-data",)) as server:
            assert server.endpoint_url.startswith("http://127.0.0.1:")
            assert int(server.endpoint_url.rsplit(":", 1)[1]) > 0
            s3 = server.client()
            s3.put_object(Bucket="course-data", Key="k", Body=b"v")
            assert s3.get_object(Bucket="course-data", Key="k")["Body"].read() == b"v"

    def test_pandas_s3fs_and_pyarrow_read_through_it(self) -> None:
        """pandas (storage_options), s3fs and pyarrow's own s3:// filesystem all reach it."""
        import pandas as pd
        import pyarrow.parquet as pq
        import s3fs

        with fake_s3_server() as server:
            server.client().put_object(Bucket="course-data", Key="orders/part-0.parquet", Body=_parquet_bytes())
            url = "s3://course-data/orders/part-0.parquet"
            frame = pd.read_parquet(url, storage_options=server.storage_options)
            listed = s3fs.S3FileSystem(**server.storage_options).ls("course-data/orders")
            table = pq.read_table(url)  # no arguments: pyarrow follows AWS_ENDPOINT_URL
            pd.DataFrame({"n": [1]}).to_parquet("s3://course-data/out.parquet", storage_options=server.storage_options)
            written = server.client().head_object(Bucket="course-data", Key="out.parquet")
        assert frame["order_id"].tolist() == [1, 2, 3]
        assert listed == ["course-data/orders/part-0.parquet"]
        assert table.num_rows == 3 and written["ContentLength"] > 0

    def test_quiet_and_restores_environment(self, learner_env, capfd, caplog) -> None:
        """No request is logged or printed, and the environment is restored even on error."""
        caplog.set_level(logging.DEBUG)
        with pytest.raises(RuntimeError), fake_s3_server() as server:
            assert os.environ["AWS_ENDPOINT_URL"] == server.endpoint_url
            assert "AWS_PROFILE" not in os.environ
            server.client().list_objects_v2(Bucket="course-data")
            raise RuntimeError("boom")
        out, err = capfd.readouterr()
        assert (out, err) == ("", "")
        assert not [r for r in caplog.records if r.name == "werkzeug"]
        assert _environ() == learner_env

    def test_each_server_starts_empty(self) -> None:
        """Objects written to one server are gone in the next."""
        with fake_s3_server() as server:
            server.client().put_object(Bucket="course-data", Key="left-over", Body=b"")
        with fake_s3_server() as server:
            assert server.client().list_objects_v2(Bucket="course-data")["KeyCount"] == 0


class TestFakeSecrets:
    def test_mapping_stored_as_json(self) -> None:
        """A mapping is stored as its JSON text, special characters intact."""
        secret = {"user": "app", "password": "p@ss:w/rd"}
        with fake_secrets({"prod/db": secret}) as client:
            text = client.get_secret_value(SecretId="prod/db")["SecretString"]
        assert json.loads(text) == secret

    def test_strings_and_bytes_stored_as_given(self) -> None:
        """A str is stored as is and bytes as a binary secret."""
        with fake_secrets({"plain": "not json", "blob": b"\x00\x01"}) as client:
            plain = client.get_secret_value(SecretId="plain")["SecretString"]
            blob = client.get_secret_value(SecretId="blob")["SecretBinary"]
        assert (plain, blob) == ("not json", b"\x00\x01")

    def test_missing_secret_raises_resource_not_found(self) -> None:
        """Asking for a secret that does not exist raises ResourceNotFoundException."""
        with fake_secrets({}) as client, pytest.raises(client.exceptions.ResourceNotFoundException):
            client.get_secret_value(SecretId="prod/missing")

    def test_environment_restored(self, learner_env) -> None:
        """The learner's environment is back after the block."""
        with fake_secrets({"x": "y"}):
            assert os.environ["AWS_ACCESS_KEY_ID"] != LEARNER_ENV["AWS_ACCESS_KEY_ID"]
        assert _environ() == learner_env
