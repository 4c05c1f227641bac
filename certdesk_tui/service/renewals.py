"""Renewals: the current certificates a renewed policy term makes due, and renewing them.

``due`` lists them (anyone who may view the queue); ``renew`` issues each renewable
one a new revision on the new term through ``revisions.issue_revision`` (the one
way a later revision is issued), one transaction each, emailed as the original
was unless told not to. A renewal already issued is no longer due, so running
it again issues nothing new; two at once: one wins, the other is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from certdesk_tui import intake
from certdesk_tui.clock import utcnow
from certdesk_tui.domain.errors import (
    CertdeskError,
    DatabaseUnavailable,
    NotFound,
    StaleRequest,
)
from certdesk_tui.domain.permissions import Permission
from certdesk_tui.domain.renewals import DueRenewal
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage import customers
from certdesk_tui.storage.renewals import due_renewals, holder_was_emailed


def due(ds: DeskSession, customer_code: str | None = None) -> list[DueRenewal]:
    """The certificates due for renewal, of one customer or of all."""
    ds.require(Permission.VIEW)
    with ds.db.reading() as s:
        customer_id = None
        if customer_code is not None:
            customer = customers.customer_by_code(s, customer_code.strip())
            if customer is None:
                raise NotFound(f"there is no customer {intake.shown(customer_code)}")
            customer_id = customer.id
        return due_renewals(s, customer_id)


class RenewalState(StrEnum):
    RENEWED = "renewed"
    SKIPPED = "skipped"
    REFUSED = "refused"


@dataclass(frozen=True)
class RenewalOutcome:
    """What became of one due renewal."""

    due: DueRenewal
    state: RenewalState
    message: str
    revision: int | None = None

    def line(self) -> str:
        d = self.due
        return f"#{d.request_id} {d.number} ({d.customer_code}): {self.state}: {self.message}"


def renew_one(ds: DeskSession, renewal: DueRenewal, *, email: bool = True) -> RenewalOutcome:
    """Issue one due renewal a new revision on its new term, or say why not.

    Cornerstone's and those before the renewal window are skipped with the reason; a
    request changed since it was listed (renewed meanwhile by someone else) is refused.
    """
    ds.require(Permission.PROCESS)
    if (why := renewal.why_not_automatic()) is not None:
        return RenewalOutcome(renewal, RenewalState.SKIPPED, why)
    window = ds.settings.renewal_window_days
    if not renewal.renewable(utcnow().date(), window):
        return RenewalOutcome(renewal, RenewalState.SKIPPED,
                              f"the new term begins {renewal.begins}: renewable from "
                              f"{renewal.renewable_from(window)}")
    # The one way a later revision is issued (loaded when the first renewal is).
    from certdesk_tui.service.revisions import PolicyTerm, issue_revision

    term = renewal.term
    with ds.db.reading() as s:
        to_holder = holder_was_emailed(s, renewal.request_id, renewal.revision)
    try:
        done = issue_revision(
            ds, renewal.request_id, reason=f"renewal: policy {term.number} now runs "
            f"{term.effective} to {term.expires}", term=PolicyTerm(
                term.policy_id, term.number, term.effective, term.expires),
            to_holder=to_holder, email=email, expected_version=renewal.version)
    except DatabaseUnavailable:
        raise
    except StaleRequest:
        return RenewalOutcome(renewal, RenewalState.REFUSED,
                              "changed since it was listed (renewed or corrected meanwhile); "
                              "list the renewals again")
    except CertdeskError as exc:
        return RenewalOutcome(renewal, RenewalState.REFUSED, str(exc))
    sent = (", ".join(done.emailed) or "nobody (no valid address)") if email else \
        "not emailed (--no-email)"
    return RenewalOutcome(renewal, RenewalState.RENEWED,
                          f"revision {done.revision} expires {term.expires}; {sent}",
                          done.revision)
