"""The certificate form refuses an undeliverable holder email with the validator's reason."""

from __future__ import annotations

from textual.widgets import Checkbox, Input

from certdesk_tui.screens.automation_form import AutomationFormScreen
from tests.functional.test_modals import SIZE, Harness, static_text, type_text
from tests.snapshot_apps.modal_data import certificate_form, request_detail


async def test_the_form_shows_why_a_holder_email_is_refused_and_does_not_submit():
    detail = request_detail(send_to_holder=True, holder_email="a..b@example.com")
    app = Harness(AutomationFormScreen(detail, certificate_form(holder_email="a..b@example.com")))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        error = static_text(app.screen, "#error-holder_email")
        assert "is not a valid email address" in error
        assert "two periods in a row" in error
        to_holder = app.screen.query_one("#to-holder", Checkbox)
        assert to_holder.disabled and to_holder.value is False
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AutomationFormScreen)
        assert app.focused is app.screen.query_one("#field-holder_email", Input)
        assert app.results == []

        field = app.screen.query_one("#field-holder_email", Input)
        field.value = ""
        await type_text(pilot, "certs@bgc.example")
        await pilot.pause()
        assert not app.screen.query_one("#error-holder_email").display
        assert not to_holder.disabled
