"""The vocabulary of the job: brands, request types, channels, statuses, roles."""

from __future__ import annotations

from enum import StrEnum


class Brand(StrEnum):
    COMPEO = "compeo"
    PEOPAYGO = "peopaygo"
    CORNERSTONE = "cornerstone"

    @property
    def label(self) -> str:
        return BRAND_LABELS[self]

    @property
    def automation_supported(self) -> bool:
        """Automation works for Compeo and PeoPayGo; Cornerstone is always uploaded."""
        return self is not Brand.CORNERSTONE


BRAND_NAMES = {Brand.COMPEO: "Compeo", Brand.PEOPAYGO: "PeoPayGo",
               Brand.CORNERSTONE: "Cornerstone"}
"""The brands in the seed's words, everywhere (the desk, the commands, the emails)."""
BRAND_LABELS = BRAND_NAMES


class CustomerStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class RequestType(StrEnum):
    COI = "COI"
    POI = "POI"
    WOS = "WOS"


class Channel(StrEnum):
    PORTAL = "portal"
    MOBILE = "mobile"
    # Entered by a specialist for a customer who phoned or emailed (certdesk new).
    INTERNAL = "internal"

    @property
    def letter(self) -> str:
        """The queue's Ch column: P portal, M mobile, I internal."""
        return self.value[0].upper()


# The channels a customer submits through (what an import may carry).
SUBMISSION_CHANNELS = (Channel.PORTAL, Channel.MOBILE)


class Status(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").title()

    @property
    def is_final(self) -> bool:
        return self in (Status.COMPLETED, Status.REJECTED)


PENDING_STATUSES = (Status.NEW, Status.IN_PROGRESS)


class PaymentStatus(StrEnum):
    APPROVED = "approved"
    PENDING = "pending"
    DECLINED = "declined"


class Role(StrEnum):
    DATA_PROCESSOR = "data_processor"
    CERTIFICATE_SPECIALIST = "certificate_specialist"
    PAYROLL_ADVISOR = "payroll_advisor"
    MANAGER = "manager"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class CertificateSource(StrEnum):
    GENERATED = "generated"
    UPLOADED = "uploaded"


class EmailState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class EmailKind(StrEnum):
    COMPLETED = "completed"
    REJECTED = "rejected"
    RESENT = "resent"
    REISSUED = "reissued"



def postal_address(street: str, city: str, state: str, zip_code: str) -> str:
    """Street on one line, "City, ST 12345" on the next; empty parts left out."""
    city_line = " ".join(p for p in (f"{city}," if city else "", state, zip_code) if p)
    return "\n".join(line for line in (street, city_line.rstrip(",")) if line.strip())
