"""Settings from environment variables (DOUDI_*), with overrides for tests."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.clock import parse_instant

ENVIRONMENTS = ("development", "test", "production")
DEFAULT_TOKEN_TTL_HOURS = 12
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
#: failed sign-ins a user name, or an address, may have before it is locked for the window
DEFAULT_SIGNIN_FAILURES_PER_USER = 5
DEFAULT_SIGNIN_FAILURES_PER_ADDRESS = 20
DEFAULT_SIGNIN_WINDOW_MINUTES = 15
DEFAULT_SIGNIN_LOCK_AFTER = 20
#: where printed documents send readers to verify them (the QR code and link)
DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"
#: reverse proxies in front of doudi whose X-Forwarded-For/-Proto headers are believed
MAX_TRUSTED_PROXIES = 5


class ConfigError(Exception):
    """The configuration cannot work; the message says what to set."""


@dataclass(frozen=True)
class Settings:
    """Everything the application reads from its environment."""

    env: str
    database_url: str
    secret_key: str
    instance_path: Path
    timezone: str
    now: dt.datetime | None
    token_ttl_hours: int
    max_body_bytes: int
    signin_failures_per_user: int = DEFAULT_SIGNIN_FAILURES_PER_USER
    signin_failures_per_address: int = DEFAULT_SIGNIN_FAILURES_PER_ADDRESS
    signin_window_minutes: int = DEFAULT_SIGNIN_WINDOW_MINUTES
    signin_lock_after: int = DEFAULT_SIGNIN_LOCK_AFTER
    public_url: str = DEFAULT_PUBLIC_URL
    trusted_proxies: int = 0
    #: the Ed25519 key that signs audit checkpoints (a file outside the database)
    checkpoint_key: Path | None = None
    #: where investigation photos and scans are kept (default: ``attachments`` in the instance)
    attachments_path: Path | None = None

    @property
    def attachments_dir(self) -> Path:
        """The folder of investigation photos and scans."""
        return self.attachments_path or self.instance_path / "attachments"

    @property
    def tz(self) -> ZoneInfo:
        """The county's time zone."""
        return ZoneInfo(self.timezone)


def _int(values: Mapping[str, Any], key: str, default: int) -> int:
    raw = values.get(key)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{key} must be a whole number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{key} must be positive, got {value}")
    return value


def _trusted_proxies(values: Mapping[str, Any]) -> int:
    """How many reverse proxies stand in front of doudi (0: believe no forwarded header)."""
    raw = values.get("DOUDI_TRUSTED_PROXIES")
    if raw in (None, ""):
        return 0
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_TRUSTED_PROXIES:
        raise ConfigError(
            f"DOUDI_TRUSTED_PROXIES must be a whole number from 0 to {MAX_TRUSTED_PROXIES} "
            f"(the reverse proxies in front of doudi), got {raw!r}"
        )
    return int(text)


def _public_url(values: Mapping[str, Any]) -> str:
    """The address the public reaches doudi at: http(s)://host[:port][/path], no trailing slash."""
    raw = str(values.get("DOUDI_PUBLIC_URL") or DEFAULT_PUBLIC_URL).strip()
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            f"DOUDI_PUBLIC_URL must be an http(s) address like https://dibao.example.gov.cn, "
            f"got {raw!r}"
        )
    return raw.rstrip("/")


#: a session-signing key: at least 32 bytes, and not a run of a few characters
MIN_SECRET_BYTES = 32
MIN_SECRET_DISTINCT = 10


#: a run of this many consecutive characters (01234567, abcdefgh) is typed, not drawn
MAX_SECRET_RUN = 8


