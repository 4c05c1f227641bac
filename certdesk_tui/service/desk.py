"""``Desk``: the one API the desk and the command line call.

A thin facade: each method is one line into the module that does the work
(``reads``, ``processing``, ``intake``, ``customers``, ``reasons``, ``users``,
``outbox``). Only what opening the desk uses (``reads``, ``reasons``, the session)
is imported with this module; each other module is imported by the methods that call
it, on first use, so the desk's first frame does not wait for the modules behind
actions it has not taken yet (processing, intake, revisions, the renderer...).
Every action checks permission, state and version, writes its activities and
its outbox emails in one transaction, or changes nothing and raises a
``CertdeskError``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from certdesk_tui.config import Settings
from certdesk_tui.domain.errors import AlreadyClaimed
from certdesk_tui.domain.insights import DEFAULT_REPORT_DAYS
from certdesk_tui.domain.permissions import Actor
from certdesk_tui.domain.views import (
    PAGE_ROWS,
    QueueFilter,
    QueuePage,
    QueueSnapshot,
    ReasonView,
    RequestDetail,
    RequestRow,
    UserView,
)
from certdesk_tui.service import reads, reasons
from certdesk_tui.service.early import EarlyRead
from certdesk_tui.service.session import DeskSession
from certdesk_tui.storage.engine import Database

if TYPE_CHECKING:
    from certdesk_tui.domain.automation import CertificateForm
    from certdesk_tui.domain.certificates import Verification
    from certdesk_tui.domain.holders import HolderView
    from certdesk_tui.domain.insights import QueueReport
    from certdesk_tui.domain.renewals import DueRenewal
    from certdesk_tui.domain.saved_views import SavedView
    from certdesk_tui.service.bulk import BulkOutcome
    from certdesk_tui.service.completion import Completion
    from certdesk_tui.service.intake import ImportReport
    from certdesk_tui.service.internal import CustomerChoice, InternalRequest, NewRequest
    from certdesk_tui.service.outbox import Outbox
    from certdesk_tui.service.renewals import RenewalOutcome
    from certdesk_tui.service.resending import Resent
    from certdesk_tui.service.revisions import PolicyTerm, Revision


class Desk:
    """One person's session on the shared repository."""

    def __init__(self, db: Database, actor: Actor, settings: Settings | None = None) -> None:
        self._session = DeskSession(db, actor, settings or Settings())
        self._outbox: Outbox | None = None
        self._early: EarlyRead[QueueSnapshot] | None = None

    @property
    def db(self) -> Database:
        return self._session.db

    @property
    def settings(self) -> Settings:
        return self._session.settings

    @property
    def actor(self) -> Actor:
        """Who is acting, as last read from the database: every action reads it again."""
        return self._session.actor

    def current_actor(self) -> Actor:
        """Re-read the acting user's role and active flag (a demotion counts at once)."""
        return self._session.current_actor()

    # -- reading -------------------------------------------------------------

    def queue(self, flt: QueueFilter | None = None, offset: int = 0,
              limit: int = 100) -> QueuePage:
        return reads.queue(self._session, flt, offset, limit)

    def queue_snapshot(self, flt: QueueFilter | None = None, offset: int = 0,
                       limit: int = 100, *, counts: bool = True) -> QueueSnapshot:
        """A page of the queue; with ``counts``, the badge and the failing emails too
        (a keystroke in the search box needs only the page: ``counts=False``)."""
        early, self._early = self._early, None
        if early is not None:
            snapshot = early.result_for((flt or QueueFilter(), offset, limit))
            if snapshot is not None:
                return snapshot
        return reads.queue_snapshot(self._session, flt, offset, limit, counts=counts)

    def read_queue_early(self, limit: int = PAGE_ROWS) -> None:
        """Start reading the default queue's first page (``limit`` rows) and its counts in
        a thread: the database works while the desk's interface loads, and the desk's
        first ``queue_snapshot`` of that page takes it (if asked for within seconds)."""
        self._early = EarlyRead(
            (QueueFilter(), 0, limit),
            lambda: reads.queue_snapshot(self._session, QueueFilter(), 0, limit))

    def prepare_search(self) -> None:
        """Make the search's statements ready, so the first key typed does not wait."""
        reads.prepare_search(self._session)

    def pending_count(self) -> int:
        return reads.pending_count(self._session)

    def change_counter(self) -> int:
        return reads.change_counter(self._session)

    def request(self, request_id: int) -> RequestDetail:
        return reads.request(self._session, request_id)

    def row(self, request_id: int) -> RequestRow:
        return reads.row(self._session, request_id)

    def held_elsewhere(self, action_id: str, request_id: int) -> AlreadyClaimed | None:
        return reads.held_elsewhere(self._session, action_id, request_id)

    def verify_code(self, typed: str) -> Verification:
        from certdesk_tui.service import verification
        return verification.verify_code(self._session, typed)

    def verify_file(self, data: bytes) -> Verification:
        from certdesk_tui.service import verification
        return verification.verify_file(self._session, data)

    def refuse_issued_attachment(self, name: str, data: bytes, request_id: int) -> None:
        """ValidationFailed when the PDF to attach as ``request_id``'s certificate is one
        certdesk drew, or another request's certificate made out to someone else."""
        from certdesk_tui.service import verification
        verification.refuse_issued_attachment(self._session, name, data, request_id)

    def why_not(self, action_id: str, detail: RequestDetail | RequestRow) -> str | None:
        return reads.why_not(self._session, action_id, detail)

    def certificate(self, request_id: int, revision: int | None = None) -> tuple[str, bytes]:
        return reads.certificate(self._session, request_id, revision)

    def revision_prefill(self, request_id: int) -> CertificateForm:
        from certdesk_tui.service import revisions
        return revisions.revision_prefill(self._session, request_id)

    def views(self) -> list[SavedView]:
        """The saved views offered (own, then shared; digits 1 to 9), with live counts."""
        from certdesk_tui.service import views
        return views.views(self._session)

    def save_view(self, name: str, flt: QueueFilter) -> SavedView:
        from certdesk_tui.service import views
        return views.save_view(self._session, name, flt)

    def share_view(self, name: str, shared: bool = True) -> None:
        from certdesk_tui.service import views
        views.share_view(self._session, name, shared)

    def rename_view(self, name: str, new_name: str) -> None:
        from certdesk_tui.service import views
        views.rename_view(self._session, name, new_name)

    def delete_view(self, name: str) -> None:
        from certdesk_tui.service import views
        views.delete_view(self._session, name)

    def report(self, days: int = DEFAULT_REPORT_DAYS) -> QueueReport:
        """The queue's health: pending by age, closed per day and per person, overdue."""
        from certdesk_tui.service import insights
        return insights.report(self._session, days)

    def automation_prefill(self, request_id: int) -> CertificateForm:
        from certdesk_tui.service import processing
        return processing.automation_prefill(self._session, request_id)

    def policy_refusal(self, request_id: int, form: CertificateForm | None = None) -> str | None:
        from certdesk_tui.service import processing
        return processing.policy_refusal(self._session, request_id, form)

    # -- processing actions (one per entry of domain.workflow.REQUEST_ACTIONS) --

    def start(self, request_id: int, expected_version: int | None = None,
              take_over: bool = False) -> RequestRow:
        from certdesk_tui.service import processing
        return processing.start(self._session, request_id, expected_version, take_over)

    def automate(
        self,
        request_id: int,
        *,
        form: CertificateForm | None = None,
        changes: dict[str, str] | None = None,
        wos: bool = False,
        to_holder: bool | None = None,
        attachment: tuple[str, bytes] | None = None,
        expected_version: int | None = None,
        take_over: bool = False,
        override_reason: str | None = None,
        cc: Sequence[str] = (),
    ) -> Completion:
        from certdesk_tui.service import processing
        return processing.automate(
            self._session, request_id, form=form, changes=changes, wos=wos,
            to_holder=to_holder, attachment=attachment, expected_version=expected_version,
            take_over=take_over, override_reason=override_reason, cc=cc)

    def upload(
        self,
        request_id: int,
        file_name: str,
        data: bytes,
        *,
        to_holder: bool | None = None,
        expected_version: int | None = None,
        take_over: bool = False,
        override_reason: str | None = None,
        cc: Sequence[str] = (),
    ) -> Completion:
        from certdesk_tui.service import processing
        return processing.upload(
            self._session, request_id, file_name, data, to_holder=to_holder,
            expected_version=expected_version, take_over=take_over,
            override_reason=override_reason, cc=cc)

    def relabel(self, request_id: int, expected_version: int | None = None,
                take_over: bool = False, back_reason: str | None = None) -> RequestRow:
        from certdesk_tui.service import processing
        return processing.relabel(self._session, request_id, expected_version, take_over,
                                  back_reason)

    def reject(self, request_id: int, reason: str | int, expected_version: int | None = None,
               take_over: bool = False) -> RequestRow:
        from certdesk_tui.service import processing
        return processing.reject(self._session, request_id, reason, expected_version,
                                 take_over)

    def note(self, request_id: int, body: str) -> None:
        from certdesk_tui.service import processing
        processing.note(self._session, request_id, body)

    def apply_to_many(self, action_id: str, request_ids: Iterable[int], *,
                      reason: str | int | None = None, text: str | None = None,
                      versions: Mapping[int, int] | None = None,
                      take_over: bool = False) -> list[BulkOutcome]:
        """Claim, reject, relabel or note several requests, each checked on its own."""
        from certdesk_tui.service import bulk
        return bulk.apply_to_many(self._session, action_id, request_ids, reason=reason,
                                  text=text, versions=versions, take_over=take_over)

    def resend(self, request_id: int, *, to_customer: bool = False, to_holder: bool = False,
               others: Sequence[str] = (), expected_version: int | None = None) -> Resent:
        from certdesk_tui.service import resending
        return resending.resend(self._session, request_id, to_customer=to_customer,
                                to_holder=to_holder, others=others,
                                expected_version=expected_version)

    def reissue(
        self,
        request_id: int,
        *,
        reason: str,
        changes: Mapping[str, str] | None = None,
        attachment: tuple[str, bytes] | None = None,
        to_holder: bool | None = None,
        term: PolicyTerm | None = None,
        override_reason: str | None = None,
        email: bool = True,
        cc: Sequence[str] = (),
        expected_version: int | None = None,
    ) -> Revision:
        from certdesk_tui.service import revisions
        return revisions.issue_revision(
            self._session, request_id, changes=changes, attachment=attachment,
            to_holder=to_holder, reason=reason, term=term, override_reason=override_reason,
            email=email, cc=cc, expected_version=expected_version)

    # -- intake --------------------------------------------------------------

    def new_request(self, entry: InternalRequest) -> NewRequest:
        from certdesk_tui.service import internal
        return internal.create(self._session, entry)

    def holders(self, customer_code: str) -> list[HolderView]:
        """The customer's holder address book, most used first."""
        from certdesk_tui.service import holders
        return holders.holders(self._session, customer_code)

    def due_renewals(self, customer_code: str | None = None) -> list[DueRenewal]:
        """Current certificates whose policy an import has given a new term."""
        from certdesk_tui.service import renewals
        return renewals.due(self._session, customer_code)

    def renew_one(self, renewal: DueRenewal, *, email: bool = True) -> RenewalOutcome:
        """Issue a due renewal its new revision (or say why it is skipped or refused)."""
        from certdesk_tui.service import renewals
        return renewals.renew_one(self._session, renewal, email=email)

    def customer_choices(self) -> list[CustomerChoice]:
        from certdesk_tui.service import internal
        return internal.customer_choices(self._session)

    def import_submissions(self, lines: Iterable[str | bytes],
                           workers: int = 1) -> ImportReport:
        from certdesk_tui.service import intake
        return intake.import_submissions(self._session, lines, workers)

    def import_customers(self, lines: Iterable[str | bytes]) -> ImportReport:
        from certdesk_tui.service import customers
        return customers.import_customers(self._session, lines)

    # -- the outbox ------------------------------------------------------------

    @property
    def outbox(self) -> Outbox:
        """See the outbox, deliver what is due, retry failed messages (one per desk: it
        keeps its transport and connection until ``close``)."""
        if self._outbox is None:
            # The mail modules (smtplib, ssl, the email package) load on first use: the
            # desk delivers only after its first frame is on screen.
            from certdesk_tui.service.outbox import Outbox

            self._outbox = Outbox(self._session)
        return self._outbox

    def close(self) -> None:
        """End what the desk holds open: the outbox's mail connection, if it made one."""
        if self._outbox is not None:
            self._outbox.close()

    # -- configuration (managers) --------------------------------------------

    def reasons(self, include_retired: bool = False) -> list[ReasonView]:
        return reasons.reasons(self._session, include_retired)

    def add_reason(self, text: str) -> ReasonView:
        return reasons.add_reason(self._session, text)

    def rename_reason(self, reason_id: int, text: str) -> ReasonView:
        return reasons.rename_reason(self._session, reason_id, text)

    def retire_reason(self, reason_id: int) -> ReasonView:
        return reasons.retire_reason(self._session, reason_id)

    def users(self) -> list[UserView]:
        from certdesk_tui.service import users
        return users.users(self._session)

    def add_user(self, login: str, role: str, name: str = "", email: str = "") -> UserView:
        from certdesk_tui.service import users
        return users.add_user(self._session, login, role, name, email)

    def set_role(self, login: str, role: str) -> UserView:
        from certdesk_tui.service import users
        return users.set_role(self._session, login, role)

    def set_active(self, login: str, active: bool) -> UserView:
        from certdesk_tui.service import users
        return users.set_active(self._session, login, active)
