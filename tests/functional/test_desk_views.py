"""Saved views in the desk: V saves the filters, digits switch, each view shows its live
count; a shared view is seen by another user; a view-only user keeps views too."""

from __future__ import annotations

import pytest

from certdesk_tui.domain import Brand, Status
from certdesk_tui.domain.views import QueueFilter
from certdesk_tui.widgets.view_bar import ViewBar
from tests.tui import app_for, dashboard, notifications, screen_text, settle, table_ids

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture
def queue(submit) -> list[int]:
    return [submit(f"Q-{i}", "C300" if i % 2 else "C100", instructions="x",
                   submitted_at=f"2026-11-{i + 1:02d}T09:00:00Z") for i in range(6)]


async def test_save_with_v_switch_by_digit_with_live_counts(specialist, queue):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not dashboard(app).query_one(ViewBar).display      # no views: no line
        await pilot.press("slash", *"Zo", "enter")                # Cornerstone's customer
        await settle(pilot)
        await pilot.press("V")
        await settle(pilot)
        await pilot.press(*"Zoe", "enter")
        await settle(pilot)
        assert any("View saved: Zoe (key 1), 3 requests now." in n
                   for n in notifications(app))
        await pilot.press("c")                                     # clear: all six again
        await settle(pilot)
        assert len(table_ids(app)) == 6
        await pilot.press("m")                                     # claim the first
        await settle(pilot)
        dashboard(app).flt = QueueFilter(mine=True)                # as the filters dialog sets it
        await settle(pilot)
        await pilot.press("V", *"Mine", "enter")
        await settle(pilot)
        text = screen_text(app)
        assert "1 Zoe 3 · 2 Mine 1" in text
        await pilot.press("1")
        await settle(pilot)
        assert table_ids(app) == [queue[1], queue[3], queue[5]]
        assert dashboard(app).queue.filter_bar.search.value == "Zo"
        await pilot.press("2")
        await settle(pilot)
        assert table_ids(app) == [queue[0]]
        await pilot.press("5")
        await settle(pilot)
        assert any("No saved view 5" in n for n in notifications(app))


async def test_a_shared_view_is_seen_by_a_view_only_user(manager, advisor, queue):
    manager.save_view("Team: Cornerstone, every status",
                      QueueFilter(brands=frozenset({Brand.CORNERSTONE}),
                                  statuses=frozenset(Status)))
    manager.share_view("Team: Cornerstone, every status")
    app = app_for(advisor)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "1 Team: Cornerstone, every status (team) 3" in screen_text(app)
        await pilot.press("1")
        await settle(pilot)
        assert table_ids(app) == [queue[1], queue[3], queue[5]]
        await pilot.press("V")                                     # view only: no prompt
        await settle(pilot)
        assert app.screen is dashboard(app)
        assert any("View only: you use the views a manager shares" in n
                   for n in notifications(app))
        assert [v.name for v in advisor.views()] == ["Team: Cornerstone, every status"]


async def test_sharing_a_view_reaches_an_open_desk_with_the_live_refresh(manager, advisor,
                                                                         queue):
    manager.save_view("Team: Cornerstone", QueueFilter(brands=frozenset({Brand.CORNERSTONE})))
    app = app_for(advisor, refresh_seconds=0.1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert dashboard(app).query_one(ViewBar).views == []

        async def refreshed(condition) -> None:
            for _ in range(30):
                await pilot.pause(0.1)
                await settle(pilot)
                if condition():
                    return

        manager.share_view("Team: Cornerstone")        # certdesk views share, elsewhere
        await refreshed(lambda: dashboard(app).query_one(ViewBar).views)
        await pilot.press("1")
        await settle(pilot)
        assert table_ids(app) == [queue[1], queue[3], queue[5]]
        assert not any("No saved view 1" in n for n in notifications(app))
        manager.rename_view("Team: Cornerstone", "Team: CS")
        await refreshed(lambda: "Team: CS" in screen_text(app))
        assert "1 Team: CS (team) 3" in screen_text(app)
        manager.share_view("Team: CS", False)          # certdesk views unshare
        await refreshed(lambda: not dashboard(app).query_one(ViewBar).views)
        assert dashboard(app).query_one(ViewBar).views == []
