"""The Renewals tab: current certificates whose policy has a new term, and renewing them.

The list is read each time the tab is shown (never at startup), after each renewal and,
while the tab is shown, with each live refresh and ``r`` (the dashboard asks).

``R`` renews the selected certificate; ``A`` asks the screen to confirm, then renews
every renewable one of the tab. Each renewal is its own service call in a worker;
what became of each is said in one notification, and the list is read again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from certdesk_tui.actions import Owner, bindings_for
from certdesk_tui.clock import utcnow
from certdesk_tui.domain.renewals import DueRenewal
from certdesk_tui.text import literal_line
from certdesk_tui.widgets.messages import WorkerFailed

if TYPE_CHECKING:
    from certdesk_tui.service import Desk
    from certdesk_tui.service.renewals import RenewalOutcome


class RenewalsPane(Vertical):
    """Due renewals, by customer; when each becomes renewable, and Cornerstone's."""

    DEFAULT_CSS = """
    RenewalsPane { height: 1fr; }
    RenewalsPane > #renewals-help { height: auto; padding: 0 1; color: $text-muted; }
    RenewalsPane > DataTable { height: 1fr; }
    """

    BINDINGS = bindings_for(Owner.RENEWALS)

    def __init__(self, desk: Desk, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.desk = desk
        self.due: list[DueRenewal] = []

    def compose(self) -> ComposeResult:
        yield Static("Certificates on a policy term an import has renewed. R renews the "
                     "selected one · A renews every renewable one (asks first).",
                     id="renewals-help")
        table: DataTable[object] = DataTable(cursor_type="row", id="renewals-table")
        table.add_columns("ID", "Certificate", "Customer", "Expires", "New", "Renewable",
                          "Holder")
        yield table

    class Loaded(Message, bubble=False):
        def __init__(self, due: list[DueRenewal]) -> None:
            super().__init__()
            self.due = due

    class Renewed(Message, bubble=False):
        def __init__(self, outcomes: list[RenewalOutcome]) -> None:
            super().__init__()
            self.outcomes = outcomes

    class RenewAllAsked(Message):
        """Renewing every renewable certificate needs a yes: the screen asks, then calls
        ``renew`` with them."""

        def __init__(self, pane: RenewalsPane, renewable: list[DueRenewal]) -> None:
            super().__init__()
            self.pane = pane
            self.renewable = renewable

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
        # The live refresh reloads the list while someone reads it: the cursor stays on the
        # same request (a row gone above it must not move it onto another one).
        was = self.selected
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
            ids = [d.request_id for d in self.due]
            row = (ids.index(was.request_id) if was is not None and was.request_id in ids
                   else min(max(current, 0), len(self.due) - 1))
            table.move_cursor(row=row)

    @property
    def selected(self) -> DueRenewal | None:
        table = self.query_one(DataTable)
        if not self.due or not 0 <= table.cursor_row < len(self.due):
            return None
        return self.due[table.cursor_row]

    @work(thread=True, exclusive=True, group="renewing", exit_on_error=False)
    def renew(self, renewals: list[DueRenewal]) -> None:
        self.post_message(self.Renewed([self.desk.renew_one(r) for r in renewals]))

    @on(Renewed)
    def _renewed(self, event: RenewalsPane.Renewed) -> None:
        from certdesk_tui.service.renewals import RenewalState  # loaded with the first renewal

        renewed = sum(o.state == RenewalState.RENEWED for o in event.outcomes)
        failed = any(o.state == RenewalState.REFUSED for o in event.outcomes)
        lines = [o.line() for o in event.outcomes]
        self.app.notify("\n".join([f"{renewed} renewed.", *lines]), title="Renewals",
                        severity="warning" if failed else "information", markup=False,
                        timeout=10)
        self.reload()

    def action_renew(self) -> None:
        renewal = self.selected
        if renewal is None:
            self.app.notify("No certificate is due for renewal.", markup=False)
            return
        self.renew([renewal])

    def action_renew_all(self) -> None:
        renewable = [d for d in self.due if self.renewable(d)]
        if not renewable:
            self.app.notify("No certificate of this tab is renewable now.", markup=False)
            return
        self.post_message(self.RenewAllAsked(self, renewable))
