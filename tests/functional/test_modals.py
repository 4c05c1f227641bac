"""The modal screens, each mounted over a tiny app and driven with the keyboard at 80x24."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from textual.app import App
from textual.screen import Screen
from textual.widgets import Checkbox, Input, OptionList, SelectionList, Static, TextArea

from certdesk_tui.domain import Brand, Channel, RequestType, Status
from certdesk_tui.domain.certificates import DEFAULT_CONTACTS
from certdesk_tui.domain.views import QueueFilter
from certdesk_tui.pdf.certificate import render_certificate
from certdesk_tui.screens.automation_form import AutomationFormScreen, AutomationResult
from certdesk_tui.screens.confirm import ConfirmScreen
from certdesk_tui.screens.filters import FilterScreen
from certdesk_tui.screens.help import HelpScreen
from certdesk_tui.screens.note import NoteScreen
from certdesk_tui.screens.preview import PreviewScreen
from certdesk_tui.screens.reject import RejectScreen
from certdesk_tui.screens.text_prompt import TextPromptScreen
from certdesk_tui.screens.upload import PdfTree, UploadResult, UploadScreen
from tests.snapshot_apps.modal_data import (
    certificate_form,
    reasons,
    request_detail,
    request_row,
)

SIZE = (80, 24)
UNSET = object()


class Harness(App[None]):
    """Pushes one modal on mount and records what it dismisses with."""

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.modal = screen
        self.results: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(self.modal, self.results.append)

    @property
    def result(self) -> Any:
        return self.results[-1] if self.results else UNSET


def rendered_text(screen: Screen[Any]) -> str:
    """The text of every Static on the screen, rendered as the terminal would show it."""
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    for widget in screen.query(Static):
        content = widget.content
        console.print(Text(content) if isinstance(content, str) else content)
    return console.export_text()


def screen_svg_text(app: App[Any]) -> str:
    import re
    from html import unescape

    lines = re.findall(r"<text[^>]*>(.*?)</text>", app.export_screenshot(), flags=re.S)
    return unescape("".join(lines)).replace("\xa0", " ")


def static_text(screen: Screen[Any], selector: str) -> str:
    content = screen.query_one(selector, Static).content
    return content.plain if isinstance(content, Text) else str(content)


def pdf_file(tmp_path: Path, name: str = "issued.pdf") -> tuple[Path, bytes]:
    data = render_certificate(certificate_form(), number="CD-000042", revision=0,
                              issued_on=date(2026, 11, 21), verification_code="7K3QF9XM2D",
                              contact=DEFAULT_CONTACTS[Brand.COMPEO])
    path = tmp_path / name
    path.write_bytes(data)
    return path, data


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in text])


# -- ConfirmScreen ---------------------------------------------------------------------------

@pytest.mark.parametrize(("key", "expected"), [
    ("y", True), ("enter", True), ("n", False), ("escape", False),
])
async def test_confirm_answers_with_the_key_pressed(key, expected):
    app = Harness(ConfirmScreen("Reject request #42?", Text("[b]Acme[/b]"), "Reject"))
    async with app.run_test(size=SIZE) as pilot:
        assert "[b]Acme[/b]" in rendered_text(app.screen)
        await pilot.press(key)
        assert app.results == [expected]


# -- PreviewScreen ---------------------------------------------------------------------------

async def test_preview_shows_the_submission_and_what_the_system_found():
    app = Harness(PreviewScreen(request_detail()))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dialog = app.screen.query_one("#dialog")
        assert dialog.border_title == "Request #42"
        text = rendered_text(app.screen)
        for expected in (
            "Acme Roofing LLC (C100)", "Compeo", "portal", "2026-11-20 15:00 UTC",
            "owner@c100.example", "Big General Contractor Inc", "9 Oak Ave",
            "Miami, FL 33101", "certs@bgc.example", "Please list the project: Harbor Tower",
            "project", "customer instructions", "Certificates", "WC-C100", "#17, #40",
        ):
            assert expected in text, expected
        await pilot.press("escape")
        assert app.results == [None]


async def test_preview_picking_a_possible_duplicate_returns_its_id():
    app = Harness(PreviewScreen(request_detail()))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        assert isinstance(app.focused, OptionList)
        await pilot.press("down", "enter")
        assert app.results == [40]


async def test_preview_without_duplicates_has_no_duplicate_list():
    app = Harness(PreviewScreen(request_detail(duplicates=())))
    async with app.run_test(size=SIZE) as pilot:
        assert not app.screen.query("#duplicates")
        await pilot.press("d", "q")
        assert app.results == [None]


async def test_preview_shows_customer_text_literally_and_the_app_survives():
    row = request_row(customer_name="[bold]x[/]", holder_name="[@click=app.quit]y[/]")
    detail = request_detail(
        row, instructions="see \x1b[31mred [/foo]",
        submission={"customer": "C100", "[i]key[/i]": "[@click=app.quit]z[/]"},
    )
    app = Harness(PreviewScreen(detail))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = rendered_text(app.screen)
        for shown in ("[bold]x[/] (C100)", "[@click=app.quit]y[/]", "see \\x1b[31mred [/foo]",
                      "[i]key[/i]", "[@click=app.quit]z[/]"):
            assert shown in text, shown
        visible = screen_svg_text(app)
        assert "[bold]x[/]" in visible
        assert "[@click=app.quit]y[/]" in visible
        await pilot.click("#submitted", offset=(20, 8))
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        assert app.is_running
        assert isinstance(app.screen, PreviewScreen)


# -- AutomationFormScreen ----------------------------------------------------------------------

def form_screen(detail=None, form=None) -> AutomationFormScreen:
    return AutomationFormScreen(detail or request_detail(), form or certificate_form())


async def test_automation_form_is_prefilled_with_every_field():
    app = Harness(form_screen())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#field-insured_name", Input).value == "Acme Roofing LLC"
        assert screen.query_one("#field-effective", Input).value == "2026-01-01"
        assert screen.query_one("#field-each_accident", Input).value == "1,000,000"
        assert screen.query_one("#field-description", TextArea).text.startswith("Evidence of")
        assert screen.query_one("#wos", Checkbox).value is False
        assert screen.query_one("#to-holder", Checkbox).value is False
        assert "Acme Roofing LLC" in screen_svg_text(app)
        assert app.focused is screen.query_one("#field-insured_name")


async def test_automation_form_submits_the_corrected_form_after_one_confirmation():
    app = Harness(form_screen())
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#field-holder_city", Input).focus()
        await pilot.press("end", *["backspace"] * len("Miami"))
        await type_text(pilot, "Orlando")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ConfirmScreen)
        assert "owner@c100.example" in rendered_text(app.screen)
        await pilot.press("y")
        await pilot.pause()
        result = app.result
        assert isinstance(result, AutomationResult)
        assert result.form == replace(certificate_form(), holder_city="Orlando")
        assert result.to_holder is False
        assert result.attachment is None


async def test_automation_form_declining_the_confirmation_keeps_the_form_open():
    app = Harness(form_screen())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s", "n")
        assert isinstance(app.screen, AutomationFormScreen)
        assert app.results == []
        await pilot.press("escape")
        assert app.results == [None]


async def test_automation_form_a_bad_date_shows_an_error_and_does_not_submit():
    app = Harness(form_screen())
    async with app.run_test(size=SIZE) as pilot:
        effective = app.screen.query_one("#field-effective", Input)
        effective.focus()
        await pilot.press("end", *["backspace"] * 10)
        await type_text(pilot, "2026-13-01")
        await pilot.pause()
        assert effective.value == "2026-13-01"
        error = app.screen.query_one("#error-effective", Static)
        assert error.display
        assert "Effective must be a date YYYY-MM-DD" in static_text(app.screen, "#error-effective")
        app.screen.query_one("#field-holder_name", Input).focus()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AutomationFormScreen)
        assert app.focused is effective
        assert app.results == []


async def test_automation_form_shows_rule_problems_next_to_their_fields():
    app = Harness(form_screen(form=certificate_form(holder_state="Florida", each_accident=0)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Holder state must be a two-letter state code" in static_text(
            app.screen, "#error-holder_state")
        assert "Each accident must be more than zero" in static_text(
            app.screen, "#error-each_accident")
        assert not app.screen.query_one("#error-holder_name", Static).display
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#field-each_accident")
        assert app.results == []


async def test_automation_form_wos_tick_sets_form_wos():
    app = Harness(form_screen())
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#wos", Checkbox).focus()
        await pilot.press("space")
        await pilot.pause()
        description = app.screen.query_one("#field-description", TextArea).text
        assert "Waiver of subrogation applies" in description
        await pilot.press("ctrl+s")
        assert "relabelled WOS" in rendered_text(app.screen)
        await pilot.press("y")
        await pilot.pause()
        assert app.result.form.wos is True
        assert "Waiver of subrogation applies" in app.result.form.description


async def test_automation_form_officers_excluded_tick_sets_the_certificate_box():
    app = Harness(form_screen())
    async with app.run_test(size=SIZE) as pilot:
        box = app.screen.query_one("#officers-excluded", Checkbox)
        assert box.value is False
        box.focus()
        await pilot.press("space")
        await pilot.press("ctrl+s")
        await pilot.press("y")
        await pilot.pause()
        assert app.result.form == replace(certificate_form(), officers_excluded=True)


async def test_automation_form_recipients_line_follows_send_to_holder():
    app = Harness(form_screen())
    async with app.run_test(size=SIZE) as pilot:
        line = static_text(app.screen, "#recipients")
        assert line == ("Submit emails the generated certificate to the customer "
                        "owner@c100.example only.")
        app.screen.query_one("#to-holder", Checkbox).focus()
        await pilot.press("space")
        await pilot.pause()
        assert static_text(app.screen, "#recipients") == (
            "Submit emails the generated certificate to the customer owner@c100.example "
            "and the holder certs@bgc.example.")
        await pilot.press("ctrl+s", "y")
        await pilot.pause()
        assert app.result.to_holder is True


async def test_automation_form_send_to_holder_needs_a_valid_holder_email():
    detail = request_detail(send_to_holder=True, holder_email="")
    app = Harness(form_screen(detail, certificate_form(holder_email="")))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        to_holder = app.screen.query_one("#to-holder", Checkbox)
        assert to_holder.disabled and to_holder.value is False
        assert "No valid holder email" in static_text(app.screen, "#holder-hint")
        app.screen.query_one("#field-holder_email", Input).focus()
        await type_text(pilot, "certs@new.example")
        await pilot.pause()
        assert not to_holder.disabled


async def test_automation_form_sent_to_the_holder_by_default_when_the_customer_asked():
    app = Harness(form_screen(request_detail(send_to_holder=True)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#to-holder", Checkbox).value is True
        assert "the holder certs@bgc.example" in static_text(app.screen, "#recipients")


async def test_automation_form_attaches_an_issued_pdf(tmp_path):
    path, data = pdf_file(tmp_path)
    app = Harness(form_screen())
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#field-attachment", Input).focus()
        await type_text(pilot, str(path))
        await pilot.pause()
        assert not app.screen.query_one("#error-attachment", Static).display
        assert "the attached certificate issued.pdf" in static_text(app.screen, "#recipients")
        await pilot.press("ctrl+s", "y")
        await pilot.pause()
        assert app.result.attachment == ("issued.pdf", data)


async def test_automation_form_with_an_attachment_only_checks_the_holder_email(tmp_path):
    path, data = pdf_file(tmp_path)
    form = certificate_form(insurer_name="", each_accident=0)
    app = Harness(form_screen(form=form))
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen.query_one("#error-insurer_name", Static).display
        app.screen.query_one("#field-attachment", Input).value = str(path)
        await pilot.pause()
        assert not app.screen.query_one("#error-insurer_name", Static).display
        await pilot.press("ctrl+s", "y")
        await pilot.pause()
        assert app.result.attachment == ("issued.pdf", data)
        assert app.result.form.each_accident == 0


async def test_automation_form_refuses_a_file_that_is_not_a_pdf(tmp_path):
    path = tmp_path / "notes.pdf"
    path.write_text("hello")
    app = Harness(form_screen())
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#field-attachment", Input).value = str(path)
        await pilot.pause()
        assert "notes.pdf is not a PDF file" in static_text(app.screen, "#error-attachment")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AutomationFormScreen)
        assert app.focused is app.screen.query_one("#field-attachment")


async def test_automation_form_submit_button_is_reachable_with_tab():
    app = Harness(form_screen())
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(40):
            if app.focused is not None and app.focused.id == "submit":
                break
            await pilot.press("tab")
        assert app.focused is not None and app.focused.id == "submit"
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmScreen)


# -- UploadScreen ----------------------------------------------------------------------------

def test_upload_tree_keeps_directories_and_pdfs_only(tmp_path):
    for name in ("a.pdf", "B.PDF", "c.txt", ".hidden.pdf"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "sub").mkdir()
    tree = PdfTree(tmp_path)
    kept = {p.name for p in tree.filter_paths(tmp_path.iterdir())}
    assert kept == {"a.pdf", "B.PDF", "sub"}


async def test_upload_picks_a_pdf_by_typing_its_path(tmp_path):
    path, data = pdf_file(tmp_path, "carrier.pdf")
    app = Harness(UploadScreen(request_detail(), tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#path", Input).focus()
        await type_text(pilot, str(path))
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmScreen)
        assert "carrier.pdf" in rendered_text(app.screen)
        await pilot.press("y")
        await pilot.pause()
        assert app.result == UploadResult("carrier.pdf", data, False)


async def test_upload_picks_a_pdf_from_the_tree(tmp_path):
    path, data = pdf_file(tmp_path, "carrier.pdf")
    (tmp_path / "readme.txt").write_text("not offered")
    app = Harness(UploadScreen(request_detail(send_to_holder=True), tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        tree = app.screen.query_one("#tree", PdfTree)
        # DirectoryTree's loader worker never completes: wait for the children instead.
        for _ in range(50):
            if tree.root.children:
                break
            await pilot.pause(0.05)
        assert [child.label.plain for child in tree.root.children] == ["carrier.pdf"]
        assert app.focused is tree
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.screen.query_one("#path", Input).value == str(path)
        assert "the holder certs@bgc.example" in static_text(app.screen, "#recipients")
        await pilot.press("enter", "y")
        await pilot.pause()
        assert app.result == UploadResult("carrier.pdf", data, True)


async def test_upload_refuses_a_missing_file(tmp_path):
    app = Harness(UploadScreen(request_detail(), tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#path", Input).value = str(tmp_path / "nope.pdf")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "no such file" in static_text(app.screen, "#error")
        assert isinstance(app.screen, UploadScreen)
        await pilot.press("escape")  # a path was typed: asked before it is thrown away
        await pilot.pause()
        assert app.results == []
        await pilot.press("y")
        await pilot.pause()
        assert app.results == [None]


# -- RejectScreen ----------------------------------------------------------------------------

async def test_reject_shows_the_email_for_the_highlighted_reason_and_returns_it():
    app = Harness(RejectScreen(request_detail(), reasons()))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Reason: Duplicate request received" in static_text(app.screen, "#email-text")
        assert "Hello Acme Roofing LLC" in static_text(app.screen, "#email-text")
        assert static_text(app.screen, "#recipient") == (
            "The email goes to the customer only: owner@c100.example")
        await pilot.press("down")
        await pilot.pause()
        assert ("Reason: Standard certificate request received, needs a waiver of "
                "subrogation endorsement") in static_text(app.screen, "#email-text")
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert app.results == [2]


async def test_reject_lists_active_reasons_only_and_cancels():
    app = Harness(RejectScreen(request_detail(), reasons()))
    async with app.run_test(size=SIZE) as pilot:
        options = app.screen.query_one("#reasons", OptionList)
        assert options.option_count == 7
        await pilot.press("enter", "n")
        assert isinstance(app.screen, RejectScreen)
        await pilot.press("escape")
        assert app.results == [None]


# -- NoteScreen ------------------------------------------------------------------------------

async def test_note_returns_the_text():
    app = Harness(NoteScreen(request_detail()))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        assert app.results == []
        await type_text(pilot, "Called the holder [ok]")
        await pilot.press("ctrl+s")
        assert app.results == ["Called the holder [ok]"]


async def test_note_escape_cancels():
    app = Harness(NoteScreen(request_detail()))
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "draft")
        await pilot.press("escape")  # a draft: asked before it is thrown away
        await pilot.pause()
        assert app.results == []
        await pilot.press("y")
        await pilot.pause()
        assert app.results == [None]


# -- FilterScreen ----------------------------------------------------------------------------

async def test_filters_return_the_toggled_filter_keeping_search_and_sort():
    current = QueueFilter(search="acme", sort="customer", descending=True)
    app = Harness(FilterScreen(current))
    async with app.run_test(size=SIZE) as pilot:
        assert app.focused is app.screen.query_one("#statuses", SelectionList)
        await pilot.press("space")          # New off
        await pilot.press("tab", "space")   # COI on
        await pilot.press("tab", "down", "space")   # PeoPayGo on
        await pilot.press("tab", "down", "space")   # Mobile on
        await pilot.press("tab", "space", "down", "space")  # manual only, assigned to me
        await pilot.press("enter")
        assert app.result == QueueFilter(
            statuses=frozenset({Status.IN_PROGRESS}), types=frozenset({RequestType.COI}),
            brands=frozenset({Brand.PEOPAYGO}), channels=frozenset({Channel.MOBILE}),
            manual_only=True, mine=True, search="acme", sort="customer", descending=True,
        )


async def test_filters_reset_key_ticks_the_default_view():
    current = QueueFilter(statuses=frozenset({Status.REJECTED}), brands=frozenset({Brand.COMPEO}),
                          mine=True, search="acme")
    app = Harness(FilterScreen(current))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r", "ctrl+s")
        assert app.result == QueueFilter(search="acme")


async def test_filters_escape_cancels():
    app = Harness(FilterScreen(QueueFilter()))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "escape")
        assert app.results == [None]


# -- TextPromptScreen ------------------------------------------------------------------------

async def test_text_prompt_returns_the_text_entered():
    app = Harness(TextPromptScreen("New rejection reason"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        assert app.results == []
        await type_text(pilot, "Missing project name")
        await pilot.press("enter")
        assert app.results == ["Missing project name"]


async def test_text_prompt_starts_from_the_initial_text_and_cancels():
    app = Harness(TextPromptScreen("Rename", initial="Incomplete address"))
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen.query_one("#text", Input).value == "Incomplete address"
        await pilot.press("escape")
        assert app.results == [None]


# -- HelpScreen ------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["escape", "q", "question_mark"])
async def test_help_lists_keys_by_section_and_closes(key):
    sections = [("Queue", [("enter", "Preview"), ("[", "A key that looks like markup")]),
                ("Actions", [("x", "Reject")])]
    app = Harness(HelpScreen(sections))
    async with app.run_test(size=SIZE) as pilot:
        text = rendered_text(app.screen)
        for expected in ("Queue", "Preview", "[", "A key that looks like markup", "Actions",
                         "Reject"):
            assert expected in text
        await pilot.press(key)
        assert app.results == [None]


async def test_ticks_read_without_colour():
    """NO_COLOR may strip every colour: an unticked box is blank, a ticked one shows X."""
    app = Harness(FilterScreen(QueueFilter()))
    async with app.run_test(size=SIZE):
        statuses = app.screen.query_one("#statuses", SelectionList)
        lines = [statuses.render_line(y).text for y in range(4)]
        assert lines[0].startswith("▐X▌ New")
        assert lines[2].startswith("▐ ▌ Completed")
    app = Harness(form_screen())
    async with app.run_test(size=SIZE) as pilot:
        wos = app.screen.query_one("#wos", Checkbox)
        to_holder = app.screen.query_one("#to-holder", Checkbox)
        assert str(wos.render()).startswith("▐ ▌")
        wos.focus()
        await pilot.press("space")
        assert str(wos.render()).startswith("▐X▌")
        assert str(to_holder.render()).startswith("▐ ▌")
