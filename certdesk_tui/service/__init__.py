"""The service layer: where the rules are applied, behind the ``Desk`` facade.

The desk and the command line both call ``Desk``; neither re-implements a rule.
"""

from certdesk_tui.domain.errors import PermissionDenied
from certdesk_tui.service.completion import Completion
from certdesk_tui.service.desk import Desk
from certdesk_tui.service.intake import ImportReport, LineOutcome
from certdesk_tui.service.processing import MAX_NOTE_LENGTH
from certdesk_tui.service.resending import Resent
from certdesk_tui.service.revisions import PolicyTerm, Revision
from certdesk_tui.service.users import parse_role

__all__ = ["MAX_NOTE_LENGTH", "Completion", "Desk", "ImportReport", "LineOutcome",
           "PermissionDenied", "PolicyTerm", "Resent", "Revision", "parse_role"]
