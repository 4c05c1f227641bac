"""The desk's top line at any width: who, in which role, and the badges that matter."""

from __future__ import annotations

from certdesk_tui.domain import Role
from certdesk_tui.domain.permissions import Actor
from certdesk_tui.widgets.identity_bar import identity_text


def test_the_top_line_shortens_the_role_never_the_badges():
    actor = Actor(1, "hannah.kowalczyk", "", Role.CERTIFICATE_SPECIALIST, via="root")
    full = identity_text(actor, 4).plain
    assert full.endswith(" ✉ 4 failing ") and "certificate specialist" in full
    short = identity_text(actor, 4, 80).plain
    assert len(short) <= 80 and short.endswith(" ✉ 4 failing ") and "…" in short, short
    assert identity_text(actor, 4, 200).plain == full
