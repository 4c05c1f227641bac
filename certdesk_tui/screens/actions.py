"""How the desk presents each processing action: its default key, label and help.

The domain declares the actions themselves (``domain.workflow.REQUEST_ACTIONS``:
id, permission, rule); this table adds what only the interface needs, by id.
"""

from __future__ import annotations

from dataclasses import dataclass

from certdesk_tui.domain.workflow import REQUEST_ACTIONS


@dataclass(frozen=True)
class ActionPresentation:
    """The default key, the footer label, the help text of one action."""

    key: str
    label: str
    description: str
    # Completes or closes the request: the desk confirms before it runs.
    destructive: bool = False


ACTION_PRESENTATION: dict[str, ActionPresentation] = {
    "start": ActionPresentation("m", "Claim", "Mark in progress: claim the request for yourself"),
    "automate": ActionPresentation(
        "a", "Automate", "Attempt automation: review the prefilled certificate and issue it",
        destructive=True),
    "upload": ActionPresentation("u", "Upload", "Upload a certificate PDF issued elsewhere",
                                 destructive=True),
    "relabel": ActionPresentation("w", "WOS", "Relabel as a waiver of subrogation (WOS)"),
    "reject": ActionPresentation("x", "Reject", "Reject with a reason (emailed to the customer)",
                                 destructive=True),
    "note": ActionPresentation("n", "Note", "Add an internal note"),
}

assert set(ACTION_PRESENTATION) == {a.id for a in REQUEST_ACTIONS}, "one presentation per action"
