"""PostgreSQL: certdesk's roles made real in the server, as group roles with GRANTs.

``certdesk init`` creates one NOLOGIN group role per certdesk role and grants it
exactly what that role needs, so that a person who connects as their own login
role (peer authentication, or their own password) can do with ``psql`` no more
than certdesk lets them do:

=======================  =====================  ==========================================
certdesk role            group role             may
=======================  =====================  ==========================================
payroll_advisor          certdesk_viewer        read everything
certificate_specialist   certdesk_processor     + process requests (claim, complete,
                                                reject, notes, certificates, emails)
data_processor           certdesk_importer      + import submissions, customers, policies
manager                  certdesk_manager       + rejection reasons and users; grants the
                                                other groups (ADMIN OPTION)
=======================  =====================  ==========================================

Privileges are granted table by table (no group has DELETE except where a role
deletes: a customer import replaces policies; managers), never TRUNCATE or DDL:
the schema stays with the role that ran ``certdesk init``. Group roles are
server-wide; the GRANTs are per database. Everything here is idempotent.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from certdesk_tui.domain import Role

GROUPS: dict[Role, str] = {
    Role.PAYROLL_ADVISOR: "certdesk_viewer",
    Role.CERTIFICATE_SPECIALIST: "certdesk_processor",
    Role.DATA_PROCESSOR: "certdesk_importer",
    Role.MANAGER: "certdesk_manager",
}

_TABLES = ("alembic_version", "users", "customers", "policies", "rejection_reasons",
           "certificate_requests", "duplicate_links", "notes", "activities", "certificates",
           "outbox", "change_marker", "holders", "saved_views")
# What processing writes: claims, completions, rejections, notes, certificates (a new
# revision supersedes the one before), the holders certificates teach, the outbox
# (queued and delivered emails), the change marker open desks poll, and the internal
# requests a specialist enters (with their duplicate links).
_PROCESS = {
    "certificate_requests": "INSERT, UPDATE",
    "duplicate_links": "INSERT",
    "activities": "INSERT",
    "notes": "INSERT",
    "certificates": "INSERT, UPDATE",
    "holders": "INSERT, UPDATE",
    "outbox": "INSERT, UPDATE",
    "change_marker": "UPDATE",
}
# What an import adds: new requests (and their duplicate links), customers, policies.
_IMPORT = {
    "certificate_requests": "INSERT, UPDATE",
    "duplicate_links": "INSERT",
    "customers": "INSERT, UPDATE",
    "policies": "INSERT, UPDATE, DELETE",
}
# The SQLSTATE of "permission denied" (insufficient_privilege).
INSUFFICIENT_PRIVILEGE = "42501"


def _grants() -> dict[str, dict[str, str]]:
    read = {table: "SELECT" for table in _TABLES}
    process = {**read, **{t: f"SELECT, {p}" for t, p in _PROCESS.items()}}
    # A processor keeps their own saved views (a read-only user uses the shared ones).
    process["saved_views"] = "SELECT, INSERT, UPDATE, DELETE"
    imported = dict(process)
    for table, privileges in _IMPORT.items():
        have = [p.strip() for p in imported[table].split(",")]
        have += [p.strip() for p in privileges.split(",") if p.strip() not in have]
        imported[table] = ", ".join(have)
    manage = {table: "SELECT, INSERT, UPDATE, DELETE" for table in _TABLES}
    manage["alembic_version"] = "SELECT"
    return {
        GROUPS[Role.PAYROLL_ADVISOR]: read,
        GROUPS[Role.CERTIFICATE_SPECIALIST]: process,
        GROUPS[Role.DATA_PROCESSOR]: imported,
        GROUPS[Role.MANAGER]: manage,
    }


GRANTS = _grants()
_WRITES_WITH_SEQUENCES = {GROUPS[Role.CERTIFICATE_SPECIALIST], GROUPS[Role.DATA_PROCESSOR],
                          GROUPS[Role.MANAGER]}


def is_insufficient_privilege(exc: BaseException) -> bool:
    return getattr(getattr(exc, "orig", None), "sqlstate", None) == INSUFFICIENT_PRIVILEGE


def ensure_group_roles(conn: Connection) -> None:
    """Create the group roles when missing and (re)grant their privileges here."""
    quote = conn.dialect.identifier_preparer.quote
    for group in GRANTS:
        # Another database on the same server may create it at the same moment.
        conn.execute(text(
            "DO $$ BEGIN "
            f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{group}') THEN "
            f"CREATE ROLE {quote(group)} NOLOGIN; END IF; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        ))
    schema = quote(conn.scalar(text("SELECT current_schema()")))
    conn.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO "
                      + ", ".join(quote(g) for g in GRANTS)))
    for group, tables in GRANTS.items():
        for table in _TABLES:
            conn.execute(text(f"REVOKE ALL ON {quote(table)} FROM {quote(group)}"))
            conn.execute(text(f"GRANT {tables[table]} ON {quote(table)} TO {quote(group)}"))
        if group in _WRITES_WITH_SEQUENCES:
            conn.execute(text(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO "
                              f"{quote(group)}"))
    manager = GROUPS[Role.MANAGER]
    for role, group in GROUPS.items():
        if role != Role.MANAGER and not _is_member(conn, manager, group, admin=True):
            conn.execute(text(f"GRANT {quote(group)} TO {quote(manager)} WITH ADMIN OPTION"))


def _is_member(conn: Connection | Session, member: str, group: str,
               admin: bool = False) -> bool:
    return bool(conn.scalar(text(
        "SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
        "JOIN pg_roles r ON r.oid = m.member WHERE g.rolname = :g AND r.rolname = :r"
        + (" AND m.admin_option" if admin else "")
    ), {"g": group, "r": member}))


def uses_group_roles(s: Session | Connection) -> bool:
    """Whether ``certdesk init`` granted this database's tables to the group roles."""
    acl = s.scalar(text("SELECT array_to_string(relacl, ',') FROM pg_class "
                        "WHERE oid = to_regclass('users')"))
    return f"{GROUPS[Role.PAYROLL_ADVISOR]}=" in (acl or "")


