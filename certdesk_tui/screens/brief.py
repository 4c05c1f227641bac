"""What a processor must have in front of them while filling a dialog: the customer's
instructions and the latest internal notes, shown literally at the dialog's top."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from certdesk_tui.domain.views import RequestDetail, clipped
from certdesk_tui.text import literal, literal_line

BRIEF_TEXT_LIMIT = 300
"""Characters of instructions shown; the panel and the preview have them all."""
BRIEF_NOTE_LIMIT = 150
BRIEF_NOTES = 2


def brief_text(detail: RequestDetail) -> Text:
    """``Instructions: ...`` then the newest notes, each clipped with a note of its size."""
    out = Text()
    out.append("Instructions: ", style="bold underline")
    if detail.instructions.strip():
        out.append_text(literal(clipped(detail.instructions.strip(), BRIEF_TEXT_LIMIT,
                                        detail.id)))
    else:
        out.append("none", style="italic")
    newest = sorted(detail.notes, key=lambda n: (n.created_at, n.id), reverse=True)
    for note in newest[:BRIEF_NOTES]:
        out.append(f"\nNote {note.created_at:%m-%d %H:%M} ", style="bold")
        out.append_text(literal(note.author, "bold"))
        out.append(": ")
        out.append_text(literal_line(clipped(note.body.strip(), BRIEF_NOTE_LIMIT)))
    if len(detail.notes) > BRIEF_NOTES:
        out.append(f"\n({len(detail.notes) - BRIEF_NOTES} older note(s) in the panel)",
                   style="italic")
    return out


class RequestBrief(Static):
    """The brief at a dialog's top: a few lines, scrolled as one with the dialog."""

    DEFAULT_CSS = """
    RequestBrief {
        height: auto;
        max-height: 6;
        border-bottom: solid $primary;
    }
    """

    def __init__(self, detail: RequestDetail) -> None:
        super().__init__(brief_text(detail), id="brief", markup=False)
