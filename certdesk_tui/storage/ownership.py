"""Who a database belongs to: the questions asked before it is initialised or replaced."""

from __future__ import annotations

from sqlalchemy import func, inspect, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from certdesk_tui.clock import utcnow
from certdesk_tui.domain import ActivityKind, Role
from certdesk_tui.domain.errors import ConfigurationError, DatabaseRefused, DatabaseUnavailable
from certdesk_tui.storage.engine import Database
from certdesk_tui.storage.models import Activity, CertificateRequest, Customer, User


def has_users(s: Session) -> bool:
    return bool(s.scalar(select(func.count()).select_from(User)))


def add_first_manager(s: Session, login: str) -> None:
    """The person who initialises an empty database becomes its manager (logged)."""
    s.add(User(login=login, name="", email="", role=Role.MANAGER, active=True,
               created_at=utcnow()))
    s.add(Activity(request_id=None, at=utcnow(), actor=login, action=ActivityKind.USER_ADDED,
                   detail=f"{login} initialised the database and became its manager"))


def may_replace(db: Database, login: str, own_demo: bool) -> bool:
    """Whether ``login`` may wipe this database: it is empty, initialised and never used,
    the caller's own demo (``own_demo``: the caller's demo file holding a demo), or
    managed by the caller. A database that cannot be opened is a ``ConfigurationError``."""
    try:
        tables = set(inspect(db.engine).get_table_names())
        if not tables:
            return True
        with db.reading() as s:
            me = s.scalar(select(User).where(User.login == login)) if "users" in tables \
                else None
            if me is not None and me.active and me.role == Role.MANAGER:
                return True
            known = {"users", "customers", "certificate_requests", "activities"} <= tables
            if known and own_demo and s.scalar(select(Activity.id).where(
                    Activity.request_id.is_(None),
                    Activity.action == ActivityKind.DEMO_BUILT).limit(1)):
                return True
            # Initialised, never used: nobody's database yet.
            return known and not any(s.scalar(select(func.count()).select_from(model))
                                     for model in (User, Customer, CertificateRequest))
    except DBAPIError as exc:
        raise ConfigurationError(f"cannot open {db.display_url}: {exc.orig}") from None
    except (DatabaseUnavailable, DatabaseRefused) as exc:
        raise ConfigurationError(f"cannot open {db.display_url}: {exc.reason}") from None
