"""PostgreSQL: certdesk's roles are the server's roles too (a real server, real logins).

``certdesk init`` creates the group roles and their GRANTs; each person connects as
their own login role in one group. A view-only login cannot write even with plain
SQL; a processor processes but cannot touch users or reasons; ``users add`` /
``set-role`` / ``disable`` move a login role between the groups when the manager's
connection may.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from certdesk_tui.domain import Role
from certdesk_tui.domain.errors import PermissionDenied
from certdesk_tui.service import Desk
from certdesk_tui.service.identity import resolve_actor
from certdesk_tui.storage.db_roles import GRANTS, GROUPS
from certdesk_tui.storage.engine import Database, normalise_url
from tests import factories
from tests.conftest import postgres_admin_url
from tests.integration.test_cli import ME, Cli

pytestmark = pytest.mark.postgres

WRITES = [
    "INSERT INTO users (login, name, email, role, active, created_at) "
    "VALUES ('eve', '', '', 'manager', true, now())",
    "UPDATE users SET role = 'manager'",
    "DELETE FROM users",
    "INSERT INTO rejection_reasons (text, position, active, created_at) "
    "VALUES ('x', 99, true, now())",
    "UPDATE rejection_reasons SET text = 'x'",
    "DELETE FROM rejection_reasons",
    "UPDATE certificate_requests SET status = 'completed'",
    "DELETE FROM certificate_requests",
    "DELETE FROM activities",
    "UPDATE activities SET actor = 'someone else'",
    "UPDATE customers SET name = 'x'",
    "DELETE FROM outbox",
    "TRUNCATE activities",
]


def _url(url: str, user: str) -> str:
    """The same database, connected as another login role (the test server trusts 127.0.0.1)."""
    scheme, _, rest = normalise_url(url).partition("://")
    return f"{scheme}://{user}@{rest.partition('@')[2]}"


@pytest.fixture
def login_role(postgres_url) -> Iterator[Callable[..., str]]:
    """``login_role("viewer")``: a fresh LOGIN role in a group, dropped afterwards."""
    admin = create_engine(normalise_url(postgres_admin_url()), isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def make(prefix: str, group: str | None = None, admin_option: bool = False,
             superuser: bool = False) -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE ROLE "{name}" LOGIN' + (" SUPERUSER" if superuser
                                                                else "")))
            if group:
                conn.execute(text(f'GRANT {group} TO "{name}"'
                                  + (" WITH ADMIN OPTION" if admin_option else "")))
        made.append(name)
        return name

    yield make
    here = create_engine(normalise_url(postgres_url), isolation_level="AUTOCOMMIT")
    with here.connect() as conn:
        for name in made:
            conn.execute(text(f'DROP OWNED BY "{name}"'))
    here.dispose()
    with admin.connect() as conn:
        for name in made:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :n"
            ), {"n": name})
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture
def team(postgres_url, tmp_path) -> dict:
    """ME's team database, made with ``certdesk init`` (the group roles), with requests."""
    cli = Cli(tmp_path, db_url=postgres_url)
    first = cli("init").stdout
    assert f"{ME} is its manager" in first
    assert "database roles certdesk_viewer, certdesk_processor, certdesk_importer, " \
           "certdesk_manager are ready" in first
    again = cli("init").stdout  # idempotent: nothing changes, nothing fails
    assert "already up to date" in again and "are ready" in again
    db = Database(postgres_url)
    desk = Desk(db, resolve_actor(db, ME))
    for login, role in (("sam", Role.CERTIFICATE_SPECIALIST), ("dana", Role.DATA_PROCESSOR),
                        ("pat", Role.PAYROLL_ADVISOR)):
        desk.add_user(login, role.value)
    assert desk.import_customers(factories.jsonl(*factories.CUSTOMERS)).ok
    report = desk.import_submissions(factories.jsonl(
        factories.submission("R-1", instructions="x"),
        factories.submission("R-2", instructions="y")))
    assert report.ok
    yield {"cli": cli, "db": db, "url": postgres_url,
           "requests": [o.request_id for o in report.accepted]}
    db.dispose()


