"""Resend (``e``) and reissue (``v``) through the interface, and the extra recipients of
the automation form, from key to database, at 80x24."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from certdesk_tui.domain import Status
from certdesk_tui.screens.automation_form import AutomationFormScreen
from certdesk_tui.screens.confirm import ConfirmScreen
from certdesk_tui.screens.filters import FilterScreen
from certdesk_tui.screens.reissue import ReissueScreen
from certdesk_tui.screens.resend import ResendScreen
from tests.tui import app_for, dashboard, notifications, screen_text, settle, table_ids

pytestmark = pytest.mark.usefixtures("db")
HOSTILE = "[@click=app.quit]Quit[/] Holder [b]Inc"


async def show_completed(pilot, app) -> None:
    await pilot.press("f")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, FilterScreen)
    screen.dismiss(screen.current.__class__(statuses=frozenset({Status.COMPLETED})))
    await settle(pilot)


async def test_e_resends_the_current_certificate_to_the_ticked_and_typed_recipients(
        specialist, submit):
    done = submit("E-1")  # a clean Compeo COI: processed automatically
    before = len(specialist.request(done).emails)
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await show_completed(pilot, app)
        assert table_ids(app) == [done]
        assert f"Certificate CD-{done:06d} rev 0 current" in screen_text(app)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ResendScreen)
        app.screen.query_one("#others", Input).value = "not an address"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ResendScreen)  # refused on the spot
        app.screen.query_one("#others", Input).value = "pm@site.example"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dashboard(app)
        assert any("queued again to owner@c100.example, pm@site.example" in n
                   for n in notifications(app))
    emails = specialist.request(done).emails[before:]
    assert [(e.recipient_role, e.to) for e in emails] == [
        ("customer", "owner@c100.example"), ("other", "pm@site.example")]


async def test_v_reissues_with_the_corrections_and_a_required_reason(specialist, submit):
    done = submit("V-1", holder=dict(name=HOSTILE, address="9 Oak Ave", city="Miami",
                                     state="FL", zip="33101", email="certs@bgc.example"),
                  instructions="call first")
    specialist.automate(done)
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await show_completed(pilot, app)
        await pilot.press("v")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ReissueScreen)
        # Shown literally: the markup as typed.
        assert form.query_one("#field-holder_name", Input).value == HOSTILE
        form.query_one("#field-holder_city", Input).value = "Miami Beach"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReissueScreen)  # no reason yet
        form.query_one("#field-reason", Input).value = "holder city was wrong"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is dashboard(app)
        assert any(f"CD-{done:06d} revision 1 issued" in n for n in notifications(app))
        text = screen_text(app)
        assert f"Certificate CD-{done:06d} rev 1 current" in text
        assert f"Certificate CD-{done:06d} rev 0 superseded" in text
    detail = specialist.request(done)
    assert detail.row.holder_name == HOSTILE  # the untouched field kept exactly
    assert detail.holder_city == "Miami Beach"
    assert [c.current for c in detail.certificates] == [False, True]
    assert detail.status == Status.COMPLETED


async def test_a_view_only_person_can_neither_resend_nor_reissue(advisor, submit):
    done = submit("P-1")
    app = app_for(advisor)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await show_completed(pilot, app)
        for key in ("e", "v"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is dashboard(app)
    assert len(advisor.request(done).certificates) == 1
    assert not [a for a in advisor.request(done).activities if a.action in ("resend",
                                                                           "reissue")]


async def test_the_automation_form_takes_extra_recipients(specialist, submit):
    rid = submit("C-1", instructions="call first")
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AutomationFormScreen)
        app.screen.query_one("#field-cc", Input).value = "pm@site.example; office@site.example"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Also to pm@site.example, office@site.example." in app.screen.body.plain
        await pilot.press("y")
        await settle(pilot)
    assert sorted((e.recipient_role, e.to) for e in specialist.request(rid).emails) == [
        ("customer", "owner@c100.example"), ("other", "office@site.example"),
        ("other", "pm@site.example")]


async def test_help_lists_resend_and_reissue(specialist):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        text = screen_text(app)
        assert "Resend (email again)" in text and "Reissue: a corrected" in text
