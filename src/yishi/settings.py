"""Typed settings, read from ``YISHI_*`` environment variables."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("zh_CN", "en")


class SettingsError(ValueError):
    """A setting has a value Yishi cannot use; the message names it."""


def _whole(env: Any, name: str, default: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= 1_000_000:
        raise SettingsError(f"{name} must be a whole number from 1 to 1000000 (got {text!r})")
    return int(text)


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///var/yishi.sqlite3"
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    language: str = "zh_CN"
    redis_url: str = ""
    trusted_proxies: tuple[str, ...] = ()  # addresses or networks whose X-Forwarded-For is believed
    var_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "var")
    debug: bool = False
    live_streams_per_worker: int = 1200  # live screens one worker process keeps open
    live_streams_per_address: int = 300  # of them, from one client address (a meeting room's Wi-Fi)

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql://", "postgres://"))

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file; relative paths are taken from the project root."""
        raw = self.database_url.removeprefix("sqlite:///")
        path = Path(raw)
        return path if path.is_absolute() else PROJECT_ROOT / path

    def with_values(self, **values: object) -> Settings:
        return replace(self, **values)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        var_dir = Path(env.get("YISHI_VAR_DIR", str(PROJECT_ROOT / "var")))
        settings = cls(
            database_url=env.get("YISHI_DATABASE_URL", cls.database_url),
            secret_key=env.get("YISHI_SECRET_KEY", ""),
            base_url=env.get("YISHI_BASE_URL", cls.base_url).rstrip("/"),
            language=env.get("YISHI_LANGUAGE", cls.language),
            redis_url=env.get("YISHI_REDIS_URL", ""),
            trusted_proxies=tuple(p.strip() for p in env.get("YISHI_TRUSTED_PROXIES", "").split(",") if p.strip()),
            var_dir=var_dir,
            debug=env.get("YISHI_DEBUG", "") in {"1", "true", "yes"},
            live_streams_per_worker=_whole(env, "YISHI_LIVE_STREAMS_PER_WORKER", cls.live_streams_per_worker),
            live_streams_per_address=_whole(env, "YISHI_LIVE_STREAMS_PER_ADDRESS", cls.live_streams_per_address),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        if not (self.is_postgres or self.database_url.startswith("sqlite:///")):
            raise SettingsError(
                f"YISHI_DATABASE_URL must start with sqlite:/// or postgresql:// (got {self.database_url!r})"
            )
        if self.language not in LANGUAGES:
            raise SettingsError(f"YISHI_LANGUAGE must be one of {', '.join(LANGUAGES)} (got {self.language!r})")
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise SettingsError(
                    f"YISHI_TRUSTED_PROXIES lists addresses or networks such as 127.0.0.1 or 10.0.0.0/8 (got {proxy!r})"
                ) from None
        if not self.base_url.startswith(("http://", "https://")):
            raise SettingsError(f"YISHI_BASE_URL must be an http(s) URL (got {self.base_url!r})")

    def ensure_secret_key(self) -> Settings:
        """Return settings with a secret key, generating one into var/ on first run."""
        if self.secret_key:
            return self
        self.var_dir.mkdir(parents=True, exist_ok=True)
        key_file = self.var_dir / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return replace(self, secret_key=key_file.read_text().strip())


_ACTIVE: list[Settings] = []


def activate(settings: Settings) -> None:
    """Make ``settings`` the ones services read (``db.configure`` calls this)."""
    _ACTIVE[:] = [settings]


def active() -> Settings:
    """The settings of the database in use: what a service reads when it needs
    more than the database (the secret key that seals secret ballots)."""
    if not _ACTIVE:
        raise RuntimeError("no settings are active: db.configure(settings) first")
    return _ACTIVE[0]
