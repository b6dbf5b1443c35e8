"""Wrong answers for part 07."""

from __future__ import annotations

import json
import logging
import warnings
from typing import Any, Literal
from urllib.parse import quote, quote_plus

from botocore.exceptions import ClientError
from pydantic import Field, SecretStr, ValidationError, field_serializer
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from solutions.part07 import ConfigurationError
from tests.wrong_versions import wrong

# ---------------------------------------------------------------- 07.1

V2 = "a pydantic-settings v2 class: model_config = SettingsConfigDict(...), not the v1 class Config"

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
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"


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


wrong("07.1", "v1 class Config", catches="is a pydantic-settings v2 class (model_config, not class Config)",
      requirement=V2)(_v1_inner_config())


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
        log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

        class Config:
            env_prefix = "PIPELINE_"
            env_file = ".env"
            extra = "ignore"

    return PipelineConfig


wrong("07.1", "pydantic.v1 BaseSettings",
      catches="is a pydantic-settings v2 class (model_config, not class Config)",
      requirement=V2)(_pydantic_v1_settings())


@wrong("07.1", "no prefix", catches="reads every field from PIPELINE_ variables, coercing strings",
       requirement="each field read from its PIPELINE_ variable")
class NoPrefix(_Fields):
    model_config = SettingsConfigDict(env_prefix="")  # the rest is inherited from _Fields


@wrong("07.1", "api_key read from API_KEY", catches="reads every field from PIPELINE_ variables, coercing strings",
       requirement="each field read from its PIPELINE_ variable")
class ApiKeyWithoutPrefix(_Fields):
    api_key: SecretStr = Field(validation_alias="API_KEY")


@wrong("07.1", "port kept as str", catches="reads every field from PIPELINE_ variables, coercing strings",
       requirement="the environment's strings converted to the field types (db_port and batch_size are int)")
class PortAsString(_Fields):
    db_port: str = "5432"  # type: ignore[assignment]


@wrong("07.1", "batch_size default 1000", catches="defaults: db_port 5432, batch_size 10000, log_level INFO",
       requirement="defaults: db_port 5432, batch_size 10000, log_level INFO")
class BatchDefaultTooSmall(_Fields):
    batch_size: int = Field(default=1_000, gt=0)


@wrong("07.1", "empty default password", catches="a missing required variable fails at construction, naming it",
       requirement="a missing required variable fails at construction, naming the variable")
class DefaultPassword(_Fields):
    db_password: SecretStr = SecretStr("")


@wrong("07.1", "optional db_host", catches="a missing required variable fails at construction, naming it",
       requirement="a missing required variable fails at construction, naming the variable")
class OptionalHost(_Fields):
    db_host: str | None = None  # type: ignore[assignment]


@wrong("07.1", "a friendly error that names nothing",
       catches="a missing required variable fails at construction, naming it",
       requirement="a missing required variable fails at construction, naming the variable")
class VagueMissingError(_Fields):
    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            if any(error["type"] == "missing" for error in exc.errors()):
                raise RuntimeError("the pipeline configuration is incomplete: check your environment") from None
            raise


@wrong("07.1", ".env overrides the environment",
       catches="the environment overrides .env, and .env fills the rest",
       requirement="the environment overrides .env, and .env fills the rest")
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


@wrong("07.1", "the environment overrides arguments",
       catches="the environment overrides .env, and .env fills the rest",
       requirement="arguments to the constructor win over the environment and .env")
class EnvironmentBeatsArguments(_Fields):
    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return env_settings, init_settings, dotenv_settings


@wrong("07.1", "env_file not configured", catches="reads .env from the working directory by default",
       requirement="reads .env from the working directory by default")
class NoEnvFile(_Fields):
    model_config = SettingsConfigDict(env_file=None)


@wrong("07.1", "extra keys forbidden", catches="ignores other tools' variables in the same .env",
       requirement="ignores other tools' keys in .env")
class ForbidsOtherKeys(_Fields):
    model_config = SettingsConfigDict(extra="forbid")


@wrong("07.1", "plain str password", catches="secrets are SecretStr: hidden in repr, str and JSON dumps",
       requirement="db_password and api_key are SecretStr: never shown in repr, str or a JSON dump")
class PlainPassword(_Fields):
    db_password: str  # type: ignore[assignment]


@wrong("07.1", "plain str api key", catches="secrets are SecretStr: hidden in repr, str and JSON dumps",
       requirement="db_password and api_key are SecretStr: never shown in repr, str or a JSON dump")
class PlainApiKey(_Fields):
    api_key: str  # type: ignore[assignment]


@wrong("07.1", "secrets revealed in JSON dumps", catches="secrets are SecretStr: hidden in repr, str and JSON dumps",
       requirement="db_password and api_key are SecretStr: never shown in repr, str or a JSON dump")
