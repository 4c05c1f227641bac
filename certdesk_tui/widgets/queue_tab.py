"""The Certificates tab: the filter bar, one page of the queue, the selected request's notes.

The tab reads the queue in ``@work`` thread workers (each with its own
session) that answer with typed messages; a worker that fails is handed up to
the screen's one worker-error handler (``WorkerFailed``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import TabPane
from textual.worker import Worker, WorkerState

from certdesk_tui.clock import utcnow
from certdesk_tui.domain.views import QueueFilter, QueueSnapshot, RequestDetail
from certdesk_tui.widgets.activity_panel import ActivityPanel
from certdesk_tui.widgets.filter_bar import FilterBar
from certdesk_tui.widgets.messages import WorkerFailed
from certdesk_tui.widgets.request_table import RequestTable
from certdesk_tui.widgets.view_bar import ViewBar

if TYPE_CHECKING:
    from certdesk_tui.service import Desk


class QueueTab(TabPane):
    """The queue as the filter asks for it, a page at a time, kept current."""

    flt: reactive[QueueFilter] = reactive(QueueFilter, always_update=True, init=False)
    """What the queue shows; a new filter reloads the first page."""

    class QueueLoaded(Message, bubble=False):
        """A page of the queue (and, after a full reload, its counts) has been read."""

        def __init__(self, flt: QueueFilter, snapshot: QueueSnapshot, counted: bool,
                     keep_id: int | None, at_end: bool, first: bool = False) -> None:
            super().__init__()
            self.first = first
            self.flt = flt
            self.snapshot = snapshot
            self.counted = counted
            self.keep_id = keep_id
            self.at_end = at_end

    class DetailLoaded(Message, bubble=False):
        """The selected request's detail, for the notes & activities panel."""

        def __init__(self, detail: RequestDetail) -> None:
            super().__init__()
            self.detail = detail

    class ChangesSeen(Message, bubble=False):
        """Someone changed something since the queue on screen was read."""

        def __init__(self, change_counter: int) -> None:
            super().__init__()
            self.change_counter = change_counter

    class Counted(Message):
        """A full reload: the tab badge, the failing emails and the change marker are new."""

        def __init__(self, snapshot: QueueSnapshot) -> None:
            super().__init__()
            self.snapshot = snapshot

    def __init__(self, desk: Desk, overdue: timedelta, *, id: str) -> None:
        super().__init__("Certificates", id=id)
        self.desk = desk
        self.overdue = overdue
        self.page_offset = 0
        self.detail: RequestDetail | None = None
        self._detail_key: tuple[int, int, int | None] | None = None
        self._drawn = False
        """The queue's first frame is on screen (the selected request's detail waits for it)."""
        self.seen_counter: int | None = None

    def compose(self) -> ComposeResult:
        yield ViewBar(id="view-bar")
        yield FilterBar(id="filter-bar")
        yield RequestTable(id="requests")
        yield ActivityPanel(id="panel")

    @property
    def table(self) -> RequestTable:
        return self.query_one(RequestTable)

    @property
    def panel(self) -> ActivityPanel:
        return self.query_one(ActivityPanel)

    @property
    def filter_bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    def on_mount(self) -> None:
        self.table.overdue = self.overdue

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.post_message(WorkerFailed(event.worker))

    # -- the page --------------------------------------------------------------

    def first_load(self) -> None:
        """The first page is read before the first frame (a few milliseconds), so the
        desk opens with its queue on screen instead of an empty table."""
        try:
            loaded = self._read(self.flt, 0, None, False, counts=True, first=True)
        except Exception:  # the worker reports the problem like any other
            self.reload()
            return
        self._show_queue(loaded)

    def reload(self, keep_id: int | None = None, at_end: bool = False,
               counts: bool = True) -> None:
        """Reload the current page (keeping the selected request); with ``counts``, also
        the tab badge and the failing emails (a new filter or page leaves those as they are)."""
        if keep_id is None and self.table.selected is not None:
            keep_id = self.table.selected.id
        self.load_queue(self.flt, self.page_offset, keep_id, at_end, counts)

    def load_page(self, offset: int, at_end: bool = False) -> None:
        """Another page: the cursor on its first row (its last, when moving up past the top)."""
        self.page_offset = offset
        self.load_queue(self.flt, offset, None, at_end, False, first=not at_end)

    @work(thread=True, exclusive=True, group="queue", exit_on_error=False)
    def load_queue(self, flt: QueueFilter, offset: int, keep_id: int | None, at_end: bool,
                   counts: bool, first: bool = False) -> None:
        self.post_message(self._read(flt, offset, keep_id, at_end, counts, first))

    def _read(self, flt: QueueFilter, offset: int, keep_id: int | None, at_end: bool,
              counts: bool, first: bool = False) -> QueueTab.QueueLoaded:
        # One read transaction: the page and the counts around it agree with each other.
        snapshot = self.desk.queue_snapshot(flt, offset=offset, limit=self.table.page_size,
                                            counts=counts)
        return self.QueueLoaded(flt, snapshot, counts, keep_id, at_end, first)

    @on(QueueLoaded)
    def _show_queue(self, loaded: QueueTab.QueueLoaded) -> None:
        if loaded.flt != self.flt:
            return  # a newer filter is already loading
        page = loaded.snapshot.page
        self.page_offset = page.offset
        self.table.show_page(page, utcnow(), keep_id=loaded.keep_id, at_end=loaded.at_end,
                             first=loaded.first)
        if loaded.counted:
            self.seen_counter = loaded.snapshot.change_counter
            self.post_message(self.Counted(loaded.snapshot))
        self.filter_bar.show(self.flt, page)
        self._load_detail()

    def watch_flt(self) -> None:
        self.query_one(ViewBar).show_current(self.flt)
        # A new search, filter or sort: the first row of the result, in view.
        self.page_offset = 0
        self.load_queue(self.flt, 0, None, False, False, first=True)

    @on(RequestTable.PageRequested)
    def _page_requested(self, event: RequestTable.PageRequested) -> None:
        self.load_page(event.offset, event.at_end)

    def empty_hint(self) -> str:
        """What the panel says when the table is empty: how to fill it, or widen it."""
        page = self.table.page
        if page is None or page.total:
            return "No request selected."
        if self.flt == QueueFilter():
            return ("The queue is empty: no New or In Progress request. Take in submissions "
                    "with certdesk import FILE (customers first: certdesk customers import "
                    "FILE), or try the desk on demo data with certdesk demo. "
                    "f shows Completed and Rejected requests too.")
        return ("No request matches this search and these filters: c clears them "
                "(New + In Progress, oldest first), f changes the filters.")

    # -- the selected request's detail -------------------------------------------

    def _load_detail(self) -> None:
        if not self._drawn:
            # The first frame draws the queue alone: the selected request's detail is read
            # once it is on screen, not in a thread competing with it for Python's lock.
            self.call_after_refresh(self._first_frame_drawn)
            return
        row = self.table.selected
        if row is None:
            self.detail = None
            self._detail_key = None
            self.query_one(ActivityPanel).show(None, self.empty_hint())
            self.screen.refresh_bindings()
            return
        # A new page and the row highlight both ask; the same request at the same version
        # and the same change marker is already shown (or on its way).
        key = (row.id, row.version, self.seen_counter)
        if key == self._detail_key:
            return
        self._detail_key = key
        self.load_detail(row.id)

    def _first_frame_drawn(self) -> None:
        if not self._drawn:
            self._drawn = True
            self._load_detail()
            self.prepare_search()

    @work(thread=True, group="prepare", exit_on_error=False)
    def prepare_search(self) -> None:
        """Once the queue is on screen, the search's statements are made ready: the
        first key typed in the search box does not wait for them."""
        self.desk.prepare_search()

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def load_detail(self, request_id: int) -> None:
        self.post_message(self.DetailLoaded(self.desk.request(request_id)))

    @on(DetailLoaded)
    def _show_detail(self, event: QueueTab.DetailLoaded) -> None:
        row = self.table.selected
        if row is None or row.id != event.detail.id:
            return
        self.detail = event.detail
        self.query_one(ActivityPanel).show(event.detail)
        self.screen.refresh_bindings()

    @on(RequestTable.RowHighlighted, "#requests")
    def _row_highlighted(self) -> None:
        self.screen.refresh_bindings()
        self._load_detail()

    # -- live refresh ------------------------------------------------------------

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def check_changes(self) -> None:
        """Reload only when the change marker moved (someone changed something)."""
        counter = self.desk.change_counter()
        if self.seen_counter is not None and counter != self.seen_counter:
            self.post_message(self.ChangesSeen(counter))

    @on(ChangesSeen)
    def _changes_seen(self) -> None:
        self.reload()
