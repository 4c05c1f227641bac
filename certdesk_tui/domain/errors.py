"""The one exception family: every refusal carries words a person can act on.

The interface shows ``str(error)`` as a notification (``title`` as its title);
the command line prints it as one line on stderr and exits 1.
"""

from __future__ import annotations


class CertdeskError(Exception):
    """A refusal the user can understand and act on. Nothing was changed."""

    title = "Refused"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigurationError(CertdeskError):
    title = "Configuration problem"


class UnknownUser(CertdeskError):
    title = "Unknown user"


class PermissionDenied(CertdeskError):
    title = "Not allowed"


class NotFound(CertdeskError):
    title = "Not found"


class InvalidTransition(CertdeskError):
    """The request is not in a state where this action applies."""

    title = "Not possible now"


class ValidationFailed(CertdeskError):
    """Input (a form, a file, a flag) does not hold what the action needs."""

    title = "Invalid input"


class PolicyNotInForce(ValidationFailed):
    """The policy is not in force on the certificate's date; a written reason may override."""

    title = "Policy not in force"


class StaleRequest(CertdeskError):
    """Someone else changed the request since it was read."""

    title = "Changed by someone else"


class AlreadyClaimed(StaleRequest):
    """The request is in progress with another user."""

    title = "Already in progress"

    def __init__(self, message: str, holder_login: str, *, held: str = "",
                 may_take_over: bool = False) -> None:
        super().__init__(message)
        self.holder_login = holder_login
        # Who holds the request and since when, without what to do about it: each
        # interface says that in its own words (the desk offers a manager a
        # confirmation, the command line names --take-over).
        self.held = held or message
        # Whether the user refused may take it over (a manager).
        self.may_take_over = may_take_over


class IntakeRefused(CertdeskError):
    """A submission line that cannot be stored at all."""

    title = "Submission refused"


class DeliveryError(CertdeskError):
    title = "Email delivery failed"



class DatabaseUnavailable(CertdeskError):
    """The database did not answer (a server down, a file that cannot be opened, a lock
    held too long). Nothing was changed; trying again later may work."""

    title = "Database problem"

    def __init__(self, reason: str) -> None:
        super().__init__(f"the database did not answer: {reason}")
        # What the database or its driver said, in one line.
        self.reason = reason


class DatabaseRefused(CertdeskError):
    """The database refused a write (a constraint, a value it cannot store)."""

    title = "Refused by the database"

    def __init__(self, reason: str) -> None:
        super().__init__(f"the database refused it: {reason}")
        self.reason = reason


class DuplicateRow(DatabaseRefused):
    """A row with the same unique key was stored at the same moment by someone else."""
