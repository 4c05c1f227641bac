"""Planning the requests: status, type, channel, age, customer and holder of each,
the intake's own manual reasons and duplicates, and the request numbers."""

from __future__ import annotations

from datetime import datetime, timedelta

from certdesk_tui import intake
from certdesk_tui.demo.catalogue import (
    AUTO_SHARE,
    DUPLICATE_WINDOW,
    FALLBACK_COMPLETED,
    FALLBACK_PENDING,
    HISTORY,
    INSTRUCTIONS_REJECT,
    REJECT_SCENARIOS,
    STATUS_WEIGHTS,
)
from certdesk_tui.demo.people import PeoplePlanner
from certdesk_tui.demo.records import PlannedCustomer, PlannedRequest, Weighted
from certdesk_tui.domain import (
    Brand,
    Channel,
    CustomerStatus,
    PaymentStatus,
    RequestType,
    Status,
)
from certdesk_tui.domain.addresses import is_valid as is_valid_email


class Planner(PeoplePlanner):
    """The requests: when each came in, from whom, for whom, and what became of it."""

    # -- requests -------------------------------------------------------------

    def _age(self, status: str) -> timedelta:
        rng = self.rng
        span = HISTORY.total_seconds()
        if status == Status.NEW:  # a backlog: mostly recent, a long tail
            seconds = 120 + (span - 120) * rng.random() ** 2.2
        elif status == Status.IN_PROGRESS:
            seconds = 1_800 + (span - 1_800) * rng.random() ** 1.7
        else:
            seconds = 900 + (span - 900) * rng.random()
        return timedelta(seconds=int(seconds))

    def plan_requests(self) -> None:
        rng = self.rng
        statuses = Weighted([s for s, _ in STATUS_WEIGHTS], [w for _, w in STATUS_WEIGHTS])
        reject_scenarios = Weighted([s for s, _ in REJECT_SCENARIOS],
                                     [w for _, w in REJECT_SCENARIOS])
        for order in range(self.count):
            status = statuses.pick(rng)
            auto = status == Status.COMPLETED and rng.random() < AUTO_SHARE
            scenario = ""
            if status == Status.REJECTED:
                scenario = reject_scenarios.pick(rng)
            req = self._one(order, status, auto, scenario)
            self.requests.append(req)
            self.by_customer.setdefault(req.customer.id, []).append(req)
        self._number_and_check()

    def _customer_for(self, status: str, auto: bool, scenario: str) -> tuple[PlannedCustomer, str]:
        rng = self.rng
        if auto and self.automatic:
            return self.automatic.pick(rng), scenario
        if scenario == "no_policy":
            if self.uninsured:
                return self.uninsured.pick(rng), scenario
            scenario = "address"
        if scenario == "inactive":
            if self.inactive:
                return self.inactive.pick(rng), scenario
            scenario = "holder_name"
        if (status == Status.COMPLETED or scenario) and self.workable:
            return self.workable.pick(rng), scenario
        return self.everyone.pick(rng), scenario

    def _one(self, order: int, status: str, auto: bool, scenario: str) -> PlannedRequest:
        rng = self.rng
        customer, scenario = self._customer_for(status, auto, scenario)
        auto = auto and customer.brand != Brand.CORNERSTONE and self._covered(customer)
        active = customer.status == CustomerStatus.ACTIVE
        channel = Channel.MOBILE if active and rng.random() < 0.35 else Channel.PORTAL
        if not auto and status != Status.NEW and active and order % 19 == 5:
            # Entered by a specialist for a customer who phoned: claimed from the start.
            channel = Channel.INTERNAL
        roll = rng.random()
        if scenario == "needs_wos":
            rtype = RequestType.COI
        elif auto:
            rtype = RequestType.COI if roll < 0.78 else RequestType.POI
        else:
            rtype = (RequestType.COI if roll < 0.6 else RequestType.POI if roll < 0.78
                     else RequestType.WOS)
        payment = None
        approved_later = False
        if rtype == RequestType.WOS:
            payment = PaymentStatus.APPROVED
            if status == Status.NEW and rng.random() < 0.4:
                payment = PaymentStatus.PENDING if rng.random() < 0.8 else PaymentStatus.DECLINED
            elif rng.random() < 0.25:  # paid after submitting: joined the queue later
                payment, approved_later = PaymentStatus.PENDING, True
        age = self._age(status)
        if scenario == "no_policy" and customer.policy_on(self.today) is None \
                and customer.bands:
            # Sent after the policy lapsed (it expired ``bands[-1] + 1`` days ago).
            age = timedelta(seconds=self._uniform(1_200, customer.bands[-1] * 86_400))
        submitted_at = self.now - age
        # Completed by uploading a certificate issued elsewhere: always for Cornerstone.
        uploaded = status == Status.COMPLETED and (
            customer.brand == Brand.CORNERSTONE or (not auto and rng.random() < 0.08))

        # The holder: someone new, a regular of this customer, or a copy of an earlier request.
        copy_of = None
        want_duplicate = scenario == "duplicate" or (
            not auto and status in (Status.NEW, Status.IN_PROGRESS) and rng.random() < 0.04)
        if want_duplicate:
            copy_of = self._earlier_of(customer, submitted_at)
        if copy_of is not None:
            holder = copy_of.submitted
            submitted_at = min(copy_of.submitted_at + timedelta(hours=rng.uniform(0.5, 72)),
                               self.now - timedelta(minutes=20))
        elif not auto and customer.regulars and rng.random() < 0.06:
            holder = rng.choice(customer.regulars)
        else:
            holder = self._holder()
        submitted_at = self.now - customer.clear_of_bands(self.now - submitted_at)
        if scenario == "duplicate" and copy_of is None:
            scenario = "holder_name"  # nothing earlier to duplicate: wrong for another reason

        submitted, send = holder, rng.random() < 0.35
        flaw = ""
        kind = ""
        if scenario in ("holder_name", "address"):
            flaw = (rng.choice(("name_missing", "name_incomplete")) if scenario == "holder_name"
                    else rng.choice(("address_missing", "address_incomplete",
                                     "address_incomplete")))
        elif scenario in INSTRUCTIONS_REJECT:
            kind = scenario
        elif not auto and copy_of is None:
            roll = rng.random()
            if status == Status.COMPLETED:
                if not uploaded:  # put right on the certificate form
                    if roll < 0.08:
                        flaw = "address_incomplete"
                    elif roll < 0.14:
                        flaw = "invalid_email"
            elif scenario == "":
                if roll < 0.02:
                    flaw = "name_missing"
                elif roll < 0.04:
                    flaw = "name_incomplete"
                elif roll < 0.06:
                    flaw = "address_missing"
                elif roll < 0.11:
                    flaw = "address_incomplete"
                elif roll < 0.14:
                    flaw = "invalid_email"
                elif roll < 0.16:
                    flaw = "no_email"
            if rng.random() < 0.22:
                kind = "benign"
            elif status in (Status.NEW, Status.IN_PROGRESS, Status.COMPLETED) \
                    and rtype != RequestType.WOS and not uploaded and rng.random() < 0.06:
                kind = "needs_wos"
        if flaw:
            submitted, flawed_send = self._flawed(holder, flaw)
            send = send or flawed_send
        if auto:
            send = send and bool(holder.email)
        instructions = self._instructions(kind, customer, submitted) if kind else ""
        req = PlannedRequest(
            order=order, status=status, auto=auto, customer=customer, type=rtype,
            submitted_type=rtype, channel=channel, submitted=submitted, holder=holder,
            send_to_holder=send, instructions=instructions, instruction_kind=kind,
            payment=payment, approved_later=approved_later, submitted_at=submitted_at,
            scenario=scenario, uploaded=uploaded,
        )
        if not auto and copy_of is None and not self._needs_person(req):
            self._give_reason(req)
        if req.instruction_kind == "needs_wos" and (
                status == Status.COMPLETED or (status == Status.IN_PROGRESS
                                               and rng.random() < 0.6)):
            req.relabel = True
        return req

    def _give_reason(self, req: PlannedRequest) -> None:
        """The intake would have completed this one at once: give it what needs a person."""
        rng = self.rng
        if req.status == Status.COMPLETED:  # put right on the certificate form
            choices = FALLBACK_COMPLETED if not req.uploaded else ("benign",)
        else:
            choices = FALLBACK_PENDING
        what = rng.choice(choices)
        if what == "benign":
            req.instruction_kind = "benign"
            req.instructions = self._instructions("benign", req.customer, req.submitted)
        else:
            req.submitted, send = self._flawed(req.holder, what)
            req.send_to_holder = req.send_to_holder or send

    def _uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self.rng.random()

    def _needs_person(self, req: PlannedRequest) -> bool:
        """Whether the intake puts this request on the manual list (duplicates aside)."""
        c = req.customer
        return bool(
            req.instructions or req.type == RequestType.WOS or c.brand == Brand.CORNERSTONE
            or c.status != CustomerStatus.ACTIVE or not is_valid_email(c.email)
            or req.submitted != req.holder or c.policy_on(req.submitted_at.date()) is None
        )

    def _earlier_of(self, customer: PlannedCustomer, before: datetime) -> PlannedRequest | None:
        """One of this customer's earlier requests (naming a holder), to send again."""
        earlier = [r for r in self.by_customer.get(customer.id, [])[-12:]
                   if r.submitted.name and r.submitted_at < before - timedelta(hours=1)]
        return self.rng.choice(earlier) if earlier else None

    def _number_and_check(self) -> None:
        """Ids in arrival order; then the intake's own rules decide each request's reasons."""
        self.requests.sort(key=lambda r: (r.submitted_at, r.order))
        seen: dict[tuple[int, str], list[PlannedRequest]] = {}
        for number, req in enumerate(self.requests, start=1):
            req.id = number
            c = req.customer
            req.policy = c.policy_on(req.submitted_at.date())
            sub = intake.Submission(
                external_id="", channel=Channel(req.channel), customer_code=c.code,
                type=RequestType(req.submitted_type), holder=req.submitted,
                send_to_holder=req.send_to_holder, instructions=req.instructions,
                payment_status=PaymentStatus(req.payment) if req.payment else None,
                submitted_at=req.submitted_at,
            )
            req.found = intake.discrepancies(sub, c.status, req.policy is not None, c.email)
            req.reasons = intake.manual_reasons(sub, Brand(c.brand), req.found, c.email)
            req.key = req.submitted.key
            if req.submitted.name:
                key = (c.id, req.key)
                earlier = seen.setdefault(key, [])
                req.duplicates = [e.id for e in earlier
                                  if abs(e.submitted_at - req.submitted_at) <= DUPLICATE_WINDOW]
                earlier.append(req)
                if req.duplicates:
                    req.reasons.append("possible duplicate of "
                                       + ", ".join(f"#{d}" for d in req.duplicates))
            if req.auto and req.reasons:
                req.auto = False  # a chance duplicate: a specialist completed it instead
            assert req.auto or req.reasons, "a request without reasons is completed at intake"
