"""The data dashboard: the certificate queue, its filters, the notes panel, the actions.

Every database call runs in a ``@work`` thread worker with its own session and
answers with a typed message (``screens/messages.py``); a worker that fails is
reported by one handler. The screen only ever holds one page of rows and the
selected request's detail. Its keys come from the action registry
(``actions.py``); each processing action is run by its flow
(``screens/flows/``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.events import Key
from textual.screen import Screen
from textual.widgets import Input, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from certdesk_tui.actions import (
    CERTIFICATES,
    CONFIGURATION,
    INSIGHTS,
    PROCESSING_ACTIONS,
    RENEWALS,
    TABS_BY_METHOD,
    Owner,
    bindings_for,
    keys_of,
)
from certdesk_tui.config import Settings
from certdesk_tui.domain import workflow
from certdesk_tui.domain.errors import (
    AlreadyClaimed,
    CertdeskError,
    StaleRequest,
    ValidationFailed,
)
from certdesk_tui.domain.permissions import Permission
from certdesk_tui.domain.views import SORT_KEYS, QueueFilter, RequestDetail
from certdesk_tui.launch import collect_from_now
from certdesk_tui.screens.flow_running import FlowRunning
from certdesk_tui.screens.flows import failure_notice
from certdesk_tui.screens.marking import MarkingActions
from certdesk_tui.screens.messages import (
    MailDelivered,
    PreviewLoaded,
)
from certdesk_tui.screens.view_switching import SavedViewActions
from certdesk_tui.service.late import LateDesk
from certdesk_tui.text import literal_line
from certdesk_tui.widgets.footer import DeskFooter
from certdesk_tui.widgets.identity_bar import IdentityBar
from certdesk_tui.widgets.insights_tab import InsightsTab
from certdesk_tui.widgets.messages import WorkerFailed
from certdesk_tui.widgets.queue_tab import QueueTab
from certdesk_tui.widgets.reasons_pane import ReasonsPane
from certdesk_tui.widgets.renewals_pane import RenewalsPane
from certdesk_tui.widgets.request_table import RequestTable

if TYPE_CHECKING:
    from certdesk_tui.service import Desk
    from certdesk_tui.service.outbox import Outbox


class DashboardScreen(FlowRunning, MarkingActions, SavedViewActions, Screen[None]):
    """The Certificates tab (the queue) and, for managers, the Configuration tab."""

    CSS_PATH = "dashboard.tcss"
    BINDINGS = bindings_for(Owner.DASHBOARD)

    def __init__(self, desk: Desk, settings: Settings) -> None:
        super().__init__()
        self.desk = desk
        self.settings = settings
        self.pending = 0
        self._mail_problem: str | None = None

    @property
    def mailer(self) -> Outbox:
        """The desk's outbox; the mail modules load when it is first used (after the
        first frame: delivery starts once the queue is on screen)."""
        return self.desk.outbox

    # -- layout --------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield IdentityBar(self.desk.actor, id="identity")
        with TabbedContent(id="tabs", initial=CERTIFICATES):
            yield QueueTab(self.desk, timedelta(hours=self.settings.overdue_hours),
                           id=CERTIFICATES)
            with TabPane("Renewals", id=RENEWALS):
                yield RenewalsPane(self.desk, id="renewals-pane")
            yield InsightsTab(self.desk, id=INSIGHTS)
            if self.desk.actor.may(Permission.CONFIGURE_REASONS):
                with TabPane("Configuration", id=CONFIGURATION):
                    yield ReasonsPane(self.desk, id="reasons")
        yield DeskFooter(compact=True, show_command_palette=False)

    @property
    def queue(self) -> QueueTab:
        return self.query_one(QueueTab)

    @property
    def table(self) -> RequestTable:
        return self.query_one(RequestTable)

    @property
    def detail(self) -> RequestDetail | None:
        """The selected request's detail, as the notes panel shows it."""
        return self.queue.detail

    @property
    def flt(self) -> QueueFilter:
        return self.queue.flt

    @flt.setter
    def flt(self, flt: QueueFilter) -> None:
        self.queue.flt = flt

    @property
    def identity(self) -> IdentityBar:
        return self.query_one(IdentityBar)

    @property
    def reasons_pane(self) -> ReasonsPane | None:
        panes = self.query(ReasonsPane)
        return panes.first() if panes else None

    def on_mount(self) -> None:
        self.table.focus()
        self.queue.first_load()
        self.call_after_refresh(self._first_frame_drawn)
        if self.settings.refresh_seconds > 0:
            self.set_interval(self.settings.refresh_seconds, self._poll, name="live-refresh")
        if self.settings.mail_interval_seconds > 0:
            self.set_interval(self.settings.mail_interval_seconds, self.deliver_mail,
                              name="mail-delivery")
            self.call_after_refresh(self.deliver_mail)

    def _first_frame_drawn(self) -> None:
        # The queue is on screen: Python's cyclic collector may run from now on, and the
        # Configuration tab's reasons are read (again each time the tab is shown), so the
        # palette's rename and retire, and a key pressed as the tab opens, find them.
        collect_from_now()
        if (pane := self.reasons_pane) is not None:
            pane.reload()

    def on_unmount(self) -> None:
        self.desk.close()

    def reload(self) -> None:
        """Reload the queue's current page, its counts and the selected request."""
        self.queue.reload()

    @on(QueueTab.Counted)
    def _counted(self, event: QueueTab.Counted) -> None:
        self.load_views()  # their live counts follow the queue
        # The queue was read as the user the database knows now: show their role.
        self.identity.show_actor(self.desk.actor)
        self.identity.failing_emails = event.snapshot.failing_emails
        self.pending = event.snapshot.pending
        tabs = self.query_one(TabbedContent)
        tabs.get_tab(CERTIFICATES).label = f"Certificates ({event.snapshot.pending:,})"
        if self._on_tab(RENEWALS):
            # A full reload follows every change seen (live refresh) and r: the Renewals
            # tab on screen is read again with it (a customers import may make one due).
            self.query_one(RenewalsPane).reload()

    def _poll(self) -> None:
        """Live refresh, while no dialog covers the queue."""
        if self.app.screen is self:
            self.queue.check_changes()

    # -- email delivery ------------------------------------------------------

    @work(thread=True, exclusive=True, group="mail", exit_on_error=False)
    def deliver_mail(self) -> None:
        """Deliver due emails in the background; never blocks a keystroke."""
        failing = self.identity.failing_emails
        try:
            self.mailer.deliver_due()
            failing = self.mailer.failing_count()
            problem = None
        except CertdeskError as exc:
            # Said once while it lasts (a database down for an hour is one notice).
            problem = str(exc)
        self.post_message(MailDelivered(failing, problem))

    @on(MailDelivered)
    def _mail_delivered(self, event: MailDelivered) -> None:
        self.identity.failing_emails = event.failing_emails
        if event.problem and event.problem != self._mail_problem:
            self.notify(event.problem, title="Email delivery", severity="error", markup=False,
                        timeout=10)
        self._mail_problem = event.problem

    # -- the one worker-error handler ------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self._worker_failed(event.worker)

    @on(WorkerFailed)
    def _widget_worker_failed(self, event: WorkerFailed) -> None:
        self._worker_failed(event.worker)

    def _worker_failed(self, worker: Worker[Any]) -> None:
        """Every worker of the desk that fails ends here: a notification, never a
        traceback; a refused action reloads what the user is looking at."""
        error = worker.error
        if isinstance(self.desk, LateDesk) and self.desk.failure is not None:
            # Drawn from its first frame, the desk could not be opened behind it: the
            # interface ends, and the command says why in one line (cli/desk.py).
            self.app.exit(return_code=1)
            return
        self._say(failure_notice(error))
        if worker.group == "flow" or isinstance(error, StaleRequest | AlreadyClaimed):
            self.reload()

    # -- filters and search --------------------------------------------------

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if event.value != self.flt.search:
            try:
                flt = replace(self.flt, search=event.value)
            except ValidationFailed as exc:  # longer than a search may be: said, not run
                self._say(failure_notice(exc))
                return
            self.flt = flt

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        self.table.focus()

    def action_search(self) -> None:
        search = self.queue.filter_bar.search
        if self.query_one(TabbedContent).active != CERTIFICATES:
            self.action_show_tab(CERTIFICATES)
            search.focus()  # after the focus the tab gives its table
            return
        # "/" is a priority binding, run as it arrives, and the search box is focused at
        # once (Widget.focus would wait for the keys already queued): what is typed right
        # behind it, in one burst or while the desk was busy, goes to the search.
        self.set_focus(search)

    def action_leave_search(self) -> None:
        if self.queue.filter_bar.search.has_focus:
            self.table.focus()

    def action_focus_pane(self, step: int) -> None:
        """``tab`` / ``shift+tab``: the table, the notes & activities panel and the search
        box in turn (on the Configuration tab, its reasons table keeps the focus)."""
        if not self._on_tab(CERTIFICATES):
            self._focus_tab()
            return
        panes = [self.table, self.queue.panel, self.queue.filter_bar.search]
        focused = self.focused
        index = next((i for i, pane in enumerate(panes) if pane is focused), -1)
        if index < 0:  # from anywhere else: the table forwards, the search box backwards
            index = -1 if step > 0 else 0
        panes[(index + step) % len(panes)].focus()

    def action_filters(self) -> None:
        from certdesk_tui.screens.filters import FilterScreen

        def done(flt: QueueFilter | None) -> None:
            if flt is not None:
                self.flt = replace(flt, search=self.flt.search)

        self.app.push_screen(FilterScreen(self.flt), done)

    def action_clear_filters(self) -> None:
        self.queue.filter_bar.search.value = ""
        self.flt = QueueFilter()
        self.notify("Filters cleared: New + In Progress, oldest first.")

    def action_sort(self) -> None:
        index = (SORT_KEYS.index(self.flt.sort) + 1) % len(SORT_KEYS)
        self.flt = replace(self.flt, sort=SORT_KEYS[index])

    def action_reverse_sort(self) -> None:
        self.flt = replace(self.flt, descending=not self.flt.descending)

    def action_refresh(self) -> None:
        if self._on_tab(INSIGHTS):
            self.query_one(InsightsTab).load()
            return
        self.reload()

    def action_page(self, step: int) -> None:
        page = self.table.page
        if page is None:
            return
        offset = self.queue.page_offset + step * self.table.page_size
        if offset < 0 or offset >= page.total:
            self.notify("No more pages that way.")
            return
        self.queue.load_page(offset)

    def action_show_tab(self, tab: str) -> None:
        tabs = self.query_one(TabbedContent)
        if tab == CONFIGURATION and not self.desk.actor.may(Permission.CONFIGURE_REASONS):
            self.notify("The Configuration tab is for managers.", severity="warning")
            return
        tabs.active = tab
        self._focus_tab()
        self.refresh_bindings()

    def action_next_tab(self, step: int) -> None:
        """``t`` / ``T``: the tabs this user has, in their order, round."""
        tabs = self.query_one(TabbedContent)
        ids = [pane.id for pane in tabs.query(TabPane) if pane.id]
        if tabs.active in ids:
            self.action_show_tab(ids[(ids.index(tabs.active) + step) % len(ids)])

    def _focus_tab(self) -> None:
        """The focus on the active tab's main widget."""
        active = self.query_one(TabbedContent).active
        if active == CERTIFICATES:
            self.table.focus()
        elif active == INSIGHTS:
            self.query_one(InsightsTab).scroller.focus()
        elif active == RENEWALS:
            self.query_one("#renewals-table").focus()
        else:
            self.query_one("#reasons-table").focus()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == INSIGHTS:
            self.query_one(InsightsTab).load()  # read when shown, never at startup
        if event.pane.id == RENEWALS:
            self.query_one(RenewalsPane).reload()  # read again each time it is shown
        if event.pane.id == CONFIGURATION:
            self.query_one(ReasonsPane).reload()  # likewise
        self.refresh_bindings()

    # -- which keys apply ----------------------------------------------------

    def _on_tab(self, tab: str | None) -> bool:
        return tab is None or self.query_one(TabbedContent).active == tab

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "request_action":
            action_id = str(parameters[0])
            permission = workflow.ACTIONS_BY_ID[action_id].permission
            if not self._on_tab(CERTIFICATES) or not self.desk.actor.may(permission):
                return False  # not offered at all; the key still says why (on_key)
            if self.is_mounted and self.bulk_applies(action_id):
                return True  # on the marked requests, each checked when it runs
            row = self.table.selected if self.is_mounted else None
            if row is None:
                return None
            return None if self.desk.why_not(action_id, row) else True
        if action == "search" and self.is_mounted and self.focused is self.queue.filter_bar.search:
            return None  # typed in the search box, "/" is a character of the search
        return self._on_tab(TABS_BY_METHOD.get(action))

    def on_key(self, event: Key) -> None:
        """A key whose action is not offered here says why instead of doing nothing."""
        active = self.active_bindings.get(event.key)
        if active is not None:
            if active.enabled or active.binding.id not in workflow.ACTIONS_BY_ID:
                return
            action_id = active.binding.id
        else:
            # Hidden for this role or tab: find the action the key belongs to, if any.
            keymap = getattr(self.app, "keymap", {})
            ids = [a.id for a in PROCESSING_ACTIONS if event.key in keys_of(a, keymap)]
            if not ids or not self._on_tab(CERTIFICATES):
                return
            action_id = ids[0]
        event.stop()
        self._explain(action_id)

    # -- the Configuration tab's questions ------------------------------------

    @on(ReasonsPane.ChangeAsked)
    def _reason_change_asked(self, event: ReasonsPane.ChangeAsked) -> None:
        from certdesk_tui.screens.confirm import ConfirmScreen
        from certdesk_tui.screens.text_prompt import TextPromptScreen

        reason = event.reason
        dialog: Screen[Any]
        if reason is None:
            dialog = TextPromptScreen("New rejection reason",
                                      placeholder="Reason quoted to the customer")
        elif event.kind == "rename":
            dialog = TextPromptScreen(f"Rename reason {reason.id}", reason.text)
        else:
            body = Text("Processors will no longer be offered:\n")
            body.append_text(literal_line(reason.text))
            dialog = ConfirmScreen(f"Retire reason {reason.id}?", body, "Retire")
        self.app.push_screen(dialog, partial(event.pane.change, event.kind, reason))

    # -- the Renewals tab's question --------------------------------------------------

    @on(RenewalsPane.RenewAllAsked)
    def _renew_all_asked(self, event: RenewalsPane.RenewAllAsked) -> None:
        from certdesk_tui.screens.confirm import ConfirmScreen

        count = len(event.renewable)
        body = Text(f"{count} certificate(s) get a new revision on their policy's new term, "
                    "each emailed as the original was.")

        def done(ok: bool | None) -> None:
            if ok:
                event.pane.renew(event.renewable)

        self.app.push_screen(ConfirmScreen(f"Renew {count} certificate(s)?", body, "Renew"),
                             done)

    # -- internal requests ---------------------------------------------------------

    def action_new_request(self) -> None:
        from certdesk_tui.screens.new_request import NewRequestFlow

        NewRequestFlow(self, self.desk, self.reload).open()

    # -- preview ---------------------------------------------------------------

    def action_preview(self) -> None:
        row = self.table.selected
        if row is not None:
            self.load_preview(row.id)

    @on(RequestTable.RequestChosen)
    def _request_chosen(self, event: RequestTable.RequestChosen) -> None:
        self.load_preview(event.request_id)

    @work(thread=True, group="read", exit_on_error=False)
    def load_preview(self, request_id: int) -> None:
        self.post_message(PreviewLoaded(self.desk.request(request_id)))

    @on(PreviewLoaded)
    def _open_preview(self, event: PreviewLoaded) -> None:
        from certdesk_tui.screens.preview import PreviewScreen

        def done(other: int | None) -> None:
            if other is not None:
                self.load_preview(other)

        self.app.push_screen(PreviewScreen(event.detail), done)
