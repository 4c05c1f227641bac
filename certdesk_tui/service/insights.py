"""The queue's health: one function computes the figures the Insights tab and
``certdesk report`` show (everyone who may view the queue may read them)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from certdesk_tui.clock import utcnow
from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.domain.insights import (
    AGE_EDGES_DAYS,
    DEFAULT_REPORT_DAYS,
    MAX_REPORT_DAYS,
    DayFigures,
    PersonFigures,
    QueueReport,
)
from certdesk_tui.domain.permissions import Permission
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage import insights


def report(ds: DeskSession, days: int = DEFAULT_REPORT_DAYS) -> QueueReport:
    """The queue now and the last ``days`` days (today, UTC, included), read in one
    transaction so that the figures agree with each other."""
    ds.require(Permission.VIEW)
    if not 1 <= days <= MAX_REPORT_DAYS:
        raise ValidationFailed(f"days must be 1 to {MAX_REPORT_DAYS}, not {days}")
    now = utcnow()
    first_day = now.date() - timedelta(days=days - 1)
    since = datetime.combine(first_day, time())
    overdue_hours = float(ds.settings.overdue_hours)
    with ds.db.reading() as s:
        by_age = insights.pending_by_age(s, now, AGE_EDGES_DAYS)
        overdue = insights.pending_before(s, now - timedelta(hours=overdue_hours))
        per_day = insights.closed_per_day(s, since)
        people = insights.closed_per_person(s, since)
    days_figures = tuple(
        DayFigures(day, *per_day.get(day, (0, 0, 0)))
        for day in (first_day + timedelta(days=n) for n in range(days)))
    ranked = sorted((PersonFigures(*p) for p in people),
                    key=lambda p: (-p.closed, p.login))
    return QueueReport(now, days, overdue_hours, sum(by_age), overdue, tuple(by_age),
                       days_figures, tuple(ranked))
