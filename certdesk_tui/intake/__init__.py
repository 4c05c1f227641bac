"""Intake: read a portal or mobile submission and decide where it goes (SPEC rules 1-6).

``records`` reads one JSON Lines record safely; ``submissions`` holds the rules
that say what a submission is and where it goes. Pure functions over plain
data; the service stores what they decide.
"""

from certdesk_tui.intake.files import open_regular
from certdesk_tui.intake.records import (
    LINE_LIMIT_TEXT,
    MAX_LINE_BYTES,
    decode_line,
    in_range,
    load_record,
    read_lines,
    shown,
)
from certdesk_tui.intake.submissions import (
    Holder,
    PaymentUpdate,
    Submission,
    check_customer,
    discrepancies,
    fit_holder,
    in_queue_at_intake,
    manual_reasons,
    parse_line,
    policy_covers,
)

__all__ = [
    "LINE_LIMIT_TEXT",
    "MAX_LINE_BYTES",
    "Holder",
    "PaymentUpdate",
    "Submission",
    "check_customer",
    "decode_line",
    "discrepancies",
    "fit_holder",
    "in_queue_at_intake",
    "in_range",
    "load_record",
    "manual_reasons",
    "open_regular",
    "parse_line",
    "policy_covers",
    "read_lines",
    "shown",
]
