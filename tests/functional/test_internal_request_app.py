"""The desk's ``i``: a new internal request through the form, at 80x24."""

from __future__ import annotations

import pytest
from textual.widgets import Input, RadioButton

from certdesk_tui.domain import Channel, Status
from certdesk_tui.screens.confirm import ConfirmScreen
from certdesk_tui.screens.internal_request import InternalRequestScreen
from tests.tui import app_for, dashboard, notifications, screen_text, settle, table_ids

pytestmark = pytest.mark.usefixtures("db")


async def test_i_opens_the_form_creates_the_request_in_progress_with_me(specialist):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, InternalRequestScreen)
        await pilot.press("C", "1")
        # The code is suggested as typed; right accepts it and names the customer.
        await pilot.press("right")
        await settle(pilot)
        assert form.query_one("#customer", Input).value == "C100"
        assert "Acme Roofing LLC" in screen_text(app)
        form.query_one("#holder-name", Input).value = "Big General Contractor Inc"
        form.query_one("#holder-address", Input).value = "9 Oak Ave"
        form.query_one("#holder-city", Input).value = "Miami"
        form.query_one("#holder-state", Input).value = "fl"
        form.query_one("#holder-zip", Input).value = "33101"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dashboard(app)
        assert any("created (COI, internal), in progress with you" in n
                   for n in notifications(app))
        rows = specialist.queue().rows
        internal = [r for r in rows if r.channel == Channel.INTERNAL]
        assert len(internal) == 1
        row = internal[0]
        assert row.status == Status.IN_PROGRESS and row.assignee_login == "sam"
        assert row.id in table_ids(app)
        detail = specialist.request(row.id)
        assert detail.holder_state == "FL"
        # The queue's Ch column says I for internal.
        assert " I " in screen_text(app)


async def test_a_refused_entry_reopens_the_form_with_the_reason_and_what_was_typed(specialist):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        form = app.screen
        form.query_one("#customer", Input).value = "C100"
        form.query_one("#holder-name", Input).value = "Big General Contractor Inc"
        form.query_one("#holder-zip", Input).value = "3310"
        form.query_one("#type-WOS", RadioButton).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        again = app.screen
        assert isinstance(again, InternalRequestScreen) and again is not form
        assert "holder ZIP '3310' must be 12345 or 12345-6789" in screen_text(app)
        assert again.query_one("#holder-zip", Input).value == "3310"
        assert again.chosen_type() == "WOS"
        # What was typed is kept, and escape asks before discarding it.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is dashboard(app)
        assert not [r for r in specialist.queue().rows if r.channel == Channel.INTERNAL]


async def test_an_unknown_customer_is_said_in_the_form(specialist):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        await pilot.press("Z", "9")
        await settle(pilot)
        assert "no customer Z9" in screen_text(app)
        app.screen.query_one("#holder-name", Input).value = "Someone"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, InternalRequestScreen)
        assert "Type the code of a known customer." in notifications(app)


async def test_a_view_only_user_pressing_i_is_told_why(advisor):
    app = app_for(advisor)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert app.screen is dashboard(app)
        assert any("may not process requests" in n for n in notifications(app))


async def test_customer_text_in_the_form_is_shown_literally(specialist, manager):
    from tests import factories

    assert manager.import_customers(factories.jsonl(factories.customer(
        "C901", name="[@click=app.quit]Evil[/] \x1b[31mCo"))).ok
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        app.screen.query_one("#customer", Input).value = "C901"
        await settle(pilot)
        assert "[@click=app.quit]Evil[/]" in screen_text(app)
        assert app.is_running
