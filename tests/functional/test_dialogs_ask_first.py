"""Every dialog with fields asks before ``escape`` throws away what was typed or ticked.

The dialogs are found by walking ``certdesk_tui.screens``: a new dialog without a way
to open it here fails ``test_every_dialog_is_walked``, so none can forget to ask.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.screen import ModalScreen, Screen
from textual.widgets import Checkbox, Input, RadioButton, TextArea

import certdesk_tui.screens
from certdesk_tui.domain.views import QueueFilter
from certdesk_tui.screens.automation_form import AutomationFormScreen
from certdesk_tui.screens.bulk import BulkReasonScreen, BulkResultScreen
from certdesk_tui.screens.confirm import AsksBeforeDiscarding, ConfirmScreen
from certdesk_tui.screens.filters import FilterScreen
from certdesk_tui.screens.help import HelpScreen
from certdesk_tui.screens.internal_request import InternalRequestScreen
from certdesk_tui.screens.note import NoteScreen
from certdesk_tui.screens.preview import PreviewScreen
from certdesk_tui.screens.reissue import ReissueScreen
from certdesk_tui.screens.reject import RejectScreen
from certdesk_tui.screens.resend import ResendScreen
from certdesk_tui.screens.text_prompt import TextPromptScreen
from certdesk_tui.screens.upload import UploadScreen
from certdesk_tui.service.bulk import BulkOutcome
from certdesk_tui.service.internal import CustomerChoice
from tests.snapshot_apps.modal_data import (
    certificate_form,
    reasons,
    request_detail,
    request_row,
)

SIZE = (80, 24)
DISCARD = "Discard your changes?"

# How to open each dialog of the desk (a directory for those that browse files).
DIALOGS: dict[type[ModalScreen[Any]], Callable[[Path], ModalScreen[Any]]] = {
    AutomationFormScreen: lambda tmp: AutomationFormScreen(request_detail(), certificate_form()),
    UploadScreen: lambda tmp: UploadScreen(request_detail(), tmp),
    NoteScreen: lambda tmp: NoteScreen(request_detail()),
    TextPromptScreen: lambda tmp: TextPromptScreen("Name this view"),
    InternalRequestScreen: lambda tmp: InternalRequestScreen(
        [CustomerChoice("C100", "Acme Roofing LLC", "compeo")]),
    ReissueScreen: lambda tmp: ReissueScreen(request_detail(request_row(status="completed")),
                                             certificate_form()),
    ResendScreen: lambda tmp: ResendScreen(request_detail(request_row(status="completed"))),
    ConfirmScreen: lambda tmp: ConfirmScreen("Sure?", "Really."),
    FilterScreen: lambda tmp: FilterScreen(QueueFilter()),
    HelpScreen: lambda tmp: HelpScreen([("Queue", [("enter", "Preview")])]),
    PreviewScreen: lambda tmp: PreviewScreen(request_detail()),
    RejectScreen: lambda tmp: RejectScreen(request_detail(), reasons()),
    BulkReasonScreen: lambda tmp: BulkReasonScreen([1, 2], reasons()),
    BulkResultScreen: lambda tmp: BulkResultScreen(
        "start", [BulkOutcome(1, True, "claimed"), BulkOutcome(2, False, "no", "Refused")]),
}
FIELDS = "Input, TextArea, Checkbox, RadioButton"


def desk_dialogs() -> set[type[ModalScreen[Any]]]:
    found: set[type[ModalScreen[Any]]] = set()
    package = certdesk_tui.screens
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, ModalScreen) and cls.__module__.startswith("certdesk_tui."):
                found.add(cls)
    return found


class Harness(App[None]):
    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.modal = screen
        self.results: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(self.modal, self.results.append)


def test_every_dialog_is_walked():
    missing = {cls.__name__ for cls in desk_dialogs()} - {cls.__name__ for cls in DIALOGS}
    assert not missing, f"say how to open these dialogs in DIALOGS: {sorted(missing)}"


def fields(screen: Screen[Any]) -> list[Any]:
    return [w for w in screen.query(FIELDS) if not w.disabled]


async def change_a_field(pilot, screen: Screen[Any], how: str) -> bool:
    """Type a letter in the field that has focus (or the first one), or tick a box."""
    if how == "type":
        typed = [w for w in fields(screen) if isinstance(w, Input | TextArea)]
        if not typed:
            return False
        target = screen.focused if screen.focused in typed else typed[0]
        target.focus()
        await pilot.pause()
        await pilot.press("x")
    else:
        boxes = [w for w in fields(screen) if isinstance(w, Checkbox | RadioButton)
                 and not (isinstance(w, RadioButton) and w.value)]
        if not boxes:
            return False
        boxes[0].focus()
        await pilot.pause()
        await pilot.press("space")
    await pilot.pause()
    return True


@pytest.mark.parametrize("dialog", list(DIALOGS), ids=lambda cls: cls.__name__)
async def test_escape_on_an_untouched_dialog_closes_it_at_once(dialog, tmp_path):
    app = Harness(DIALOGS[dialog](tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.results in ([None], [False]), app.screen
        assert not isinstance(app.screen, ModalScreen)


@pytest.mark.parametrize("how", ["type", "tick"])
@pytest.mark.parametrize("dialog", list(DIALOGS), ids=lambda cls: cls.__name__)
async def test_escape_after_typing_or_ticking_asks_first(dialog, how, tmp_path):
    app = Harness(DIALOGS[dialog](tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        form = app.screen
        if not fields(form):
            return  # nothing to type or tick: escape closes it (the test above)
        assert isinstance(form, AsksBeforeDiscarding), \
            f"{dialog.__name__} has fields: it must take in AsksBeforeDiscarding"
        if not await change_a_field(pilot, form, how):
            return  # nothing of that kind in this dialog
        changed = [(w.id, getattr(w, "value", None), getattr(w, "text", None))
                   for w in fields(form)]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and app.screen.question == DISCARD
        assert app.results == []
        await pilot.press("n")  # back to what was typed, kept
        await pilot.pause()
        assert app.screen is form and app.results == []
        assert [(w.id, getattr(w, "value", None), getattr(w, "text", None))
                for w in fields(form)] == changed
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")  # discarded: the dialog closes with nothing
        await pilot.pause()
        assert app.results == [None]
