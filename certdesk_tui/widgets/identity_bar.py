"""The top line: who is acting, in which role, and how many emails are failing."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from certdesk_tui.domain.permissions import Actor
from certdesk_tui.text import literal_line


def identity_text(actor: Actor, failing_emails: int, width: int = 0) -> Text:
    """The top line; in ``width`` columns (0: any) the role's words are shortened (with
    "…") before the badges: VIEW ONLY and the failing emails always show."""
    badges = Text()
    if actor.view_only:
        badges.append("  ")
        badges.append(" VIEW ONLY ", style="bold reverse")
    if failing_emails:
        badges.append("  ")
        badges.append(f" ✉ {failing_emails} failing ", style="bold reverse")
    text = Text()
    text.append(" certdesk ", style="bold reverse")
    text.append(" ")
    text.append_text(literal_line(actor.label, "bold"))
    role = f" · {actor.role.label}"
    room = width - text.cell_len - badges.cell_len
    if width and len(role) > room:
        role = role[:max(room - 1, 0)].rstrip(" ·") + "…" if room > 4 else ""
    text.append(role)
    return text + badges


class IdentityBar(Static):
    """The acting user (as the database knows them now) and the failing emails."""

    failing_emails: reactive[int] = reactive(0, init=False)

    def __init__(self, actor: Actor, *, id: str | None = None) -> None:
        super().__init__(identity_text(actor, 0), id=id)
        self.actor = actor

    def show_actor(self, actor: Actor) -> None:
        """The role as the last read found it (a demotion shows at the next refresh)."""
        self.actor = actor
        self._show()

    def watch_failing_emails(self, failing_emails: int) -> None:
        self._show()

    def on_resize(self) -> None:
        self._show()

    def _show(self) -> None:
        self.update(identity_text(self.actor, self.failing_emails, self.content_size.width))
