"""Every processing action through the interface, from key to database, at 80x24."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from textual.widgets import Input

from certdesk_tui.domain import Brand, Status
from certdesk_tui.domain.certificates import DEFAULT_CONTACTS
from certdesk_tui.screens.automation_form import AutomationFormScreen
from certdesk_tui.screens.confirm import ConfirmScreen
from certdesk_tui.screens.filters import FilterScreen
from certdesk_tui.screens.note import NoteScreen
from certdesk_tui.screens.preview import PreviewScreen
from certdesk_tui.screens.reject import RejectScreen
from certdesk_tui.screens.upload import UploadScreen
from tests.tui import app_for, dashboard, notifications, screen_text, settle, table_ids

pytestmark = pytest.mark.usefixtures("db")


def pdf_text(data: bytes) -> str:
    return PdfReader(io.BytesIO(data)).pages[0].extract_text()


@pytest.fixture
def compeo(submit) -> int:
    return submit("A-1", send_to_holder=True, instructions="Name the project: Harbor Tower")


@pytest.fixture
def cornerstone(submit) -> int:
    return submit("A-2", "C300", submitted_at="2026-11-21T09:00:00Z")


async def test_automation_prefills_accepts_a_correction_and_completes(specialist, compeo):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AutomationFormScreen)
        assert form.query_one("#field-insured_name", Input).value == "Acme Roofing LLC"
        assert form.query_one("#field-policy_number", Input).value == "WC-C100"
        form.query_one("#field-holder_name", Input).value = "Big General Contractors Inc"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is dashboard(app)
        detail = specialist.request(compeo)
        assert detail.status == Status.COMPLETED
        assert detail.row.holder_name == "Big General Contractors Inc"
        assert sorted(e.recipient_role for e in detail.emails) == ["customer", "holder"]
        _, pdf = specialist.certificate(compeo)
        assert "Big General Contractors Inc" in pdf_text(pdf)
        assert any("completed with certificate CD-" in n for n in notifications(app))
        assert table_ids(app) == []


async def test_automation_with_a_bad_date_shows_the_problem_and_issues_nothing(specialist,
                                                                               compeo):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        app.screen.query_one("#field-expires", Input).value = "2026-13-45"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AutomationFormScreen)
        await pilot.press("escape", "y")  # an edit: discarding it is asked first
        await settle(pilot)
        # Opening the form claimed the request; nothing was issued.
        row = specialist.row(compeo)
        assert (row.status, row.assignee_login) == (Status.IN_PROGRESS, "sam")
        assert specialist.request(compeo).certificates == ()


async def test_automation_cancelled_at_the_confirmation_changes_nothing(specialist, compeo):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        # Opening the form claimed the request; nothing was issued.
        row = specialist.row(compeo)
        assert (row.status, row.assignee_login) == (Status.IN_PROGRESS, "sam")
        assert specialist.request(compeo).certificates == ()


async def test_upload_completes_a_cornerstone_request_with_the_chosen_pdf(specialist,
                                                                          cornerstone, tmp_path):
    from certdesk_tui.pdf.certificate import render_certificate
    from tests.snapshot_apps.modal_data import certificate_form

    pdf = render_certificate(certificate_form(), number="CARRIER-1", revision=0,
                             issued_on=certificate_form().effective,
                             verification_code="7K3QF9XM2D",
                             contact=DEFAULT_CONTACTS[Brand.CORNERSTONE])
    path = tmp_path / "carrier certificate.pdf"
    path.write_bytes(pdf)
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert dashboard(app).table.selected.id == cornerstone
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, UploadScreen)
        app.screen.query_one("#path", Input).value = str(path)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        detail = specialist.request(cornerstone)
        assert detail.status == Status.COMPLETED
        assert specialist.certificate(cornerstone)[1] == pdf


async def test_upload_refuses_a_file_that_is_not_a_pdf(specialist, cornerstone, tmp_path):
    path = tmp_path / "notes.pdf"
    path.write_text("not a pdf at all")
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        app.screen.query_one("#path", Input).value = str(path)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, UploadScreen)
        assert "not a PDF" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert specialist.row(cornerstone).status == Status.NEW


async def test_upload_of_a_certificate_certdesk_drew_is_refused_by_the_service(
        specialist, compeo, cornerstone, tmp_path):
    specialist.automate(compeo)
    _, drawn = specialist.certificate(compeo)
    path = tmp_path / "drawn.pdf"
    path.write_bytes(drawn)
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert dashboard(app).table.selected.id == cornerstone
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, UploadScreen)
        app.screen.query_one("#path", Input).value = str(path)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert (f"drawn.pdf is certdesk's certificate CD-{compeo:06d} revision 0 for request "
                f"#{compeo}: issue or reissue a certificate instead of uploading it"
                ) in notifications(app)
    assert specialist.row(cornerstone).status == Status.NEW
    assert specialist.request(cornerstone).certificates == ()


async def test_reject_shows_the_email_then_rejects_with_the_chosen_reason(specialist, compeo):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, RejectScreen)
        assert "Reason: Duplicate request received" in screen_text(app)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        detail = specialist.request(compeo)
        assert detail.status == Status.REJECTED
        assert detail.rejection_reason.startswith("Standard certificate request received")
        assert [e.recipient_role for e in detail.emails] == ["customer"]


async def test_note_from_the_keyboard(specialist, compeo):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NoteScreen)
        await pilot.press(*"Called [b]holder[/b]")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [n.body for n in specialist.request(compeo).notes] == ["Called [b]holder[/b]"]
        assert "Called [b]holder[/b]" in screen_text(app)


async def test_preview_shows_the_submission_and_links_a_possible_duplicate(specialist, submit):
    first = submit("D-1", instructions="first", submitted_at="2026-11-10T09:00:00Z")
    second = submit("D-2", instructions="second", submitted_at="2026-11-12T09:00:00Z")
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PreviewScreen)
        assert app.screen.detail.id == first
        await pilot.press("d", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PreviewScreen)
        assert app.screen.detail.id == second
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is dashboard(app)


async def test_filters_reveal_completed_requests(specialist, submit):
    done = submit("F-1")  # a clean Compeo COI: processed automatically
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert table_ids(app) == []
        await pilot.press("f")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FilterScreen)
        screen.dismiss(screen.current.__class__(statuses=frozenset({Status.COMPLETED})))
        await settle(pilot)
        assert table_ids(app) == [done]
        assert "Completed" in screen_text(app)


async def test_a_manager_takes_over_a_claimed_request_after_confirming(manager, desk_for,
                                                                        compeo):
    desk_for("sky").start(compeo)
    app = app_for(manager)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "in progress by Sky Specialist" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        detail = manager.request(compeo)
        assert detail.row.assignee_login == "morgan"
        assert any(a.action == "taken_over" for a in detail.activities)


async def test_the_configuration_tab_adds_renames_and_retires_reasons(manager):
    app = app_for(manager)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("T")                      # the previous tab, round: the last
        await settle(pilot)
        await pilot.press("plus")
        await settle(pilot)
        await pilot.press(*"Policy cancelled", "enter")
        await settle(pilot)
        texts = [r.text for r in manager.reasons()]
        assert texts[-1] == "Policy cancelled"
        table = app.screen.query_one("#reasons-table")
        table.move_cursor(row=len(texts) - 1)
        await pilot.press("e", "ctrl+u", *"Policy cancelled by carrier", "enter")
        await settle(pilot)
        assert manager.reasons()[-1].text == "Policy cancelled by carrier"
        table.move_cursor(row=len(texts) - 1)
        await pilot.press("d", "y")
        await settle(pilot)
        assert "Policy cancelled by carrier" not in [r.text for r in manager.reasons()]


@pytest.mark.parametrize("words", ["Rename rejection reason", "Retire rejection reason"])
async def test_the_palette_renames_or_retires_a_reason_from_another_tab(manager, words):
    """The reasons are read once the desk is on screen, not only when their tab is shown:
    the palette's rename and retire, run from the Certificates tab, ask about one."""
    from certdesk_tui.screens.text_prompt import TextPromptScreen
    from tests.functional.test_action_registry import run_from_palette

    app = app_for(manager)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert dashboard(app).query_one("#tabs").active == "certificates"
        await run_from_palette(pilot, words)
        await settle(pilot)
        assert isinstance(app.screen, TextPromptScreen | ConfirmScreen), type(app.screen)


async def test_a_specialist_has_no_configuration_tab(specialist):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("t", "t", "t")            # Renewals, Insights, back to Certificates
        await settle(pilot)
        assert dashboard(app).query_one("#tabs").active == "certificates"
        dashboard(app).action_show_tab("configuration")   # as the palette would ask
        await settle(pilot)
        assert any("for managers" in n for n in notifications(app))
        assert "Configuration" not in screen_text(app)


async def test_help_lists_every_processing_key(specialist):
    app = app_for(specialist)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        text = screen_text(app)
        for words in ("Mark in progress", "Attempt automation", "Upload a certificate",
                      "Relabel as a waiver", "Reject with a reason", "Add an internal note"):
            assert words in text



async def test_keys_can_be_remapped_from_the_configuration(specialist, compeo):
    app = app_for(specialist, keymap={"reject": "ctrl+r"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, RejectScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert "^r" in screen_text(app) or "ctrl+r" in screen_text(app)
