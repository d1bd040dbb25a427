"""Settings from DOUDI_* variables, and the refusals that keep production safe."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import pytest

from admin.config import ConfigError, load_settings


def settings(tmp_path: Path, **env: str):  # type: ignore[no-untyped-def]
    return load_settings(environ={"DOUDI_INSTANCE_PATH": str(tmp_path), **env})


def test_defaults_to_development_on_sqlite_under_instance(tmp_path: Path) -> None:
    s = settings(tmp_path)
    assert s.env == "development"
    assert s.database_url == f"sqlite:///{tmp_path / 'doudi.sqlite3'}"
    assert s.now is None and s.timezone == "Asia/Shanghai"


def test_attachments_are_kept_in_the_instance_unless_a_folder_is_named(tmp_path: Path) -> None:
    assert settings(tmp_path).attachments_dir == tmp_path.resolve() / "attachments"
    elsewhere = tmp_path / "nas" / "doudi-files"
    named = settings(tmp_path, DOUDI_ATTACHMENTS_PATH=str(elsewhere))
    assert named.attachments_dir == elsewhere.resolve()


def test_the_development_secret_survives_restarts(tmp_path: Path) -> None:
    assert settings(tmp_path).secret_key == settings(tmp_path).secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_doudi_now_freezes_time_only_in_test(tmp_path: Path) -> None:
    s = settings(tmp_path, DOUDI_ENV="test", DOUDI_NOW="2026-03-02T10:00:00")
    assert s.now == dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # local time, China
    for env in ("development", "production"):
        with pytest.raises(ConfigError, match="only allowed with DOUDI_ENV=test"):
            settings(tmp_path, DOUDI_ENV=env, DOUDI_NOW="2026-03-02", DOUDI_SECRET_KEY="k")


def test_production_needs_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DOUDI_SECRET_KEY"):
        settings(tmp_path, DOUDI_ENV="production")
    with pytest.raises(ConfigError, match="32 random bytes"):  # long, but one letter
        settings(tmp_path, DOUDI_ENV="production", DOUDI_SECRET_KEY="x" * 32)
    # found by the red team: long and varied enough, but typed, not drawn
    for typed in (
        "0123456789abcdef0123456789abcdef",
        "doudi-demo-2024doudi-demo-2024doudi-demo-2024",
        "Password123!Password123!Password123!",
        "abcdefghijklmnopqrstuvwxyz012345",
    ):
        with pytest.raises(ConfigError, match="32 random bytes"):
            settings(tmp_path, DOUDI_ENV="production", DOUDI_SECRET_KEY=typed)
    for _ in range(200):  # what the error message tells operators to use always passes
        drawn = secrets.token_hex(32)
        assert settings(tmp_path, DOUDI_ENV="production", DOUDI_SECRET_KEY=drawn).secret_key
    key = "3f9c1a7e5b2d8046e1c9a3b7d5f20e84c6a1b9d3e7f5028c4a6e1b3d9f7c5a20"
    assert settings(tmp_path, DOUDI_ENV="production", DOUDI_SECRET_KEY=key).secret_key == key


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DOUDI_ENV": "qa"}, "DOUDI_ENV"),
        ({"DOUDI_TIMEZONE": "Mars/Olympus"}, "DOUDI_TIMEZONE"),
        ({"DOUDI_TOKEN_TTL_HOURS": "soon"}, "DOUDI_TOKEN_TTL_HOURS"),
        ({"DOUDI_TOKEN_TTL_HOURS": "0"}, "DOUDI_TOKEN_TTL_HOURS"),
        ({"DOUDI_PUBLIC_URL": "dibao.example.gov.cn"}, "DOUDI_PUBLIC_URL"),
        ({"DOUDI_PUBLIC_URL": "javascript:alert(1)"}, "DOUDI_PUBLIC_URL"),
        ({"DOUDI_PUBLIC_URL": "https://x.example/?a=1"}, "DOUDI_PUBLIC_URL"),
        ({"DOUDI_TRUSTED_PROXIES": "yes"}, "DOUDI_TRUSTED_PROXIES"),
        ({"DOUDI_TRUSTED_PROXIES": "-1"}, "DOUDI_TRUSTED_PROXIES"),
        ({"DOUDI_TRUSTED_PROXIES": "9"}, "DOUDI_TRUSTED_PROXIES"),
        ({"DOUDI_TRUSTED_PROXIES": "²"}, "DOUDI_TRUSTED_PROXIES"),
    ],
)
def test_bad_values_are_named(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings(tmp_path, **env)


def test_the_public_address_documents_print_is_configurable(tmp_path: Path) -> None:
    assert settings(tmp_path).public_url == "http://127.0.0.1:5000"
    configured = settings(tmp_path, DOUDI_PUBLIC_URL="https://dibao.lezhi.example.gov.cn/doudi/")
    assert configured.public_url == "https://dibao.lezhi.example.gov.cn/doudi"
