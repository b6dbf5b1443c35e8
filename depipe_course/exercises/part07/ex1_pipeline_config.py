"""07.1: ``PipelineConfig`` is a pydantic-settings v2 class read from ``PIPELINE_*`` variables.

The checks demand coerced values and defaults, a missing required variable failing at
construction by name, the environment overriding ``./.env`` (other tools' lines
ignored), secrets as ``SecretStr`` hidden in ``repr``, ``str`` and JSON, a positive
``batch_size``, a known ``log_level``, and no secret printed by a failed construction.

Every check builds the learner's class in a controlled environment: all ``PIPELINE_*``
variables of the real environment are hidden, the check's own are set, ``.env`` is a
file the check wrote (or none), and ``os.environ`` and the working directory are
restored afterwards, so nothing depends on the machine it runs on.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from depipe_course.checking import expect, expect_equal, fail
from depipe_course.exercises import exercise
from depipe_course.exercises._remote import class_names, subclass_of
from depipe_course.judging.judge import learner_module

settings = exercise("07.1", "Settings from the environment", ["PipelineConfig"])

PREFIX = "PIPELINE_"

# Every field as a learner sets it: strings, as the environment holds them.
FULL_ENV = {
    "PIPELINE_DB_HOST": "db.internal",
    "PIPELINE_DB_PORT": "6543",
    "PIPELINE_DB_NAME": "orders",
    "PIPELINE_DB_USER": "etl",
    "PIPELINE_DB_PASSWORD": "pw-7f3K9q-secret",
    "PIPELINE_API_BASE_URL": "https://api.example.test/v1",
    "PIPELINE_API_KEY": "key-Zx81-secret",
    "PIPELINE_BATCH_SIZE": "500",
    "PIPELINE_LOG_LEVEL": "DEBUG",
}
REQUIRED = ("db_host", "db_name", "db_user", "db_password", "api_base_url", "api_key")
SECRETS = ("db_password", "api_key")
OPTIONAL = ("PIPELINE_DB_PORT", "PIPELINE_BATCH_SIZE", "PIPELINE_LOG_LEVEL")


def _env_name(field: str) -> str:
    return PREFIX + field.upper()


@contextlib.contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    """Only ``values`` among ``PIPELINE_*`` variables; the real environment restored after."""
    saved = dict(os.environ)
    try:
        for name in [n for n in os.environ if n.upper().startswith(PREFIX)]:
            del os.environ[name]
        os.environ.update(values)
        yield
    finally:
        for name in [n for n in os.environ if n not in saved]:
            del os.environ[name]
        for name, value in saved.items():
            if os.environ.get(name) != value:
                os.environ[name] = value


def _write_env_file(folder: Path, values: Mapping[str, str], extra_lines: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".env"
    body = "".join(f"{name}={value}\n" for name, value in values.items())
    path.write_text("# written by the check\n" + body + extra_lines, encoding="utf-8")
    return path


def _build(cls: Any, env: Mapping[str, str], env_file: Path | None = None, **init: Any) -> Any:
    """``cls(_env_file=env_file, **init)`` with exactly ``env`` as the PIPELINE_ variables."""
    with _environment(env):
        return cls(_env_file=env_file, **init)


def _build_fails(cls: Any, env: Mapping[str, str]) -> BaseException | None:
    """The exception ``cls`` raises with ``env`` (None if it builds); stubs stay not attempted."""
    try:
        _build(cls, env)
    except NotImplementedError:
        raise
    except Exception as exc:  # a ValidationError, or whatever the learner's class raises
        return exc
    return None


def _plain(value: Any) -> Any:
    """A SecretStr's real value, anything else as is."""
    reveal = getattr(value, "get_secret_value", None)
    return reveal() if callable(reveal) else value


def _shown(how: str, value: Any) -> str:
    """``str(value)`` or ``repr(value)`` as the learner's process computes it (its classes' own methods)."""
    return getattr(learner_module("builtins"), how)(value)  # type: ignore[no-any-return]


def _message(exc: BaseException) -> str:
    """The exception's message as it read where it was raised (pydantic rebuilds a ValidationError
    elsewhere without its hide_input_in_errors setting)."""
    said = getattr(exc, "remote_message", None)
    return said if isinstance(said, str) else str(exc)


@settings.check("is a pydantic-settings v2 class (model_config, not class Config)", points=1,
                hint="class PipelineConfig(BaseSettings) with pydantic_settings' BaseSettings and "
                     "model_config = SettingsConfigDict(env_prefix='PIPELINE_', ...); the inner "
                     "`class Config` and pydantic.v1 are the deprecated v1 style.")
