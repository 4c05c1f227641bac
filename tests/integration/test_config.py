"""Paths and configuration: data directory, database URL, TOML file, environment."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certdesk_tui import config, locations
from certdesk_tui.config import Settings, load_settings
from certdesk_tui.domain.errors import ConfigurationError, UnknownUser
from certdesk_tui.service.identity import open_desk
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
    path = tmp_path / "team.sqlite3"
    url = f"sqlite:///{path}"
    with pytest.raises(ConfigurationError, match=f"no database at {path}: run certdesk init$"):
        open_desk(Settings(), url, login="morgan")
    assert not path.exists()
    path.touch()  # a file, but no schema in it
    with pytest.raises(ConfigurationError, match="not initialised: run certdesk init --db URL"):
        open_desk(Settings(), url, login="morgan")


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(sqlite_url):
    db = Database(sqlite_url, create=True)
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


# -- the typed settings: every refusal is one line naming the setting and what it expects --

def _refused(tmp_path, text: str = "", environ: dict[str, str] | None = None) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        load_settings(path, environ=environ or {})
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("smtp_port = 70000", "smtp_port must be a number, a port from 1 to 65535"),
        ("smtp_port = -1", "smtp_port must be a number, a port from 1 to 65535"),
        ("smtp_port = true", "smtp_port must be a number"),
        ("smtp_port = 25.5", "smtp_port must be a number"),
        ("mail_max_attempts = 0", "mail_max_attempts must be a whole number from 1 to 1000"),
        ("mail_retry_base_seconds = -5", "mail_retry_base_seconds must be a whole number of "
                                         "seconds from 0 to 86400"),
        ("mail_interval_seconds = -1", "mail_interval_seconds must be 0 (never) or a number"),
        ("refresh_seconds = 0.0001", "refresh_seconds must be 0 (never) or a number of seconds"),
        ("overdue_hours = 0", "overdue_hours must be a number of hours greater than 0"),
        ("overdue_hours = 1e300", "overdue_hours must be a number of hours greater than 0"),
        ("overdue_hours = nan", "overdue_hours must be a number of hours greater than 0, "
                                "at most 87600, not nan"),
        ("refresh_seconds = inf", "refresh_seconds must be 0 (never) or a number of seconds "
                                  "from 0.1 to 86400, not inf"),
        ("smtp_timeout_seconds = -inf", "smtp_timeout_seconds must be a number of seconds "
                                        "greater than 0"),
        ("smtp_timeout_seconds = 0", "smtp_timeout_seconds must be a number of seconds"),
        ("renewal_window_days = 367", "renewal_window_days must be a whole number of days "
                                      "from 0 to 366, not 367"),
        ("renewal_window_days = -1", "renewal_window_days must be"),
        ("duplicate_window_days = 99999999999999999999", "duplicate_window_days must be"),
        ("smtp_host = 25", "smtp_host must be text"),
        ("mail_from = [\"a@b.example\"]", "mail_from must be text"),
        ("reply_to = 1", "reply_to must be text"),
        ("keymap = \"ctrl+r\"", "keymap must be a table of binding id = keys"),
        ("[keymap]\nreject = 5", "keymap must be a table of binding id = keys"),
        ("[certdesk]\ncolour = \"blue\"", "unknown setting 'colour'"),
        ("[mail]\nhost = \"x\"", "unknown setting 'mail'"),
    ],
)
def test_a_value_of_the_wrong_kind_or_out_of_range_is_refused_naming_the_key(tmp_path, text,
                                                                             expected):
    message = _refused(tmp_path, text + "\n")
    assert message.startswith(f"{tmp_path / 'config.toml'}: ")
    assert expected in message


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("CERTDESK_SMTP_PORT", "65536", "a port from 1 to 65535"),
        ("CERTDESK_SMTP_PORT", "٣", "a port from 1 to 65535"),
        ("CERTDESK_OVERDUE_HOURS", "nan", "greater than 0"),
        ("CERTDESK_OVERDUE_HOURS", "NaN", "greater than 0"),
        ("CERTDESK_REFRESH_SECONDS", "Infinity", "0 (never)"),
        ("CERTDESK_MAIL_INTERVAL_SECONDS", "-0.5", "0 (never)"),
        ("CERTDESK_SMTP_TIMEOUT_SECONDS", "1e400", "greater than 0"),
        ("CERTDESK_MAIL_MAX_ATTEMPTS", "0", "from 1 to 1000"),
        ("CERTDESK_RENEWAL_WINDOW_DAYS", "sixty", "from 0 to 366"),
        ("CERTDESK_SMTP_SECURITY", "tls", "none, starttls or ssl"),
        ("CERTDESK_SMTP_HOST", "mail\udcff.example", "text"),
    ],
)
def test_a_bad_environment_value_is_refused_naming_the_variable(tmp_path, name, value, expected):
    message = _refused(tmp_path, environ={name: value})
    assert message.startswith(f"{name} must be ")
    assert expected in message


def test_the_new_settings_have_defaults_and_are_read_from_file_and_environment(tmp_path):
    defaults = Settings()
    assert (defaults.renewal_window_days, defaults.reply_to, defaults.smtp_timeout_seconds) == (
        60, "", 60.0)
    path = tmp_path / "config.toml"
    path.write_text('[certdesk]\nrenewal_window_days = 0\nreply_to = "desk@acme.example"\n'
                    "smtp_timeout_seconds = 12.5\n", encoding="utf-8")
    settings = load_settings(path, environ={"CERTDESK_RENEWAL_WINDOW_DAYS": "366"})
    assert (settings.renewal_window_days, settings.reply_to, settings.smtp_timeout_seconds) == (
        366, "desk@acme.example", 12.5)


def test_numbers_may_be_written_as_text_and_an_empty_variable_is_no_override(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('smtp_port = "587"\noverdue_hours = 8\n', encoding="utf-8")
    settings = load_settings(path, environ={"CERTDESK_OVERDUE_HOURS": "",
                                            "CERTDESK_REFRESH_SECONDS": " 0 "})
    assert (settings.smtp_port, settings.overdue_hours, settings.refresh_seconds) == (587, 8, 0)


def test_settings_are_frozen_comparable_and_hashable():
    a = Settings(keymap={"reject": "r"}, overdue_hours=8)
    b = Settings(keymap={"reject": "r"}, overdue_hours=8)
    assert a == b and hash(a) == hash(b) and len({a, b, Settings()}) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.overdue_hours = 9


def test_settings_given_directly_ignore_the_environment(monkeypatch):
    monkeypatch.setenv("CERTDESK_OVERDUE_HOURS", "3")
    assert Settings().overdue_hours == 24
    assert load_settings(environ={"CERTDESK_OVERDUE_HOURS": "3"}).overdue_hours == 3


def test_a_config_file_named_by_certdesk_config_must_exist(tmp_path, monkeypatch):
    monkeypatch.setenv("CERTDESK_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigurationError,
                       match=r"missing\.toml: no such configuration file$"):
        load_settings(environ={})
    monkeypatch.setenv("CERTDESK_CONFIG", os.devnull)  # /dev/null: explicitly none
    assert load_settings(environ={}) == Settings()


def test_the_default_config_file_may_be_absent(tmp_path, monkeypatch):
    monkeypatch.delenv("CERTDESK_CONFIG")
    monkeypatch.setattr(locations, "user_config_dir", lambda app: str(tmp_path / "nowhere"))
    assert load_settings(environ={}) == Settings()


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p.mkdir(), "is a directory, not a TOML configuration file"),
        (lambda p: p.write_bytes(b'mail_from = "caf\xe9@x.example"\n'), "not UTF-8 text"),
        (lambda p: p.write_bytes(b"\xff\xfe\x00\x00"), "not UTF-8 text"),
        (lambda p: os.mkfifo(p), "not a regular file"),
        (lambda p: p.write_text("[certdesk\n"), "not valid TOML"),
        (lambda p: p.write_text("# " + "x" * 1_000_000), "larger than 1 MB"),
    ],
    ids=["directory", "latin-1", "utf-32", "fifo", "broken-toml", "huge"],
)
def test_a_config_path_that_is_not_a_readable_toml_file_is_refused(tmp_path, monkeypatch, make,
                                                                   expected):
    path = tmp_path / "config.toml"
    make(path)
    monkeypatch.setenv("CERTDESK_CONFIG", str(path))
    with pytest.raises(ConfigurationError) as caught:
        load_settings(environ={})
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and expected in message and "\n" not in message


def _certdesk(*args: str, env: dict[str, str], stdin=None, timeout: float = 60):
    return subprocess.run([sys.executable, "-m", "certdesk_tui", *args], env=env,
                          capture_output=True, text=True, timeout=timeout, stdin=stdin)


def _clean_env(tmp_path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTDESK_")}
    env.update(CERTDESK_DATA_DIR=str(tmp_path / "data"), LOGNAME="morgan", USER="morgan",
               **extra)
    return env


@pytest.mark.parametrize("how", ["--config", "CERTDESK_CONFIG"])
def test_the_command_line_refuses_a_missing_or_bad_config_in_one_line(tmp_path, how):
    bad = tmp_path / "bad.toml"
    bad.write_text("smtp_port = 99999\n", encoding="utf-8")
    for path, expected in ((tmp_path / "missing.toml", "no such configuration file"),
                           (tmp_path, "is a directory"),
                           (bad, "smtp_port must be a number, a port from 1 to 65535")):
        if how == "--config":
            result = _certdesk("--config", str(path), "reasons", "list",
                               env=_clean_env(tmp_path))
        else:
            result = _certdesk("reasons", "list",
                               env=_clean_env(tmp_path, CERTDESK_CONFIG=str(path)))
        assert result.returncode == 1, result
        assert result.stderr == f"certdesk: {path}: " + result.stderr.split(": ", 2)[2]
        assert expected in result.stderr and result.stderr.count("\n") == 1


def test_the_config_option_is_read(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[certdesk]\nsmtp_host = "mail.acme.example"\nsmtp_port = 2525\n',
                    encoding="utf-8")
    result = _certdesk("--config", str(path), "mail", "status", env=_clean_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "mail.acme.example:2525" in result.stdout


# -- any value, from the file or the environment: loaded, or one ConfigurationError --------

SETTING_NAMES = sorted(config.SETTING_NAMES)
TOML_VALUES = st.one_of(
    st.text(max_size=30), st.integers(), st.floats(), st.booleans(),
    st.sampled_from(["nan", "inf", "-inf", "0", "0.1", "1e400", "65535", "65536", "٣", " 5 "]),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5),
                                                          st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), min_size=1, max_size=2),
)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}"
                               for k, v in value.items()) + "}"
    return str(value)


def _loaded_or_one_refusal(path: Path | None, environ: dict[str, str]) -> Settings | None:
    try:
        settings = load_settings(path, environ=environ)
    except ConfigurationError as exc:
        assert str(exc) and "\n" not in str(exc)
        return None
    assert math.isfinite(settings.overdue_hours) and settings.overdue_hours > 0
    assert 0 <= settings.smtp_port <= 65535 and settings.mail_max_attempts >= 1
    assert all(isinstance(v, str) for v in settings.keymap.values())
    return settings


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.dictionaries(st.sampled_from([*SETTING_NAMES, "colour"]), TOML_VALUES,
                               max_size=4), table=st.booleans())
def test_any_toml_value_is_loaded_or_refused_in_one_line(tmp_path, entries, table):
    lines = ["[certdesk]"] if table else []
    lines += [f"{name} = {_toml_value(value)}" for name, value in entries.items()]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = _loaded_or_one_refusal(path, {})
    if loaded is not None:
        for name, value in entries.items():
            if isinstance(value, str) and name in ("smtp_host", "theme", "mail_from"):
                assert getattr(loaded, name) == value


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(environ=st.dictionaries(
    st.sampled_from([f"CERTDESK_{name.upper()}" for name in SETTING_NAMES]),
    st.one_of(st.text(max_size=30), st.from_regex(r"-?[0-9]{0,25}(\.[0-9]{0,5})?(e-?[0-9]+)?",
                                                  fullmatch=True),
              st.sampled_from(["nan", "NaN", "inf", "-Infinity", "0", "0.05", "true", "1_0"])),
    max_size=4))
def test_any_environment_value_is_loaded_or_refused_in_one_line(tmp_path, environ):
    _loaded_or_one_refusal(tmp_path / "absent.toml", environ)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)))
def test_any_config_file_content_is_loaded_or_refused_in_one_line(tmp_path, content):
    path = tmp_path / "config.toml"
    path.write_bytes(content)
    _loaded_or_one_refusal(path, {})


def test_the_keymap_takes_the_old_binding_ids_as_the_current_ones():
    settings = Settings(keymap={"mark_in_progress": "M", "add_note": "N", "reject": "r"})
    assert settings.keymap == {"start": "M", "note": "N", "reject": "r"}


def test_a_current_binding_id_wins_over_its_old_alias():
    assert Settings(keymap={"add_note": "N", "note": "ctrl+n"}).keymap == {"note": "ctrl+n"}


# -- text that would reach a terminal, a certificate or the SMTP conversation -------------

@pytest.mark.parametrize(("name", "value", "expected"), [
    ("CERTDESK_SMTP_HOST", "a\nb", "CERTDESK_SMTP_HOST must be text: a host name, one line of "
                                   "printable text without spaces, not 'a\\nb'"),
    ("CERTDESK_SMTP_HOST", "smtp.example.com\x1b[2J", "CERTDESK_SMTP_HOST must be text: a host"),
    ("CERTDESK_SMTP_HOST", "smtp example", "CERTDESK_SMTP_HOST must be text: a host name"),
    ("CERTDESK_SMTP_USER", "certs\x1b]8;;http://e/\x07", "CERTDESK_SMTP_USER must be text "
                                                         "without control characters, not"),
    ("CERTDESK_SMTP_USER", "certs\u202e", "CERTDESK_SMTP_USER must be text without control"),
    ("CERTDESK_MAIL_FROM", "Certs\u202e <c@example.com>", "CERTDESK_MAIL_FROM must be text: "
                                                          "an email address"),
])
def test_mail_settings_hold_no_control_characters(tmp_path, name, value, expected):
    with pytest.raises(ConfigurationError) as caught:
        load_settings(tmp_path / "absent.toml", environ={name: value})
    assert str(caught.value).startswith(expected)
    assert "\n" not in str(caught.value) and "\x1b" not in str(caught.value)


def test_a_refused_password_is_never_quoted_back(tmp_path):
    with pytest.raises(ConfigurationError) as caught:
        load_settings(tmp_path / "absent.toml", environ={"CERTDESK_SMTP_PASSWORD": "s3cr\x1bt"})
    assert str(caught.value) == ("CERTDESK_SMTP_PASSWORD must be text without control "
                                 "characters")


def test_good_mail_settings_are_kept_as_given(tmp_path):
    settings = load_settings(tmp_path / "absent.toml", environ={
        "CERTDESK_SMTP_HOST": "smtp.bücher.example", "CERTDESK_SMTP_USER": "Zoë Łukasiewicz",
        "CERTDESK_SMTP_PASSWORD": "p@ss word!"})
    assert (settings.smtp_host, settings.smtp_user, settings.smtp_password) == (
        "smtp.bücher.example", "Zoë Łukasiewicz", "p@ss word!")


@pytest.mark.parametrize(("key", "toml_value", "shown"), [
    ("name", '"a\\u001b[31m"', "'a\\x1b[31m'"),
    ("representative", '"Dana \\u202eevil"', "'Dana \\u202eevil'"),
    ("phone", '"555\\u0007"', "'555\\x07'"),
    ("name", '"Compeo\\u0085Desk"', "'Compeo\\x85Desk'"),
])
def test_producer_contacts_hold_no_control_characters(tmp_path, key, toml_value, shown):
    path = tmp_path / "config.toml"
    path.write_text(f"[producer_contacts.compeo]\n{key} = {toml_value}\n", encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        load_settings(path, environ={})
    assert str(caught.value).startswith(
        f"{path}: producer_contacts.compeo.{key} must be one line of printable text, at most ")
    assert str(caught.value).endswith(f"characters, not {shown}")


def test_producer_contacts_follow_the_certificates_own_rule(tmp_path):
    """Text of every script, and the joiners, are fine: the rule is the certificate's."""
    from certdesk_tui.domain.written import is_unprintable
    from certdesk_tui.pdf import typefaces

    assert typefaces.is_unprintable is is_unprintable  # one rule, not a second copy
    path = tmp_path / "config.toml"
    path.write_text('[producer_contacts.compeo]\nname = "Zoë 李 שלום \u200d"\n',
                    encoding="utf-8")
    assert load_settings(path, environ={}).producer_contacts["compeo"].name == "Zoë 李 שלום \u200d"


