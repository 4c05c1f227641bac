"""The queue's health in figures: what the Insights tab and ``certdesk report`` show.

Plain values computed by one service function (``service/insights.py``) from
SQL aggregates (``storage/insights.py``); the interface only draws them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

AGE_EDGES_DAYS: tuple[int, ...] = (1, 2, 3, 7)
"""The pending requests' age buckets: under 1 day, 1-2, 2-3, 3-7, over 7 days."""

AGE_LABELS: tuple[str, ...] = ("under 1 day", "1-2 days", "2-3 days", "3-7 days",
                               "over 7 days")

MAX_REPORT_DAYS = 366
DEFAULT_REPORT_DAYS = 30


@dataclass(frozen=True)
class DayFigures:
    """One day (UTC) of closed requests."""

    day: date
    completed: int
    """Completed by a person (an upload or automation from the desk or a command)."""
    rejected: int
    auto_processed: int
    """Completed automatically at intake."""

    def to_json(self) -> dict[str, object]:
        return {"day": self.day.isoformat(), "completed": self.completed,
                "rejected": self.rejected, "auto_processed": self.auto_processed}


@dataclass(frozen=True)
class PersonFigures:
    """What one person closed over the period."""

    login: str
    name: str
    completed: int
    rejected: int

    @property
    def closed(self) -> int:
        return self.completed + self.rejected

    def to_json(self) -> dict[str, object]:
        return {"login": self.login, "name": self.name, "completed": self.completed,
                "rejected": self.rejected}


@dataclass(frozen=True)
class QueueReport:
    """The queue now, and what was closed over the last ``days`` days (today included)."""

    generated_at: datetime
    days: int
    overdue_hours: float
    pending: int
    overdue: int
    """Pending requests submitted longer than ``overdue_hours`` ago."""
    pending_by_age: tuple[int, ...]
    """Pending requests per age bucket (``AGE_LABELS``)."""
    per_day: tuple[DayFigures, ...]
    """Every day of the period, oldest first, days without figures included."""
    people: tuple[PersonFigures, ...]
    """Who closed requests over the period, most first."""

    @property
    def completed(self) -> int:
        return sum(d.completed for d in self.per_day)

    @property
    def rejected(self) -> int:
        return sum(d.rejected for d in self.per_day)

    @property
    def auto_processed(self) -> int:
        return sum(d.auto_processed for d in self.per_day)

    def to_json(self) -> dict[str, object]:
        return {
            "generated_at": self.generated_at.isoformat(),
            "days": self.days,
            "overdue_hours": self.overdue_hours,
            "pending": self.pending,
            "overdue": self.overdue,
            "pending_by_age": [{"age": label, "count": count}
                               for label, count in zip(AGE_LABELS, self.pending_by_age,
                                                       strict=True)],
            "totals": {"completed": self.completed, "rejected": self.rejected,
                       "auto_processed": self.auto_processed},
            "per_day": [d.to_json() for d in self.per_day],
            "people": [p.to_json() for p in self.people],
        }


BLOCKS = " ▁▂▃▄▅▆▇█"


def bar(value: int, largest: int, width: int) -> str:
    """A bar of full blocks, ``width`` long for ``largest`` (at least one for any value)."""
    if value <= 0 or largest <= 0 or width <= 0:
        return ""
    return "█" * max(1, round(value * width / largest))


def sparkline(values: list[int]) -> str:
    """One character per value, its height to the largest: ``▁`` for none, ``▂`` to ``█``
    for one to the largest."""
    largest = max(values, default=0)
    return "".join("▁" if v <= 0 else BLOCKS[2 + round(v * 6 / largest)] for v in values)


BAR_WIDTH = 30


def report_lines(r: QueueReport) -> list[str]:
    """The report as text (the command's output, the Insights tab): bars of block characters
    with the figures beside them, read without colour; the day by day table last, as it is
    the longest. Logins are as stored: the caller shows them literally."""
    lines = [f"Queue at {r.generated_at:%Y-%m-%d %H:%M} UTC: {r.pending:,} pending, "
             f"{r.overdue:,} over {r.overdue_hours:g} hours (overdue)", "",
             "Pending by age"]
    largest = max(r.pending_by_age, default=0)
    for label, count in zip(AGE_LABELS, r.pending_by_age, strict=True):
        lines.append(f"  {label:<12} {count:>7,}  {bar(count, largest, BAR_WIDTH)}")
    lines += ["", f"Closed, last {r.days} day(s) (UTC): {r.completed:,} completed, "
                  f"{r.rejected:,} rejected, {r.auto_processed:,} auto-processed"]
    for name, values in (("completed", [d.completed for d in r.per_day]),
                         ("rejected", [d.rejected for d in r.per_day]),
                         ("auto", [d.auto_processed for d in r.per_day])):
        lines.append(f"  {name:<10} {sparkline(values)}  max {max(values, default=0):,}/day")
    lines += ["", f"Closed per person, last {r.days} day(s)"]
    if not r.people:
        lines.append("  nobody closed a request")
    most = max((p.closed for p in r.people), default=0)
    for p in r.people:
        lines.append(f"  {p.login:<16} {p.completed:>6,} completed {p.rejected:>6,} "
                     f"rejected  {bar(p.closed, most, BAR_WIDTH // 2)}")
    lines += ["", "Closed per day",
              f"  {'day':<10} {'completed':>9} {'rejected':>8} {'auto':>6}"]
    for d in reversed(r.per_day):
        lines.append(f"  {d.day:%Y-%m-%d} {d.completed:>9,} {d.rejected:>8,} "
                     f"{d.auto_processed:>6,}")
    return lines
