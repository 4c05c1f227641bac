"""A customer's holder address book in a form: the holder name suggested as you type
(most used first), and the holder picked fills its address and email.

Used by the automation form, the internal-request form and the reissue form.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.suggester import SuggestFromList

from certdesk_tui.domain.holders import HolderView, name_key
from certdesk_tui.text import escaped

# The form fields a picked holder fills, by the address book's names.
FILLED = ("address", "city", "state", "zip", "email")


class HolderSuggestions:
    """The holders of one customer, for one form."""

    def __init__(self, holders: Sequence[HolderView] = ()) -> None:
        self.holders = list(holders)
        self._by_key = {name_key(h.name): h for h in reversed(self.holders)}
        # Shown in an Input: every control character a visible placeholder.
        self.suggester = SuggestFromList([escaped(h.name) for h in self.holders],
                                         case_sensitive=False)

    def picked(self, typed: str) -> HolderView | None:
        """The holder whose name was typed or accepted (case and punctuation aside)."""
        key = name_key(typed)
        return self._by_key.get(key) if key else None

    @staticmethod
    def filled(holder: HolderView) -> dict[str, str]:
        """What the form's holder fields show for a picked holder."""
        return {name: escaped(getattr(holder, name)) for name in FILLED}