def _is_v2_settings(PipelineConfig: Any) -> None:
    _build(PipelineConfig, FULL_ENV)  # a stub raises NotImplementedError here: not attempted
    is_v2 = subclass_of(PipelineConfig, "pydantic_settings.main.BaseSettings")
    bases = [name for name in class_names(PipelineConfig)[1:] if name != "builtins.object"]
    expect(is_v2, "PipelineConfig must subclass pydantic_settings.BaseSettings",
           expected="a subclass of pydantic_settings.BaseSettings", seen=f"bases {bases}")
    own_names = learner_module("builtins").vars(PipelineConfig)  # the class body's names, where it lives
    expect("Config" not in own_names,
           "an inner `class Config` is pydantic v1 style and warns PydanticDeprecatedSince20",
           expected="model_config = SettingsConfigDict(...)", seen="class Config: ...")
    prefix = PipelineConfig.model_config.get("env_prefix")
    expect_equal(prefix, PREFIX, "model_config['env_prefix']")


@settings.check("reads every field from PIPELINE_ variables, coercing strings", points=1,
                hint="Declare the fields with their types (db_port: int, batch_size: int, ...): "
                     "pydantic turns the environment's strings into them.")
def _reads_environment(PipelineConfig: Any) -> None:
    config = _build(PipelineConfig, FULL_ENV)
    seen = {
        "db_host": config.db_host, "db_port": config.db_port, "db_name": config.db_name,
        "db_user": config.db_user, "db_password": _plain(config.db_password),
        "api_base_url": _shown("str", config.api_base_url), "api_key": _plain(config.api_key),
        "batch_size": config.batch_size, "log_level": config.log_level,
    }
    expected = {
        "db_host": "db.internal", "db_port": 6543, "db_name": "orders", "db_user": "etl",
        "db_password": FULL_ENV["PIPELINE_DB_PASSWORD"],
        "api_base_url": "https://api.example.test/v1", "api_key": FULL_ENV["PIPELINE_API_KEY"],
        "batch_size": 500, "log_level": "DEBUG",
    }
    wrong = {k: v for k, v in seen.items()
             if v != expected[k] or (isinstance(expected[k], int) and type(v) is not int)}
    expect(not wrong, "these fields were not read (or not converted) from the environment",
           expected={k: expected[k] for k in wrong}, seen=wrong)


@settings.check("defaults: db_port 5432, batch_size 10000, log_level INFO", points=1,
                hint="Give the optional fields defaults: db_port: int = 5432, "
                     "batch_size 10_000, log_level 'INFO'.")
def _defaults(PipelineConfig: Any) -> None:
    env = {k: v for k, v in FULL_ENV.items() if k not in OPTIONAL}
    config = _build(PipelineConfig, env)
    seen = (config.db_port, config.batch_size, config.log_level)
    expect_equal(seen, (5432, 10_000, "INFO"), "(db_port, batch_size, log_level) when unset")


@settings.check("a missing required variable fails at construction, naming it", points=2,
                hint="Required fields have no default (db_password: SecretStr): pydantic then "
                     "raises a ValidationError that names the field. An empty-string default "
                     "hides the missing variable until the database refuses the login.")
def _required(PipelineConfig: Any) -> None:
    for field in REQUIRED:
        env = {k: v for k, v in FULL_ENV.items() if k != _env_name(field)}
        exc = _build_fails(PipelineConfig, env)
        if exc is None:
            fail(f"without {_env_name(field)} the class was built anyway",
                 expected="an error at construction", seen="no error")
        expect(field in str(exc).lower(), f"the error for a missing {_env_name(field)} must name it",
               expected=f"a message containing {field!r}", seen=f"{type(exc).__name__}: {exc}")


@settings.check("the environment overrides .env, and .env fills the rest", points=2,
                hint="Set env_file='.env' in model_config: pydantic-settings reads the file and "
                     "lets real environment variables win over it (arguments win over both).")
def _dotenv_precedence(PipelineConfig: Any, tmp_path: Path) -> None:
    in_file = {**FULL_ENV, "PIPELINE_DB_HOST": "host-from-dotenv", "PIPELINE_BATCH_SIZE": "250"}
    env_file = _write_env_file(tmp_path, in_file)
    config = _build(PipelineConfig, {"PIPELINE_DB_HOST": "host-from-environment"}, env_file)
    expect_equal(config.db_host, "host-from-environment", "db_host set in both the environment and .env")
    expect_equal(config.batch_size, 250, "batch_size set only in .env")
    expect_equal(_plain(config.db_password), FULL_ENV["PIPELINE_DB_PASSWORD"], "db_password set only in .env")
    config = _build(PipelineConfig, {"PIPELINE_DB_HOST": "host-from-environment"}, env_file,
                    db_host="host-from-argument")
    expect_equal(config.db_host, "host-from-argument", "db_host passed to the constructor")


@settings.check("reads .env from the working directory by default", points=1,
                hint="model_config = SettingsConfigDict(env_file='.env', ...): without it, "
                     ".env is only read when someone passes _env_file=.")
