"""07.2: ``database_url(config)`` builds ``postgresql://user:password@host:port/name``.

User and password must be URL-escaped, so a password holding ``@``, ``:`` or ``/``
keeps host, port and database intact and both decode back exactly; the real password
is used, not the ``SecretStr`` mask.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from depipe_course.checking import expect, expect_equal
from depipe_course.exercises import exercise
from depipe_course.judging.judge import learner_module

dburl = exercise("07.2", "Credentials in a URL", ["database_url"], uses=["07.1"])


def _config(user: str, password: str, **where: Any) -> Any:
    """What database_url reads from a PipelineConfig (db_user, db_password as a SecretStr, db_host,
    db_port, db_name), built in the learner's process so the SecretStr is pydantic's own."""
    return learner_module("depipe_course.exercises.worker_side.part07").database_config(user, password, **where)


@dataclass(frozen=True)
class _Parsed:
    scheme: str
    netloc: str
    host: str | None
    port: int | str | None
    path: str
    user: str | None
    password: str | None


def _parse(url: Any) -> _Parsed:
    from urllib.parse import unquote, urlsplit

    expect(isinstance(url, str), "database_url must return a str", expected="str", seen=type(url).__name__)
    parts = urlsplit(url)
    try:
        port: int | str | None = parts.port
    except ValueError as exc:  # "Port could not be cast to integer value as 'w'"
        port = f"unparseable ({exc})"
    return _Parsed(
        scheme=parts.scheme,
        netloc=parts.netloc,
        host=parts.hostname,
        port=port,
        path=parts.path,
        user=None if parts.username is None else unquote(parts.username),
        password=None if parts.password is None else unquote(parts.password),
    )


@dburl.check("builds postgresql://user:password@host:port/name", points=1,
             hint="f'postgresql://{user}:{password}@{config.db_host}:{config.db_port}/{config.db_name}' "
                  "with the password from config.db_password.get_secret_value().")
def _plain_url(database_url: Callable[[Any], str]) -> None:
    url = database_url(_config("etl", "simple"))
    expect_equal(url, "postgresql://etl:simple@db.internal:5432/orders", "the URL for plain credentials")
    elsewhere = _config("loader", "simple", db_host="replica.example.test", db_port=6543, db_name="orders_eu")
    url = database_url(elsewhere)
    expect_equal(url, "postgresql://loader:simple@replica.example.test:6543/orders_eu",
                 "the URL for a config with another host, port and database",
                 hint="Take the host, the port and the database from config (config.db_host, "
                      "config.db_port, config.db_name): nothing in the URL is fixed.")


@dburl.check("a password with @, : or / keeps host, port and database intact", points=2,
             hint="A raw @, : or / in the password moves where a parser finds the host and the "
                  "port. Escape it: urllib.parse.quote(password, safe='').")
def _special_password(database_url: Callable[[Any], str]) -> None:
    url = database_url(_config("etl", "p@ss:w/rd"))
    parsed = _parse(url)
    seen = (parsed.scheme, parsed.host, parsed.port, parsed.path)
    expect(seen == ("postgresql", "db.internal", 5432, "/orders"),
           "parsing your URL back gives the wrong scheme, host, port or database",
           expected=("postgresql", "db.internal", 5432, "/orders"), seen=f"{seen} from {url}")


@dburl.check("user and password decode back exactly", points=2,
             hint="quote(value, safe='') for the user and the password: quote() keeps '/' by "
                  "default and quote_plus() turns a space into '+', which a URL parser keeps as '+'.")
def _round_trip(database_url: Callable[[Any], str]) -> None:
    user, password = "etl@corp/eu", "p@ss:w/rd #?%+ 50"
    url = database_url(_config(user, password))
    parsed = _parse(url)
    expect((parsed.host, parsed.port, parsed.path) == ("db.internal", 5432, "/orders"),
           "a character of the user or the password, left raw, cut the URL in the wrong place",
           expected=("db.internal", 5432, "/orders"), seen=f"{(parsed.host, parsed.port, parsed.path)} from {url}")
    expect(parsed.netloc.count("@") == 1,
           "only the @ before the host may appear raw: one in the user or password must be escaped",
           expected="one @ in the authority", seen=url)
    expect_equal((parsed.user, parsed.password), (user, password), "(user, password) decoded from the URL")


@dburl.check("uses the real password, not the SecretStr mask", points=1,
             hint="str(config.db_password) is '**********'; call config.db_password.get_secret_value().")
def _not_masked(database_url: Callable[[Any], str]) -> None:
    url = database_url(_config("etl", "hunter2"))
    expect("**" not in url and "%2A%2A" not in url, "the URL holds the SecretStr mask instead of the password",
           expected="postgresql://etl:hunter2@...", seen=url)
