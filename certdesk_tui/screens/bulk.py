"""Several requests at once: what the desk asks, then one result per request.

With requests marked (``space``, ``*``), claim (m), reject (x), relabel (w) and
add note (n) ask once for all of them (a confirmation, the reason, the note),
then ``Desk.apply_to_many`` checks and changes each request on its own, and
``BulkResultScreen`` lists what became of each: done, or refused and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from certdesk_tui.domain.views import ReasonView
from certdesk_tui.screens.confirm import ConfirmScreen, confirm_then_dismiss
from certdesk_tui.text import literal, literal_line
from certdesk_tui.widgets.footer import DeskFooter

if TYPE_CHECKING:
    from certdesk_tui.service.bulk import BulkOutcome

VERBS: Mapping[str, tuple[str, str]] = {
    "start": ("Claim", "claimed"),
    "reject": ("Reject", "rejected"),
    "relabel": ("Relabel as WOS", "relabelled"),
    "note": ("Add note to", "noted"),
}
"""Each bulk action in the desk's words: (the question's verb, the result's)."""


def id_list(ids: list[int], limit: int = 12) -> str:
    shown = ", ".join(f"#{i}" for i in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def plural(count: int) -> str:
    return f"{count} request" + ("" if count == 1 else "s")


@dataclass(frozen=True)
class BulkRequest:
    """What a bulk action will be run with, once asked."""

    action_id: str
    versions: dict[int, int]
    reason: int | None = None
    text: str | None = None

    @property
    def ids(self) -> list[int]:
        return list(self.versions)


def confirm_screen(action_id: str, ids: list[int]) -> ConfirmScreen:
    """The one question before claiming or relabelling the marked requests."""
    verb = VERBS[action_id][0]
    body = Text(f"{plural(len(ids))}: {id_list(ids)}.\n")
    if action_id == "relabel":
        body.append("Each becomes a waiver of subrogation (WOS), a paid item for the customer. ")
    body.append("Each request is checked on its own: one that does not allow it "
                "(held by someone else, closed, changed meanwhile) is refused and listed "
                "at the end; the others go ahead.")
    return ConfirmScreen(f"{verb} {plural(len(ids))}?", body, verb.split()[0])


class BulkReasonScreen(ModalScreen[int | None]):
    """Reject the marked requests: one reason for all; dismisses its id once confirmed."""

    CSS_PATH = "bulk.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="bulk_reject.cancel")]

    def __init__(self, ids: list[int], reasons: list[ReasonView]) -> None:
        super().__init__()
        self.ids = ids
        self.reasons = {reason.id: reason for reason in reasons if reason.active}

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = f"Reject {plural(len(self.ids))}: pick a reason"
            if self.reasons:
                yield OptionList(
                    *(Option(literal_line(f"{n}. {r.text}"), id=str(r.id))
                      for n, r in enumerate(self.reasons.values(), start=1)),
                    id="reasons", compact=True, markup=False,
                )
            else:
                yield Static("No active rejection reasons: a manager adds them in Configuration.",
                             id="no-reasons")
            yield Static(f"{id_list(self.ids)}. Each customer is emailed the reason.",
                         id="recipient", markup=False)
        yield DeskFooter()

    def on_mount(self) -> None:
        if self.reasons:
            options = self.query_one("#reasons", OptionList)
            options.highlighted = 0
            options.focus()

    def on_key(self, event: Key) -> None:
        """A digit picks the reason of that number (as the list numbers them)."""
        key = event.key
        if len(key) == 1 and key.isdigit() and key != "0" and self.reasons:
            index = int(key) - 1
            if index < len(self.reasons):
                event.stop()
                self.query_one("#reasons", OptionList).highlighted = index
                self._chosen(list(self.reasons)[index])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        assert event.option.id is not None
        self._chosen(int(event.option.id))

    def _chosen(self, reason_id: int) -> None:
        body = Text()
        body.append("Reason: ", style="bold")
        body.append_text(literal(self.reasons[reason_id].text))
        body.append(f"\n{plural(len(self.ids))}: {id_list(self.ids)}.\n"
                    "Each becomes Rejected and its customer is emailed the reason; this "
                    "cannot be undone. One that does not allow it is refused and listed.")
        confirm_then_dismiss(self, f"Reject {plural(len(self.ids))}?", body, "Reject",
                             reason_id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def result_text(action_id: str, outcomes: list[BulkOutcome]) -> Text:
    """Done, refused and why: one line per request."""
    done = [o for o in outcomes if o.done]
    refused = [o for o in outcomes if not o.done]
    text = Text(f"{len(done)} of {plural(len(outcomes))} {VERBS[action_id][1]}", style="bold")
    text.append(f"; {len(refused)} refused.\n" if refused else ".\n", style="bold")
    for outcome in refused + done:
        text.append("\n")
        text.append(f"#{outcome.request_id} ", style="bold")
        text.append("done: " if outcome.done else "REFUSED: ",
                    style="" if outcome.done else "bold reverse")
        text.append_text(literal_line(outcome.message))
    return text


HELD = "Already in progress"
"""The title of a refusal because someone else holds the request (a manager may take over)."""


def held_by_others(outcomes: list[BulkOutcome]) -> list[int]:
    return [o.request_id for o in outcomes if not o.done and o.title == HELD]


class BulkResultScreen(ModalScreen[list[int] | None]):
    """What became of each request: the refused first, each with its reason. A manager may
    take over those held by someone else (``o``): dismisses their ids."""

    CSS_PATH = "bulk.tcss"
    BINDINGS = [Binding("escape,enter", "close", "Close", id="bulk_result.close"),
                Binding("o", "take_over", "Take over the held ones", id="bulk_result.take_over")]

    def __init__(self, action_id: str, outcomes: list[BulkOutcome],
                 may_take_over: bool = False) -> None:
        super().__init__()
        self.action_id = action_id
        self.outcomes = outcomes
        self.held = held_by_others(outcomes) if may_take_over else []

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return bool(self.held) if action == "take_over" else True

    def action_take_over(self) -> None:
        if self.held:
            self.dismiss(self.held)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = f"{VERBS[self.action_id][0]} {plural(len(self.outcomes))}"
            with VerticalScroll(id="body"):
                yield Static(result_text(self.action_id, self.outcomes), id="body-text")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.query_one("#body", VerticalScroll).focus()
        if self.held:
            self.query_one("#body-text", Static).update(
                result_text(self.action_id, self.outcomes).append(
                    f"\n\no: take over the {plural(len(self.held))} held by someone else "
                    f"and {VERBS[self.action_id][0].lower()} "
                    f"{'it' if len(self.held) == 1 else 'them'} (logged).", style="bold"))

    def action_close(self) -> None:
        self.dismiss(None)