def _default_env_file(PipelineConfig: Any, tmp_path: Path) -> None:
    _build(PipelineConfig, FULL_ENV)  # a stub raises NotImplementedError here: not attempted
    _write_env_file(tmp_path, FULL_ENV)
    with contextlib.chdir(tmp_path), _environment({}):
        try:
            config = PipelineConfig()
        except NotImplementedError:
            raise
        except Exception as exc:
            fail("with every variable in ./.env and none in the environment, construction failed",
                 expected="the values of ./.env", seen=f"{type(exc).__name__}: {str(exc)[:200]}")
    expect_equal(config.db_host, "db.internal", "db_host from ./.env")


@settings.check("ignores other tools' variables in the same .env", points=1,
                hint="A shared .env also holds settings of other tools (COMPOSE_PROJECT_NAME, ...); "
                     "pydantic-settings refuses undeclared keys unless extra='ignore'.")
def _ignores_other_keys(PipelineConfig: Any, tmp_path: Path) -> None:
    env_file = _write_env_file(tmp_path, FULL_ENV, "COMPOSE_PROJECT_NAME=depipe\nTZ=UTC\n")
    try:
        config = _build(PipelineConfig, {}, env_file)
    except NotImplementedError:
        raise
    except Exception as exc:
        fail("a .env with two lines for other tools made construction fail",
             expected="those lines ignored", seen=f"{type(exc).__name__}: {str(exc)[:200]}")
    expect_equal(config.db_name, "orders", "db_name from .env")


@settings.check("secrets are SecretStr: hidden in repr, str and JSON dumps", points=2,
                hint="Declare db_password and api_key as SecretStr; read them with "
                     ".get_secret_value() only where they are used.")
def _secrets_hidden(PipelineConfig: Any) -> None:
    config = _build(PipelineConfig, FULL_ENV)
    for field in SECRETS:
        value = getattr(config, field)
        expect(hasattr(value, "get_secret_value"), f"{field} must be a SecretStr",
               expected="SecretStr", seen=type(value).__name__)
    shown = {"repr": _shown("repr", config), "str": _shown("str", config),
             "model_dump_json": config.model_dump_json()}
    for where, text in shown.items():
        for field in SECRETS:
            secret = FULL_ENV[_env_name(field)]
            expect(secret not in text, f"{where}(config) shows the {field}",
                   expected="**********", seen=text)


@settings.check("batch_size must be positive", points=1,
                hint="batch_size: int = Field(default=10_000, gt=0) rejects 0 and negatives at start-up.")
def _batch_size_positive(PipelineConfig: Any) -> None:
    for bad in ("0", "-5"):
        exc = _build_fails(PipelineConfig, {**FULL_ENV, "PIPELINE_BATCH_SIZE": bad})
        if exc is None:
            fail(f"PIPELINE_BATCH_SIZE={bad} was accepted", expected="an error naming batch_size",
                 seen="no error")
        expect("batch_size" in str(exc).lower(), "the error must name batch_size",
               expected="a message containing 'batch_size'", seen=f"{type(exc).__name__}: {exc}")


@settings.check("log_level accepts only DEBUG, INFO, WARNING, ERROR or CRITICAL", points=1,
                hint="log_level: Literal['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] = 'INFO': "
                     "a plain str accepts a typo such as 'VERBOSE', and logging then fails later.")
def _log_level_choices(PipelineConfig: Any) -> None:
    for bad in ("VERBOSE", "LOUD"):
        exc = _build_fails(PipelineConfig, {**FULL_ENV, "PIPELINE_LOG_LEVEL": bad})
        if exc is None:
            fail(f"PIPELINE_LOG_LEVEL={bad} was accepted",
                 expected="an error naming log_level: only DEBUG, INFO, WARNING, ERROR or CRITICAL",
                 seen="no error")
        expect("log_level" in str(exc).lower(), "the error must name log_level",
               expected="a message containing 'log_level'", seen=f"{type(exc).__name__}: {exc}")


@settings.check("a failed construction does not print the secrets it was given", points=1,
                hint="A ValidationError shows the input it rejected, including the password, "
                     "and it ends up in logs: set hide_input_in_errors=True in model_config.")
def _errors_hide_secrets(PipelineConfig: Any) -> None:
    # pydantic shortens a long input in its message, so each secret is tried on its own.
    for field in SECRETS:
        name = _env_name(field)
        exc = _build_fails(PipelineConfig, {name: FULL_ENV[name]})
        if exc is None:
            fail(f"with only {name} set the class was built anyway", expected="an error", seen="no error")
        message = _message(exc)
        expect(FULL_ENV[name] not in message, f"the error message shows the {field}",
               expected="no secret in the message", seen=message)
