"""Wrong answers for part 07."""

from __future__ import annotations

import json
import warnings
from typing import Any
from urllib.parse import quote, quote_plus

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from solutions.part07 import ConfigurationError
from tests.wrong_versions import wrong

# ---------------------------------------------------------------- 07.1

_RIGHT = SettingsConfigDict(
    env_prefix="PIPELINE_", env_file=".env", extra="ignore", hide_input_in_errors=True
)


class _Fields(BaseSettings):
    """The right fields; each wrong version changes one thing (model_config merges with this one)."""

    model_config = _RIGHT

    db_host: str
    db_port: int = 5432
    db_name: str
    db_user: str
    db_password: SecretStr
    api_base_url: str
    api_key: SecretStr
    batch_size: int = Field(default=10_000, gt=0)
    log_level: str = "INFO"


def _v1_inner_config() -> type:
    # Defining it warns PydanticDeprecatedSince20; keep that out of the test run.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")

        class PipelineConfig(_Fields):
            class Config:
                env_prefix = "PIPELINE_"
                env_file = ".env"
                extra = "ignore"
                hide_input_in_errors = True

    return PipelineConfig


wrong("07.1", "v1 class Config", catches="is a pydantic-settings v2 class (model_config, not class Config)")(
    _v1_inner_config()
)


def _pydantic_v1_settings() -> type:
    from pydantic.v1 import BaseSettings as V1BaseSettings
    from pydantic.v1 import Field as V1Field
    from pydantic.v1 import SecretStr as V1SecretStr

    class PipelineConfig(V1BaseSettings):
        db_host: str
        db_port: int = 5432
        db_name: str
        db_user: str
        db_password: V1SecretStr
        api_base_url: str
        api_key: V1SecretStr
        batch_size: int = V1Field(default=10_000, gt=0)
        log_level: str = "INFO"

        class Config:
            env_prefix = "PIPELINE_"
            env_file = ".env"

    return PipelineConfig


wrong("07.1", "pydantic.v1 BaseSettings",
      catches="is a pydantic-settings v2 class (model_config, not class Config)")(_pydantic_v1_settings())


@wrong("07.1", "plain str password", catches="secrets are SecretStr: hidden in repr, str and JSON dumps")
class PlainPassword(_Fields):
    db_password: str  # type: ignore[assignment]


@wrong("07.1", "plain str api key", catches="secrets are SecretStr: hidden in repr, str and JSON dumps")
class PlainApiKey(_Fields):
    api_key: str  # type: ignore[assignment]


@wrong("07.1", "batch_size not validated", catches="batch_size must be positive")
class UnvalidatedBatch(_Fields):
    batch_size: int = 10_000


@wrong("07.1", "empty default password", catches="a missing required variable fails at construction, naming it")
class DefaultPassword(_Fields):
    db_password: SecretStr = SecretStr("")


@wrong("07.1", "no prefix", catches="reads every field from PIPELINE_ variables, coercing strings")
class NoPrefix(_Fields):
    model_config = SettingsConfigDict(env_prefix="")  # the rest is inherited from _Fields
    db_host: str = "localhost"
    db_name: str = "orders"
    db_user: str = "etl"
    db_password: SecretStr = SecretStr("x")
    api_base_url: str = "http://localhost"
    api_key: SecretStr = SecretStr("x")


@wrong("07.1", "port kept as str", catches="reads every field from PIPELINE_ variables, coercing strings")
class PortAsString(_Fields):
    db_port: str = "5432"  # type: ignore[assignment]


@wrong("07.1", "batch_size default 1000", catches="defaults: db_port 5432, batch_size 10000, log_level INFO")
class BatchDefaultTooSmall(_Fields):
    batch_size: int = Field(default=1_000, gt=0)


@wrong("07.1", ".env overrides the environment",
       catches="the environment overrides .env, and .env fills the rest")
class DotenvWins(_Fields):
    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, dotenv_settings, env_settings


@wrong("07.1", "env_file not configured", catches="reads .env from the working directory by default")
class NoEnvFile(_Fields):
    model_config = SettingsConfigDict(env_file=None)


@wrong("07.1", "extra keys forbidden", catches="ignores other tools' variables in the same .env")
class ForbidsOtherKeys(_Fields):
    model_config = SettingsConfigDict(extra="forbid")


@wrong("07.1", "errors show the input", catches="a failed construction does not print the secrets it was given")
class ErrorsShowInput(_Fields):
    model_config = SettingsConfigDict(hide_input_in_errors=False)


# ---------------------------------------------------------------- 07.2


