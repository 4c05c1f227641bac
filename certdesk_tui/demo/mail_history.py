"""The emails of the demo's history: queued and sent as the service and the mail
worker would have, and the newest few still waiting, deferred or refused."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from email.utils import make_msgid

from certdesk_tui.demo.catalogue import (
    MAIL_DOMAIN,
    MAIL_SERVER,
)
from certdesk_tui.demo.records import PlannedRequest
from certdesk_tui.domain import (
    MAIL_ACTOR,
    ActivityKind,
    EmailState,
)
from certdesk_tui.notifications import EmailDraft

Event = tuple[datetime, str, str, str]


class MailHistory:
    """The email rows and their activities; mixed into ``HistoryWriter``."""

    rng: random.Random
    now: datetime
    emails: list[dict]
    activity_rows: list[tuple]
    flushed_through: int

    def _emails(self, req: PlannedRequest, drafts: list[EmailDraft],
                cert: tuple[int, str] | None, at: datetime, actor: str,
                events: list[Event]) -> None:
        if not any(d.recipient_role == "customer" for d in drafts):
            events.append((at, actor, ActivityKind.EMAIL_NOT_SENT,
                           "no email to the customer: no valid customer email address "
                           "on file"))
        for d in drafts:
            events.append((at, actor, ActivityKind.EMAIL_QUEUED,
                           f"{d.kind} email queued to {d.recipient_role} {d.to_addr}"))
        for d in drafts:
            attach = cert is not None and d.attach_certificate
            row = {
                "id": len(self.emails) + 1, "request_id": req.id, "kind": d.kind,
                "recipient_role": d.recipient_role, "to_addr": d.to_addr, "to_name": d.to_name,
                "subject": d.subject, "body_text": d.body_text, "body_html": d.body_html,
                "certificate_id": cert[0] if attach and cert else None,
                "attachment_name": cert[1] if attach and cert else None,
                "message_id": make_msgid(idstring=f"demo{req.id}", domain=MAIL_DOMAIN),
                "state": EmailState.SENT, "attempts": 1, "next_attempt_at": at,
                "last_error": "", "claimed_by": None, "claimed_at": None, "created_at": at,
                "sent_at": None,
            }
            self.emails.append(row)
            sent = at + timedelta(seconds=self.rng.randint(3, 90))
            if sent >= self.now:
                row["state"], row["attempts"] = EmailState.QUEUED, 0
                continue
            row["sent_at"] = sent
            events.append((sent, MAIL_ACTOR, ActivityKind.EMAIL_SENT,
                           f"{self._what(row)} sent through {MAIL_SERVER} (attempt 1)"))

    def trouble_with_mail(self) -> None:
        """The newest few emails not picked up yet or deferred; a few refused for good."""
        # Only emails of the requests not yet written: their activities can still change.
        sent = [e for e in self.emails if e["state"] == EmailState.SENT
                and e["request_id"] > self.flushed_through]
        newest = sorted(sent[-2000:], key=lambda e: (e["created_at"], e["id"]))[-8:]
        rng = self.rng
        refused = rng.sample(sent, min(len(sent), 4))
        refused_ids = {r["id"] for r in refused}
        events: list[tuple] = []
        for index, row in enumerate(reversed(newest)):
            if row["id"] in refused_ids:
                continue
            self._unsend(row)
            if index < 4:  # not picked up yet
                row.update(state=EmailState.QUEUED, attempts=0)
                continue
            # The server did not answer: retried with backoff (30 s, then 60 s).
            what = self._what(row)
            error = f"the mail server {MAIL_SERVER} did not answer in time"
            at = row["created_at"] + timedelta(seconds=20)
            for attempt in (1, 2):
                next_at = at + timedelta(seconds=30 * 2 ** (attempt - 1))
                events.append((row["request_id"], at, MAIL_ACTOR, ActivityKind.EMAIL_DEFERRED,
                               f"{what}: attempt {attempt} of 6 failed: {error}; "
                               f"next attempt at {next_at:%Y-%m-%d %H:%M:%S} UTC"))
                at = next_at
            row.update(state=EmailState.QUEUED, attempts=2, last_error=error,
                       next_attempt_at=at)
        for row in refused:
            self._unsend(row)
            error = (f"the server refused the recipient (550 5.1.1 <{row['to_addr']}>: "
                     "Recipient address rejected: User unknown)")
            row.update(state=EmailState.FAILED, attempts=1, last_error=error)
            events.append((row["request_id"],
                           row["created_at"] + timedelta(seconds=rng.randint(5, 60)),
                           MAIL_ACTOR, ActivityKind.EMAIL_FAILED,
                           f"{self._what(row)} failed refused for good: {error}; "
                           f"`certdesk mail retry {row['id']}` sends it again"))
        self.activity_rows.extend(events)

    @staticmethod
    def _what(row: dict) -> str:
        return f"{row['kind']} email #{row['id']} to {row['recipient_role']} {row['to_addr']}"

    def _unsend(self, row: dict) -> None:
        """Take back the 'sent' of an email (its row and its activity)."""
        sent = (row["request_id"], row["sent_at"], MAIL_ACTOR, ActivityKind.EMAIL_SENT,
                f"{self._what(row)} sent through {MAIL_SERVER} (attempt 1)")
        row["sent_at"] = None
        rows = self.activity_rows
        for index in range(len(rows) - 1, -1, -1):
            if rows[index] == sent:
                del rows[index]
                return
        raise AssertionError(f"no activity {sent}")
