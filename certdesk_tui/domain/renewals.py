"""Renewals: a current certificate on a policy term that an import has since renewed.

When a customer import gives a policy a new term (a later expiry on the same
policy, or a new policy of the same line), every current certificate issued on
the old term is due for renewal. A new term may be certified from the start of
the renewal window (``renewal_window_days`` before it begins); Cornerstone
certificates come from the carrier and are never renewed automatically.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from certdesk_tui.domain.vocabulary import Brand

CORNERSTONE_REFUSAL = ("Cornerstone certificates come from the carrier: cannot be renewed "
                       "automatically; attach the carrier's renewed certificate with "
                       "certdesk reissue {request_id} --attach FILE.pdf")


@dataclass(frozen=True)
class NewTerm:
    """A customer's policy that continues a certificate's term."""

    policy_id: int
    number: str
    line: str
    effective: date
    expires: date


@dataclass(frozen=True)
class DueRenewal:
    """One current certificate whose policy term has been renewed."""

    request_id: int
    number: str
    revision: int
    customer_code: str
    customer_name: str
    brand: str
    holder: str
    old_expires: date
    term: NewTerm
    # The request's version when it was read: a renewal of a request changed since is stale.
    version: int

    @property
    def begins(self) -> date:
        """The day the new term takes over (a policy extended: the day after the old end)."""
        if self.term.effective > self.old_expires:
            return self.term.effective
        return self.old_expires + timedelta(days=1)

    def renewable_from(self, window_days: int) -> date:
        return self.begins - timedelta(days=window_days)

    def renewable(self, today: date, window_days: int) -> bool:
        return today >= self.renewable_from(window_days)

    @property
    def automatic(self) -> bool:
        """Whether certdesk can issue the renewal itself (never for Cornerstone)."""
        return Brand(self.brand).automation_supported

    def why_not_automatic(self) -> str | None:
        if self.automatic:
            return None
        return CORNERSTONE_REFUSAL.format(request_id=self.request_id)

    def to_json(self) -> dict[str, Any]:
        return {"request_id": self.request_id, "number": self.number,
                "revision": self.revision, "customer_code": self.customer_code,
                "holder": self.holder, "old_expires": self.old_expires.isoformat(),
                "new_expires": self.term.expires.isoformat()}


def next_term(old_expires: date, old_line: str | None, terms: list[NewTerm]) -> NewTerm | None:
    """The term that continues a certificate's: of the same line (any line when the old
    policy is gone), ending later; the earliest to begin when several do."""
    later = [t for t in terms if t.expires > old_expires
             and (old_line is None or t.line == old_line)]
    return min(later, key=lambda t: (t.effective, t.expires, t.policy_id), default=None)