@wrong("07.2", "plain f-string", catches="a password with @, : or / keeps host, port and database intact")
def database_url_fstring(config: Any) -> str:
    password = config.db_password.get_secret_value()
    return f"postgresql://{config.db_user}:{password}@{config.db_host}:{config.db_port}/{config.db_name}"


@wrong("07.2", "quote keeps slash", catches="a password with @, : or / keeps host, port and database intact")
def database_url_quote_default_safe(config: Any) -> str:
    user, password = quote(config.db_user), quote(config.db_password.get_secret_value())
    return f"postgresql://{user}:{password}@{config.db_host}:{config.db_port}/{config.db_name}"


@wrong("07.2", "quote_plus", catches="user and password decode back exactly")
def database_url_quote_plus(config: Any) -> str:
    user, password = quote_plus(config.db_user), quote_plus(config.db_password.get_secret_value())
    return f"postgresql://{user}:{password}@{config.db_host}:{config.db_port}/{config.db_name}"


@wrong("07.2", "user not escaped", catches="user and password decode back exactly")
def database_url_raw_user(config: Any) -> str:
    password = quote(config.db_password.get_secret_value(), safe="")
    return f"postgresql://{config.db_user}:{password}@{config.db_host}:{config.db_port}/{config.db_name}"


@wrong("07.2", "SecretStr mask", catches="uses the real password, not the SecretStr mask")
def database_url_masked(config: Any) -> str:
    user, password = quote(config.db_user, safe=""), quote(str(config.db_password), safe="")
    return f"postgresql://{user}:{password}@{config.db_host}:{config.db_port}/{config.db_name}"


@wrong("07.2", "wrong scheme", catches="builds postgresql://user:password@host:port/name")
def database_url_postgres_scheme(config: Any) -> str:
    user, password = quote(config.db_user, safe=""), quote(config.db_password.get_secret_value(), safe="")
    return f"postgres://{user}:{password}@{config.db_host}/{config.db_name}"


# ---------------------------------------------------------------- 07.3


@wrong("07.3", "returns the raw string", catches="parses the JSON secret into a dict")
def get_secret_raw(client: Any, secret_name: str) -> dict:
    return client.get_secret_value(SecretId=secret_name)["SecretString"]


@wrong("07.3", "ClientError escapes", catches="a missing secret raises a configuration error naming it")
def get_secret_unexplained(client: Any, secret_name: str) -> dict:
    return json.loads(client.get_secret_value(SecretId=secret_name)["SecretString"])


@wrong("07.3", "{} on any error", catches="a missing secret raises a configuration error naming it")
def get_secret_swallows(client: Any, secret_name: str) -> dict:
    try:
        return json.loads(client.get_secret_value(SecretId=secret_name)["SecretString"])
    except Exception:
        return {}


@wrong("07.3", "{} on any error (other errors)", catches="other AWS errors are not swallowed")
def get_secret_swallows_too(client: Any, secret_name: str) -> dict:
    return get_secret_swallows(client, secret_name)


@wrong("07.3", "error without the name", catches="a missing secret raises a configuration error naming it")
def get_secret_anonymous(client: Any, secret_name: str) -> dict:
    try:
        response = client.get_secret_value(SecretId=secret_name)
    except client.exceptions.ResourceNotFoundException as exc:
        raise ConfigurationError("secret not found") from exc
    return json.loads(response["SecretString"])


@wrong("07.3", "bare Exception", catches="a missing secret raises a configuration error naming it")
def get_secret_bare_exception(client: Any, secret_name: str) -> dict:
    try:
        response = client.get_secret_value(SecretId=secret_name)
    except client.exceptions.ResourceNotFoundException as exc:
        raise Exception(f"secret {secret_name} not found") from exc
    return json.loads(response["SecretString"])


@wrong("07.3", "JSONDecodeError escapes", catches="a secret that is not a JSON object is a clear error naming it")
def get_secret_no_json_check(client: Any, secret_name: str) -> dict:
    try:
        response = client.get_secret_value(SecretId=secret_name)
    except client.exceptions.ResourceNotFoundException as exc:
        raise ConfigurationError(f"secret {secret_name!r} does not exist") from exc
    return json.loads(response["SecretString"])


@wrong("07.3", "error shows the value", catches="a secret that is not a JSON object is a clear error naming it")
def get_secret_leaky_error(client: Any, secret_name: str) -> dict:
    try:
        response = client.get_secret_value(SecretId=secret_name)
    except client.exceptions.ResourceNotFoundException as exc:
        raise ConfigurationError(f"secret {secret_name!r} does not exist") from exc
    text = response["SecretString"]
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"secret {secret_name!r} is not JSON: {text!r}") from exc
    if not isinstance(value, dict):
        raise ConfigurationError(f"secret {secret_name!r} is not a JSON object: {text!r}")
    return value
