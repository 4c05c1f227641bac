"""Renewals: the current certificates a renewed policy term makes due, and renewing them.

``due`` lists them (anyone who may view the queue); ``renew`` issues each renewable
one a new revision on the new term through ``revisions.issue_revision`` (the one
way a later revision is issued), one transaction each, emailed as the original
was unless told not to. A renewal already issued is no longer due, so running
it again issues nothing new; two at once: one wins, the other is told.
"""

from __future__ import annotations

from certdesk_tui import intake
from certdesk_tui.domain.errors import (
    NotFound,
)
from certdesk_tui.domain.permissions import Permission
from certdesk_tui.domain.renewals import DueRenewal
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage import customers
from certdesk_tui.storage.renewals import due_renewals


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