class RevealedInJson(_Fields):
    @field_serializer("db_password", "api_key", when_used="json")
    def _reveal(self, value: SecretStr) -> str:  # "so the dump can be read back"
        return value.get_secret_value()


@wrong("07.1", "batch_size not validated", catches="batch_size must be positive",
       requirement="batch_size greater than 0")
class UnvalidatedBatch(_Fields):
    batch_size: int = 10_000


@wrong("07.1", "batch_size ge=0", catches="batch_size must be positive", requirement="batch_size greater than 0")
class BatchMayBeZero(_Fields):
    batch_size: int = Field(default=10_000, ge=0)


@wrong("07.1", "log_level any str", catches="log_level accepts only DEBUG, INFO, WARNING, ERROR or CRITICAL",
       requirement="log_level one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
class AnyLogLevel(_Fields):
    log_level: str = "INFO"  # type: ignore[assignment]


@wrong("07.1", "errors show the input", catches="a failed construction does not print the secrets it was given",
       requirement="validation errors never show the values they were given")
class ErrorsShowInput(_Fields):
    model_config = SettingsConfigDict(hide_input_in_errors=False)


# ---------------------------------------------------------------- 07.2


def _url(user: str, password: str, config: Any) -> str:
    return f"postgresql://{user}:{password}@{config.db_host}:{config.db_port}/{config.db_name}"


@wrong("07.2", "plain f-string", catches="a password with @, : or / keeps host, port and database intact",
       requirement="the password percent-encoded: @, : and / in it leave host, port and database intact")
def database_url_fstring(config: Any) -> str:
    return _url(config.db_user, config.db_password.get_secret_value(), config)


@wrong("07.2", "quote keeps slash", catches="a password with @, : or / keeps host, port and database intact",
       requirement="the password percent-encoded: @, : and / in it leave host, port and database intact")
def database_url_quote_default_safe(config: Any) -> str:
    return _url(quote(config.db_user, safe=""), quote(config.db_password.get_secret_value()), config)


@wrong("07.2", "quote_plus", catches="user and password decode back exactly",
       requirement="user and password decode back exactly (a space is not a +)")
def database_url_quote_plus(config: Any) -> str:
    return _url(quote_plus(config.db_user), quote_plus(config.db_password.get_secret_value()), config)


@wrong("07.2", "user not escaped", catches="user and password decode back exactly",
       requirement="the user percent-encoded too")
def database_url_raw_user(config: Any) -> str:
    return _url(config.db_user, quote(config.db_password.get_secret_value(), safe=""), config)


@wrong("07.2", "user escaped with quote's default safe='/'", catches="user and password decode back exactly",
       requirement="the user percent-encoded too")
def database_url_user_keeps_slash(config: Any) -> str:
    return _url(quote(config.db_user), quote(config.db_password.get_secret_value(), safe=""), config)


@wrong("07.2", "SecretStr mask", catches="uses the real password, not the SecretStr mask",
       requirement="the real password from get_secret_value(), not the SecretStr mask")
def database_url_masked(config: Any) -> str:
    return _url(quote(config.db_user, safe=""), quote(str(config.db_password), safe=""), config)


@wrong("07.2", "wrong scheme", catches="builds postgresql://user:password@host:port/name",
       requirement="postgresql://<user>:<password>@<db_host>:<db_port>/<db_name>")
def database_url_postgres_scheme(config: Any) -> str:
    return "postgres" + _url(quote(config.db_user, safe=""), quote(config.db_password.get_secret_value(), safe=""),
                             config).removeprefix("postgresql")


@wrong("07.2", "port fixed at 5432", catches="builds postgresql://user:password@host:port/name",
       requirement="host, port and database taken from the config")
def database_url_fixed_port(config: Any) -> str:
    user, password = quote(config.db_user, safe=""), quote(config.db_password.get_secret_value(), safe="")
    return f"postgresql://{user}:{password}@{config.db_host}:5432/{config.db_name}"


# ---------------------------------------------------------------- 07.3


def _secret_text(client: Any, secret_name: str) -> str:
    """The right first half: a missing secret is a ConfigurationError naming it, raised from botocore's."""
    try:
        response = client.get_secret_value(SecretId=secret_name)
    except client.exceptions.ResourceNotFoundException as exc:
        raise ConfigurationError(f"secret {secret_name!r} does not exist") from exc
    return response["SecretString"]


def _parsed(secret_name: str, text: str) -> dict:
    """The right second half: JSON object or a ConfigurationError naming the secret (never its value)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"secret {secret_name!r} is not JSON") from exc
    if not isinstance(value, dict):
        raise ConfigurationError(f"secret {secret_name!r} is not a JSON object")
    return value


@wrong("07.3", "returns the raw string", catches="parses the JSON secret into a dict",
       requirement="returns the secret's JSON object as a dict")
def get_secret_raw(client: Any, secret_name: str) -> dict:
    return _secret_text(client, secret_name)  # type: ignore[return-value]


@wrong("07.3", "ClientError escapes", catches="a missing secret raises a configuration error naming it",
       requirement="a missing secret raises ConfigurationError naming the secret")
def get_secret_unexplained(client: Any, secret_name: str) -> dict:
    return _parsed(secret_name, client.get_secret_value(SecretId=secret_name)["SecretString"])


@wrong("07.3", "{} on any error", catches="a missing secret raises a configuration error naming it",
       requirement="a missing secret raises ConfigurationError naming the secret")
def get_secret_swallows(client: Any, secret_name: str) -> dict:
    try:
        return _parsed(secret_name, client.get_secret_value(SecretId=secret_name)["SecretString"])
    except Exception:
        return {}


@wrong("07.3", "{} on any error (other errors)", catches="other AWS errors propagate unchanged",
       requirement="any other AWS error propagates as it is")
def get_secret_swallows_too(client: Any, secret_name: str) -> dict:
    return get_secret_swallows(client, secret_name)


@wrong("07.3", "every ClientError reported as a missing secret", catches="other AWS errors propagate unchanged",
       requirement="any other AWS error propagates as it is")
def get_secret_everything_missing(client: Any, secret_name: str) -> dict:
    try:
        response = client.get_secret_value(SecretId=secret_name)
    except ClientError as exc:
        raise ConfigurationError(f"secret {secret_name!r} does not exist") from exc
    return _parsed(secret_name, response["SecretString"])


@wrong("07.3", "error without the name", catches="a missing secret raises a configuration error naming it",
       requirement="a missing secret raises ConfigurationError naming the secret")
def get_secret_anonymous(client: Any, secret_name: str) -> dict:
    try:
        response = client.get_secret_value(SecretId=secret_name)
    except client.exceptions.ResourceNotFoundException as exc:
        raise ConfigurationError("secret not found") from exc
    return _parsed(secret_name, response["SecretString"])


@wrong("07.3", "bare Exception", catches="a missing secret raises a configuration error naming it",
       requirement="a missing secret raises ConfigurationError naming the secret")
def get_secret_bare_exception(client: Any, secret_name: str) -> dict:
    try:
        response = client.get_secret_value(SecretId=secret_name)
    except client.exceptions.ResourceNotFoundException as exc:
        raise Exception(f"secret {secret_name} not found") from exc
    return _parsed(secret_name, response["SecretString"])


@wrong("07.3", "raise ... from None", catches="a missing secret raises a configuration error naming it",
       requirement="raise ... from exc keeps botocore's error in the traceback")
def get_secret_from_none(client: Any, secret_name: str) -> dict:
    try:
        response = client.get_secret_value(SecretId=secret_name)
    except client.exceptions.ResourceNotFoundException:
        raise ConfigurationError(f"secret {secret_name!r} does not exist") from None
    return _parsed(secret_name, response["SecretString"])


@wrong("07.3", "JSONDecodeError escapes", catches="a secret that is not a JSON object is a clear error naming it",
       requirement="a secret that is not a JSON object raises ConfigurationError naming it")
def get_secret_no_json_check(client: Any, secret_name: str) -> dict:
    return json.loads(_secret_text(client, secret_name))


@wrong("07.3", "a JSON list returned as is", catches="a secret that is not a JSON object is a clear error naming it",
       requirement="a secret that is not a JSON object raises ConfigurationError naming it")
def get_secret_any_json(client: Any, secret_name: str) -> dict:
    text = _secret_text(client, secret_name)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"secret {secret_name!r} is not JSON") from exc


@wrong("07.3", "error shows the value", catches="a secret that is not a JSON object is a clear error naming it",
       requirement="never puts the secret's value in a message")
def get_secret_leaky_error(client: Any, secret_name: str) -> dict:
    text = _secret_text(client, secret_name)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"secret {secret_name!r} is not JSON: {text!r}") from exc
    if not isinstance(value, dict):
        raise ConfigurationError(f"secret {secret_name!r} is not a JSON object: {text!r}")
    return value


_log = logging.getLogger("pipeline.secrets")


@wrong("07.3", "logs the secret at DEBUG", catches="the secret's value never appears in logs or printed output",
       requirement="never puts the secret's value in a message")
def get_secret_logs_value(client: Any, secret_name: str) -> dict:
    value = _parsed(secret_name, _secret_text(client, secret_name))
    _log.debug("loaded secret %s: %s", secret_name, value)
    return value


@wrong("07.3", "prints the secret", catches="the secret's value never appears in logs or printed output",
       requirement="never puts the secret's value in a message")
def get_secret_prints_value(client: Any, secret_name: str) -> dict:
    value = _parsed(secret_name, _secret_text(client, secret_name))
    print(f"loaded {secret_name}: {value}")  # noqa: T201 - the mistake under test
    return value