@pytest.mark.parametrize("name", ["keymap", "producer_contacts"])
def test_a_file_only_setting_in_the_environment_is_refused(tmp_path, name):
    path = tmp_path / "config.toml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        load_settings(path, environ={f"CERTDESK_{name.upper()}": '{ reject = "ctrl+r" }'})
    assert str(caught.value) == (f"CERTDESK_{name.upper()}: {name} is set in the configuration "
                                 f"file ({path}), not in the environment")
    # Empty, it overrides nothing (as any empty variable).
    assert load_settings(path, environ={f"CERTDESK_{name.upper()}": ""}).keymap == {}


def test_the_command_line_refuses_a_keymap_in_the_environment_in_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTDESK_")}
    env.update(CERTDESK_DATA_DIR=str(tmp_path / "data"), CERTDESK_CONFIG=os.devnull,
               CERTDESK_KEYMAP="reject=ctrl+r")
    result = subprocess.run([sys.executable, "-m", "certdesk_tui", "list"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr == ("certdesk: CERTDESK_KEYMAP: keymap is set in the configuration "
                             "file, not in the environment\n")


@pytest.mark.parametrize(("variable", "said"), [
    ("CERTDESK_SMTP_HOTS", "CERTDESK_SMTP_HOTS is not a certdesk setting; did you mean "
                           "CERTDESK_SMTP_HOST?"),
    ("CERTDESK_MAIL_INTERVAL", "did you mean CERTDESK_MAIL_INTERVAL_SECONDS?"),
    ("CERTDESK_ZZZ", "CERTDESK_ZZZ is not a certdesk setting (the README's "
                          "Configuration lists every setting)"),
])
def test_a_misspelt_environment_variable_is_refused_not_ignored(variable, said):
    with pytest.raises(ConfigurationError) as refused:
        load_settings(Path(os.devnull), {variable: "x"})
    assert said in str(refused.value)


def test_the_location_and_test_variables_are_not_settings_but_are_known():
    environ = {"CERTDESK_CONFIG": os.devnull, "CERTDESK_DATA_DIR": "/tmp",
               "CERTDESK_TEST_POSTGRES_URL": "postgresql://x@127.0.0.1/postgres",
               "CERTDESK_BENCH_DIR": "/tmp/certdesk-bench",
               "CERTDESK_SMTP_HOST": "mail.example"}
    assert load_settings(Path(os.devnull), environ).smtp_host == "mail.example"


def test_every_default_is_what_its_rule_keeps():
    """Defaults are not checked at each start: each must pass its own rule unchanged."""
    defaults = Settings()
    for setting in dataclasses.fields(Settings):
        value = getattr(defaults, setting.name)
        assert setting.metadata["rule"](value) == value, setting.name


@pytest.mark.parametrize("where", ["environment", "file"])
def test_a_number_of_thousands_of_digits_is_refused_in_one_line(tmp_path, where):
    digits = "1" * 5000
    if where == "environment":
        environ, path = {"CERTDESK_SMTP_PORT": digits}, tmp_path / "none.toml"
        expected = "CERTDESK_SMTP_PORT must be a number"
    else:
        environ, path = {}, tmp_path / "config.toml"
        path.write_text(f"smtp_port = {digits}\n", encoding="utf-8")
        expected = "not valid TOML"
    with pytest.raises(ConfigurationError, match=expected) as refused:
        load_settings(path, environ=environ)
    assert "\n" not in str(refused.value)


def test_settings_replaced_keep_their_producer_contacts():
    settings = Settings(producer_contacts={"compeo": {"name": "Jordan Lee"}})
    changed = dataclasses.replace(settings, overdue_hours=8)
    assert changed.producer_contacts == settings.producer_contacts
    assert changed.overdue_hours == 8
