"""What part 07's checks hand the learner's code, built in the learner's process.

Under the judge the learner's functions run in the worker: a ``SecretStr`` the check
made in its own process would arrive there as a proxy (``str()`` of it is not pydantic's
mask), and an AWS client of the judge would raise its errors as stand-ins that
``except ClientError`` does not catch. So the checks build these objects here, reached
with ``learner_module`` (in the same process, it is simply this module).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DatabaseConfig:
    """What 07.2's ``database_url`` reads from a ``PipelineConfig``."""

    db_user: str
    db_password: Any  # a pydantic SecretStr
    db_host: str = "db.internal"
    db_port: int = 5432
    db_name: str = "orders"


def database_config(user: str, password: str, **where: Any) -> DatabaseConfig:
    """A config for ``user`` with ``password`` as a real ``SecretStr`` (host, port, name overridable)."""
    from pydantic import SecretStr

    return DatabaseConfig(db_user=user, db_password=SecretStr(password), **where)


def secrets_client() -> Any:
    """A boto3 Secrets Manager client; the check's ``fake_secrets`` answers its calls.

    It has a session of its own, made now: boto3's default session may date from before
    the check (the learner's own clients) and would not send its calls to the fakes.
    """
    import boto3

    from depipe_course.fakes.cloud import FAKE_REGION

    return boto3.session.Session().client("secretsmanager", region_name=FAKE_REGION)


class DeniedClient:
    """A Secrets Manager client that refuses every read, as AWS does for a role without permission."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def get_secret_value(self, **kwargs: Any) -> Any:
        from botocore.exceptions import ClientError

        error = {"Code": "AccessDeniedException",
                 "Message": "User: arn:aws:sts::123456789012:assumed-role/etl/job is not authorized to "
                            "perform: secretsmanager:GetSecretValue"}
        raise ClientError({"Error": error}, "GetSecretValue")
