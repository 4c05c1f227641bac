"""Notes & activities: what a processor must read before touching the selected request."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from certdesk_tui.domain import BRAND_LABELS, Brand, Status, activity_sentence
from certdesk_tui.domain.views import PANEL_TEXT_LIMIT, RequestDetail, clipped
from certdesk_tui.text import literal, literal_line

EMAIL_STATE_STYLE = {"queued": "italic", "sending": "italic", "sent": "", "failed": "bold reverse"}


def panel_text(d: RequestDetail) -> Text:
    """Customer instructions first, then notes, emails and the activity log, newest first."""
    r = d.row
    out = Text()
    out.append(f"#{r.id} ", style="bold")
    out.append_text(literal_line(r.customer_name, "bold"))
    out.append(f"  {BRAND_LABELS[Brand(r.brand)]} · {r.type} · {r.channel} · "
               f"{Status(r.status).label}")
    if r.assignee_login:
        out.append(" · ")
        out.append_text(literal_line(r.assignee_login))
    out.append("\n")
    out.append("Holder: ", style="bold")
    out.append_text(literal_line(", ".join(x for x in (
        r.holder_name, d.holder_address, f"{d.holder_city} {d.holder_state} {d.holder_zip}".strip(),
        d.holder_email) if x) or "none given"))
    if d.send_to_holder:
        out.append(" (send to holder)")
    out.append("\n")
    if r.manual_reasons:
        out.append("Manual: ", style="bold")
        out.append_text(literal_line("; ".join(r.manual_reasons)))
        out.append("\n")
    if d.duplicates:
        out.append("Possible duplicate of: ", style="bold")
        out.append(", ".join(f"#{x.id} ({Status(x.status).label})" for x in d.duplicates))
        out.append("\n")
    if d.rejection_reason:
        out.append("Rejected: ", style="bold")
        out.append_text(literal(d.rejection_reason))
        out.append("\n")
    for a in d.activities:
        if a.action == "policy_override":
            # Issued on a policy not in force: whoever opens the request must see why.
            out.append("Policy override", style="bold reverse")
            out.append(f" {a.at:%m-%d %H:%M} ")
            out.append_text(literal(a.actor, "bold"))
            out.append(": ")
            out.append_text(literal(a.detail))
            out.append("\n")
    for c in reversed(d.certificates):
        # Every revision, newest first: the current one is what holders should hold.
        out.append(f"Certificate {c.number} rev {c.revision} ", style="bold")
        if c.current:
            out.append("current", style="bold reverse")
        elif c.superseded_at is not None:
            out.append(f"superseded {c.superseded_at:%Y-%m-%d %H:%M}", style="dim")
        out.append(f" · issued {c.issued_at:%Y-%m-%d %H:%M} by ")
        out.append_text(literal_line(c.issued_by))
        out.append("\n")
    out.append("Customer instructions: ", style="bold underline")
    if d.instructions:
        out.append_text(literal(clipped(d.instructions, PANEL_TEXT_LIMIT, r.id)))
    else:
        out.append("none", style="italic")
    out.append("\n")
    for n in d.notes:
        out.append(f"Note {n.created_at:%m-%d %H:%M} ", style="bold")
        out.append_text(literal_line(n.author, "bold"))
        out.append(": ")
        out.append_text(literal(n.body))
        out.append("\n")
    for e in d.emails:
        out.append("Email ", style="bold")
        out.append(f"{e.state}", style=EMAIL_STATE_STYLE.get(e.state, ""))
        out.append(f" to {e.recipient_role} ")
        out.append_text(literal_line(e.to))
        if e.state == "failed" or e.last_error:
            out.append(f" after {e.attempts} attempt(s): ")
            out.append_text(literal(e.last_error))
        out.append("\n")
    for a in d.activities:
        out.append(f"{a.at:%m-%d %H:%M} ", style="dim")
        out.append_text(literal_line(a.actor))
        out.append(f" {activity_sentence(a.action)}", style="bold")
        if a.detail:
            out.append(": ")
            out.append_text(literal(a.detail))
        out.append("\n")
    out.rstrip()
    return out


class ActivityPanel(VerticalScroll, can_focus=True):
    """Follows the selected row of the request table."""

    DEFAULT_CSS = """
    ActivityPanel { height: 8; border-top: solid $primary; padding: 0 1; }
    ActivityPanel:focus { border-top: thick $accent; }
    """

    def compose(self) -> ComposeResult:
        yield Static(Text("Select a request to see its notes and activities.", style="italic"),
                     id="panel-body")

    def show(self, detail: RequestDetail | None, empty: str = "No request selected.") -> None:
        """The request's notes and activities; with none, ``empty`` (what to do next)."""
        body = self.query_one("#panel-body", Static)
        if detail is None:
            body.update(Text(empty, style="italic"))
        else:
            body.update(panel_text(detail))
        self.scroll_home(animate=False)
