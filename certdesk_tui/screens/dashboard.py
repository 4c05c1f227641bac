"""The data dashboard: the certificate queue, its filters, the notes panel, the actions.

Every database call runs in a thread worker with its own session; the screen
only ever holds one page of rows and the selected request's detail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from functools import partial
from typing import Any

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import Key
from textual.screen import Screen
from textual.widgets import Footer, Input, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from certdesk_tui.clock import utcnow
from certdesk_tui.config import Settings
from certdesk_tui.domain import BRAND_LABELS, PENDING_STATUSES, Status, workflow
from certdesk_tui.domain.errors import AlreadyClaimed, CertdeskError, PolicyNotInForce, StaleRequest
from certdesk_tui.domain.permissions import Permission
from certdesk_tui.domain.views import SORT_KEYS, QueueFilter, QueuePage, RequestDetail, RequestRow
from certdesk_tui.mail.mailer import Mailer
from certdesk_tui.screens.actions import ACTION_PRESENTATION
from certdesk_tui.service import Completion, Desk
from certdesk_tui.text import literal_line
from certdesk_tui.widgets.activity_panel import ActivityPanel
from certdesk_tui.widgets.reasons_pane import ReasonsPane
from certdesk_tui.widgets.request_table import FLAG_LEGEND, RequestTable


def _action_bindings() -> list[Binding]:
    return [
        Binding(shown.key, f"request_action('{a.id}')", shown.label,
                tooltip=shown.description, id=a.id)
        for a in workflow.REQUEST_ACTIONS
        for shown in (ACTION_PRESENTATION[a.id],)
    ]


def describe_filter(flt: QueueFilter) -> str:
    """The filter in words, for the line above the table."""
    if flt.statuses == frozenset(PENDING_STATUSES):
        parts = ["New + In Progress"]
    elif not flt.statuses or len(flt.statuses) == len(Status):
        parts = ["all statuses"]
    else:
        parts = [" + ".join(s.label for s in Status if s in flt.statuses)]
    if flt.types:
        parts.append("/".join(sorted(flt.types)))
    if flt.brands:
        parts.append("/".join(BRAND_LABELS[b] for b in sorted(flt.brands)))
    if flt.channels:
        parts.append("/".join(sorted(flt.channels)))
    if flt.manual_only:
        parts.append("manual only")
    if flt.mine:
        parts.append("mine")
    return " · ".join(parts)


class DashboardScreen(Screen):
    """The Certificates tab (the queue) and, for managers, the Configuration tab."""

    CSS_PATH = "dashboard.tcss"

    BINDINGS = [
        *_action_bindings(),
        Binding("enter", "preview", "Preview", id="preview", show=False),
        Binding("p", "preview", "Preview", id="preview.p", show=False),
        Binding("slash", "search", "Search", id="search"),
        Binding("f", "filters", "Filters", id="filters"),
        Binding("c", "clear_filters", "Clear filters", id="clear_filters", show=False),
        Binding("s", "sort", "Sort", id="sort", show=False),
        Binding("S", "reverse_sort", "Reverse sort", id="reverse_sort", show=False),
        Binding("r", "refresh", "Refresh", id="refresh", show=False),
        Binding("right_square_bracket", "page(1)", "Next page", id="next_page", show=False),
        Binding("left_square_bracket", "page(-1)", "Previous page", id="previous_page",
                show=False),
        Binding("escape", "leave_search", "Back to the table", id="leave_search", show=False),
        Binding("tab", "focus_next", "Next pane", id="focus_next", show=False),
        Binding("1", "show_tab('certificates')", "Certificates", id="tab.certificates",
                show=False),
        Binding("2", "show_tab('configuration')", "Configuration", id="tab.configuration",
                show=False),
    ]

    def __init__(self, desk: Desk, settings: Settings) -> None:
        super().__init__()
        self.desk = desk
        self.settings = settings
        self.flt = QueueFilter()
        self.page_offset = 0
        self.detail: RequestDetail | None = None
        self._detail_key: tuple[int, int, int | None] | None = None
        self.pending = 0
        self.seen_counter: int | None = None
        self.failing_emails = 0
        self.mailer = Mailer(desk)
        self._mail_problem: str | None = None

    # -- layout --------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(self._identity_text(), id="identity")
        with TabbedContent(id="tabs", initial="certificates"):
            with TabPane("Certificates", id="certificates"):
                with Horizontal(id="filter-bar"):
                    yield Input(placeholder="/ search customer name or code", id="search",
                                compact=True)
                    yield Static("", id="filter-summary")
                yield RequestTable(id="requests")
                yield ActivityPanel(id="panel")
            if self.desk.actor.may(Permission.CONFIGURE_REASONS):
                with TabPane("Configuration", id="configuration"):
                    yield ReasonsPane(self.desk, id="reasons")
        yield Footer(compact=True, show_command_palette=False)

    def _identity_text(self) -> Text:
        actor = self.desk.actor
        text = Text()
        text.append(" certdesk ", style="bold reverse")
        text.append(" ")
        text.append_text(literal_line(actor.label, "bold"))
        text.append(f" · {actor.role.label}")
        if actor.view_only:
            text.append("  ")
            text.append(" VIEW ONLY ", style="bold reverse")
        if self.failing_emails:
            text.append("  ")
            text.append(f" ✉ {self.failing_emails} failing ", style="bold reverse")
        return text

    @property
    def table(self) -> RequestTable:
        return self.query_one(RequestTable)

    @property
    def panel(self) -> ActivityPanel:
        return self.query_one(ActivityPanel)

    def on_mount(self) -> None:
        self.table.overdue = timedelta(hours=self.settings.overdue_hours)
        self.table.focus()
        self._first_load()
        if self.settings.refresh_seconds > 0:
            self.set_interval(self.settings.refresh_seconds, self._poll, name="live-refresh")
        if self.settings.mail_interval_seconds > 0:
            self.set_interval(self.settings.mail_interval_seconds, self._deliver_mail,
                              name="mail-delivery")
            self.call_after_refresh(self._deliver_mail)

    def on_unmount(self) -> None:
        self.mailer.close()

    # -- loading -------------------------------------------------------------

    def _first_load(self) -> None:
        """The first page is read before the first frame (a few milliseconds), so the
        desk opens with its queue on screen instead of an empty table."""
        try:
            self._load(self.flt, 0, None, False, publish=self._show_page)
        except (CertdeskError, SQLAlchemyError):
            self.reload()  # the worker reports the problem like any other

    def reload(self, keep_id: int | None = None, at_end: bool = False,
               counts: bool = True) -> None:
        """Reload the current page (keeping the selected request); with ``counts``, also
        the tab badge and the failing emails (a new filter or page leaves those as they are)."""
        if keep_id is None and self.table.selected is not None:
            keep_id = self.table.selected.id
        self.run_worker(partial(self._load, self.flt, self.page_offset, keep_id, at_end, counts),
                        thread=True, exclusive=True, group="queue", exit_on_error=False)

    def _load(self, flt: QueueFilter, offset: int, keep_id: int | None, at_end: bool,
              counts: bool = True, publish: Callable[..., None] | None = None) -> None:
        counter = self.desk.change_counter() if counts else None
        page = self.desk.queue(flt, offset=offset, limit=self.table.page_size)
        if not page.rows and offset > 0:
            offset = max(0, (page.total - 1) // self.table.page_size * self.table.page_size)
            page = self.desk.queue(flt, offset=offset, limit=self.table.page_size)
        pending = self.desk.pending_count() if counts else None
        failing = self.mailer.failing_count() if counts else None
        if publish is None:
            self.app.call_from_thread(self._show_page, flt, page, pending, counter, keep_id,
                                      at_end, failing)
        else:
            publish(flt, page, pending, counter, keep_id, at_end, failing)

    def _show_page(self, flt: QueueFilter, page: QueuePage, pending: int | None,
                   counter: int | None, keep_id: int | None, at_end: bool,
                   failing: int | None) -> None:
        if flt != self.flt:
            return  # a newer filter is already loading
        self.page_offset = page.offset
        self.table.show_page(page, utcnow(), keep_id=keep_id, at_end=at_end)
        if counter is not None:
            self.seen_counter = counter
            # The queue was read as the user the database knows now: show their role.
            self.query_one("#identity", Static).update(self._identity_text())
        if failing is not None:
            self._set_failing(failing)
        if pending is not None:
            self.pending = pending
            tabs = self.query_one(TabbedContent)
            tabs.get_tab("certificates").label = f"Certificates ({pending:,})"
        self._update_summary()
        self._load_detail()

    def _update_summary(self) -> None:
        page = self.table.page
        if page is None:
            return
        if page.total:
            span = f"{page.offset + 1:,}–{page.offset + len(page.rows):,} of {page.total:,}"
        else:
            span = "no requests match"
        arrow = "↓" if self.flt.descending else "↑"
        summary = f"{describe_filter(self.flt)} · {span} · {self.flt.sort} {arrow}"
        self.query_one("#filter-summary", Static).update(Text(summary, no_wrap=True,
                                                              overflow="ellipsis"))

    def _load_detail(self) -> None:
        row = self.table.selected
        if row is None:
            self.detail = None
            self._detail_key = None
            self.panel.show(None)
            self.refresh_bindings()
            return
        # A new page and the row highlight both ask; the same request at the same version
        # and the same change marker is already shown (or on its way).
        key = (row.id, row.version, self.seen_counter)
        if key == self._detail_key:
            return
        self._detail_key = key
        self.run_worker(partial(self._fetch_detail, row.id), thread=True, exclusive=True,
                        group="detail", exit_on_error=False)

    def _fetch_detail(self, request_id: int) -> None:
        detail = self.desk.request(request_id)
        self.app.call_from_thread(self._show_detail, detail)

    def _show_detail(self, detail: RequestDetail) -> None:
        row = self.table.selected
        if row is None or row.id != detail.id:
            return
        self.detail = detail
        self.panel.show(detail)
        self.refresh_bindings()

    @on(RequestTable.RowHighlighted, "#requests")
    def _row_highlighted(self) -> None:
        self.refresh_bindings()
        self._load_detail()

    @on(RequestTable.PageRequested)
    def _page_requested(self, event: RequestTable.PageRequested) -> None:
        self.page_offset = event.offset
        self.run_worker(partial(self._load, self.flt, self.page_offset, None, event.at_end,
                                False),
                        thread=True, exclusive=True, group="queue", exit_on_error=False)

    def _poll(self) -> None:
        """Live refresh: reload only when the change marker moved."""
        if self.app.screen is not self:
            return
        self.run_worker(self._check_changes, thread=True, exclusive=True, group="poll",
                        exit_on_error=False)

    def _check_changes(self) -> None:
        counter = self.desk.change_counter()
        if self.seen_counter is not None and counter != self.seen_counter:
            self.app.call_from_thread(self.reload)

    # -- email delivery ------------------------------------------------------

    def _deliver_mail(self) -> None:
        """Deliver due emails in the background; never blocks a keystroke."""
        self.run_worker(self._deliver_in_thread, thread=True, exclusive=True, group="mail",
                        exit_on_error=False)

    def _deliver_in_thread(self) -> None:
        try:
            self.mailer.deliver_due()
            problem = None
        except CertdeskError as exc:
            problem = str(exc)
        failing = self.mailer.failing_count()
        self.app.call_from_thread(self._mail_delivered, failing, problem)

    def _mail_delivered(self, failing: int, problem: str | None) -> None:
        self._set_failing(failing)
        if problem and problem != self._mail_problem:
            self.notify(problem, title="Email delivery", severity="error", markup=False,
                        timeout=10)
        self._mail_problem = problem

    def _set_failing(self, failing: int) -> None:
        if failing != self.failing_emails:
            self.failing_emails = failing
            self.query_one("#identity", Static).update(self._identity_text())

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, CertdeskError):
            self.notify(str(error), title=error.title, severity="error", markup=False)
        elif isinstance(error, SQLAlchemyError):
            self.notify(f"The database did not answer: {getattr(error, 'orig', error)}. "
                        "Try again (r refreshes).", title="Database problem",
                        severity="error", markup=False)
        else:
            self.notify(f"{type(error).__name__}: {error}", title="Unexpected error",
                        severity="error", markup=False)

    # -- filters and search --------------------------------------------------

    def _set_filter(self, flt: QueueFilter) -> None:
        self.flt = flt
        self.page_offset = 0
        self.reload(counts=False)

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if event.value != self.flt.search:
            self._set_filter(replace(self.flt, search=event.value))

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        self.table.focus()

    def action_search(self) -> None:
        self.action_show_tab("certificates")
        self.query_one("#search", Input).focus()

    def action_leave_search(self) -> None:
        if self.query_one("#search", Input).has_focus:
            self.table.focus()

    def action_filters(self) -> None:
        from certdesk_tui.screens.filters import FilterScreen

        def done(flt: QueueFilter | None) -> None:
            if flt is not None:
                self._set_filter(replace(flt, search=self.flt.search))

        self.app.push_screen(FilterScreen(self.flt), done)

    def action_clear_filters(self) -> None:
        self.query_one("#search", Input).value = ""
        self._set_filter(QueueFilter())
        self.notify("Filters cleared: New + In Progress, oldest first.")

    def action_sort(self) -> None:
        index = (SORT_KEYS.index(self.flt.sort) + 1) % len(SORT_KEYS)
        self._set_filter(replace(self.flt, sort=SORT_KEYS[index]))

    def action_reverse_sort(self) -> None:
        self._set_filter(replace(self.flt, descending=not self.flt.descending))

    def action_refresh(self) -> None:
        self.reload()

    def action_page(self, step: int) -> None:
        page = self.table.page
        if page is None:
            return
        offset = self.page_offset + step * self.table.page_size
        if offset < 0 or offset >= page.total:
            self.notify("No more pages that way.")
            return
        self.page_offset = offset
        self.run_worker(partial(self._load, self.flt, offset, None, False, False), thread=True,
                        exclusive=True, group="queue", exit_on_error=False)

    def action_show_tab(self, tab: str) -> None:
        tabs = self.query_one(TabbedContent)
        if tab == "configuration" and not self.desk.actor.may(Permission.CONFIGURE_REASONS):
            self.notify("The Configuration tab is for managers.", severity="warning")
            return
        tabs.active = tab
        if tab == "certificates":
            self.table.focus()
        else:
            self.query_one("#reasons-table").focus()
        self.refresh_bindings()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self) -> None:
        self.refresh_bindings()

    # -- actions -------------------------------------------------------------

    def _on_queue_tab(self) -> bool:
        return self.query_one(TabbedContent).active == "certificates"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "request_action":
            if not self._on_queue_tab() or self.desk.actor.view_only:
                return False  # not offered at all; the key still says why (on_key)
            row = self.table.selected if self.is_mounted else None
            if row is None:
                return None
            return None if self.desk.why_not(str(parameters[0]), row) else True
        if action in ("preview", "filters", "clear_filters", "sort", "reverse_sort", "page",
                      "search"):
            return self._on_queue_tab()
        return True

    def on_key(self, event: Key) -> None:
        """A key whose action is not offered here says why instead of doing nothing."""
        active = self.active_bindings.get(event.key)
        if active is not None:
            if active.enabled or active.binding.id not in workflow.ACTIONS_BY_ID:
                return
            action_id = active.binding.id
        else:
            # Hidden for this role or tab: find the action the key belongs to, if any.
            ids = [b.id for b in self._bindings.key_to_bindings.get(event.key, ())
                   if b.id in workflow.ACTIONS_BY_ID]
            if not ids or not self._on_queue_tab():
                return
            action_id = ids[0]
        event.stop()
        self._explain(action_id)

    def _explain(self, action_id: str) -> None:
        row = self.table.selected
        if row is None:
            self.notify("Select a request first.", severity="warning")
            return
        reason = self.desk.why_not(action_id, row)
        if reason:
            self.notify(reason, title="Not available", severity="warning", markup=False)

    def action_request_action(self, action_id: str) -> None:
        row = self.table.selected
        if row is None:
            self.notify("Select a request first.", severity="warning")
            return
        if reason := self.desk.why_not(action_id, row):
            self.notify(reason, title="Not available", severity="warning", markup=False)
            return
        getattr(self, f"_start_{action_id}")(row)

    def action_preview(self) -> None:
        row = self.table.selected
        if row is not None:
            self._open_preview(row.id)

    @on(RequestTable.RowSelected, "#requests")
    def _row_selected(self) -> None:
        self.action_preview()

    def _open_preview(self, request_id: int) -> None:
        from certdesk_tui.screens.preview import PreviewScreen

        def done(other: int | None) -> None:
            if other is not None:
                self._open_preview(other)

        self._with_detail(request_id, lambda d: self.app.push_screen(PreviewScreen(d), done))

    def _with_detail(self, request_id: int, then: Callable[[RequestDetail], None]) -> None:
        """Fetch a fresh detail in a worker, then continue on the UI thread."""
        self._call(lambda: self.desk.request(request_id), then, reload=False)

    def _call(self, fn: Callable[[], Any], then: Callable[[Any], None] | None = None,
              *, reload: bool = True, take_over: Callable[[], Any] | None = None) -> None:
        """Run a service call off the event loop; report refusals as notifications."""
        self.run_worker(partial(self._call_in_thread, fn, then, reload, take_over),
                        thread=True, group="action", exit_on_error=False)

    def _call_in_thread(self, fn, then, reload: bool, take_over) -> None:
        call = self.app.call_from_thread
        try:
            result = fn()
        except AlreadyClaimed as exc:
            if take_over is not None and self.desk.actor.may(Permission.TAKE_OVER):
                call(self._confirm_take_over, str(exc), take_over, then)
            else:
                call(self.notify, str(exc), title=exc.title, severity="warning", markup=False)
            call(self.reload)
            return
        except StaleRequest as exc:
            call(self.notify, str(exc), title=exc.title, severity="warning", markup=False,
                 timeout=10)
            call(self.reload)
            return
        except CertdeskError as exc:
            call(self.notify, str(exc), title=exc.title, severity="error", markup=False,
                 timeout=8)
            if reload:
                call(self.reload)
            return
        if then is not None:
            call(then, result)
        if reload:
            call(self.reload)

    def _confirm_take_over(self, message: str, take_over: Callable[[], Any],
                           then: Callable[[Any], None] | None) -> None:
        from certdesk_tui.screens.confirm import ConfirmScreen

        def done(ok: bool | None) -> None:
            if ok:
                self._call(take_over, then)

        self.app.push_screen(ConfirmScreen("Take over this request?", Text(message),
                                           "Take over"), done)

    def _done(self, message: str) -> Callable[[Any], None]:
        return lambda _result: self.notify(message, markup=False)

    def _start_start(self, row: RequestRow) -> None:
        self._call(
            lambda: self.desk.start(row.id, expected_version=row.version),
            self._done(f"Request #{row.id} is in progress with you."),
            take_over=lambda: self.desk.start(row.id, take_over=True),
        )

    def _start_relabel(self, row: RequestRow) -> None:
        self._call(
            lambda: self.desk.relabel(row.id, expected_version=row.version),
            self._done(f"Request #{row.id} relabelled as WOS."),
            take_over=lambda: self.desk.relabel(row.id, take_over=True),
        )

    def _completed(self, done: Completion) -> None:
        to = ", ".join(done.emailed) if done.emailed else "nobody (no valid address)"
        self.notify(f"Request #{done.request_id} completed with certificate "
                    f"{done.certificate_number}; emails queued to {to}.", title="Completed",
                    markup=False, timeout=8)

    def _completed_or_reopen(self, reopen: Callable[[str], None]) -> Callable[[Any], None]:
        """A completion, or a policy refusal the dialog is reopened for with a reason field."""

        def then(result: Completion | PolicyNotInForce) -> None:
            if isinstance(result, PolicyNotInForce):
                reopen(str(result))
            else:
                self._completed(result)

        return then

    def _start_automate(self, row: RequestRow) -> None:
        from certdesk_tui.screens.automation_form import AutomationFormScreen, AutomationResult

        def fetch():
            form = self.desk.automation_prefill(row.id)
            return self.desk.request(row.id), form, self.desk.policy_refusal(row.id, form)

        def with_form(triple) -> None:
            detail, form, refusal = triple
            open_form(detail, form, refusal, "")

        def open_form(detail: RequestDetail, form, refusal: str | None, path: str) -> None:
            def done(result: AutomationResult | None) -> None:
                if result is None:
                    return
                kwargs = dict(form=result.form, to_holder=result.to_holder,
                              attachment=result.attachment,
                              override_reason=result.override_reason)

                def attempt(**more):
                    try:
                        return self.desk.automate(detail.id, **kwargs, **more)
                    except PolicyNotInForce as exc:
                        if result.override_reason is not None:
                            raise
                        return exc

                self._call(
                    lambda: attempt(expected_version=detail.version),
                    self._completed_or_reopen(
                        lambda why: open_form(detail, result.form, why, result.attachment_path)),
                    take_over=lambda: attempt(take_over=True),
                )

            self.app.push_screen(AutomationFormScreen(detail, form, refusal, path), done)

        self._call(fetch, with_form, reload=False)

    def _start_upload(self, row: RequestRow) -> None:
        from certdesk_tui.screens.upload import UploadResult, UploadScreen

        def with_detail(pair) -> None:
            detail, refusal = pair
            open_upload(detail, refusal, "")

        def open_upload(detail: RequestDetail, refusal: str | None, path: str) -> None:
            def done(result: UploadResult | None) -> None:
                if result is None:
                    return
                args = (detail.id, result.file_name, result.data)

                def attempt(**more):
                    try:
                        return self.desk.upload(
                            *args, to_holder=result.to_holder,
                            override_reason=result.override_reason, **more)
                    except PolicyNotInForce as exc:
                        if result.override_reason is not None:
                            raise
                        return exc

                self._call(
                    lambda: attempt(expected_version=detail.version),
                    self._completed_or_reopen(lambda why: open_upload(detail, why, result.path)),
                    take_over=lambda: attempt(take_over=True),
                )

            self.app.push_screen(UploadScreen(detail, refusal=refusal, path=path), done)

        self._call(lambda: (self.desk.request(row.id), self.desk.policy_refusal(row.id)),
                   with_detail, reload=False)

    def _start_reject(self, row: RequestRow) -> None:
        from certdesk_tui.screens.reject import RejectScreen

        def with_detail(pair) -> None:
            detail, reasons = pair

            def done(reason_id: int | None) -> None:
                if reason_id is None:
                    return
                self._call(
                    lambda: self.desk.reject(detail.id, reason_id,
                                             expected_version=detail.version),
                    self._done(f"Request #{detail.id} rejected; the customer is emailed the "
                               "reason."),
                    take_over=lambda: self.desk.reject(detail.id, reason_id, take_over=True),
                )

            self.app.push_screen(RejectScreen(detail, reasons), done)

        self._call(lambda: (self.desk.request(row.id), self.desk.reasons()), with_detail,
                   reload=False)

    def _start_note(self, row: RequestRow) -> None:
        from certdesk_tui.screens.note import NoteScreen

        def with_detail(detail: RequestDetail) -> None:
            def done(body: str | None) -> None:
                if body:
                    self._call(lambda: self.desk.note(detail.id, body),
                               self._done(f"Note added to request #{detail.id}."))

            self.app.push_screen(NoteScreen(detail), done)

        self._with_detail(row.id, with_detail)

    # -- help ----------------------------------------------------------------

    def help_sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Every key of this screen, from the bindings themselves (keymap applied)."""
        def key_of(binding_id: str) -> str:
            for active in self.active_bindings.values():
                if active.binding.id == binding_id:
                    return self.app.get_key_display(active.binding)
            return "-"

        actions = [(key_of(a.id), ACTION_PRESENTATION[a.id].description)
                   for a in workflow.REQUEST_ACTIONS]
        others = [("enter", "Preview the selected request")] + [
            (self.app.get_key_display(b), b.tooltip or b.description)
            for b in self._bindings_for_help()
        ]
        return [
            ("Process the selected request", actions),
            ("Queue", others),
            ("Table flags", [("M N D P", FLAG_LEGEND.removeprefix("Flags: "))]),
        ]

    def _bindings_for_help(self):
        seen = set(workflow.ACTIONS_BY_ID)
        for _key, active in self.active_bindings.items():
            b = active.binding
            if active.node is not self or b.id in seen or b.action in ("focus_next",
                                                                       "focus_previous"):
                continue
            seen.add(b.id)
            yield b
