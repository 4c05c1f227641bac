"""The request table: one page of the filtered queue, never the whole table.

Filtering, sorting and paging happen in SQL (``Desk.queue``); this widget only
holds the rows of the current page, so 100,000 requests cost what 200 do.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from certdesk_tui.actions import Owner, bindings_for
from certdesk_tui.clock import utcnow
from certdesk_tui.domain import Channel, Status
from certdesk_tui.domain.views import QueuePage, RequestRow
from certdesk_tui.text import literal_line

BRAND_SHORT = {"compeo": "Comp", "peopaygo": "PPG", "cornerstone": "CS"}
STATUS_SHORT = {
    Status.NEW: "New", Status.IN_PROGRESS: "In prog", Status.COMPLETED: "Done",
    Status.REJECTED: "Reject",
}
# (key, header, fixed width or None for the columns that share what is left)
COLUMNS = (
    ("id", "ID", 6), ("age", "Age", 4), ("customer", "Customer", None), ("brand", "Brand", 5),
    ("type", "Type", 4), ("channel", "Ch", 2), ("holder", "Holder", None),
    ("status", "Status", 7), ("assignee", "Who", 6), ("flags", "Flags", 5),
)
MARK = "✓"
"""Before a marked request's id (reversed too): a mark reads without colour."""
FLAG_LEGEND = "Flags: M manual · N notes/instructions · D discrepancy · P possible duplicate"


def age_text(submitted_at: datetime, now: datetime) -> str:
    seconds = max(0, int((now - submitted_at).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def flags_text(row: RequestRow) -> str:
    return "".join((
        "M" if row.manual else "-",
        "N" if row.has_notes else "-",
        "D" if row.discrepancy else "-",
        "P" if row.possible_duplicate else "-",
    ))


class RequestTable(DataTable[object]):
    """The queue's current page; asks for the next or previous page at its edges."""

    BINDINGS = bindings_for(Owner.TABLE)

    class RequestChosen(Message):
        """The user chose a request (``enter`` or a click): open its preview."""

        def __init__(self, request_id: int) -> None:
            super().__init__()
            self.request_id = request_id

    class PageRequested(Message):
        """The cursor ran past the edge of the page: load the page at ``offset``."""

        def __init__(self, offset: int, at_end: bool) -> None:
            super().__init__()
            self.offset = offset
            self.at_end = at_end

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True, cell_padding=1)
        self.page: QueuePage | None = None
        self.page_size = 100
        self.overdue = timedelta(hours=24)
        self.marked: dict[int, int] = {}
        """The marked requests (id: the version the user saw), kept across pages."""

    def on_mount(self) -> None:
        self._add_columns(self.size.width or 80)

    def _add_columns(self, width: int) -> None:
        # Each cell is padded by one space either side; one column for the scrollbar.
        fixed = sum(w for _, _, w in COLUMNS if w) + 2 * len(COLUMNS) + 1
        flexible = max(14, width - fixed)
        customer = max(8, flexible * 3 // 5)
        holder = max(6, flexible - customer)
        for key, label, w in COLUMNS:
            self.add_column(label, key=key, width=w or (customer if key == "customer" else holder))

    def on_resize(self) -> None:
        if self.page is None:
            return
        current = self.cursor_row
        self.clear(columns=True)
        self._add_columns(self.size.width)
        self._fill(self.page, utcnow())
        if self.row_count:
            self.move_cursor(row=min(current, self.row_count - 1))

    @property
    def selected(self) -> RequestRow | None:
        if self.page is None or not self.page.rows or self.cursor_row < 0:
            return None
        if self.cursor_row >= len(self.page.rows):
            return None
        return self.page.rows[self.cursor_row]

    def show_page(self, page: QueuePage, now: datetime, keep_id: int | None = None,
                  at_end: bool = False, first: bool = False) -> None:
        """Replace the rows, keeping the selected request (or row index) where possible;
        ``first``: a new result (search, filter, sort, page), the cursor on its first row."""
        previous_row = self.cursor_row
        previous_scroll = self.scroll_y
        self.page = page
        self.clear()
        self._fill(page, now)
        if not page.rows:
            return
        if first:
            self.scroll_to(y=0, animate=False, immediate=True)
            self.move_cursor(row=0, scroll=True)
            return
        target = None
        if keep_id is not None:
            target = next((i for i, r in enumerate(page.rows) if r.id == keep_id), None)
        if target is None:
            target = len(page.rows) - 1 if at_end else min(max(previous_row, 0),
                                                           len(page.rows) - 1)
        self.scroll_y = previous_scroll
        self.move_cursor(row=target, scroll=True)

    def _overdue(self, row: RequestRow, now: datetime) -> bool:
        return (now - row.submitted_at) > self.overdue and row.status in (
            Status.NEW, Status.IN_PROGRESS)

    def _id_cell(self, row: RequestRow, overdue: bool) -> Text:
        if row.id in self.marked:
            return Text(f"{MARK}{row.id}", style="bold reverse")
        return Text(str(row.id), style="bold" if overdue else "")

    # -- marks: several requests at once ----------------------------------------

    def toggle_mark(self) -> bool | None:
        """Mark or unmark the selected request (True: now marked; None: no row)."""
        row = self.selected
        if row is None:
            return None
        if self.marked.pop(row.id, None) is None:
            self.marked[row.id] = row.version
        self._show_mark(row)
        return row.id in self.marked

    def mark_rows(self, rows: list[RequestRow]) -> None:
        """Mark these requests (a whole result), at the versions read."""
        self.marked.update((row.id, row.version) for row in rows)
        self._show_marks()

    def clear_marks(self) -> None:
        self.marked.clear()
        self._show_marks()

    def _show_marks(self) -> None:
        for row in self.page.rows if self.page else ():
            self._show_mark(row)

    def _show_mark(self, row: RequestRow) -> None:
        self.update_cell(str(row.id), "id", self._id_cell(row, self._overdue(row, utcnow())))

    def _fill(self, page: QueuePage, now: datetime) -> None:
        for row in page.rows:
            overdue = self._overdue(row, now)
            age = Text(("!" if overdue else "") + age_text(row.submitted_at, now),
                       style="bold reverse" if overdue else "")
            self.add_row(
                self._id_cell(row, overdue),
                age,
                literal_line(row.customer_name),
                BRAND_SHORT.get(row.brand, row.brand),
                row.type,
                Channel(row.channel).letter,
                literal_line(row.holder_name),
                STATUS_SHORT.get(Status(row.status), row.status),
                literal_line(row.assignee_login or ""),
                flags_text(row),
                key=str(row.id),
            )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if (row := self.selected) is not None:
            self.post_message(self.RequestChosen(row.id))

    def action_cursor_down(self) -> None:
        page = self.page
        if (page and self.row_count and self.cursor_row == self.row_count - 1
                and page.offset + len(page.rows) < page.total):
            self.post_message(self.PageRequested(page.offset + len(page.rows), at_end=False))
            return
        super().action_cursor_down()

    def action_cursor_up(self) -> None:
        page = self.page
        if page and self.cursor_row == 0 and page.offset > 0:
            self.post_message(self.PageRequested(max(0, page.offset - self.page_size),
                                                 at_end=True))
            return
        super().action_cursor_up()