def _denied(url: str, statement: str) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn, pytest.raises(ProgrammingError) as info:
            conn.execute(text(statement))
        assert info.value.orig.sqlstate == "42501", statement
        assert ("permission denied" in str(info.value.orig)
                or "must be owner" in str(info.value.orig)), statement
    finally:
        engine.dispose()


def test_the_group_roles_are_what_the_roles_may(team):
    with team["db"].reading() as s:
        rows = s.execute(text(
            "SELECT r.rolname, r.rolcanlogin, g.grantee, g.table_name, g.privilege_type "
            "FROM pg_roles r LEFT JOIN information_schema.role_table_grants g "
            "ON g.grantee = r.rolname WHERE r.rolname LIKE 'certdesk\\_%'")).all()
    assert {r.rolname for r in rows} >= set(GROUPS.values())
    assert not any(r.rolcanlogin for r in rows)
    granted: dict[str, set[tuple[str, str]]] = {}
    for r in rows:
        if r.table_name:
            granted.setdefault(r.grantee, set()).add((r.table_name, r.privilege_type))
    for group, tables in GRANTS.items():
        expected = {(t, p.strip()) for t, ps in tables.items() for p in ps.split(",")}
        assert granted[group] == expected, group
    assert {t for t, p in granted["certdesk_viewer"] if p != "SELECT"} == set()
    assert not any(t in ("users", "rejection_reasons") and p != "SELECT"
                   for t, p in granted["certdesk_processor"] | granted["certdesk_importer"])


def test_a_view_only_login_cannot_write_even_with_plain_sql(team, login_role):
    viewer = _url(team["url"], login_role("viewer", "certdesk_viewer"))
    engine = create_engine(viewer)
    with engine.connect() as conn:  # it reads
        assert conn.execute(text("SELECT count(*) FROM certificate_requests")).scalar() == 2
        assert conn.execute(text("SELECT count(*) FROM users")).scalar() == 4
    engine.dispose()
    for statement in WRITES + [
        "INSERT INTO notes (request_id, author, body, created_at) "
        f"VALUES ({team['requests'][0]}, 'x', 'x', now())",
        "UPDATE outbox SET state = 'sent'", "UPDATE change_marker SET counter = 0",
        "INSERT INTO activities (at, actor, action, detail) VALUES (now(), 'x', 'x', 'x')",
        "CREATE TABLE mine (x int)", "DROP TABLE notes",
    ]:
        _denied(viewer, statement)


def test_a_processor_login_processes_but_cannot_touch_users_or_reasons(team, login_role,
                                                                       tmp_path):
    processor = _url(team["url"], login_role("processor", "certdesk_processor"))
    db = Database(processor)
    sam = Desk(db, resolve_actor(db, "sam"))
    first, second = team["requests"]
    sam.start(first)
    sam.note(first, "called the customer")
    done = sam.automate(first)
    assert done.certificate_number
    sam.reject(second, 1)
    assert sam.request(first).row.status == "completed"
    # What processing does not need, the server refuses, whatever certdesk would allow:
    # dana may import in certdesk, but not on a processor's connection.
    dana = Desk(db, resolve_actor(db, "dana"))
    report = dana.import_customers(factories.jsonl(factories.customer("C950")))
    assert [o.message for o in report.refused] == [
        "the database does not let your login do this (permission denied for table "
        "customers); your database role is not in the certdesk group for it: ask a manager"]
    with pytest.raises(PermissionDenied, match="permission denied for table users"):
        Desk(db, resolve_actor(db, ME)).set_role("pat", "manager")
    db.dispose()
    for statement in WRITES:
        if statement.startswith("UPDATE certificate_requests"):
            continue  # processing updates requests
        _denied(processor, statement)


def test_an_importer_login_imports_customers_and_submissions(team, login_role):
    importer = _url(team["url"], login_role("importer", "certdesk_importer"))
    db = Database(importer)
    dana = Desk(db, resolve_actor(db, "dana"))
    assert dana.import_customers(factories.jsonl(factories.customer("C951"))).ok
    assert dana.import_submissions(factories.jsonl(factories.submission("IMP-1"))).ok
    db.dispose()
    for statement in WRITES[:6]:
        _denied(importer, statement)


