"""The policy-date refusal and its override in the desk, driven with Pilot at 80x24."""

from __future__ import annotations

import pytest
from fpdf import FPDF
from textual.widgets import Input

from certdesk_tui import clock
from certdesk_tui.domain import Status
from certdesk_tui.screens.automation_form import AutomationFormScreen
from certdesk_tui.screens.confirm import ConfirmScreen
from certdesk_tui.screens.filters import FilterScreen
from certdesk_tui.screens.upload import UploadScreen
from tests import factories
from tests.integration.test_policy_terms import EXPIRED, REASON, TODAY
from tests.tui import app_for, dashboard, notifications, screen_text, settle, table_ids

pytestmark = pytest.mark.usefixtures("db")

REFUSAL = "policy WC-123 expired on 2026-03-31; the certificate is dated 2026-11-25"


@pytest.fixture(autouse=True)
def _today():
    clock.freeze(TODAY)
    yield
    clock.freeze(None)


@pytest.fixture
def lapsed(manager, submit):
    """Request on a policy that expired in March: Compeo (automation) and Cornerstone (upload)."""
    for code, brand in (("C700", "compeo"), ("C800", "cornerstone")):
        report = manager.import_customers(factories.jsonl(factories.customer(
            code, brand, name=f"Lapsed {code} Inc", policies=[EXPIRED])))
        assert report.ok, report.refused
    return (submit("L-1", "C700", submitted_at="2026-03-15T10:00:00Z"),
            submit("L-2", "C800", submitted_at="2026-03-16T10:00:00Z"))


def carrier_pdf(path):
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Carrier issued certificate")
    path.write_bytes(bytes(pdf.output()))
    return path


def override_details(desk, rid: int) -> list[str]:
    return [a.detail for a in desk.request(rid).activities if a.action == "policy_override"]


async def test_automation_shows_the_refusal_and_issues_only_with_a_reason(specialist, lapsed):
    automated, _ = lapsed
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert dashboard(app).table.selected.id == automated
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AutomationFormScreen)
        text = screen_text(app)
        assert "Policy not in force" in text and "expired on 2026-03-31" in text
        reason = form.query_one("#override-reason", Input)
        assert reason.has_focus
        # A blank reason is refused in the dialog: nothing is submitted.
        await pilot.press(*"   ", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AutomationFormScreen)
        assert any("written reason" in n for n in notifications(app))
        assert specialist.row(automated).status == Status.IN_PROGRESS  # claimed, not issued
        reason.value = REASON
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Issued although the policy is" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is dashboard(app)
        assert specialist.row(automated).status == Status.COMPLETED
        assert override_details(specialist, automated) == [
            f"{REFUSAL}; issued anyway, reason: {REASON}"]
        assert any("completed with certificate" in n for n in notifications(app))


async def test_the_panel_shows_the_override_of_the_selected_request(specialist, lapsed):
    automated, _ = lapsed
    specialist.automate(automated, override_reason=REASON)
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FilterScreen)
        screen.dismiss(screen.current.__class__(statuses=frozenset({Status.COMPLETED})))
        await settle(pilot)
        assert table_ids(app) == [automated]
        panel = " ".join(screen_text(app).split())
        assert "Policy override" in panel
        assert "expired on 2026-03-31" in panel


async def test_cancelling_the_override_issues_nothing(specialist, lapsed):
    automated, _ = lapsed
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is dashboard(app)
        assert specialist.row(automated).status == Status.IN_PROGRESS  # claimed, not issued
        assert override_details(specialist, automated) == []


async def test_edited_dates_that_are_refused_reopen_the_form_with_the_reason_field(
    specialist, manual_request
):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert dashboard(app).table.selected.id == manual_request
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AutomationFormScreen)
        assert not form.query_one("#override").display  # in force: no reason asked
        form.query_one("#field-expires", Input).value = "2026-06-30"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        reopened = app.screen
        assert isinstance(reopened, AutomationFormScreen) and reopened is not form
        assert reopened.query_one("#override").display
        assert reopened.query_one("#field-expires", Input).value == "2026-06-30"
        assert "expired on 2026-06-30" in screen_text(app)
        assert specialist.row(manual_request).status == Status.IN_PROGRESS  # claimed, not issued


async def test_upload_shows_the_refusal_and_issues_only_with_a_reason(
    specialist, lapsed, tmp_path
):
    _, uploaded = lapsed
    path = carrier_pdf(tmp_path / "carrier.pdf")
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)
        assert dashboard(app).table.selected.id == uploaded
        await pilot.press("u")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, UploadScreen)
        assert "Policy not in force" in screen_text(app)
        screen.query_one("#path", Input).value = str(path)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, UploadScreen)
        assert any("written reason" in n for n in notifications(app))
        screen.query_one("#override-reason", Input).value = REASON
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert specialist.row(uploaded).status == Status.COMPLETED
        assert len(override_details(specialist, uploaded)) == 1


async def test_a_declined_wos_is_refused_before_any_dialog_opens(specialist, manager, submit):
    import json

    rid = submit("W-1", type="WOS", payment_status="approved")
    specialist.start(rid)
    report = manager.import_submissions([json.dumps(
        {"kind": "payment", "external_id": "W-1", "payment_status": "declined"})])
    assert report.ok
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert dashboard(app).table.selected.id == rid
        for key in ("a", "u"):
            app.clear_notifications()
            await settle(pilot)
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is dashboard(app)
            assert sum("payment is now declined" in n for n in notifications(app)) == 1, key
        assert specialist.row(rid).status == Status.IN_PROGRESS


async def test_a_view_only_user_is_never_offered_the_dialogs(advisor, lapsed):
    app = app_for(advisor)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert app.screen is dashboard(app)
        assert any("view only" in n for n in notifications(app))
