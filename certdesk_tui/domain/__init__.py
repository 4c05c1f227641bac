"""The domain: the job's vocabulary, rules and read models, in plain Python.

Nothing here imports SQLAlchemy or Textual. The vocabulary is exported here;
the rules live in their modules (``workflow``, ``permissions``, ``errors``,
``addresses``, ``views``).
"""

from certdesk_tui.domain.activity import ActivityKind, activity_sentence
from certdesk_tui.domain.actors import CERTIFICATES_DEPARTMENT, MAIL_ACTOR, SYSTEM
from certdesk_tui.domain.certificates import certificate_number, certificate_title
from certdesk_tui.domain.vocabulary import (
    BRAND_LABELS,
    BRAND_NAMES,
    PENDING_STATUSES,
    Brand,
    CertificateSource,
    Channel,
    CustomerStatus,
    EmailKind,
    EmailState,
    PaymentStatus,
    RequestType,
    Role,
    Status,
    postal_address,
)

__all__ = [
    "BRAND_LABELS",
    "BRAND_NAMES",
    "CERTIFICATES_DEPARTMENT",
    "MAIL_ACTOR",
    "PENDING_STATUSES",
    "SYSTEM",
    "ActivityKind",
    "Brand",
    "CertificateSource",
    "Channel",
    "CustomerStatus",
    "EmailKind",
    "EmailState",
    "PaymentStatus",
    "RequestType",
    "Role",
    "Status",
    "activity_sentence",
    "certificate_number",
    "certificate_title",
    "postal_address",
]
