"""The queue's figures as SQL aggregates: counted by the database, no row loaded.

Each function is one ``GROUP BY`` (or one count) on ``certificate_requests``;
the pending counts walk the queue index, the closed ones the period's rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from certdesk_tui.domain import PENDING_STATUSES, Status
from certdesk_tui.storage.models import CertificateRequest as R
from certdesk_tui.storage.models import User

_PENDING = (R.in_queue.is_(True), R.status.in_([s.value for s in PENDING_STATUSES]))
_CLOSED = (Status.COMPLETED.value, Status.REJECTED.value)


def pending_by_age(s: Session, now: datetime, edges_days: Sequence[int]) -> list[int]:
    """Pending requests per age bucket: under ``edges_days[0]`` days, ..., over the last."""
    bucket = case(
        *((R.submitted_at > now - timedelta(days=d), i) for i, d in enumerate(edges_days)),
        else_=len(edges_days),
    ).label("bucket")
    # Grouped outside a subquery: the thresholds are parameters, and PostgreSQL would not
    # take the same expression with new parameters in GROUP BY for the selected one.
    inner = select(bucket).where(*_PENDING).subquery()
    counts = [0] * (len(edges_days) + 1)
    for index, count in s.execute(select(inner.c.bucket, func.count())
                                  .group_by(inner.c.bucket)):
        counts[int(index)] = int(count)
    return counts


def pending_before(s: Session, moment: datetime) -> int:
    """Pending requests submitted before ``moment`` (the overdue ones)."""
    return s.scalar(select(func.count()).select_from(R).where(
        *_PENDING, R.submitted_at < moment)) or 0


def closed_per_day(s: Session, since: datetime) -> dict[date, tuple[int, int, int]]:
    """Per day (UTC) since ``since``: (completed by a person, rejected, auto-processed).

    A request completed automatically at intake has no assignee."""
    day = func.date(R.closed_at).label("day")
    automatic = R.assignee_id.is_(None).label("automatic")
    inner = select(day, R.status, automatic).where(
        R.closed_at >= since, R.status.in_(_CLOSED)).subquery()
    figures: dict[date, list[int]] = {}
    rows = s.execute(select(inner.c.day, inner.c.status, inner.c.automatic, func.count())
                     .group_by(inner.c.day, inner.c.status, inner.c.automatic))
    for value, status, is_auto, count in rows:
        the_day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
        slot = figures.setdefault(the_day, [0, 0, 0])
        if status == Status.REJECTED:
            slot[1] += int(count)
        elif is_auto:
            slot[2] += int(count)
        else:
            slot[0] += int(count)
    return {d: (v[0], v[1], v[2]) for d, v in figures.items()}


def closed_per_person(s: Session, since: datetime) -> list[tuple[str, str, int, int]]:
    """(login, name, completed, rejected) of everyone who closed requests since ``since``."""
    completed = func.sum(case((R.status == Status.COMPLETED.value, 1), else_=0))
    rejected = func.sum(case((R.status == Status.REJECTED.value, 1), else_=0))
    rows = s.execute(
        select(User.login, User.name, completed, rejected)
        .join(User, User.id == R.assignee_id)
        .where(R.closed_at >= since, R.status.in_(_CLOSED))
        .group_by(User.id, User.login, User.name)
    )
    return [(login, name or "", int(done or 0), int(refused or 0))
            for login, name, done, refused in rows]
