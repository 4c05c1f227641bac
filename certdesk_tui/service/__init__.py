"""The service layer: where the rules are applied, behind the ``Desk`` facade.

The desk and the command line both call ``Desk``; neither re-implements a rule.
The other names below are imported when first asked for (``from certdesk_tui.service
import Completion``): opening the desk needs only ``Desk``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from certdesk_tui.domain.errors import PermissionDenied

if TYPE_CHECKING:
    from certdesk_tui.service.completion import Completion
    from certdesk_tui.service.desk import Desk
    from certdesk_tui.service.intake import ImportReport, LineOutcome
    from certdesk_tui.service.processing import MAX_NOTE_LENGTH
    from certdesk_tui.service.resending import Resent
    from certdesk_tui.service.revisions import PolicyTerm, Revision
    from certdesk_tui.service.users import parse_role

_LAZY = {
    "Completion": "completion",
    "Desk": "desk",
    "ImportReport": "intake",
    "LineOutcome": "intake",
    "MAX_NOTE_LENGTH": "processing",
    "Resent": "resending",
    "PolicyTerm": "revisions",
    "Revision": "revisions",
    "parse_role": "users",
}

__all__ = ["MAX_NOTE_LENGTH", "Completion", "Desk", "ImportReport", "LineOutcome",
           "PermissionDenied", "PolicyTerm", "Resent", "Revision", "parse_role"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