def grant_group(s: Session, login: str, role: Role | None) -> str:
    """Put the server's login role ``login`` into the group of ``role`` (and no other).

    Done in a savepoint of the caller's transaction, so that certdesk's users table
    and the server's roles change together; when the server has no such login role,
    or the connection may not grant, certdesk's change stands and the returned
    sentence says what an administrator runs. Returns "" off PostgreSQL, and where
    ``certdesk init`` made no group roles for this database (everyone shares one
    database login: certdesk's roles are then enforced by certdesk alone).
    """
    if s.get_bind().dialect.name != "postgresql" or not uses_group_roles(s):
        return ""
    quote = s.get_bind().dialect.identifier_preparer.quote
    target = GROUPS[role] if role is not None else None
    if not s.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": login}):
        if target is None:
            return ""
        return (f"there is no database role {login} on the server; an administrator runs "
                f"CREATE ROLE {quote(login)} LOGIN; {_grant(quote, login, target)}")
    current = [g for g in GROUPS.values() if _is_member(s, login, g)]
    wanted = _grant(quote, login, target) if target else ""
    try:
        with s.begin_nested():
            for group in current:
                if group != target:
                    s.execute(text(f"REVOKE {quote(group)} FROM {quote(login)}"))
            if target and target not in current:
                s.execute(text(wanted))
    except DBAPIError as exc:
        if not is_insufficient_privilege(exc):
            raise
        todo = "; ".join([f"REVOKE {g} FROM {login}" for g in current if g != target]
                         + ([wanted] if target and target not in current else []))
        return (f"the database role {login} is unchanged (this connection may not grant "
                f"roles): an administrator runs {todo}")
    unlimited = s.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = :n"),
                         {"n": login})
    warning = " (it is a superuser: the server does not limit it)" if unlimited else ""
    if target is None:
        return f"database role {login} is in no certdesk group now{warning}"
    return f"database role {login} is in {target}{warning}"


def _grant(quote: Callable[[str], str], login: str, group: str) -> str:
    admin = " WITH ADMIN OPTION" if group == GROUPS[Role.MANAGER] else ""
    return f"GRANT {group} TO {quote(login)}{admin}"
