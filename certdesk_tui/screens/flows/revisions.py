"""The flows after a certificate: resend it, reissue it as a new revision (each imports
its dialog when it opens it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from certdesk_tui.domain.automation import CertificateForm
from certdesk_tui.domain.errors import PolicyNotInForce, ValidationFailed
from certdesk_tui.domain.holders import HolderView
from certdesk_tui.domain.views import RequestDetail
from certdesk_tui.screens.flows.base import (
    Flow,
    Notice,
)

if TYPE_CHECKING:
    from certdesk_tui.screens.reissue import ReissueResult
    from certdesk_tui.screens.resend import ResendResult
    from certdesk_tui.service.resending import Resent
    from certdesk_tui.service.revisions import Revision


class ResendFlow(Flow[RequestDetail, "ResendResult", "Resent"]):
    """Resend: the current certificate again, to the customer, the holder, other addresses."""

    action_id = "resend"
    key = "e"
    label = "Resend certificate"
    footer = None
    help = "Resend (email again) the current certificate to the customer, holder or others"
    take_over_allowed = False

    def prepare(self) -> RequestDetail:
        return self.desk.request(self.request_id)

    def dialog(self, prepared: RequestDetail) -> Screen[Any]:
        from certdesk_tui.screens.resend import ResendScreen

        self.version = prepared.version
        return ResendScreen(prepared)

    def perform(self, answer: ResendResult, take_over: bool) -> Resent:
        return self.desk.resend(self.request_id, to_customer=answer.to_customer,
                                to_holder=answer.to_holder, others=answer.others,
                                expected_version=self.expected_version(take_over))

    def after(self, result: Resent, answer: ResendResult) -> Notice:
        return Notice(f"Certificate {result.certificate_number} revision {result.revision} "
                      f"queued again to {', '.join(result.emailed)}.", title="Resent",
                      timeout=8)


@dataclass(frozen=True)
class ReissueStart:
    detail: RequestDetail
    form: CertificateForm
    # The customer's holder address book, suggested as the holder's name is typed.
    holders: list[HolderView] = field(default_factory=list)


class ReissueFlow(Flow[ReissueStart, "ReissueResult",
                       "Revision | PolicyNotInForce | ValidationFailed"]):
    """Reissue: the next revision of the certificate, with the corrections and a reason."""

    action_id = "reissue"
    key = "v"
    label = "Reissue certificate"
    footer = None
    help = "Reissue: a corrected certificate, same number, next revision (a reason required)"
    take_over_allowed = False
    detail: RequestDetail
    holders: list[HolderView]

    def prepare(self) -> ReissueStart:
        detail = self.desk.request(self.request_id)
        return ReissueStart(detail, self.desk.revision_prefill(self.request_id),
                            self.desk.holders(detail.row.customer_code))

    def dialog(self, prepared: ReissueStart) -> Screen[Any]:
        from certdesk_tui.screens.reissue import ReissueScreen

        self.detail = prepared.detail
        self.form = prepared.form
        self.version = prepared.detail.version
        self.holders = prepared.holders
        return ReissueScreen(prepared.detail, prepared.form, holders=prepared.holders)

    refusal: str | None = None
    """The policy refusal the dialog shows (None: the policy is in force)."""

    def perform(self, answer: ReissueResult,
                take_over: bool) -> Revision | PolicyNotInForce | ValidationFailed:
        try:
            return self.desk.reissue(
                self.request_id, reason=answer.reason, changes=answer.changes,
                attachment=answer.attachment, to_holder=answer.to_holder, cc=answer.cc,
                override_reason=answer.override_reason,
                expected_version=self.expected_version(take_over))
        except PolicyNotInForce as refusal:
            if answer.override_reason is not None:
                raise
            return refusal
        except ValidationFailed as problem:  # a file or a field refused: corrected in place
            return problem

    def after(self, result: Revision | PolicyNotInForce | ValidationFailed,
              answer: ReissueResult) -> Notice | Screen[Any]:
        if isinstance(result, PolicyNotInForce | ValidationFailed):
            from certdesk_tui.screens.reissue import ReissueScreen

            problem = ""
            if isinstance(result, PolicyNotInForce):
                self.refusal = str(result)
            else:
                problem = str(result)
            screen = ReissueScreen(self.detail, self.form, self.refusal, answer.typed,
                                   self.holders, problem=problem)
            screen.reopened = True
            return screen
        to = ", ".join(result.emailed) if result.emailed else "nobody (no valid address)"
        return Notice(f"Certificate {result.certificate_number} revision {result.revision} "
                      f"issued (revision {result.superseded} superseded); emails queued to "
                      f"{to}.", title="Reissued", timeout=8)
