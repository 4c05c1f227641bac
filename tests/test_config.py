"""Paths and configuration: data directory, database URL, TOML file, environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from certdesk_tui import locations
from certdesk_tui.config import Settings, load_settings
from certdesk_tui.errors import ConfigurationError, UnknownUser
from certdesk_tui.identity import open_desk
from certdesk_tui.storage.engine import Database, make_engine, normalise_url
from tests import factories


def test_the_default_database_is_a_sqlite_file_in_the_data_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("CERTDESK_DATA_DIR", str(tmp_path / "data"))
    settings = load_settings(environ={})
    assert settings.database_url == ""
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'data' / 'certdesk.sqlite3'}"
    assert locations.outbox_dir() == tmp_path / "data" / "outbox"
    assert locations.demo_database_path() == tmp_path / "data" / "demo.sqlite3"


def test_without_overrides_the_user_directories_of_platformdirs_are_used(monkeypatch):
    from platformdirs import user_config_dir, user_data_dir

    monkeypatch.delenv("CERTDESK_DATA_DIR")
    monkeypatch.delenv("CERTDESK_CONFIG")
    assert locations.data_dir() == Path(user_data_dir("certdesk"))
    assert locations.config_file() == Path(user_config_dir("certdesk")) / "config.toml"


def test_the_database_url_comes_from_the_environment(tmp_path):
    url = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    settings = load_settings(environ={"CERTDESK_DATABASE_URL": url})
    assert settings.effective_database_url == url


def test_a_missing_config_file_means_defaults(tmp_path):
    assert load_settings(tmp_path / "none.toml", environ={}) == Settings()


def test_the_toml_file_is_read_and_the_environment_overrides_it(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        'database_url = "sqlite:////srv/certdesk.sqlite3"\n'
        'smtp_host = "mail.example"\nsmtp_port = 587\nsmtp_security = "starttls"\n'
        "duplicate_window_days = 10\n[keymap]\nreject = \"r\"\n",
        encoding="utf-8",
    )
    settings = load_settings(path, environ={"CERTDESK_SMTP_PORT": "2525"})
    assert settings.database_url == "sqlite:////srv/certdesk.sqlite3"
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_security) == (
        "mail.example", 2525, "starttls")
    assert settings.effective_mail_transport == "smtp"
    assert settings.duplicate_window_days == 10
    assert settings.keymap == {"reject": "r"}


def test_a_certdesk_table_in_the_toml_file_is_accepted(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[certdesk]\nmail_from = "certs@acme.example"\n', encoding="utf-8")
    assert load_settings(path, environ={}).mail_from == "certs@acme.example"


def test_the_config_file_is_found_through_certdesk_config(tmp_path, monkeypatch):
    path = tmp_path / "elsewhere.toml"
    path.write_text("overdue_hours = 4.5\n", encoding="utf-8")
    monkeypatch.setenv("CERTDESK_CONFIG", str(path))
    assert load_settings(environ={}).overdue_hours == 4.5


def test_mail_goes_to_files_unless_smtp_is_configured():
    assert Settings().effective_mail_transport == "file"
    assert Settings(smtp_host="mail.example").effective_mail_transport == "smtp"


@pytest.mark.parametrize(
    ("text", "environ", "match"),
    [
        ("smtp_port = \n", {}, "not valid TOML"),
        ("colour = \"blue\"\n", {}, "unknown setting 'colour'"),
        ("smtp_port = \"twenty\"\n", {}, "smtp_port must be a number"),
        ("", {"CERTDESK_DUPLICATE_WINDOW_DAYS": "a month"}, "CERTDESK_DUPLICATE_WINDOW_DAYS"),
        ("smtp_security = \"tls13\"\n", {}, "smtp_security must be none, starttls or ssl"),
        ("mail_transport = \"pigeon\"\n", {}, "mail_transport must be file or smtp"),
    ],
    ids=["bad-toml", "unknown-key", "not-a-number", "bad-env", "bad-security", "bad-transport"],
)
def test_a_bad_configuration_is_refused_with_a_clear_reason(tmp_path, text, environ, match):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=match):
        load_settings(path, environ=environ)


def test_plain_postgresql_urls_go_through_psycopg():
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


@pytest.mark.parametrize(("url", "match"), [("not a url", "not a database URL"),
                                            ("mysql://u@h/db", "unsupported database")])
def test_an_unusable_database_url_is_refused(url, match):
    with pytest.raises(ConfigurationError, match=match):
        make_engine(url)


def test_the_embedded_database_is_created_by_itself_and_its_first_user_is_manager(tmp_path,
                                                                                   monkeypatch):
    monkeypatch.setenv("CERTDESK_DATA_DIR", str(tmp_path / "data"))
    desk = open_desk(load_settings(environ={}), login="morgan")
    try:
        assert (tmp_path / "data" / "certdesk.sqlite3").exists()
        assert desk.actor.role == "manager"
        assert len(desk.reasons()) == 7
    finally:
        desk.db.dispose()
    with pytest.raises(UnknownUser, match="certdesk users add sam --role"):
        open_desk(load_settings(environ={}), login="sam")


def test_a_database_given_by_url_must_be_initialised_first(tmp_path):
    url = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    with pytest.raises(ConfigurationError, match="not initialised: run certdesk init --db URL"):
        open_desk(Settings(), url, login="morgan")
    Database(url).dispose()


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(sqlite_url):
    db = Database(sqlite_url)
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    finally:
        db.dispose()


def test_the_duplicate_window_setting_is_honoured(desk_for):
    desk = desk_for("morgan", settings=Settings(duplicate_window_days=5))
    report = desk.import_submissions(factories.jsonl(
        factories.submission("W-1", submitted_at="2026-11-01T09:00:00+00:00"),
        factories.submission("W-2", submitted_at="2026-11-10T09:00:00+00:00"),
        factories.submission("W-3", submitted_at="2026-11-13T09:00:00+00:00"),
    ))
    first, second, third = (o.request_id for o in report.accepted)
    assert desk.request(first).duplicates == ()  # nine days before the second
    assert [d.id for d in desk.request(second).duplicates] == [third]
    assert [d.id for d in desk.request(third).duplicates] == [second]
