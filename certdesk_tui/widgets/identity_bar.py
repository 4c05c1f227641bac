"""The top line: who is acting, in which role, and how many emails are failing."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from certdesk_tui.domain.permissions import Actor
from certdesk_tui.text import literal_line


def identity_text(actor: Actor, failing_emails: int) -> Text:
    text = Text()
    text.append(" certdesk ", style="bold reverse")
    text.append(" ")
    text.append_text(literal_line(actor.label, "bold"))
    text.append(f" · {actor.role.label}")
    if actor.view_only:
        text.append("  ")
        text.append(" VIEW ONLY ", style="bold reverse")
    if failing_emails:
        text.append("  ")
        text.append(f" ✉ {failing_emails} failing ", style="bold reverse")
    return text


class IdentityBar(Static):
    """The acting user (as the database knows them now) and the failing emails."""

    failing_emails: reactive[int] = reactive(0, init=False)

    def __init__(self, actor: Actor, *, id: str | None = None) -> None:
        super().__init__(identity_text(actor, 0), id=id)
        self.actor = actor

    def show_actor(self, actor: Actor) -> None:
        """The role as the last read found it (a demotion shows at the next refresh)."""
        self.actor = actor
        self.update(identity_text(actor, self.failing_emails))

    def watch_failing_emails(self, failing_emails: int) -> None:
        self.update(identity_text(self.actor, failing_emails))
