"""Preview: everything the customer submitted and what the system found, read only.

The possible duplicates are listed at the bottom, always visible, so "Duplicate
request received" takes one look; Enter on one dismisses with its id and the
caller opens it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from certdesk_tui.domain import Brand, Status
from certdesk_tui.domain.views import PREVIEW_TEXT_LIMIT, RequestDetail, clipped
from certdesk_tui.text import literal, literal_line, one_line
from certdesk_tui.widgets.footer import DeskFooter

# Submission keys the sections below already show; anything else is listed raw.
SHOWN_KEYS = frozenset({
    "kind", "external_id", "channel", "customer", "type", "holder", "send_to_holder",
    "instructions", "submitted_at", "payment_status",
})
SHOWN_HOLDER_KEYS = frozenset({"name", "address", "city", "state", "zip", "email"})

Pair = tuple[str, Text]


def when(value: datetime | None) -> str:
    """Times are stored as naive UTC."""
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "-"


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def status_label(value: str) -> str:
    try:
        return Status(value).label
    except ValueError:
        return value


def brand_label(value: str) -> str:
    try:
        return Brand(value).label
    except ValueError:
        return value


def fields_table(pairs: Iterable[Pair]) -> Table:
    """Two columns, label and value; long values wrap inside their column."""
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(style="bold", no_wrap=True, width=15)
    table.add_column(ratio=1, overflow="fold")
    for label, value in pairs:
        # Labels can be submission keys: Text, so Rich never reads them as markup.
        table.add_row(Text(label), value)
    return table


def submitted_pairs(detail: RequestDetail) -> list[Pair]:
    row = detail.row
    kind = row.type if detail.submitted_type in ("", row.type) else (
        f"{row.type} (submitted as {detail.submitted_type}, relabelled)"
    )
    city_line = " ".join(
        part for part in (f"{detail.holder_city},", detail.holder_state, detail.holder_zip) if part
    ).strip(", ")
    pairs: list[Pair] = [
        ("Type", literal(kind)),
        ("Channel", literal(row.channel)),
        ("Submitted at", literal(when(row.submitted_at))),
        ("External id", literal(row.external_id)),
        ("Customer", literal(f"{row.customer_name} ({row.customer_code})")),
        ("Brand", literal(brand_label(row.brand))),
        ("Customer status", literal(detail.customer_status)),
        ("Customer email", literal(detail.customer_email or "-")),
        ("Customer addr.", literal(detail.customer_address or "-")),
        ("Holder", literal(row.holder_name or "-")),
        ("Holder address", literal(detail.holder_address or "-")),
        ("City/State/ZIP", literal(city_line or "-")),
        ("Holder email", literal(detail.holder_email or "-")),
        ("Send to holder", literal(yes_no(detail.send_to_holder))),
        ("Instructions", literal(clipped(detail.instructions, PREVIEW_TEXT_LIMIT, row.id)
                                 or "-")),
        ("Payment", literal(detail.payment_status or "-")),
    ]
    return pairs + extra_submission_pairs(detail.submission, row.id)


def extra_submission_pairs(submission: dict[str, Any],
                           request_id: int | None = None) -> list[Pair]:
    """Whatever the portal or the app sent that the fields above do not show."""
    pairs: list[Pair] = []
    for key, value in submission.items():
        if key == "holder" and isinstance(value, dict):
            pairs += [
                (f"holder.{k}", literal(_raw(v, request_id)))
                for k, v in value.items() if k not in SHOWN_HOLDER_KEYS
            ]
        elif key not in SHOWN_KEYS:
            pairs.append((clipped(str(key), 200), literal(_raw(value, request_id))))
    return [(literal_line(label).plain, value) for label, value in pairs]


def _raw(value: Any, request_id: int | None = None) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return clipped(text, PREVIEW_TEXT_LIMIT, request_id)


def found_pairs(detail: RequestDetail) -> list[Pair]:
    row = detail.row
    reasons = "\n".join(row.manual_reasons)
    manual = f"yes: {reasons}" if row.manual and reasons else yes_no(row.manual)
    duplicates = ", ".join(f"#{d.id}" for d in detail.duplicates) or "none"
    return [
        ("Status", literal(status_label(row.status))),
        ("Assignee", literal(row.assignee_login or "-")),
        ("Manual", literal(manual)),
        ("Discrepancy", literal(yes_no(row.discrepancy))),
        ("Department", literal(detail.department or "-")),
        ("Policy", literal(detail.policy or "none in force on the request date")),
        ("In the queue", literal(
            "yes" if detail.in_queue else "no: waiting for the payment to be approved")),
        ("Duplicates?", literal(duplicates)),
        ("Updated", literal(f"{when(detail.updated_at)} by {detail.updated_by}")),
    ]


def outcome_pairs(detail: RequestDetail) -> list[Pair]:
    pairs: list[Pair] = [
        (
            f"{c.number} r{c.revision}",
            literal(f"{c.source}, {c.file_name}, {when(c.issued_at)} by {c.issued_by}"),
        )
        for c in detail.certificates
    ]
    if not pairs:
        pairs.append(("Certificates", literal("none issued")))
    if detail.rejection_reason:
        pairs.append(("Rejected", literal(detail.rejection_reason)))
    if detail.closed_at:
        pairs.append(("Closed at", literal(when(detail.closed_at))))
    return pairs


def duplicate_prompt(detail: RequestDetail, index: int) -> Text:
    d = detail.duplicates[index]
    parts = (f"#{d.id}", status_label(d.status), d.type, f"{d.submitted_at:%Y-%m-%d}")
    widths = (8, 13, 5, 10)
    return Text("".join(one_line(part).ljust(width) for part, width in zip(parts, widths,
                                                                          strict=True)))


class PreviewScreen(ModalScreen[int | None]):
    """Read only; dismisses None, or the id of a possible duplicate to open instead."""

    CSS_PATH = "preview.tcss"
    BINDINGS = [
        Binding("escape,q", "close", "Close", id="preview.close"),
        Binding("d", "focus_duplicates", "Duplicates", id="preview.duplicates"),
    ]

    def __init__(self, detail: RequestDetail) -> None:
        super().__init__()
        self.detail = detail

    def compose(self) -> ComposeResult:
        detail = self.detail
        with Vertical(id="dialog") as dialog:
            dialog.border_title = literal_line(f"Request #{detail.id}")
            with VerticalScroll(id="details"):
                yield Static("Submitted by the customer", classes="heading")
                yield Static(fields_table(submitted_pairs(detail)), id="submitted")
                yield Static("Found by the system", classes="heading")
                yield Static(fields_table(found_pairs(detail)), id="found")
                yield Static("Outcome", classes="heading")
                yield Static(fields_table(outcome_pairs(detail)), id="outcome")
            if detail.duplicates:
                yield Static(
                    f"Possible duplicates ({len(detail.duplicates)}): Enter opens one",
                    classes="heading", id="duplicates-heading",
                )
                yield OptionList(
                    *(
                        Option(duplicate_prompt(detail, i), id=str(d.id))
                        for i, d in enumerate(detail.duplicates)
                    ),
                    id="duplicates", compact=True, markup=False,
                )
        yield DeskFooter()

    def on_mount(self) -> None:
        self.query_one("#details", VerticalScroll).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "focus_duplicates":
            return bool(self.detail.duplicates)
        return True

    def action_close(self) -> None:
        self.dismiss(None)

    def action_focus_duplicates(self) -> None:
        self.query_one("#duplicates", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        assert event.option.id is not None
        self.dismiss(int(event.option.id))
