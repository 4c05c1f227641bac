"""Planning the people: the team around the manager, the customers with their
policies (renewed, lapsed, lapsing), and the certificate holders they ask for."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from certdesk_tui import intake
from certdesk_tui.demo.catalogue import (
    BRAND_WEIGHTS,
    CARRIERS,
    CITIES,
    CODE_PREFIX,
    COMPANY_FIRST,
    COMPANY_SUFFIX,
    COMPANY_TRADE,
    CUSTOMER_MAILBOXES,
    FIRST_PROFILES,
    HISTORY,
    HOLDER_INSTITUTIONS,
    HOLDER_KINDS,
    HOLDER_MAILBOXES,
    HOLDER_NAMES,
    HOLDER_SUFFIX,
    INSTRUCTIONS_BENIGN,
    INSTRUCTIONS_REJECT,
    LIMITS,
    PROJECTS,
    RENEWED_AHEAD,
    RENEWED_SHARE,
    SPECIAL_CUSTOMERS,
    STREET_KINDS,
    STREETS,
    TEAM,
)
from certdesk_tui.demo.records import PlannedCustomer, PlannedPolicy, PlannedRequest, Weighted, slug
from certdesk_tui.domain import (
    Brand,
    CustomerStatus,
    Role,
)
from certdesk_tui.domain.addresses import is_valid as is_valid_email


class PeoplePlanner:
    """The team, the customers with their policies, and the holders they ask for."""

    def __init__(self, rng: random.Random, now: datetime, requests: int, login: str) -> None:
        self.rng = rng
        self.now = now
        self.count = requests
        self.login = login
        self.today = now.date()
        self.customers: list[PlannedCustomer] = []
        self.policies: list[PlannedPolicy] = []
        self.requests: list[PlannedRequest] = []
        self.by_customer: dict[int, list[PlannedRequest]] = {}
        self.team: list[tuple[str, str, Role]] = []

    # -- people ------------------------------------------------------------

    def plan_team(self) -> None:
        taken = {self.login}
        for login, name, role in TEAM:
            while login in taken:
                login += "2"
            taken.add(login)
            self.team.append((login, name, role))
        # Who processes: the specialists most, the data processor and the manager less.
        weights = {Role.CERTIFICATE_SPECIALIST: 5, Role.DATA_PROCESSOR: 3}
        workers = [(t[0], weights[t[2]]) for t in self.team if t[2] in weights]
        workers.append((self.login, 1))
        self.processors = Weighted([w[0] for w in workers], [w[1] for w in workers])
        self.importer = next(t[0] for t in self.team if t[2] == Role.DATA_PROCESSOR)

    # -- customers and policies ---------------------------------------------

    def _address(self) -> tuple[str, str, str, str]:
        rng = self.rng
        city, state, prefix = rng.choice(CITIES)
        street = f"{rng.randint(1, 9899)} {rng.choice(STREETS)} {rng.choice(STREET_KINDS)}"
        if rng.random() < 0.2:
            street += f", Suite {rng.randint(1, 30) * 10}"
        return street, city, state, f"{prefix}{rng.randint(1, 99):02d}"

    def plan_customers(self) -> None:
        rng = self.rng
        n = min(5_000, max(30, self.count // 20))
        brands = Weighted([b for b, _ in BRAND_WEIGHTS], [w for _, w in BRAND_WEIGHTS])
        seen: set[str] = set()
        numbers = rng.sample(range(10_000, 100_000), n)
        weights: list[float] = []
        specials = len(SPECIAL_CUSTOMERS)
        for index in range(n):
            # The first customers after the special names have the problems every demo
            # must show, however small; after them, chance decides.
            profile = FIRST_PROFILES[index - specials] if 0 <= index - specials < len(
                FIRST_PROFILES) else ""
            if index < specials:
                name, brand = SPECIAL_CUSTOMERS[index]
                profile = "special"
            else:
                brand = brands.pick(rng)
                name = ""
                while not name or name in seen:
                    name = (f"{rng.choice(COMPANY_FIRST)} {rng.choice(COMPANY_TRADE)} "
                            f"{rng.choice(COMPANY_SUFFIX)}")
            seen.add(name)
            inactive = profile == "inactive" or (not profile and rng.random() < 0.07)
            address, city, state, zip_code = self._address()
            if profile == "no_email" or (not profile and rng.random() < 0.025):
                # No usable email on file: the intake sends their requests to a person.
                email = rng.choice(("", f"office at {slug(name)}.example",
                                    f"office@{slug(name)}"))
            else:
                email = f"{rng.choice(CUSTOMER_MAILBOXES)}@{slug(name)}.example"
            if profile == "no_email" and brand == Brand.CORNERSTONE:
                brand = Brand.COMPEO
            elif profile == "cornerstone":
                brand = Brand.CORNERSTONE
            customer = PlannedCustomer(
                id=index + 1, code=f"{CODE_PREFIX[Brand(brand)]}-{numbers[index]}", name=name,
                brand=brand, status=CustomerStatus.INACTIVE if inactive else CustomerStatus.ACTIVE,
                email=email, address=address, city=city, state=state, zip=zip_code,
            )
            self._plan_policies(customer, profile)
            customer.regulars = [self._holder() for _ in range(rng.randint(1, 3))]
            self.customers.append(customer)
            if profile:
                weights.append(2.0)
            else:  # a few big customers, many small ones
                weights.append(min(12.0, rng.paretovariate(1.5)) * (0.3 if inactive else 1.0))
        self._pools(weights)

    def _plan_policies(self, customer: PlannedCustomer, profile: str) -> None:
        rng = self.rng
        carrier, naic, prefix = rng.choice(CARRIERS)
        limits = rng.choice(LIMITS)
        roll = rng.random()
        if profile in ("lapsed", "lapsing"):
            roll = 0.0 if profile == "lapsed" else 0.05
        elif profile:
            roll = 1.0
        if roll < 0.04:  # lapsed long ago: no policy in force for any request
            effective = self.today - timedelta(days=rng.randint(420, 700))
        elif roll < 0.06:  # lapses within the history: recent requests are not covered
            effective = self.today - timedelta(days=365 + rng.randint(2, 18))
        else:
            effective = self.today - timedelta(days=rng.randint(25, 340))
        terms = [effective]
        if roll >= 0.06 and rng.random() < 0.35:  # renewed: last year's policy as well
            terms.insert(0, effective - timedelta(days=365))
        for start in terms:
            policy = PlannedPolicy(
                id=len(self.policies) + 1, customer_id=customer.id, carrier=carrier, naic=naic,
                number=f"{prefix}-{start.year % 100:02d}{rng.randint(0, 99_999):05d}",
                effective=start, expires=start + timedelta(days=365),
                each_accident=limits[0], disease_each_employee=limits[1],
                disease_policy_limit=limits[2],
            )
            customer.policies.append(policy)
            self.policies.append(policy)
        bands = set()
        for p in customer.policies:
            bands.add((self.today - p.effective).days)  # covered from this day on
            bands.add((self.today - p.expires).days - 1)  # and up to the day before this
        customer.bands = tuple(sorted(b for b in bands if 0 <= b <= HISTORY.days + 1))

    def plan_renewals(self, rng: random.Random) -> None:
        """The next term of the policies renewed ahead (see ``RENEWED_AHEAD``).

        Planned after everything else, with a random source of its own: a term that
        begins after today covers no request, so the rest of the demo is as it was.
        """
        for customer in self.customers:
            if customer.status != CustomerStatus.ACTIVE or not customer.policies:
                continue
            current = max(customer.policies, key=lambda p: (p.expires, p.id))
            if not (self.today < current.expires <= self.today + RENEWED_AHEAD) \
                    or rng.random() >= RENEWED_SHARE:
                continue
            start = current.expires  # the term it continues ends that day
            prefix = current.number.rpartition("-")[0]
            taken = {p.number for p in customer.policies}
            number = ""
            while not number or number in taken:
                number = f"{prefix}-{start.year % 100:02d}{rng.randint(0, 99_999):05d}"
            policy = PlannedPolicy(
                id=len(self.policies) + 1, customer_id=customer.id, carrier=current.carrier,
                naic=current.naic, number=number, effective=start,
                expires=start + timedelta(days=365), each_accident=current.each_accident,
                disease_each_employee=current.disease_each_employee,
                disease_policy_limit=current.disease_policy_limit,
            )
            customer.policies.append(policy)
            self.policies.append(policy)

    def _covered(self, customer: PlannedCustomer) -> bool:
        """In force over the whole history: requests of any age are covered."""
        start = (self.now - HISTORY - timedelta(days=1)).date()
        return any(p.effective <= start and p.expires >= self.today for p in customer.policies)

    def _pools(self, weights: list[float]) -> None:
        def pool(test: Callable[[PlannedCustomer], bool]) -> Weighted[PlannedCustomer]:
            chosen = [(c, w) for c, w in zip(self.customers, weights, strict=True) if test(c)]
            return Weighted([c for c, _ in chosen], [w for _, w in chosen])

        active = CustomerStatus.ACTIVE
        self.everyone = pool(lambda c: True)
        self.active = pool(lambda c: c.status == active)
        # Completed requests: active, insured throughout.
        self.workable = pool(lambda c: c.status == active and self._covered(c))
        # Processed automatically: Compeo or PeoPayGo with a valid email on file as well.
        self.automatic = pool(lambda c: c.status == active and self._covered(c)
                              and c.brand != Brand.CORNERSTONE and is_valid_email(c.email))
        self.uninsured = pool(lambda c: not self._covered(c))
        self.inactive = pool(lambda c: c.status != active)

    # -- holders -------------------------------------------------------------

    def _holder(self) -> intake.Holder:
        rng = self.rng
        address, city, state, zip_code = self._address()
        if rng.random() < 0.2:
            name = rng.choice(HOLDER_INSTITUTIONS).format(city=city,
                                                          name=rng.choice(HOLDER_NAMES))
        else:
            name = (f"{rng.choice(HOLDER_NAMES)} {rng.choice(HOLDER_KINDS)} "
                    f"{rng.choice(HOLDER_SUFFIX)}")
        email = f"{rng.choice(HOLDER_MAILBOXES)}@{slug(name)}.example"
        return intake.Holder(name, address, city, state, zip_code, email)

    def _flawed(self, holder: intake.Holder, flaw: str) -> tuple[intake.Holder, bool]:
        """The holder as a customer got it wrong; and whether send-to-holder was ticked."""
        rng = self.rng
        h = holder
        if flaw == "name_missing":
            return intake.Holder("", h.address, h.city, h.state, h.zip, h.email), False
        if flaw == "name_incomplete":
            return intake.Holder(h.name[:2].upper(), h.address, h.city, h.state, h.zip,
                                 h.email), False
        if flaw == "address_missing":
            return intake.Holder(h.name, "", "", "", "", h.email), False
        if flaw == "address_incomplete":
            variant = rng.randrange(4)
            if variant == 0:
                return intake.Holder(h.name, h.address, h.city, h.state, "", h.email), False
            if variant == 1:
                return intake.Holder(h.name, h.address, h.city, h.state.lower(), h.zip,
                                     h.email), False
            if variant == 2:
                return intake.Holder(h.name, h.address, h.city, h.state, h.zip[:4],
                                     h.email), False
            return intake.Holder(h.name, h.address, "", h.state, h.zip, h.email), False
        if flaw == "invalid_email":
            local, _, domain = h.email.partition("@")
            bad = rng.choice((f"{local} at {domain}", f"{local}@{domain.split('.')[0]}",
                              f"{local}@@{domain}"))
            return intake.Holder(h.name, h.address, h.city, h.state, h.zip, bad), True
        if flaw == "no_email":
            return intake.Holder(h.name, h.address, h.city, h.state, h.zip, ""), True
        raise AssertionError(flaw)

    def _instructions(self, kind: str, customer: PlannedCustomer, holder: intake.Holder) -> str:
        rng = self.rng
        values = {"project": rng.choice(PROJECTS), "job": rng.randint(1000, 99999),
                  "slug": slug(customer.name), "holder": holder.name or "the holder"}
        template = (rng.choice(INSTRUCTIONS_BENIGN) if kind == "benign"
                    else INSTRUCTIONS_REJECT[kind])
        return template.format(**values)
