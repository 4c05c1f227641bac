"""The queue's health: the figures against a known data set (the clock held still), on
SQLite and PostgreSQL, in the service and from ``certdesk report`` as a subprocess."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from certdesk_tui import clock
from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.domain.insights import AGE_LABELS, bar, sparkline
from certdesk_tui.service import Desk
from certdesk_tui.service.identity import resolve_actor
from certdesk_tui.storage.engine import Database
from tests import factories
from tests.integration.test_cli import ME, Cli, seed

NOW = datetime(2026, 11, 25, 12, 0)


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def known_queue(db: Database, manager_login: str, now: datetime) -> None:
    """Six pending requests of every age, four closed yesterday and today (one by intake,
    automatically) and one closed forty days ago; the clock is left at ``now``."""
    def desk(login: str) -> Desk:
        return Desk(db, resolve_actor(db, login))

    manager = desk(manager_login)
    today = datetime.combine(now.date(), time())
    clock.freeze(now - timedelta(days=40))
    old = manager.import_submissions(factories.jsonl(factories.submission(
        "OLD", instructions="x", submitted_at=_at(now - timedelta(days=41))))
    ).accepted[0].request_id
    desk("sam").reject(old, 1)
    clock.freeze(today - timedelta(hours=15))                   # yesterday 09:00
    report = manager.import_submissions(factories.jsonl(*(
        factories.submission(f"C-{n}", instructions="see notes",
                             submitted_at=_at(today - timedelta(hours=16)))
        for n in (1, 2, 3))))
    assert report.ok, report.refused
    c1, c2, c3 = (o.request_id for o in report.accepted)
    sam = desk("sam")
    sam.start(c1)
    sam.automate(c1)                                   # completed by hand, yesterday
    sam.reject(c2, "Duplicate request received")       # rejected, yesterday
    clock.freeze(today + timedelta(minutes=30))
    auto = manager.import_submissions(factories.jsonl(factories.submission(
        "AUTO", "C200", submitted_at=_at(today + timedelta(minutes=10)))))
    assert "completed automatically" in auto.accepted[0].message   # auto-processed, today
    manager.reject(c3, 1)                              # rejected, today
    clock.freeze(now)
    ages = (timedelta(hours=2), timedelta(hours=30), timedelta(hours=60), timedelta(days=4),
            timedelta(days=5), timedelta(days=10))
    report = manager.import_submissions(factories.jsonl(*(
        factories.submission(f"P-{n}", instructions="see notes", submitted_at=_at(now - age))
        for n, age in enumerate(ages))))
    assert report.ok, report.refused


@pytest.fixture
def known(db, manager):
    try:
        known_queue(db, manager.actor.login, NOW)
        yield db
    finally:
        clock.freeze(None)


def test_the_figures_of_a_known_queue(known, desk_for):
    report = desk_for("pat").report()                  # view only may read them
    assert report.generated_at == NOW and report.days == 30
    assert report.pending == 6 and report.overdue == 5
    assert dict(zip(AGE_LABELS, report.pending_by_age, strict=True)) == {
        "under 1 day": 1, "1-2 days": 1, "2-3 days": 1, "3-7 days": 2, "over 7 days": 1}
    assert len(report.per_day) == 30
    assert report.per_day[0].day == date(2026, 10, 27)
    assert report.per_day[-1].day == date(2026, 11, 25)
    closed = {d.day: (d.completed, d.rejected, d.auto_processed)
              for d in report.per_day if d.completed or d.rejected or d.auto_processed}
    assert closed == {date(2026, 11, 24): (1, 1, 0), date(2026, 11, 25): (0, 1, 1)}
    assert report.to_json()["per_day"][-1] == {
        "day": "2026-11-25", "completed": 0, "rejected": 1, "auto_processed": 1}
    assert (report.completed, report.rejected, report.auto_processed) == (1, 2, 1)
    assert [(p.login, p.completed, p.rejected) for p in report.people] == [
        ("sam", 1, 1), ("morgan", 0, 1)]

    today = desk_for("sam").report(days=1)
    assert [(d.day, d.rejected, d.auto_processed) for d in today.per_day] == [
        (date(2026, 11, 25), 1, 1)]
    assert [p.login for p in today.people] == ["morgan"]
    assert desk_for("sam").report(days=60).rejected == 3     # the old one counts now
    with pytest.raises(ValidationFailed, match="days must be 1 to 366"):
        desk_for("sam").report(days=0)


def test_bars_and_sparklines_read_without_colour():
    assert bar(0, 10, 20) == "" and bar(1, 1000, 20) == "█" and bar(10, 10, 20) == "█" * 20
    assert sparkline([0, 1, 2, 4]) == "▁▄▅█" and sparkline([0, 0]) == "▁▁"


def _report_on_the_command_line(cli: Cli, url: str) -> None:
    seed(url)
    db = Database(url)
    try:
        known_queue(db, ME, clock.utcnow())     # the command reads the real clock
    finally:
        clock.freeze(None)
        db.dispose()
    figures = cli.json("report", "--days", "30", login="pat")
    assert figures["pending"] == 6 and figures["overdue"] == 5
    assert [b["count"] for b in figures["pending_by_age"]] == [1, 1, 1, 2, 1]
    assert [b["age"] for b in figures["pending_by_age"]] == list(AGE_LABELS)
    assert figures["totals"] == {"completed": 1, "rejected": 2, "auto_processed": 1}
    assert len(figures["per_day"]) == 30
    assert set(figures["per_day"][0]) == {"day", "completed", "rejected", "auto_processed"}
    assert [(p["login"], p["completed"], p["rejected"]) for p in figures["people"]] == [
        ("sam", 1, 1), (ME, 0, 1)]
    assert set(figures) == {"generated_at", "days", "overdue_hours", "pending", "overdue",
                            "pending_by_age", "totals", "per_day", "people"}
    text = cli("report", "--days", "3", login="sam").stdout
    assert "6 pending" in text and "Pending by age" in text
    assert "Closed, last 3 day(s) (UTC): " in text
    assert "days" in cli.usage("report", "--days", "0")


def test_report_on_the_command_line_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    _report_on_the_command_line(Cli(tmp_path, db_url=url), url)


@pytest.mark.postgres
def test_report_on_the_command_line_postgresql(postgres_url, tmp_path):
    _report_on_the_command_line(Cli(tmp_path, db_url=postgres_url), postgres_url)
