"""Part 07 — Configuration and secrets: reference solutions."""

# %% [07.1]
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class PipelineConfig(BaseSettings):
    """The pipeline's settings, read from ``PIPELINE_*`` variables and a ``.env`` file.

    Precedence: arguments to the constructor, then the environment, then ``.env``.
    A missing required variable fails here, at start-up, naming the field; secrets
    are ``SecretStr`` and never appear in ``repr``, logs or validation errors.
    """

    model_config = SettingsConfigDict(
        env_prefix="PIPELINE_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",  # the same .env often holds other tools' settings
        hide_input_in_errors=True,  # a validation error must not print the secrets it saw
    )

    db_host: str
    db_port: int = 5432
    db_name: str
    db_user: str
    db_password: SecretStr
    api_base_url: str
    api_key: SecretStr
    batch_size: int = Field(default=10_000, gt=0)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"


# %% [07.2]
from urllib.parse import quote


def database_url(config: "PipelineConfig") -> str:
    """A PostgreSQL URL for ``config``, with the user and password percent-encoded.

    ``quote(..., safe="")`` escapes every character with a meaning in a URL
    (``@ : / ? # %`` and space), so the host, port and database stay where a
    parser looks for them, whatever the password contains.
    """
    user = quote(config.db_user, safe="")
    password = quote(config.db_password.get_secret_value(), safe="")
    return f"postgresql://{user}:{password}@{config.db_host}:{config.db_port}/{config.db_name}"


# %% [07.3]
import json
import logging
from typing import Any

from botocore.exceptions import ClientError

logger = logging.getLogger(__name__)


class ConfigurationError(RuntimeError):
    """The pipeline cannot start: a setting or a secret is missing or unusable."""


def get_secret(client: Any, secret_name: str) -> dict:
    """The JSON object stored in Secrets Manager under ``secret_name``, as a dict.

    A missing secret, or one that is not a JSON object, is a ``ConfigurationError``
    naming the secret; any other AWS error (permissions, throttling) propagates.
    """
    try:
        response = client.get_secret_value(SecretId=secret_name)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            raise ConfigurationError(f"secret {secret_name!r} does not exist in Secrets Manager") from exc
        raise
    try:
        value = json.loads(response["SecretString"])
    except (KeyError, json.JSONDecodeError) as exc:
        raise ConfigurationError(f"secret {secret_name!r} is not a JSON string") from exc
    if not isinstance(value, dict):
        raise ConfigurationError(f"secret {secret_name!r} holds JSON {type(value).__name__}, not an object")
    logger.info("loaded secret %s (%d keys)", secret_name, len(value))
    return value
