"""What the activity log records: one kind per thing that happens to a request.

A processing action records its own id as its kind (``start``, ``relabel``,
``reject``, ``note``, ``resend``, ``reissue``); the rest are events (a submission, a completion, an
email). Each kind reads as a short sentence in the desk.
"""

from __future__ import annotations

from enum import StrEnum


class ActivityKind(StrEnum):
    SUBMITTED = "submitted"
    AWAITING_PAYMENT = "awaiting_payment"
    PAYMENT_UPDATED = "payment_updated"
    MANUAL = "manual"
    AUTO_PROCESSED = "auto_processed"
    START = "start"
    TAKEN_OVER = "taken_over"
    RELABEL = "relabel"
    REJECT = "reject"
    NOTE = "note"
    RESEND = "resend"
    REISSUE = "reissue"
    POLICY_OVERRIDE = "policy_override"
    CERTIFICATE_ISSUED = "certificate_issued"
    COMPLETED = "completed"
    EMAIL_NOT_SENT = "email_not_sent"
    EMAIL_QUEUED = "email_queued"
    EMAIL_SENT = "email_sent"
    EMAIL_DEFERRED = "email_deferred"
    EMAIL_FAILED = "email_failed"
    EMAIL_RETRY = "email_retry"
    CUSTOMER_IMPORTED = "customer_imported"
    REASON_ADDED = "reason_added"
    REASON_RENAMED = "reason_renamed"
    REASON_RETIRED = "reason_retired"
    USER_ADDED = "user_added"
    ROLE_CHANGED = "role_changed"
    USER_ENABLED = "user_enabled"
    USER_DISABLED = "user_disabled"
    DEMO_BUILT = "demo_built"

    @property
    def sentence(self) -> str:
        """How the desk reads the kind, e.g. "marked in progress" for ``start``."""
        return _SENTENCES.get(self, self.value.replace("_", " "))


_SENTENCES = {
    ActivityKind.START: "marked in progress",
    ActivityKind.RELABEL: "relabelled",
    ActivityKind.REJECT: "rejected",
    ActivityKind.NOTE: "note added",
    ActivityKind.RESEND: "resent",
    ActivityKind.REISSUE: "reissued",
}

# The kinds a request is closed by: who closed it is told to whoever comes too late.
CLOSING_KINDS = (ActivityKind.COMPLETED, ActivityKind.REJECT)


def activity_sentence(kind: str) -> str:
    """The sentence of a stored kind; one this version does not know reads as itself."""
    try:
        return ActivityKind(kind).sentence
    except ValueError:
        return kind.replace("_", " ")
