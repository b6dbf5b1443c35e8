"""Who may call the fake API: OAuth client credentials, an API key, HTTP Basic, or anyone.

Pure logic over header and form values; the wire layer turns a ``Denied`` into a JSON
error response. Token lifetimes are measured on the clock the fake is given (see
``clock.FakeClock``), so a test expires a token by advancing that clock.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

AuthMode = Literal["oauth", "api_key", "basic", "none"]
AUTH_MODES: tuple[str, ...] = get_args(AuthMode)
DEFAULT_SCOPE = "read"


DEFAULT_CLIENT_ID = "depipe-client"
DEFAULT_CLIENT_SECRET = "depipe-client-secret"
DEFAULT_API_KEY = "dpk_test_4f7c2a9e51b3"
DEFAULT_API_KEY_HEADER = "X-API-Key"
DEFAULT_TOKEN_LIFETIME_S = 3_600


@dataclass(frozen=True)
class AuthConfig:
    """The auth mode of one fake and the credentials it accepts.

    In ``basic`` mode the user is ``client_id`` and the password ``client_secret``
    (a gateway's key id and key secret).
    """

    mode: AuthMode = "oauth"
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    api_key: str = DEFAULT_API_KEY
    api_key_header: str = DEFAULT_API_KEY_HEADER
    token_lifetime_s: int = DEFAULT_TOKEN_LIFETIME_S

    def __post_init__(self) -> None:
        if self.mode not in AUTH_MODES:
            raise ValueError(f"auth must be one of {AUTH_MODES}, got {self.mode!r}")
        if self.token_lifetime_s <= 0:
            raise ValueError(f"token_lifetime_s must be > 0, got {self.token_lifetime_s}")


@dataclass(frozen=True)
class Denied:
    """Why a request was refused: an HTTP status, an error code and a sentence."""

    status: int
    error: str
    message: str
    challenge: str | None = None

    def body(self) -> dict[str, str]:
        return {"error": self.error, "message": self.message}


def same(given: str, expected: str) -> bool:
    """Compare secrets in constant time, as a real server should."""
    return hmac.compare_digest(given.encode(), expected.encode())


def parse_basic(header: str | None) -> tuple[str, str] | None:
    """``(user, password)`` from an ``Authorization: Basic ...`` value, else None."""
    if not header or not header[:6].lower() == "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def bearer(header: str | None) -> str | None:
    """The token from an ``Authorization: Bearer ...`` value, else None."""
    if not header or not header[:7].lower() == "bearer ":
        return None
    return header[7:].strip() or None


class TokenStore:
    """Access tokens the fake has issued, each valid for a lifetime on ``clock``."""

    def __init__(self, lifetime_s: int, clock: Callable[[], float], rng: random.Random) -> None:
        self.lifetime_s = lifetime_s
        self._clock = clock
        self._rng = rng
        self._expiry: dict[str, float] = {}

    @property
    def issued(self) -> int:
        return len(self._expiry)

    def issue(self) -> str:
        token = "tok_" + "".join(self._rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=24))
        self._expiry[token] = self._clock() + self.lifetime_s
        return token

    def revoke_all(self) -> None:
        """Expire every token now, as a server-side key rotation would."""
        now = self._clock()
        self._expiry = dict.fromkeys(self._expiry, now)

    def check(self, token: str | None) -> Denied | None:
        challenge = 'Bearer realm="depipe", error="invalid_token"'
        if token is None:
            return Denied(
                401,
                "missing_token",
                "send 'Authorization: Bearer <token>'",
                'Bearer realm="depipe"',
            )
        expires_at = self._expiry.get(token)
        if expires_at is None:
            return Denied(401, "invalid_token", "this access token was never issued", challenge)
        if self._clock() >= expires_at:
            return Denied(401, "invalid_token", "the access token has expired", challenge)
        return None


def grant(
    config: AuthConfig,
    store: TokenStore,
    form: Mapping[str, str],
    basic: tuple[str, str] | None = None,
) -> dict[str, Any] | Denied:
    """The token endpoint: a token body for good client credentials, else ``Denied``.

    Credentials may come in the form (``client_secret_post``) or as HTTP Basic
    (``client_secret_basic``); both are standard for the client-credentials grant.
    """
    if "grant_type" not in form:
        return Denied(
            400,
            "invalid_request",
            "grant_type is missing: send the fields form-encoded in the body (data=...)",
        )
    if form.get("grant_type") != "client_credentials":
        return Denied(
            400,
            "unsupported_grant_type",
            f"grant_type must be 'client_credentials', got {form.get('grant_type')!r}",
        )
    client_id, client_secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
    if not (same(client_id, config.client_id) and same(client_secret, config.client_secret)):
        return Denied(
            401,
            "invalid_client",
            "unknown client_id or wrong client_secret",
            'Basic realm="depipe-auth"',
        )
    return {
        "access_token": store.issue(),
        "token_type": "Bearer",
        "expires_in": store.lifetime_s,
        "scope": form.get("scope") or DEFAULT_SCOPE,
    }


def authenticate(config: AuthConfig, store: TokenStore, headers: Mapping[str, str]) -> Denied | None:
    """None when the request's headers satisfy the fake's auth mode, else ``Denied``."""
    if config.mode == "none":
        return None
    if config.mode == "oauth":
        return store.check(bearer(headers.get("Authorization")))
    if config.mode == "api_key":
        key = headers.get(config.api_key_header)
        if key is None:
            hint = f"send the key in the {config.api_key_header} header"
            return Denied(401, "missing_api_key", hint)
        if not same(key, config.api_key):
            return Denied(401, "invalid_api_key", "unknown API key")
        return None
    pair = parse_basic(headers.get("Authorization"))
    challenge = 'Basic realm="depipe"'
    if pair is None:
        return Denied(401, "missing_credentials", "send HTTP Basic credentials", challenge)
    if same(pair[0], config.client_id) and same(pair[1], config.client_secret):
        return None
    return Denied(401, "invalid_credentials", "wrong user or password", challenge)
