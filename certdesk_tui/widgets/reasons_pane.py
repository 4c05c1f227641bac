"""The Configuration tab (managers): add, rename and retire rejection reasons."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from certdesk_tui.actions import Owner, bindings_for
from certdesk_tui.domain.views import ReasonView
from certdesk_tui.text import escaped, literal_line
from certdesk_tui.widgets.messages import WorkerFailed

if TYPE_CHECKING:
    from certdesk_tui.service import Desk

ReasonChange = Literal["add", "rename", "retire"]


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

    def compose(self) -> ComposeResult:
        yield Static(
            "Rejection reasons offered to processors. + add · e rename · d retire "
            "(a retired reason stays on the requests it closed).",
            id="reasons-help",
        )
        table: DataTable[object] = DataTable(cursor_type="row", id="reasons-table")
        # The state before the text: a retired reason reads as such at 80 columns.
        table.add_columns("ID", "State", "Used", "Reason")
        yield table

    class ReasonsLoaded(Message, bubble=False):
        def __init__(self, reasons: list[ReasonView], select_id: int | None) -> None:
            super().__init__()
            self.reasons = reasons
            self.select_id = select_id

    class ReasonSaved(Message, bubble=False):
        def __init__(self, reason: ReasonView) -> None:
            super().__init__()
            self.reason = reason

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.post_message(WorkerFailed(event.worker))

    @work(thread=True, exclusive=True, group="reasons", exit_on_error=False)
    def reload(self, select_id: int | None = None) -> None:
        self.post_message(self.ReasonsLoaded(self.desk.reasons(include_retired=True), select_id))

    @on(ReasonsLoaded)
    def _loaded(self, event: ReasonsPane.ReasonsLoaded) -> None:
        self._show(event.reasons, event.select_id)

    def _show(self, reasons: list[ReasonView], select_id: int | None) -> None:
        self.reasons = sorted(reasons, key=lambda r: (not r.active, r.id))
        table = self.query_one(DataTable)
        current = table.cursor_row
        table.clear()
        for r in self.reasons:
            table.add_row(str(r.id),
                          "active" if r.active else Text("retired", style="bold italic"),
                          str(r.used), literal_line(r.text), key=str(r.id))
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

    @work(thread=True, group="reasons-write", exit_on_error=False)
    def _apply(self, change: Callable[..., ReasonView], *args: object) -> None:
        self.post_message(self.ReasonSaved(change(*args)))

    @on(ReasonSaved)
    def _saved(self, event: ReasonsPane.ReasonSaved) -> None:
        reason = event.reason
        self.app.notify(f"Reason {reason.id}: {escaped(reason.text)}", title="Saved",
                        markup=False)
        self.reload(reason.id)

    class ChangeAsked(Message):
        """Adding, renaming or retiring a reason needs the user's words or yes: the
        screen asks, then hands the answer to ``change``."""

        def __init__(self, pane: ReasonsPane, kind: ReasonChange,
                     reason: ReasonView | None) -> None:
            super().__init__()
            self.pane = pane
            self.kind = kind
            self.reason = reason

    def change(self, kind: ReasonChange, reason: ReasonView | None, answer: str | bool) -> None:
        """Carry out a change the user answered (empty text or no: nothing)."""
        if not answer:
            return
        if kind == "add" and isinstance(answer, str):
            self._apply(self.desk.add_reason, answer)
        elif kind == "rename" and reason is not None and isinstance(answer, str):
            self._apply(self.desk.rename_reason, reason.id, answer)
        elif kind == "retire" and reason is not None:
            self._apply(self.desk.retire_reason, reason.id)

    def action_add_reason(self) -> None:
        self.post_message(self.ChangeAsked(self, "add", None))

    def action_rename_reason(self) -> None:
        if (reason := self.selected) is not None:
            self.post_message(self.ChangeAsked(self, "rename", reason))

    def action_retire_reason(self) -> None:
        reason = self.selected
        if reason is None:
            return
        if not reason.active:
            self.app.notify(f"Reason {reason.id} is already retired.", markup=False)
            return
        self.post_message(self.ChangeAsked(self, "retire", reason))
