"""The Insights tab: the queue's health drawn in the terminal, read without colour.

The figures (``Desk.report``) are read in a worker when the tab is shown, never at
startup, and again with ``r``; bars of block characters carry their figures beside
them, as ``certdesk report`` prints them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static, TabPane
from textual.worker import Worker, WorkerState

from certdesk_tui.domain.insights import QueueReport, report_lines
from certdesk_tui.text import escaped
from certdesk_tui.widgets.messages import WorkerFailed

if TYPE_CHECKING:
    from certdesk_tui.service import Desk


def report_text(report: QueueReport) -> Text:
    """The report's lines, each shown literally (a login is never markup)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    for n, line in enumerate(report_lines(report)):
        if n:
            text.append("\n")
        heading = bool(line) and not line.startswith(" ")
        text.append(escaped(line), style="bold" if heading else "")
    return text


class InsightsTab(TabPane):
    """Pending by age, closed per day and per person, the overdue count."""

    class Loaded(Message, bubble=False):
        def __init__(self, report: QueueReport) -> None:
            super().__init__()
            self.report = report

    def __init__(self, desk: Desk, *, id: str) -> None:
        super().__init__("Insights", id=id)
        self.desk = desk
        self.report: QueueReport | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="insights-scroll"):
            yield Static(Text("Reading the figures..."), id="insights-text")

    @property
    def scroller(self) -> VerticalScroll:
        return self.query_one("#insights-scroll", VerticalScroll)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.post_message(WorkerFailed(event.worker))

    @work(thread=True, exclusive=True, group="insights", exit_on_error=False)
    def load(self) -> None:
        self.post_message(self.Loaded(self.desk.report()))

    @on(Loaded)
    def _loaded(self, event: InsightsTab.Loaded) -> None:
        self.report = event.report
        self.query_one("#insights-text", Static).update(report_text(event.report))
