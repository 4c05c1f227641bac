"""The Renewals tab: current certificates whose policy has a new term.

The list is read each time the tab is shown (never at startup), in a worker.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from certdesk_tui.clock import utcnow
from certdesk_tui.domain.renewals import DueRenewal
from certdesk_tui.service import Desk
from certdesk_tui.text import literal_line
from certdesk_tui.widgets.messages import WorkerFailed


class RenewalsPane(Vertical):
    """Due renewals, by customer; when each becomes renewable, and Cornerstone's."""

    DEFAULT_CSS = """
    RenewalsPane { height: 1fr; }
    RenewalsPane > #renewals-help { height: auto; padding: 0 1; color: $text-muted; }
    RenewalsPane > DataTable { height: 1fr; }
    """

    def __init__(self, desk: Desk, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.desk = desk
        self.due: list[DueRenewal] = []

    def compose(self) -> ComposeResult:
        yield Static("Certificates on a policy term an import has renewed, and when each "
                     "becomes renewable (certdesk renew issues them).",
                     id="renewals-help")
        table: DataTable[object] = DataTable(cursor_type="row", id="renewals-table")
        table.add_columns("ID", "Certificate", "Customer", "Expires", "New", "Renewable",
                          "Holder")
        yield table

    class Loaded(Message, bubble=False):
        def __init__(self, due: list[DueRenewal]) -> None:
            super().__init__()
            self.due = due

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.post_message(WorkerFailed(event.worker))

    @work(thread=True, exclusive=True, group="renewals", exit_on_error=False)
    def reload(self) -> None:
        self.post_message(self.Loaded(self.desk.due_renewals()))

    def renewable(self, renewal: DueRenewal) -> bool:
        return renewal.automatic and renewal.renewable(
            utcnow().date(), self.desk.settings.renewal_window_days)

    def _when(self, renewal: DueRenewal) -> Text:
        if not renewal.automatic:
            return Text("CS: by hand", style="italic")
        if self.renewable(renewal):
            return Text("now")
        return Text(f"from {renewal.renewable_from(self.desk.settings.renewal_window_days)}")

    @on(Loaded)
    def _loaded(self, event: RenewalsPane.Loaded) -> None:
        self.due = event.due
        table = self.query_one(DataTable)
        current = table.cursor_row
        table.clear()
        for d in self.due:
            table.add_row(str(d.request_id), f"{d.number} r{d.revision}",
                          literal_line(d.customer_code), str(d.old_expires),
                          str(d.term.expires), self._when(d), literal_line(d.holder),
                          key=str(d.request_id))
        if self.due:
            table.move_cursor(row=min(max(current, 0), len(self.due) - 1))

    @property
    def selected(self) -> DueRenewal | None:
        table = self.query_one(DataTable)
        if not self.due or not 0 <= table.cursor_row < len(self.due):
            return None
        return self.due[table.cursor_row]
