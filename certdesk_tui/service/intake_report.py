"""An import's report: every line accepted, unchanged or refused, and why.

Shared by the customer import and the submission import.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from certdesk_tui import intake
from certdesk_tui.domain.errors import (
    CertdeskError,
    DatabaseRefused,
    DatabaseUnavailable,
)
from certdesk_tui.service import interrupts
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage.changes import change_counter
from certdesk_tui.storage.engine import as_database_error


@dataclass(frozen=True)
class LineOutcome:
    line: int
    message: str
    request_id: int | None = None


@dataclass
class ImportReport:
    accepted: list[LineOutcome] = field(default_factory=list)
    unchanged: list[LineOutcome] = field(default_factory=list)
    refused: list[LineOutcome] = field(default_factory=list)
    # Set when the database stopped answering: the import ended at that line.
    stopped: str = ""
    # Requests an earlier import reserved for automatic processing and never completed,
    # taken up by this one (not lines of this import: ``line`` is 0).
    resumed: list[LineOutcome] = field(default_factory=list)
    # The lines read (blank lines aside), and whether the import was interrupted (Ctrl-C)
    # before it had taken them all in and read the rest.
    read: int = 0
    interrupted: bool = False

    @property
    def taken_in(self) -> int:
        """The lines whose outcome is settled: accepted, unchanged or refused."""
        return len(self.accepted) + len(self.unchanged) + len(self.refused)

    @property
    def ok(self) -> bool:
        return not self.refused and not self.stopped and not self.interrupted

    def add(self, bucket: str, outcome: LineOutcome) -> None:
        """File a line's outcome under ``accepted``, ``unchanged`` or ``refused``."""
        getattr(self, bucket).append(outcome)

    def in_line_order(self) -> None:
        """Each list in line order (a batch reports its lines after the lines read past)."""
        for outcomes in (self.accepted, self.unchanged, self.refused):
            outcomes.sort(key=lambda o: o.line)

    def summary(self, noun: str) -> str:
        return (
            f"{len(self.accepted)} {noun} accepted, {len(self.unchanged)} unchanged, "
            f"{len(self.refused)} refused"
        )


def numbered_lines(lines: Iterable[str | bytes],
                   report: ImportReport) -> Iterator[tuple[int, str]]:
    """The non-blank lines as text, numbered from 1; one that cannot be read is refused."""
    for number, raw in enumerate(lines, start=1):
        try:
            line = intake.decode_line(raw, number)
        except CertdeskError as exc:
            report.read += 1
            report.refused.append(LineOutcome(number, str(exc)))
            continue
        if line.strip(" \t\r\n"):
            report.read += 1
            yield number, line


def line_refused(exc: Exception, unexpected: str = "could not be taken in") -> str:
    """Why an import line was refused (or its automation stopped), in one line."""
    problem = exc if isinstance(exc, CertdeskError) else as_database_error(exc)
    if isinstance(problem, DatabaseUnavailable):
        # The line is the database's refusal; whether it answers at all is asked next.
        return f"the database refused it: {problem.reason}"
    if problem is not None:
        return str(problem)
    return f"{unexpected} ({type(exc).__name__}: {_clip(str(exc), 200)})"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def stopped_answering(ds: DeskSession, exc: Exception, number: int,
                      report: ImportReport) -> bool:
    """After the database did not answer a line, is it still there at all?

    A line the database refuses costs only that line; a database that no longer
    answers would refuse every line after it, so the import stops and says so.
    """
    if not isinstance(exc, DatabaseUnavailable):
        return False
    try:
        with interrupts.shielded(), ds.db.reading() as s:
            change_counter(s)
    except (DatabaseUnavailable, DatabaseRefused) as probe:
        report.stopped = (f"import stopped at line {number}: {probe}"
                          "; the lines after it were not read")
        return True
    return False
