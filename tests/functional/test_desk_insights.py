"""The Insights tab: read when shown (never at startup), the figures of a known queue,
the tabs moved by t / T and the palette; snapshots at 80x24 and 200x50 in NO_COLOR."""

from __future__ import annotations

import pytest

from certdesk_tui import clock
from certdesk_tui.service import Desk
from certdesk_tui.service.identity import resolve_actor
from certdesk_tui.widgets.insights_tab import InsightsTab
from tests.conftest import MANAGER, team_database
from tests.integration.test_insights import NOW, known_queue
from tests.tui import app_for, dashboard, screen_text, settle


@pytest.fixture
def known_desk(sqlite_url):
    """The known queue of the insights tests, the clock held at NOW."""
    try:
        db = team_database(sqlite_url)
        known_queue(db, MANAGER, NOW)

        def desk_for(login: str) -> Desk:
            return Desk(db, resolve_actor(db, login))

        yield desk_for
    finally:
        clock.freeze(None)


def _tabs(app) -> str:
    return dashboard(app).query_one("#tabs").active


async def test_insights_read_when_shown_with_the_known_figures(known_desk):
    app = app_for(known_desk("pat"))                    # view only: Insights too
    async with app.run_test(size=(100, 60)) as pilot:
        await settle(pilot)
        insights = dashboard(app).query_one(InsightsTab)
        assert insights.report is None                   # not read at startup
        await pilot.press("t")
        await settle(pilot)
        assert _tabs(app) == "renewals"
        await pilot.press("t")
        await settle(pilot)
        assert _tabs(app) == "insights"
        assert insights.report is not None and insights.report.pending == 6
        text = screen_text(app)
        assert "6 pending, 5 over 24 hours (overdue)" in text
        assert "under 1 day        1  " in text and "3-7 days           2  " in text
        assert ("Closed, last 30 day(s) (UTC): 1 completed, 2 rejected, "
                "1 auto-processed") in text
        assert "2026-11-25         0        1      1" in text
        assert "sam                   1 completed      1 rejected" in text
        await pilot.press("t")                           # no Configuration tab for pat
        await settle(pilot)
        assert _tabs(app) == "certificates"
        await pilot.press("T")
        await settle(pilot)
        assert _tabs(app) == "insights"


async def test_a_manager_cycles_four_tabs_and_the_palette_names_them(known_desk):
    app = app_for(known_desk(MANAGER))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        seen = []
        for _ in range(4):
            await pilot.press("t")
            await settle(pilot)
            seen.append(_tabs(app))
        assert seen == ["renewals", "insights", "configuration", "certificates"]
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Insights tab")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert _tabs(app) == "insights"
        assert "6 pending" in screen_text(app)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
def test_the_insights_tab_snapshot(snap_compare, known_desk, monkeypatch, size):
    monkeypatch.setenv("NO_COLOR", "1")

    async def show(pilot) -> None:
        await settle(pilot)
        await pilot.press("t", "t")
        await settle(pilot)

    assert snap_compare(app_for(known_desk("sam")), terminal_size=size, run_before=show)
