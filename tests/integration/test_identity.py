"""Who is acting cannot be forged, and a change of role counts at the next action.

The acting user is the login of the process's real user id; environment variables
(``LOGNAME``, ``USER``) are ignored. Roles and the active flag are read from the
database for every action. Replacing a database (``certdesk demo --reset``) is for
its own demo file, an empty database, or the database's manager.
"""

from __future__ import annotations

import os
import pwd
import threading

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from certdesk_tui import demo
from certdesk_tui.cli import cli as certdesk
from certdesk_tui.domain import Role
from certdesk_tui.domain.errors import (
    ConfigurationError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    UnknownUser,
)
from certdesk_tui.service import Desk, identity
from certdesk_tui.service.identity import initialise, resolve_actor
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage.engine import Database, sqlite_path
from certdesk_tui.storage.models import Activity, Customer, User
from tests import factories
from tests.integration.test_cli import ME, Cli
from tests.tui import app_for, screen_text, settle

FORGED = {"LOGNAME": "morgan", "USER": "morgan", "LNAME": "morgan", "USERNAME": "morgan"}


def _unnamed_uid() -> int:
    for uid in range(64_000, 65_000):
        try:
            pwd.getpwuid(uid)
        except KeyError:
            return uid
    pytest.skip("every user id from 64000 to 65000 has a name here")


def _users(db: Database) -> dict[str, tuple[str, bool]]:
    with db.reading() as s:
        return {u.login: (u.role, u.active) for u in s.scalars(select(User))}


# -- the operating-system login --------------------------------------------------------


def test_the_login_is_the_real_user_ids_whatever_the_environment_says(monkeypatch):
    for name, value in FORGED.items():
        monkeypatch.setenv(name, value)
    assert identity.os_login() == pwd.getpwuid(os.getuid()).pw_name == ME


