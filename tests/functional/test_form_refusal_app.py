"""A form the service refuses reopens with what was typed, driven with Pilot at 80x24."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from certdesk_tui.domain import Status
from certdesk_tui.screens.automation_form import AutomationFormScreen
from certdesk_tui.screens.confirm import ConfirmScreen
from tests import factories
from tests.tui import app_for, dashboard, notifications, settle

pytestmark = pytest.mark.usefixtures("db")


async def test_a_refused_certificate_reopens_the_form_with_the_corrections_typed(
        specialist, submit):
    # The holder's name carries a right-to-left override: no certificate prints it.
    rid = submit("BIDI-1", holder=dict(factories.HOLDER, name="Holder \u202eCorp"),
                 instructions="Please check the holder")
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert dashboard(app).table.selected.id == rid
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AutomationFormScreen)
        form.query_one("#field-insured_name", Input).value = "Acme Roofing LLC DBA Roofs"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        reopened = app.screen
        assert isinstance(reopened, AutomationFormScreen) and reopened is not form
        assert reopened.query_one("#field-insured_name", Input).value == \
            "Acme Roofing LLC DBA Roofs"
        assert not reopened.query_one("#override").display  # nothing to override
        said = " ".join(notifications(app))
        assert "U+202E" in said
        detail = specialist.request(rid)
        assert detail.row.status == Status.IN_PROGRESS and not detail.certificates
        # What was typed is the user's work: escape asks before discarding it.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is reopened


async def test_the_same_notice_again_replaces_the_one_on_screen(specialist, manual_request):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for _ in range(3):
            await pilot.press("right_square_bracket")
            await settle(pilot)
        said = notifications(app)
        assert said.count("No more pages that way.") == 1, said
        app.notify("Another notice.")
        await settle(pilot)
        assert notifications(app)[-2:] == ["No more pages that way.", "Another notice."]


async def test_a_narrow_line_above_the_table_shortens_the_filter_never_the_count(
        specialist, manual_request):
    from certdesk_tui.domain import Brand
    from certdesk_tui.domain.views import QueueFilter
    from tests.tui import screen_text

    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        board = dashboard(app)
        board.flt = QueueFilter(manual_only=True, mine=False, brands=frozenset(Brand))
        board.reload()
        await settle(pilot)
        line = next(row for row in screen_text(app).splitlines() if "/ search" in row)
        assert "1–1 of 1 · age ↑" in line and "…" in line, line
        board.table.toggle_mark()
        board.queue.filter_bar.show_marked(1)
        await settle(pilot)
        line = next(row for row in screen_text(app).splitlines() if "/ search" in row)
        assert "1 marked" in line and "of 1 · age ↑" in line, line


async def test_a_refused_reissue_reopens_with_the_reason_and_corrections_typed(
        specialist, submit):
    from certdesk_tui.screens.reissue import ReissueScreen
    from tests.functional.test_app_revisions import show_completed

    rid = submit("RE-1", instructions="Please check the holder")
    specialist.automate(rid)
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await show_completed(pilot, app)
        await pilot.press("v")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ReissueScreen)
        form.query_one("#field-reason", Input).value = "holder renamed"
        # A right-to-left override in the holder's name: no certificate prints it.
        form.query_one("#field-holder_name", Input).value = "Holder \u202eCorp"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        reopened = app.screen
        assert isinstance(reopened, ReissueScreen) and reopened is not form
        assert reopened.query_one("#field-reason", Input).value == "holder renamed"
        assert reopened.query_one("#field-holder_name", Input).value == "Holder \u202eCorp"
        assert "U+202E" in " ".join(notifications(app))
        assert len(specialist.request(rid).certificates) == 1  # nothing reissued
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)  # what was typed: asked first
