"""Who the activity log names when no person acted."""

from __future__ import annotations

from typing import Final

# Intake and automatic processing: the requests the system took in and completed itself.
SYSTEM: Final = "system"
# The mail worker: sent, deferred and failed emails.
MAIL_ACTOR: Final = "mail"
# The department a manual request is assigned to.
CERTIFICATES_DEPARTMENT: Final = "Certificates"
