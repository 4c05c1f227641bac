"""What can be configured: a TOML file, overridden by ``CERTDESK_*`` environment variables.

Every setting has one name; its environment variable is ``CERTDESK_`` + the name in
capitals (``smtp_host`` -> ``CERTDESK_SMTP_HOST``).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from certdesk_tui import locations
from certdesk_tui.errors import ConfigurationError


@dataclass(frozen=True)
class Settings:
    # Storage
    database_url: str = ""
    # Email delivery
    mail_transport: str = ""  # "file" or "smtp"; empty: smtp when smtp_host is set, else file
    smtp_host: str = ""
    smtp_port: int = 0
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_security: str = "none"  # none | starttls | ssl
    mail_from: str = "certificates@certdesk.invalid"
    mail_max_attempts: int = 6
    mail_retry_base_seconds: int = 30
    # How often an open desk delivers due emails in the background (0: it does not).
    mail_interval_seconds: float = 10.0
    # Interface
    overdue_hours: float = 24.0
    refresh_seconds: float = 2.0
    theme: str = ""
    keymap: dict[str, str] = field(default_factory=dict)
    # Rules
    duplicate_window_days: int = 30

    @property
    def effective_database_url(self) -> str:
        return self.database_url or locations.sqlite_url(locations.default_database_path())

    @property
    def effective_mail_transport(self) -> str:
        if self.mail_transport:
            return self.mail_transport
        return "smtp" if self.smtp_host else "file"


_INT_FIELDS = {"smtp_port", "mail_max_attempts", "mail_retry_base_seconds", "duplicate_window_days"}
_FLOAT_FIELDS = {"overdue_hours", "refresh_seconds", "mail_interval_seconds"}


def _coerce(name: str, value: Any, source: str) -> Any:
    try:
        if name in _INT_FIELDS:
            return int(value)
        if name in _FLOAT_FIELDS:
            return float(value)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{source}: {name} must be a number, not {value!r}") from None
    if name == "keymap":
        if not isinstance(value, dict):
            raise ConfigurationError(f"{source}: keymap must be a table of action id = keys")
        return {str(k): str(v) for k, v in value.items()}
    return str(value)


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read the TOML file (if it exists) and apply environment overrides."""
    environ = os.environ if environ is None else environ
    path = path or locations.config_file()
    values: dict[str, Any] = {}
    names = {f.name for f in fields(Settings)}
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"{path}: not valid TOML ({exc})") from None
        # Accept both flat keys and a [certdesk] table.
        table = raw.pop("certdesk") if isinstance(raw.get("certdesk"), dict) else {}
        raw = {**raw, **table}
        for key, value in raw.items():
            if key not in names:
                raise ConfigurationError(f"{path}: unknown setting {key!r}")
            values[key] = _coerce(key, value, str(path))
    for name in names - {"keymap"}:
        env_value = environ.get(f"CERTDESK_{name.upper()}")
        if env_value is not None and env_value != "":
            values[name] = _coerce(name, env_value, f"CERTDESK_{name.upper()}")
    settings = Settings(**values)
    if settings.smtp_security not in ("none", "starttls", "ssl"):
        raise ConfigurationError(
            f"smtp_security must be none, starttls or ssl, not {settings.smtp_security!r}"
        )
    if settings.effective_mail_transport not in ("file", "smtp"):
        raise ConfigurationError(
            f"mail_transport must be file or smtp, not {settings.mail_transport!r}"
        )
    return settings
