"""The desk's ``i``: read the customers, ask for the request, create it, say what happened.

The reads and the service call run in thread workers of the dashboard (a worker
that fails reaches its one worker-error handler); a refusal (an unknown customer,
a malformed ZIP) reopens the form with what was typed and the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from certdesk_tui.domain.errors import CertdeskError, DatabaseUnavailable
from certdesk_tui.screens.internal_request import InternalRequestScreen
from certdesk_tui.service import Desk
from certdesk_tui.service.internal import CustomerChoice, InternalRequest, NewRequest

if TYPE_CHECKING:
    from textual.screen import Screen


def created_notice(done: NewRequest) -> str:
    """What the desk says once the request exists."""
    said = f"Request #{done.id} created ({done.type}, internal), in progress with you."
    if not done.in_queue:
        said += (" Held for payment: it stays out of the queue until its payment is approved"
                 f" (payment update for external id {done.external_id}).")
    if done.manual:
        said += " Manual: " + "; ".join(done.manual_reasons) + "."
    return said


class NewRequestFlow:
    """One internal request, from the key to the notification."""

    def __init__(self, screen: Screen[None], desk: Desk, reload: Callable[[], None]) -> None:
        self.screen = screen
        self.desk = desk
        self.reload = reload

    def open(self, entry: InternalRequest | None = None, refusal: str = "") -> None:
        self.screen.run_worker(partial(self._read, entry, refusal), thread=True,
                               group="flow-read", exit_on_error=False)

    def _read(self, entry: InternalRequest | None, refusal: str) -> None:
        customers = self.desk.customer_choices()
        self.screen.app.call_from_thread(self._ask, customers, entry, refusal)

    def _ask(self, customers: list[CustomerChoice], entry: InternalRequest | None,
             refusal: str) -> None:
        screen = InternalRequestScreen(customers, entry, refusal, holders_of=self.desk.holders)
        screen.reopened = entry is not None  # after a refusal: what was typed is kept
        self.screen.app.push_screen(screen, self._answered)

    def _answered(self, entry: InternalRequest | None) -> None:
        if entry is not None:
            self.screen.run_worker(partial(self._create, entry), thread=True, group="flow",
                                   exit_on_error=False)

    def _create(self, entry: InternalRequest) -> None:
        try:
            done = self.desk.new_request(entry)
        except DatabaseUnavailable:
            raise
        except CertdeskError as exc:
            self.screen.app.call_from_thread(self.open, entry, str(exc))
            return
        self.screen.app.call_from_thread(self._done, done)

    def _done(self, done: NewRequest) -> None:
        self.screen.notify(created_notice(done), title="Internal request", markup=False,
                           timeout=8)
        self.reload()
