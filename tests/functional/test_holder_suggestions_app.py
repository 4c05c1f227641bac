"""The holder address book in the desk's forms: suggested as typed, picking one fills it."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from certdesk_tui.screens.automation_form import AutomationFormScreen
from certdesk_tui.screens.internal_request import InternalRequestScreen
from tests import factories
from tests.tui import app_for, settle

pytestmark = pytest.mark.usefixtures("db")

TOWER = {"name": "Harbor Tower Owners LLC", "address": "1 Pier Rd", "city": "Tampa",
         "state": "FL", "zip": "33602", "email": "leasing@tower.example"}


@pytest.fixture
def taught(submit) -> None:
    """C100 has been issued certificates for two holders (each processed automatically)."""
    submit("T-1", holder=dict(TOWER))
    submit("T-2")


async def test_the_internal_form_suggests_the_customers_holders_and_fills_the_pick(
        specialist, taught):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, InternalRequestScreen)
        await pilot.press("C", "1", "0", "0")
        await settle(pilot)
        form.query_one("#holder-name", Input).focus()
        await pilot.press("h", "a", "r")
        await settle(pilot)
        await pilot.press("right")  # accept the suggestion
        await settle(pilot)
        assert form.query_one("#holder-name", Input).value == "Harbor Tower Owners LLC"
        assert form.query_one("#holder-address", Input).value == "1 Pier Rd"
        assert form.query_one("#holder-email", Input).value == "leasing@tower.example"
        assert form.query_one("#holder-zip", Input).value == "33602"


async def test_the_automation_form_suggests_holders_and_fills_the_pick(specialist, taught,
                                                                        submit):
    submit("T-3", instructions="call first",
           holder=dict(factories.HOLDER, name="Someone New", address="5 Elm St"))
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AutomationFormScreen)
        name = form.query_one("#field-holder_name", Input)
        # Prefilled from the request: nothing is filled over it.
        assert form.query_one("#field-holder_address", Input).value == "5 Elm St"
        name.focus()
        name.value = ""
        await pilot.press(*"harbor")
        await settle(pilot)
        await pilot.press("right")
        await settle(pilot)
        assert name.value == "Harbor Tower Owners LLC"
        assert form.query_one("#field-holder_address", Input).value == "1 Pier Rd"
        assert form.query_one("#field-holder_city", Input).value == "Tampa"


async def test_the_reissue_form_suggests_holders_and_fills_the_pick(specialist, taught,
                                                                     submit):
    from certdesk_tui.screens.reissue import ReissueScreen
    from tests.functional.test_app_revisions import show_completed

    done = submit("T-4", instructions="call first",
                  holder=dict(factories.HOLDER, name="Someone New", address="5 Elm St"))
    specialist.automate(done)
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await show_completed(pilot, app)
        app.dashboard.table.move_cursor(row=[r.id for r in app.dashboard.table.page.rows]
                                        .index(done))
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ReissueScreen)
        name = form.query_one("#field-holder_name", Input)
        assert form.query_one("#field-holder_address", Input).value == "5 Elm St"
        name.focus()
        name.value = ""
        await pilot.press(*"harbor")
        await settle(pilot)
        await pilot.press("right")
        await settle(pilot)
        assert name.value == "Harbor Tower Owners LLC"
        assert form.query_one("#field-holder_address", Input).value == "1 Pier Rd"
