"""Property tests: any login a manager types is a user or a clear refusal, never SQL.

On PostgreSQL the database has its group roles, so every accepted login also goes
through the GRANT path (identifiers quoted, looked up as a parameter).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect

from certdesk_tui.domain import Role
from certdesk_tui.domain.errors import InvalidTransition, NotFound, ValidationFailed

LOGINS = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    st.sampled_from(['x"; DROP TABLE users; --', "robert'); DROP TABLE users;--", "a\x00b",
                     "\udcff", "-rf", "\x1b]52;c;cm0gLXJmIH4=\x07", "é" * 65, "$(id)", "`id`",
                     "sam\u202eevil", "ｓａｍ", "\x1b]8;;http://e/\x07L", "sam\n", "a" * 64,
                     ".", "..", "-sam", "zoë", "@sam", "sam@corp.example"]),
    st.from_regex(r"[A-Za-z0-9._@-]{1,65}", fullmatch=True),
)
# A POSIX-portable account name or a directory's user@domain, as README states: what the
# operating system's login is.
PORTABLE = re.compile(r"[A-Za-z0-9._][A-Za-z0-9._@-]{0,62}")
EXAMPLES = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def manager_with_roles(db, manager):
    if not db.is_sqlite:
        db.ensure_group_roles()
    return manager


@EXAMPLES
@given(login=LOGINS)
def test_any_login_is_added_or_refused_and_the_tables_stay(manager_with_roles, login):
    manager = manager_with_roles
    assume(login.strip() not in ("postgres", "morgan", "sam", "dana", "pat", "sky")
           and not login.strip().startswith(("pg_", "certdesk_")))
    plausible = PORTABLE.fullmatch(login.strip(" ")) is not None and login.strip(" .") != ""
    try:
        added = manager.add_user(login, Role.PAYROLL_ADVISOR.value)
    except ValidationFailed as exc:
        assert "\x1b" not in str(exc) and "\x00" not in str(exc)
        assert ("is not a valid login: a login is an account name of letters, digits" in str(exc)
                and not plausible) or "already exists" in str(exc)
    else:
        assert plausible, login
        assert added.login == login.strip(" ")
        assert PORTABLE.fullmatch(added.login)
        assert added.login in {u.login for u in manager.users()}
        # The same login, changed and disabled: no statement breaks on its spelling.
        manager.set_role(added.login, Role.CERTIFICATE_SPECIALIST.value)
        manager.set_active(added.login, False)
    assert {"users", "activities", "certificate_requests"} <= set(
        inspect(manager.db.engine).get_table_names())


@EXAMPLES
@given(login=LOGINS, role=st.text(max_size=30))
def test_set_role_on_any_login_and_any_role_is_a_clear_answer(manager, login, role):
    assume(login not in ("morgan",))
    try:
        manager.set_role(login, role)
    except (ValidationFailed, NotFound, InvalidTransition) as exc:
        assert str(exc)
    assert manager.actor.role == Role.MANAGER
