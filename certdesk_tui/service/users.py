"""Users and their roles, managed by managers; the team always keeps one manager."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from certdesk_tui.clock import utcnow
from certdesk_tui.domain import ActivityKind, Role, addresses
from certdesk_tui.domain.errors import InvalidTransition, NotFound, ValidationFailed
from certdesk_tui.domain.permissions import Permission
from certdesk_tui.domain.views import UserView
from certdesk_tui.domain.written import unprintable
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage import db_roles
from certdesk_tui.storage import users as stored
from certdesk_tui.storage.changes import bump_change_marker
from certdesk_tui.storage.columns import check_fits
from certdesk_tui.storage.models import User

MAX_LOGIN_LENGTH = 63  # PostgreSQL's longest role name (a login is one there too)
# What certdesk compares a login with is the operating-system account name of the
# person at the keyboard (identity.os_login): a POSIX-portable user name.
# POSIX-portable account names, and the user@domain names of directory services (SSSD).
LOGIN_RULE = re.compile(rf"[A-Za-z0-9._][A-Za-z0-9._@-]{{0,{MAX_LOGIN_LENGTH - 1}}}")
LOGIN_EXPECTED = (f"a login is an account name of letters, digits, '.', '_', '-' and '@', "
                  f"not starting with '-' or '@', at most {MAX_LOGIN_LENGTH} characters")


def login_problem(login: str) -> str | None:
    """Why ``login`` cannot be a certdesk user's login (None: it can)."""
    if LOGIN_RULE.fullmatch(login) is None or login.strip(".") == "":
        return f"{login!r} is not a valid login: {LOGIN_EXPECTED}"
    return None


def parse_role(role: str) -> Role:
    try:
        return Role(role.strip().lower())
    except ValueError:
        raise ValidationFailed(
            f"unknown role {role!r}; roles: {', '.join(r.value for r in Role)}"
        ) from None


def _view(user: User, note: str = "") -> UserView:
    return UserView(user.login, user.name, user.email, Role(user.role), user.active, note)


def users(ds: DeskSession) -> list[UserView]:
    ds.require(Permission.VIEW)
    with ds.db.reading() as s:
        return [UserView(u.login, u.name, u.email, u.role, u.active) for u in stored.users(s)]


def add_user(ds: DeskSession, login: str, role: str, name: str = "",
             email: str = "") -> UserView:
    ds.require(Permission.MANAGE_USERS)
    login = login.strip(" ")  # stray spaces around it; a line break is refused below
    role_value = parse_role(role)
    problem = login_problem(login)
    if problem:
        raise ValidationFailed(problem)
    name = name.strip()
    if unprintable(name):  # printed in the header, the activity log, emails
        raise ValidationFailed(f"a user's name is one line of printable text, not {name!r}")
    if email:
        email = addresses.normalized(email, "email")
    with ds.writing() as s:
        if stored.user_by_login(s, login) is not None:
            raise ValidationFailed(f"user {login} already exists (use users set-role)")
        user = User(login=login, name=name, email=email.strip(), role=role_value,
                    active=True, created_at=utcnow())
        check_fits(user)
        s.add(user)
        note = db_roles.grant_group(s, login, role_value)
        ds.log(s, None, ActivityKind.USER_ADDED, f"user {login} added as {role_value.label}"
               + (f"; {note}" if note else ""))
        return UserView(login, name, email, role_value, True, note)


def set_role(ds: DeskSession, login: str, role: str) -> UserView:
    ds.require(Permission.MANAGE_USERS)
    role_value = parse_role(role)
    with ds.writing() as s:
        user = _managed_user(ds, s, login)
        if user.role == Role.MANAGER and role_value != Role.MANAGER:
            _keep_a_manager(s, user)
        before = user.role
        user.role = role_value
        note = db_roles.grant_group(s, login, role_value if user.active else None)
        ds.log(s, None, ActivityKind.ROLE_CHANGED, f"user {login}: {before} → {role_value}"
               + (f"; {note}" if note else ""))
        # Open desks reload: their header shows the new role, their keys follow it.
        s.flush()
        bump_change_marker(s, utcnow())
        return _view(user, note)


def set_active(ds: DeskSession, login: str, active: bool) -> UserView:
    """Disable an account (it can no longer act, from its next action) or enable it."""
    ds.require(Permission.MANAGE_USERS)
    with ds.writing() as s:
        user = _managed_user(ds, s, login)
        if user.active == active:
            raise InvalidTransition(
                f"user {login} is already {'enabled' if active else 'disabled'}")
        if not active and user.role == Role.MANAGER:
            _keep_a_manager(s, user)
        user.active = active
        note = db_roles.grant_group(s, login, Role(user.role) if active else None)
        ds.log(s, None, ActivityKind.USER_ENABLED if active else ActivityKind.USER_DISABLED,
               f"user {login} {'enabled' if active else 'disabled'}"
               + (f"; {note}" if note else ""))
        s.flush()
        bump_change_marker(s, utcnow())
        return _view(user, note)


def _managed_user(ds: DeskSession, s: Session, login: str) -> User:
    # The managers are locked first: two managers demoting each other at the same
    # moment cannot leave the team without one.
    stored.lock_active_managers(s)
    ds.reread_actor(s).require(Permission.MANAGE_USERS)
    user = stored.user_by_login(s, login)
    if user is None:
        raise NotFound(f"there is no user {login}")
    return user


def _keep_a_manager(s: Session, user: User) -> None:
    if user.active and stored.active_manager_count(s) <= 1:
        raise InvalidTransition(f"{user.login} is the last manager; appoint another first")
