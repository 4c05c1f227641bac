"""The Configuration tab (managers): add, rename and retire rejection reasons."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from certdesk_tui.domain.errors import CertdeskError
from certdesk_tui.domain.views import ReasonView
from certdesk_tui.screens.actions import Owner, bindings_for
from certdesk_tui.service import Desk
from certdesk_tui.text import escaped, literal_line


class ReasonsPane(Vertical):
    """Rejection reasons as the reject dialog offers them, retired ones last."""

    DEFAULT_CSS = """
    ReasonsPane { height: 1fr; }
    ReasonsPane > #reasons-help { height: auto; padding: 0 1; color: $text-muted; }
    ReasonsPane > DataTable { height: 1fr; }
    """

    BINDINGS = bindings_for(Owner.REASONS)

    def __init__(self, desk: Desk, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.desk = desk
        self.reasons: list[ReasonView] = []

    def compose(self):
        yield Static(
            "Rejection reasons offered to processors. + add · e rename · d retire "
            "(a retired reason stays on the requests it closed).",
            id="reasons-help",
        )
        table = DataTable(cursor_type="row", id="reasons-table")
        table.add_columns("ID", "Reason", "Used", "State")
        yield table

    def on_mount(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="reasons")
    def reload(self, select_id: int | None = None) -> None:
        try:
            reasons = self.desk.reasons(include_retired=True)
        except CertdeskError as exc:
            self.app.call_from_thread(self.app.notify, str(exc), title=exc.title,
                                      severity="error", markup=False)
            return
        self.app.call_from_thread(self._show, reasons, select_id)

    def _show(self, reasons: list[ReasonView], select_id: int | None) -> None:
        self.reasons = sorted(reasons, key=lambda r: (not r.active, r.id))
        table = self.query_one(DataTable)
        current = table.cursor_row
        table.clear()
        for r in self.reasons:
            table.add_row(str(r.id), literal_line(r.text), str(r.used),
                          "active" if r.active else Text("retired", style="italic"),
                          key=str(r.id))
        if select_id is not None:
            current = next((i for i, r in enumerate(self.reasons) if r.id == select_id), current)
        if self.reasons:
            table.move_cursor(row=min(max(current, 0), len(self.reasons) - 1))

    @property
    def selected(self) -> ReasonView | None:
        table = self.query_one(DataTable)
        if not self.reasons or table.cursor_row < 0 or table.cursor_row >= len(self.reasons):
            return None
        return self.reasons[table.cursor_row]

    def _apply(self, action, *args) -> None:
        self._run(action, *args)

    @work(thread=True, group="reasons-write")
    def _run(self, action, *args) -> None:
        try:
            result = action(*args)
        except CertdeskError as exc:
            self.app.call_from_thread(self.app.notify, str(exc), title=exc.title,
                                      severity="error", markup=False)
            return
        self.app.call_from_thread(self.app.notify, f"Reason {result.id}: {escaped(result.text)}",
                                  title="Saved", markup=False)
        self.reload(result.id)

    def action_add_reason(self) -> None:
        from certdesk_tui.screens.text_prompt import TextPromptScreen

        def done(text: str | None) -> None:
            if text:
                self._apply(self.desk.add_reason, text)

        self.app.push_screen(TextPromptScreen("New rejection reason",
                                              placeholder="Reason quoted to the customer"), done)

    def action_rename_reason(self) -> None:
        from certdesk_tui.screens.text_prompt import TextPromptScreen

        reason = self.selected
        if reason is None:
            return

        def done(text: str | None) -> None:
            if text:
                self._apply(self.desk.rename_reason, reason.id, text)

        self.app.push_screen(TextPromptScreen(f"Rename reason {reason.id}", reason.text), done)

    def action_retire_reason(self) -> None:
        from certdesk_tui.screens.confirm import ConfirmScreen

        reason = self.selected
        if reason is None:
            return
        if not reason.active:
            self.app.notify(f"Reason {reason.id} is already retired.", markup=False)
            return

        def done(ok: bool | None) -> None:
            if ok:
                self._apply(self.desk.retire_reason, reason.id)

        body = Text("Processors will no longer be offered:\n")
        body.append_text(literal_line(reason.text))
        self.app.push_screen(ConfirmScreen(f"Retire reason {reason.id}?", body, "Retire"), done)