def test_a_user_id_without_an_account_name_is_refused_in_one_line(monkeypatch, sqlite_url):
    uid = _unnamed_uid()
    monkeypatch.setattr(os, "getuid", lambda: uid)
    monkeypatch.setenv("LOGNAME", "morgan")
    with pytest.raises(ConfigurationError, match=f"user id {uid} has no account name"):
        identity.os_login()
    result = CliRunner().invoke(certdesk, ["--db", sqlite_url, "init"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"certdesk: cannot tell who you are: user id {uid} has no account name on this "
        "system (certdesk acts as your login; ask the administrator to give the account a "
        "name)"]
    assert not sqlite_path(sqlite_url).exists()  # refused before anything was made


def test_the_environment_cannot_make_anyone_a_manager(tmp_path):
    """``LOGNAME=morgan certdesk users set-role ME manager``, run by a payroll advisor."""
    url = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    db = Database(url, create=True)
    initialise(db, "morgan")
    morgan = Desk(db, resolve_actor(db, "morgan"))
    cli = Cli(tmp_path, db_url=url)
    # Not a user at all: the message names the real login, not the forged one.
    refused = cli.refused("list", env=FORGED)
    assert refused == (f"certdesk: {ME} is not a certdesk user here; a manager can add you "
                       f"with: certdesk users add {ME} --role certificate_specialist")
    morgan.add_user(ME, Role.PAYROLL_ADVISOR.value)
    before = _users(db)
    assert f"{ME} is a payroll advisor and may not manage users" in cli.refused(
        "users", "set-role", ME, "manager", env=FORGED)
    assert "may not manage users" in cli.refused("users", "add", "eve", "--role", "manager",
                                                 env=FORGED)
    assert f"--as is for managers only; {ME} is a payroll advisor" in cli.refused(
        "--as", "morgan", "users", "set-role", ME, "manager", env=FORGED)
    assert "may not configure rejection reasons" in cli.refused("reasons", "add", "x",
                                                               env=FORGED)
    assert _users(db) == before
    # What the advisor may do (look), they do as themselves.
    assert {u["login"] for u in cli.json("users", "list")} == {"morgan", ME}
    # init on somebody's database upgrades nothing and appoints nobody.
    assert "already up to date" in cli("init", env=FORGED).stdout
    assert _users(db) == before
    with db.reading() as s:
        assert s.scalars(select(Activity.actor)).all() == ["morgan", "morgan"]
    db.dispose()


# -- the role is read for every action ---------------------------------------------------


def test_a_manager_demoted_while_their_desk_is_open_is_refused_at_the_next_call(
        db, manager, desk_for, specialist, manual_request):
    manager.set_role("sky", Role.MANAGER.value)
    sky = desk_for("sky")
    specialist.start(manual_request)
    assert manager.add_reason("Holder is a person").text == "Holder is a person"
    sky.set_role("morgan", Role.CERTIFICATE_SPECIALIST.value)
    reasons, users = sky.reasons(include_retired=True), sky.users()
    for call in (lambda: manager.add_reason("Too late"), lambda: manager.retire_reason(1),
                 lambda: manager.set_role("sky", "payroll_advisor"),
                 lambda: manager.set_active("sky", False),
                 lambda: manager.add_user("eve", "manager"),
                 lambda: manager.import_customers(factories.jsonl(factories.customer("C901"))),
                 lambda: manager.start(manual_request, take_over=True)):
        with pytest.raises(PermissionDenied, match="morgan is a certificate specialist"):
            call()
    assert manager.actor.role == Role.CERTIFICATE_SPECIALIST
    assert sky.reasons(include_retired=True) == reasons and sky.users() == users
    assert sky.request(manual_request).row.assignee_login == "sam"
    # What a specialist may do, the same open desk still does.
    manager.note(manual_request, "demoted, still here")
    assert [n.author for n in sky.request(manual_request).notes] == ["morgan"]


def test_a_role_lost_between_the_check_and_the_write_writes_nothing(db, manager, desk_for,
                                                                    monkeypatch):
    """The write transaction reads the role again: a demotion at that moment counts."""
    manager.set_role("sky", Role.MANAGER.value)
    sky = desk_for("sky")
    checked = DeskSession.current_actor

    def demoted_right_after_the_check(self):
        actor = checked(self)
        if actor.login == "morgan":
            sky.set_role("morgan", Role.PAYROLL_ADVISOR.value)
        return actor

    monkeypatch.setattr(DeskSession, "current_actor", demoted_right_after_the_check)
    before = sky.reasons(include_retired=True)
    with pytest.raises(PermissionDenied, match="morgan is now a payroll advisor; nothing"):
        manager.add_reason("Slipped through")
    assert sky.reasons(include_retired=True) == before


def test_a_disabled_user_can_do_nothing_from_their_next_action(manager, specialist,
                                                               manual_request):
    assert specialist.queue().total == 1
    assert manager.set_active("sam", False).active is False
    for call in (specialist.queue, lambda: specialist.request(manual_request),
                 lambda: specialist.start(manual_request),
                 lambda: specialist.note(manual_request, "still here?")):
        with pytest.raises(UnknownUser, match="sam's certdesk account is disabled"):
            call()
    with pytest.raises(UnknownUser, match="disabled"):
        resolve_actor(manager.db, "sam")
    with pytest.raises(UnknownUser, match="cannot be acted as"):
        resolve_actor(manager.db, "morgan", "sam")
    assert manager.request(manual_request).notes == ()
    assert manager.set_active("sam", True).active is True
    assert specialist.start(manual_request).assignee_login == "sam"
    actions = [a.action for a in manager.request(manual_request).activities]
    assert "note" not in actions


def test_acting_as_ends_when_the_manager_is_demoted(db, manager, desk_for, manual_request):
    manager.set_role("sky", Role.MANAGER.value)
    as_sam = desk_for("morgan", as_user="sam")
    assert as_sam.actor.label == "morgan acting as sam"
    desk_for("sky").set_role("morgan", Role.DATA_PROCESSOR.value)
    with pytest.raises(PermissionDenied, match="--as is for managers only; morgan is a data"):
        as_sam.start(manual_request)
    assert manager.request(manual_request).row.assignee_login is None


def test_users_disable_and_enable_keep_a_manager(manager, desk_for):
    with pytest.raises(InvalidTransition, match="morgan is the last manager"):
        manager.set_active("morgan", False)
    with pytest.raises(NotFound, match="no user nobody"):
        manager.set_active("nobody", False)
    manager.set_active("pat", False)
    with pytest.raises(InvalidTransition, match="already disabled"):
        manager.set_active("pat", False)
    manager.set_role("sky", Role.MANAGER.value)
    manager.set_active("sky", False)
    # A disabled manager does not count as one.
    with pytest.raises(InvalidTransition, match="last manager"):
        manager.set_role("morgan", Role.PAYROLL_ADVISOR.value)
    assert {u.login: u.active for u in manager.users()}["sky"] is False
    with manager.db.reading() as s:
        actions = s.scalars(select(Activity.action)).all()
    assert actions.count("user_disabled") == 2


def test_two_managers_demoting_each_other_at_once_leave_one_manager(db, manager, desk_for):
    manager.set_role("sky", Role.MANAGER.value)
    desks = {"morgan": manager, "sky": desk_for("sky")}
    outcomes: dict[str, str] = {}
    start = threading.Barrier(2)

    def demote(who: str, whom: str) -> None:
        start.wait()
        try:
            desks[who].set_role(whom, Role.CERTIFICATE_SPECIALIST.value)
            outcomes[who] = "ok"
        except PermissionDenied as exc:
            outcomes[who] = str(exc)

    threads = [threading.Thread(target=demote, args=pair)
               for pair in (("morgan", "sky"), ("sky", "morgan"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(outcomes) == 2 and list(outcomes.values()).count("ok") == 1, outcomes
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(User).where(
            User.role == Role.MANAGER)) == 1


async def test_the_desk_header_follows_a_change_of_role(db, manager, desk_for, submit):
    submit("H-1", instructions="x")
    manager.set_role("sky", Role.MANAGER.value)
    app = app_for(manager, refresh_seconds=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "morgan · manager" in screen_text(app)
        desk_for("sky").set_role("morgan", Role.PAYROLL_ADVISOR.value)
        for _ in range(40):
            await pilot.pause(0.1)
            await settle(pilot)
            if "VIEW ONLY" in screen_text(app):
                break
        text = screen_text(app)
        assert "morgan · payroll advisor" in text and "VIEW ONLY" in text
        await pilot.press("m")
        await settle(pilot)
        assert manager.request(manager.queue().rows[0].id).row.status == "new"


# -- replacing a database ---------------------------------------------------------------


def _team(url: str, *, me: Role | None = None, customers: bool = False) -> Database:
    db = Database(url, create=True)
    initialise(db, "morgan")
    desk = Desk(db, resolve_actor(db, "morgan"))
    desk.add_user("sam", Role.CERTIFICATE_SPECIALIST.value)
    if me is not None:
        desk.add_user(ME, me.value)
    if customers:
        assert desk.import_customers(factories.jsonl(*factories.CUSTOMERS)).ok
    return db


def _unchanged(db: Database, users: dict, customers: int) -> None:
    assert _users(db) == users
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == customers


@pytest.mark.parametrize("me", [None, Role.PAYROLL_ADVISOR, Role.DATA_PROCESSOR])
def test_demo_reset_refuses_a_team_database_by_db_and_by_environment(tmp_path, me):
    url = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    db = _team(url, me=me)  # users only: nothing a "not a demo" check would notice
    users = _users(db)
    cli = Cli(tmp_path)
    for how in ({"args": ("--db", url)}, {"env": {"CERTDESK_DATABASE_URL": url}}):
        refused = cli.refused(*how.get("args", ()), "demo", "--reset", "--no-tui",
                              "--requests", "0", env={**FORGED, **how.get("env", {})})
        assert f"is not your demo database and {ME} is not its manager" in refused
        _unchanged(db, users, 0)
    db.dispose()


@pytest.mark.postgres
def test_demo_reset_refuses_a_team_database_on_postgresql(postgres_url, tmp_path):
    db = _team(postgres_url, me=Role.CERTIFICATE_SPECIALIST, customers=True)
    users = _users(db)
    cli = Cli(tmp_path)
    for how in ({"args": ("--db", postgres_url)},
                {"env": {"CERTDESK_DATABASE_URL": postgres_url}}):
        refused = cli.refused(*how.get("args", ()), "demo", "--reset", "--no-tui",
                              env=how.get("env"))
        assert f"is not your demo database and {ME} is not its manager" in refused
        _unchanged(db, users, len(factories.CUSTOMERS))
    # Its manager may not either: it is not a demo.
    Desk(db, resolve_actor(db, "morgan")).set_role(ME, Role.MANAGER.value)
    assert "is not a demo database" in cli.refused("--db", postgres_url, "demo", "--reset",
                                                   "--no-tui")
    _unchanged(db, _users(db), len(factories.CUSTOMERS))
    db.dispose()


def test_demo_reset_on_someone_elses_demo_is_for_its_manager(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared-demo.sqlite3'}"
    db = Database(url, create=True)
    demo.build_demo(db, login="morgan", requests=0, seed=1)
    users = _users(db)
    cli = Cli(tmp_path)
    assert "is not your demo database" in cli.refused("--db", url, "demo", "--reset",
                                                      "--no-tui", "--requests", "0")
    _unchanged(db, users, 30)
    Desk(db, resolve_actor(db, "morgan")).add_user(ME, Role.MANAGER.value)
    rebuilt = cli("--db", url, "demo", "--reset", "--no-tui", "--requests", "0", "--seed", "2")
    assert "demo database built" in rebuilt.stdout
    db.dispose()


def test_demo_builds_its_own_file_and_an_empty_database(tmp_path):
    cli = Cli(tmp_path)
    own = cli("demo", "--reset", "--no-tui", "--requests", "0", env=FORGED)
    assert "demo database built" in own.stdout
    db = Database(f"sqlite:///{tmp_path / 'data' / 'demo.sqlite3'}")
    assert _users(db)[ME] == (Role.MANAGER, True) and "morgan" not in _users(db)
    db.dispose()
    again = cli("demo", "--reset", "--no-tui", "--requests", "0")
    assert "demo database built" in again.stdout
    empty = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert "demo database built" in cli("--db", empty, "demo", "--no-tui",
                                        "--requests", "0").stdout


def test_the_own_demo_file_that_is_not_a_demo_is_its_managers(tmp_path):
    """A team database that happens to sit where the demo file goes is still the team's."""
    cli = Cli(tmp_path)
    db = _team(f"sqlite:///{tmp_path / 'data' / 'demo.sqlite3'}")
    users = _users(db)
    assert "holds no demo and" in cli.refused("demo", "--reset", "--no-tui")
    _unchanged(db, users, 0)
    db.dispose()