def test_certdesk_on_a_view_only_login_refuses_a_write_in_one_line(team, login_role):
    """Certdesk says ME may (a manager); the server says this login may not."""
    viewer = _url(team["url"], login_role("viewer", "certdesk_viewer"))
    cli = Cli(team["cli"].home, db_url=viewer)
    rid = str(team["requests"][0])
    assert len(cli.json("list")) == 2  # reading works
    for args in (("note", rid, "hello"), ("reasons", "add", "New reason"),
                 ("start", rid), ("users", "set-role", "pat", "manager")):
        refused = cli.refused(*args)
        assert refused.startswith("certdesk: the database does not let your login do this "
                                  "(permission denied for table"), refused
    nobody = _url(team["url"], login_role("nobody"))
    refused = Cli(team["cli"].home, db_url=nobody).refused("list")
    assert "permission denied for table alembic_version" in refused
    assert "in no certdesk group" in refused


def test_users_add_set_role_and_disable_move_the_login_role(team, login_role):
    manager = login_role("boss", "certdesk_manager", admin_option=True)
    person = login_role("person")
    cli = Cli(team["cli"].home, db_url=_url(team["url"], manager))
    # The server's login role and certdesk's user of the same name.
    added = cli("users", "add", person, "--role", "payroll_advisor").stdout
    assert f"database role {person} is in certdesk_viewer" in added

    def groups() -> set[str]:
        with team["db"].reading() as s:
            return set(s.scalars(text(
                "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = :n"), {"n": person}))

    assert groups() == {"certdesk_viewer"}
    _denied(_url(team["url"], person), "DELETE FROM notes")
    assert "is in certdesk_processor" in cli("users", "set-role", person,
                                              "certificate_specialist").stdout
    assert groups() == {"certdesk_processor"}
    assert "is in no certdesk group now" in cli("users", "disable", person).stdout
    assert groups() == set()
    _denied(_url(team["url"], person), "SELECT * FROM certificate_requests")
    assert "is in certdesk_processor" in cli("users", "enable", person).stdout
    assert "is in certdesk_manager" in cli("users", "set-role", person, "manager").stdout
    assert groups() == {"certdesk_manager"}
    # No such login role on the server: certdesk's user is added, and told what to run.
    ghost = f"ghost_{uuid.uuid4().hex[:6]}"
    out = cli("users", "add", ghost, "--role", "certificate_specialist").stdout
    assert f"no database role {ghost} on the server; an administrator runs CREATE ROLE " \
           f"{ghost} LOGIN; GRANT certdesk_processor TO {ghost}" in out
    # A superuser login is granted too, and the manager is told it is not limited.
    root = login_role("root", superuser=True)
    out = cli("users", "add", root, "--role", "payroll_advisor").stdout
    assert f"database role {root} is in certdesk_viewer (it is a superuser: the server " \
           "does not limit it)" in out
    # A manager's connection without the ADMIN OPTION: certdesk's change stands, the
    # server's stays, and the administrator is told the exact statements.
    plain = login_role("plainboss", "certdesk_manager")
    out = Cli(team["cli"].home, db_url=_url(team["url"], plain))(
        "users", "set-role", person, "payroll_advisor").stdout
    assert f"the database role {person} is unchanged" in out
    assert f"REVOKE certdesk_manager FROM {person}; GRANT certdesk_viewer TO {person}" in out
    assert groups() == {"certdesk_manager"}


def test_a_processor_login_enters_an_internal_request_and_teaches_a_holder(team, login_role):
    from certdesk_tui.intake import Holder
    from certdesk_tui.service.internal import InternalRequest

    processor = _url(team["url"], login_role("processor", "certdesk_processor"))
    db = Database(processor)
    sam = Desk(db, resolve_actor(db, "sam"))
    made = sam.new_request(InternalRequest("C100", "COI", Holder(**factories.HOLDER)))
    assert made.channel == "internal" and made.status == "in_progress"
    sam.automate(made.id)
    assert [h.name for h in sam.holders("C100")] == [factories.HOLDER["name"]]
    db.dispose()
