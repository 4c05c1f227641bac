"""Shared fixtures: a real database (SQLite, and PostgreSQL when one is given) and desks.

PostgreSQL tests run when ``CERTDESK_TEST_POSTGRES_URL`` names a server where the
test user may create databases (``.ci/run`` starts one); each test gets a fresh
database. Without it they skip, saying how to run them; under CI they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine, text

from certdesk_tui.config import Settings
from certdesk_tui.domain import Role
from certdesk_tui.service import Desk
from certdesk_tui.service.identity import initialise, resolve_actor
from certdesk_tui.storage.engine import Database, normalise_url
from tests import factories

POSTGRES_ENV = "CERTDESK_TEST_POSTGRES_URL"
MANAGER = "morgan"


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch) -> None:
    """Never touch the real user data or config directories."""
    base = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("CERTDESK_DATA_DIR", str(base / "data"))
    (base / "config.toml").write_text("", encoding="utf-8")  # named, so it must exist
    monkeypatch.setenv("CERTDESK_CONFIG", str(base / "config.toml"))
    for name in list(os.environ):
        if name.startswith("CERTDESK_SMTP") or name in ("CERTDESK_DATABASE_URL",
                                                         "CERTDESK_MAIL_TRANSPORT"):
            monkeypatch.delenv(name, raising=False)


def postgres_admin_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    admin = postgres_admin_url()
    if admin is None:
        message = (f"no PostgreSQL server: set {POSTGRES_ENV}=postgresql://USER@127.0.0.1/postgres "
                   "(bash .ci/run starts one) to run these tests")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    admin = normalise_url(admin)
    name = f"certdesk_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        with engine.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
            ), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """The URL of an empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'certdesk.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'certdesk.sqlite3'}"


def team_database(url: str) -> Database:
    """An initialised database whose manager is ``morgan``, with the standard team."""
    database = Database(url, create=True)
    initialise(database, MANAGER)
    manager = Desk(database, resolve_actor(database, MANAGER))
    manager.add_user("sam", Role.CERTIFICATE_SPECIALIST.value, "Sam Specialist",
                     "sam@certdesk.example")
    manager.add_user("dana", Role.DATA_PROCESSOR.value, "Dana Processor")
    manager.add_user("pat", Role.PAYROLL_ADVISOR.value, "Pat Advisor")
    manager.add_user("sky", Role.CERTIFICATE_SPECIALIST.value, "Sky Specialist")
    report = manager.import_customers(factories.jsonl(*factories.CUSTOMERS))
    assert report.ok, report.refused
    return database


@pytest.fixture
def db(database_url) -> Iterator[Database]:
    """The standard team's database, on SQLite and on PostgreSQL."""
    database = team_database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def desk_for(db) -> Callable[..., Desk]:
    """``desk_for("sam")``: the desk of a user of the standard team."""

    def make(login: str = "sam", as_user: str | None = None,
             settings: Settings | None = None) -> Desk:
        return Desk(db, resolve_actor(db, login, as_user), settings)

    return make


@pytest.fixture
def manager(desk_for) -> Desk:
    return desk_for(MANAGER)


@pytest.fixture
def specialist(desk_for) -> Desk:
    return desk_for("sam")


@pytest.fixture
def advisor(desk_for) -> Desk:
    return desk_for("pat")


@pytest.fixture
def submit(manager) -> Callable[..., int]:
    """Take in one submission and return its request id."""

    def make(external_id: str, customer: str = "C100", **over) -> int:
        report = manager.import_submissions(
            factories.jsonl(factories.submission(external_id, customer, **over)))
        assert report.ok, report.refused
        outcome = (report.accepted or report.unchanged)[0]
        assert outcome.request_id is not None
        return outcome.request_id

    return make


@pytest.fixture
def manual_request(submit) -> int:
    """A Compeo COI on the manual list (the customer wrote instructions)."""
    return submit("M-1", instructions="Please list the project: Harbor Tower")
