"""One modal screen over an empty app, with fixed data: ``python modal_app.py preview``.

Used by the snapshot tests and to try a screen by hand in a real terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``tests`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from rich.text import Text
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from certdesk_tui.domain.views import QueueFilter
from certdesk_tui.screens.automation_form import AutomationFormScreen
from certdesk_tui.screens.filters import FilterScreen
from certdesk_tui.screens.help import HelpScreen
from certdesk_tui.screens.note import NoteScreen
from certdesk_tui.screens.preview import PreviewScreen
from certdesk_tui.screens.reject import RejectScreen
from certdesk_tui.screens.text_prompt import TextPromptScreen
from certdesk_tui.screens.upload import UploadScreen
from tests.snapshot_apps.modal_data import certificate_form, reasons, request_detail

SCREENS: dict[str, Callable[[], Screen[Any]]] = {
    "preview": lambda: PreviewScreen(request_detail()),
    "automation": lambda: AutomationFormScreen(request_detail(), certificate_form()),
    "reject": lambda: RejectScreen(request_detail(), reasons()),
    "upload": lambda: UploadScreen(request_detail(), Path.cwd()),
    "note": lambda: NoteScreen(request_detail()),
    "filters": lambda: FilterScreen(QueueFilter()),
    "prompt": lambda: TextPromptScreen("New rejection reason", placeholder="Reason text"),
    "help": lambda: HelpScreen([
        ("Queue", [("enter", "Preview the request"), ("/", "Search"), ("f", "Filters")]),
        ("Actions", [("m", "Mark in progress"), ("a", "Attempt automation"),
                     ("x", "Reject with a reason")]),
    ]),
}


class ModalApp(App[None]):
    """Shows one modal; the result is kept in ``result`` and shown underneath."""

    def __init__(self, screen: str, steady_cursor: bool = False) -> None:
        super().__init__()
        self.screen_name = screen
        self.steady_cursor = steady_cursor
        self.result: Any = None

    def compose(self) -> ComposeResult:
        yield Static("certdesk modal test app", id="under")

    def on_mount(self) -> None:
        self.push_screen(SCREENS[self.screen_name](), self.record)
        if self.steady_cursor:
            self.call_after_refresh(self.stop_blinking)

    def stop_blinking(self) -> None:
        """Snapshots must not depend on when the cursor blinks."""
        for editor in self.screen.query("Input, TextArea"):
            editor.cursor_blink = False  # type: ignore[attr-defined]

    def record(self, result: Any) -> None:
        self.result = result
        self.query_one("#under", Static).update(Text(repr(result)[:2000]))


app = ModalApp(sys.argv[1] if __name__ == "__main__" and len(sys.argv) > 1 else "preview")

if __name__ == "__main__":
    app.run()
