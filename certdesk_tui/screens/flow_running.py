"""Running a processing action's flow on the selected request.

``FlowRunning`` is mixed into the dashboard. A key (or the palette) asks for an
action; if it applies, the flow's ``prepare`` runs in a worker, its dialog asks,
its ``perform`` runs in a worker, and what it says (a notice, or the dialog again)
comes back as a message. A request someone else holds is said at once, and a
manager is offered the take-over.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.screen import Screen

from certdesk_tui.actions import flow_for
from certdesk_tui.domain.errors import AlreadyClaimed
from certdesk_tui.domain.permissions import Permission
from certdesk_tui.screens.desk_host import DeskHost
from certdesk_tui.screens.flows import Flow, Notice
from certdesk_tui.screens.messages import ActionDone, FlowPrepared, TakeOverOffered

if TYPE_CHECKING:
    pass


class FlowRunning(DeskHost):
    """The processing actions of a screen with a desk, a request table and workers."""

    def _explain(self, action_id: str) -> str | None:
        """Say why the action does not apply to the selected request (None: it does)."""
        row = self.table.selected
        if row is None:
            self.notify("Select a request first.", severity="warning")
            return "no request selected"
        reason = self.desk.why_not(action_id, row)
        if reason:
            self.notify(reason, title="Not available", severity="warning", markup=False)
        return reason

    # -- processing actions: the flows ---------------------------------------

    def action_request_action(self, action_id: str) -> None:
        if self.bulk_applies(action_id):
            self.ask_bulk(action_id)
            return
        if self._explain(action_id) is None:
            row = self.table.selected
            assert row is not None
            self.prepare_flow(flow_for(action_id)(self.desk, row))

    @work(thread=True, group="flow-read", exit_on_error=False)
    def prepare_flow(self, flow: Flow[Any, Any, Any], taken_over: bool = False) -> None:
        # Someone else holds the request: said at once (who, since when), before any
        # form is filled in for nothing; a manager is offered the take-over instead.
        held = None if taken_over else self.desk.held_elsewhere(flow.action_id,
                                                                flow.request_id)
        if held is not None:
            if not flow.take_over_allowed or not self.desk.actor.may(Permission.TAKE_OVER):
                raise held
            self.post_message(TakeOverOffered(flow, None, str(held), before=True))
            return
        self.post_message(FlowPrepared(flow, flow.prepare()))

    @work(thread=True, group="flow", exit_on_error=False)
    def take_over_then_open(self, flow: Flow[Any, Any, Any]) -> None:
        """A manager's take-over (logged), then the action's dialog on the request now theirs."""
        row = self.desk.start(flow.request_id, take_over=True)
        flow.version = row.version
        self.post_message(FlowPrepared(flow, flow.prepare()))

    def on_flow_prepared(self, event: FlowPrepared) -> None:
        if event.flow.claimed:
            self.reload()
        self._ask(event.flow, event.flow.dialog(event.prepared))

    def _ask(self, flow: Flow[Any, Any, Any], dialog: Screen[Any] | None) -> None:
        if dialog is None:
            self.perform_flow(flow, None)
            return

        def answered(answer: object) -> None:
            if flow.wants(answer):
                self.perform_flow(flow, answer)

        self.app.push_screen(dialog, answered)

    @work(thread=True, group="flow", exit_on_error=False)
    def perform_flow(self, flow: Flow[Any, Any, Any], answer: object,
                     take_over: bool = False) -> None:
        try:
            result = flow.perform(answer, take_over)
        except AlreadyClaimed as exc:
            if (take_over or not flow.take_over_allowed
                    or not self.desk.actor.may(Permission.TAKE_OVER)):
                raise
            self.post_message(TakeOverOffered(flow, answer, str(exc)))
            return
        self.post_message(ActionDone(flow, answer, result))

    def on_take_over_offered(self, event: TakeOverOffered) -> None:
        from certdesk_tui.screens.confirm import ConfirmScreen

        def done(ok: bool | None) -> None:
            if not ok:
                return
            if event.before and not event.flow.dialog_free:
                self.take_over_then_open(event.flow)
            else:
                self.perform_flow(event.flow, event.answer, take_over=True)

        body = Text(event.reason)
        if event.before and not event.flow.dialog_free:
            body.append(f"\nTaking it over is logged; then {event.flow.label} opens.")
        self.app.push_screen(ConfirmScreen(f"Take over request #{event.flow.request_id}?",
                                           body, "Take over"), done)
        self.reload()

    def on_action_done(self, event: ActionDone) -> None:
        said = event.flow.after(event.result, event.answer)
        if isinstance(said, Notice):
            self._say(said)
        else:
            self._ask(event.flow, said)
        self.reload()

    def _say(self, notice: Notice) -> None:
        self.notify(notice.message, title=notice.title, severity=notice.severity, markup=False,
                    timeout=notice.timeout)
