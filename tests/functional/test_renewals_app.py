"""The Renewals tab through Pilot: the due list, R renews the selected one, A all (asked)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from textual.widgets import TabbedContent

from certdesk_tui.clock import utcnow
from certdesk_tui.screens.confirm import ConfirmScreen
from certdesk_tui.widgets.renewals_pane import RenewalsPane
from tests import factories
from tests.tui import app_for, notifications, screen_text, settle

pytestmark = pytest.mark.usefixtures("db")

TODAY = utcnow().date()
START, END = TODAY - timedelta(days=300), TODAY + timedelta(days=30)


def _customer(code: str, brand: str, expires) -> dict:
    return factories.customer(code, brand, name=f"Renewing {code} LLC", policies=[
        dict(factories.POLICY, number=f"WC-{code}", effective=START.isoformat(),
             expires=expires.isoformat())])


@pytest.fixture
def due(manager) -> list[int]:
    """Two Compeo certificates whose policies were then extended by a year."""
    codes = ("C710", "C720")
    assert manager.import_customers(factories.jsonl(
        *(_customer(c, "compeo", END) for c in codes))).ok
    report = manager.import_submissions(factories.jsonl(*(
        factories.submission(f"RA-{c}", c, submitted_at=f"{TODAY}T08:00:00+00:00")
        for c in codes)))
    assert report.ok, report.refused
    assert manager.import_customers(factories.jsonl(
        *(_customer(c, "compeo", END + timedelta(days=365)) for c in codes))).ok
    return [o.request_id for o in report.accepted]


async def _renewals_tab(pilot) -> RenewalsPane:
    await settle(pilot)
    pilot.app.dashboard.action_show_tab("renewals")
    await settle(pilot)
    assert pilot.app.dashboard.query_one(TabbedContent).active == "renewals"
    return pilot.app.dashboard.query_one(RenewalsPane)


async def test_the_renewals_tab_lists_them_and_r_renews_the_selected_one(specialist, due):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _renewals_tab(pilot)
        assert [d.request_id for d in pane.due] == due
        text = screen_text(app)
        assert "C710" in text and "now" in text
        await pilot.press("R")
        await settle(pilot)
        assert any("1 renewed." in n for n in notifications(app))
        assert [d.request_id for d in pane.due] == due[1:]
    assert [d.request_id for d in specialist.due_renewals()] == due[1:]


async def test_a_asks_first_then_renews_every_renewable_one(specialist, due):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _renewals_tab(pilot)
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Renew 2 certificate(s)?" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert len(specialist.due_renewals()) == 2
        await pilot.press("A")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert any("2 renewed." in n for n in notifications(app))
        assert pane.due == []
    assert specialist.due_renewals() == []


async def test_a_view_only_user_sees_the_list_but_cannot_renew(advisor, due):
    app = app_for(advisor)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _renewals_tab(pilot)
        assert len(pane.due) == 2
        await pilot.press("R")
        await settle(pilot)
        assert any("may not process requests" in n for n in notifications(app))
        assert len(advisor.due_renewals()) == 2


@pytest.fixture
def issued(manager) -> tuple[list[int], Callable[[], None]]:
    """Two Compeo certificates, and how to give their policies a new term (an import)."""
    codes = ("C730", "C740")
    assert manager.import_customers(factories.jsonl(
        *(_customer(c, "compeo", END) for c in codes))).ok
    report = manager.import_submissions(factories.jsonl(*(
        factories.submission(f"RL-{c}", c, submitted_at=f"{TODAY}T08:00:00+00:00")
        for c in codes)))
    assert report.ok, report.refused

    def renew_the_terms() -> None:  # what `certdesk customers import` does
        assert manager.import_customers(factories.jsonl(
            _customer(codes[0], "compeo", END + timedelta(days=365)))).ok

    return [o.request_id for o in report.accepted], renew_the_terms


async def test_the_open_renewals_tab_follows_the_live_refresh(specialist, issued):
    ids, renew_the_terms = issued
    app = app_for(specialist, refresh_seconds=0.1)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _renewals_tab(pilot)
        assert pane.due == []
        renew_the_terms()  # someone else's import, while the tab is open
        for _ in range(30):
            await pilot.pause(0.1)
            await settle(pilot)
            if pane.due:
                break
        assert [d.request_id for d in pane.due] == ids[:1]
        await pilot.press("R")
        await settle(pilot)
        assert any("1 renewed." in n for n in notifications(app))
    assert specialist.due_renewals() == []


async def test_r_reads_the_renewals_tab_again(specialist, issued):
    ids, renew_the_terms = issued
    app = app_for(specialist)  # no live refresh: only r
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _renewals_tab(pilot)
        assert pane.due == []
        renew_the_terms()
        await pilot.press("r")
        await settle(pilot)
        assert [d.request_id for d in pane.due] == ids[:1]
        assert "C730" in screen_text(app)



async def test_a_reload_keeps_the_cursor_on_the_same_request(specialist, manager, due):
    """Someone renews the row above the cursor: the live refresh must not move the
    cursor onto another request (R would renew that one)."""
    assert manager.import_customers(factories.jsonl(_customer("C730", "compeo", END))).ok
    report = manager.import_submissions(factories.jsonl(factories.submission(
        "RA-C730", "C730", submitted_at=f"{TODAY}T08:00:00+00:00")))
    assert report.ok, report.refused
    assert manager.import_customers(factories.jsonl(
        _customer("C730", "compeo", END + timedelta(days=365)))).ok
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _renewals_tab(pilot)
        assert len(pane.due) == 3
        await pilot.press("down")
        await settle(pilot)
        middle = pane.selected.request_id
        manager.renew_one(pane.due[0])
        pane.reload()
        await settle(pilot)
        assert len(pane.due) == 2
        assert pane.selected is not None and pane.selected.request_id == middle