def _repeats_a_block(secret: str) -> bool:
    """Whether the key is one shorter block written again and again (a phrase typed twice)."""
    n = len(secret)
    return any(secret == (secret[:p] * (n // p + 1))[:n] for p in range(1, n // 2 + 1))


def _longest_run(secret: str) -> int:
    """The longest stretch of characters each one code point above the one before."""
    longest = run = 1
    for before, after in itertools.pairwise(secret):
        run = run + 1 if ord(after) == ord(before) + 1 else 1
        longest = max(longest, run)
    return longest


def strong_secret(secret: str) -> bool:
    """Whether a key is long and varied enough to be random (a hex token of 32 bytes is):
    no repeated phrase, no keyboard run, enough distinct characters."""
    return (
        len(secret.encode()) >= MIN_SECRET_BYTES
        and len(set(secret)) >= MIN_SECRET_DISTINCT
        and not _repeats_a_block(secret)
        and _longest_run(secret) < MAX_SECRET_RUN
    )


def _dev_secret(instance: Path) -> str:
    """Keep a random development key in the instance folder so sessions survive restarts."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text("ascii").strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key, "ascii")
    path.chmod(0o600)
    return key


def load_settings(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """Read settings from ``environ`` (default: the process environment) and ``overrides``."""
    values: dict[str, Any] = dict(os.environ if environ is None else environ)
    values.update(overrides or {})
    env = values.get("DOUDI_ENV") or "development"
    if env not in ENVIRONMENTS:
        raise ConfigError(f"DOUDI_ENV must be one of {', '.join(ENVIRONMENTS)}, got {env!r}")
    instance = Path(values.get("DOUDI_INSTANCE_PATH") or Path.cwd() / "instance").resolve()
    url = values.get("DOUDI_DATABASE_URL") or f"sqlite:///{instance / 'doudi.sqlite3'}"
    timezone = values.get("DOUDI_TIMEZONE") or "Asia/Shanghai"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"DOUDI_TIMEZONE {timezone!r} is not a known time zone") from None

    now = None
    raw_now = values.get("DOUDI_NOW")
    if raw_now:
        if env != "test":
            raise ConfigError(
                "DOUDI_NOW freezes the clock and is only allowed with DOUDI_ENV=test "
                f"(DOUDI_ENV is {env!r})"
            )
        try:
            now = parse_instant(raw_now, ZoneInfo(timezone))
        except ValueError:
            raise ConfigError(f"DOUDI_NOW must be an ISO 8601 date-time, got {raw_now!r}") from None

    secret = values.get("DOUDI_SECRET_KEY") or ""
    if env == "production" and secret and not strong_secret(secret):
        raise ConfigError(
            "DOUDI_SECRET_KEY must hold at least 32 random bytes in production, for example "
            "the output of: python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    if not secret:
        if env == "production":
            raise ConfigError("DOUDI_SECRET_KEY is required when DOUDI_ENV=production")
        secret = _dev_secret(instance) if env == "development" else secrets.token_hex(32)
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return Settings(
        env=env,
        database_url=url,
        secret_key=secret,
        instance_path=instance,
        timezone=timezone,
        now=now,
        token_ttl_hours=_int(values, "DOUDI_TOKEN_TTL_HOURS", DEFAULT_TOKEN_TTL_HOURS),
        max_body_bytes=_int(values, "DOUDI_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
        signin_failures_per_user=_int(
            values, "DOUDI_SIGNIN_FAILURES_PER_USER", DEFAULT_SIGNIN_FAILURES_PER_USER
        ),
        signin_failures_per_address=_int(
            values, "DOUDI_SIGNIN_FAILURES_PER_ADDRESS", DEFAULT_SIGNIN_FAILURES_PER_ADDRESS
        ),
        signin_window_minutes=_int(
            values, "DOUDI_SIGNIN_WINDOW_MINUTES", DEFAULT_SIGNIN_WINDOW_MINUTES
        ),
        signin_lock_after=_int(values, "DOUDI_SIGNIN_LOCK_AFTER", DEFAULT_SIGNIN_LOCK_AFTER),
        public_url=_public_url(values),
        trusted_proxies=_trusted_proxies(values),
        checkpoint_key=Path(values["DOUDI_CHECKPOINT_KEY"]).expanduser()
        if values.get("DOUDI_CHECKPOINT_KEY")
        else None,
        attachments_path=Path(values["DOUDI_ATTACHMENTS_PATH"]).expanduser().resolve()
        if values.get("DOUDI_ATTACHMENTS_PATH")
        else None,
    )
