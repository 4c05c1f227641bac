"""Where certdesk keeps its files (platformdirs, with environment overrides)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

APP_NAME = "certdesk"


def data_dir() -> Path:
    """The data directory: ``CERTDESK_DATA_DIR`` or the user data directory."""
    override = os.environ.get("CERTDESK_DATA_DIR")
    return Path(override).expanduser() if override else Path(user_data_dir(APP_NAME))


def config_file() -> Path:
    """The TOML configuration: ``CERTDESK_CONFIG`` or ``config.toml`` in the user config dir."""
    return explicit_config_file() or Path(user_config_dir(APP_NAME)) / "config.toml"


def explicit_config_file() -> Path | None:
    """The configuration file named by ``CERTDESK_CONFIG`` (it must then exist), if any."""
    override = os.environ.get("CERTDESK_CONFIG")
    return Path(override).expanduser() if override else None


def default_database_path() -> Path:
    return data_dir() / "certdesk.sqlite3"


def demo_database_path() -> Path:
    return data_dir() / "demo.sqlite3"


def outbox_dir() -> Path:
    return data_dir() / "outbox"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
