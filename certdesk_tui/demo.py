"""The demo database: a fictional team, customers and a realistic request history.

``build_demo`` wipes the database it is given (only one it built itself, or an
empty one) and fills it with:

* a team around the manager (the person who runs it): three certificate
  specialists, a data processor and two payroll advisors;
* customers of the three brands, some inactive, each with a workers' comp
  policy (some renewed, some lapsed), a few with Unicode names and two whose
  names look like markup (``[bold]Bracket[/] & Sons``, ``<b>Angle</b> ...``);
* requests of every status, type and channel. Their manual reasons are the
  intake's own: ``intake.discrepancies`` and ``intake.manual_reasons`` run on
  every submission, and possible duplicates are found as the intake finds them.
  So, as with the real intake, every New or In Progress request is on the
  manual list (a request with no reason is completed at once); completed ones
  are a mix of automatic and manual. Each request has the activity log, notes,
  certificate and emails the service would have written for its history.

Everything is decided by the seed; only the reference time ("now", the current
hour: ages run from minutes to about three weeks), the dates derived from it and
the Message-IDs differ between two builds with the same seed.

Speed (100,000 requests in about 20 s on two cores): SQLAlchemy Core bulk
inserts in one transaction, a chunk of requests at a time, into tables whose
secondary indexes are rebuilt once at the end (SQLite). Rendering a certificate
with ``certificate_pdf`` takes a tenth of a second or more, far too slow for the
tens of thousands of completed requests of a big demo: the newest
``RENDERED_CERTIFICATES`` generated certificates (and any whose names the
compact writer cannot encode) come from that real generator, in a worker
process while the rows are written; every other completed request gets a
compact one-page PDF written directly here (``compact_certificate``) with the
same data (number, date, producer, insured, insurer and NAIC, policy, dates,
limits, waiver, description, holder), saying that it is a compact demo copy.
"""

from __future__ import annotations

import codecs
import functools
import gc
import hashlib
import json
import multiprocessing
import os
import random
import re
import threading
import time
import unicodedata
import zlib
from bisect import bisect
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.utils import make_msgid
from itertools import accumulate
from operator import itemgetter
from pathlib import Path

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    func,
    insert,
    inspect,
    make_url,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError

from certdesk_tui import automation, intake
from certdesk_tui.automation import CertificateForm
from certdesk_tui.clock import utcnow
from certdesk_tui.domain import (
    CERTIFICATES_DEPARTMENT,
    Brand,
    CertificateSource,
    Channel,
    CustomerStatus,
    EmailState,
    PaymentStatus,
    RequestType,
    Role,
    Status,
)
from certdesk_tui.domain.addresses import is_valid as is_valid_email
from certdesk_tui.domain.errors import ConfigurationError
from certdesk_tui.identity import initialise
from certdesk_tui.notifications import completed_emails, rejected_email
from certdesk_tui.pdf.certificate import render_certificate
from certdesk_tui.pdf.naming import certificate_file_name
from certdesk_tui.storage.engine import Database
from certdesk_tui.storage.models import (
    Activity,
    Base,
    Certificate,
    CertificateRequest,
    ChangeMarker,
    Customer,
    DuplicateLink,
    Note,
    OutboxEmail,
    Policy,
    RejectionReason,
    User,
)

DEMO_MARKER = "demo_built"
"""The activity that marks a database as a demo: only such a database is ever wiped."""

RENDERED_CERTIFICATES = 16
"""How many of the most recent generated certificates the real PDF generator renders."""

CHUNK = 5_000
LAST_TIMINGS: dict[str, tuple[float, float]] = {}
"""(wall, CPU) seconds of each phase of the last ``build_demo`` (``benchmarks/build_demo.py``)."""
SYSTEM = "system"
MAIL_ACTOR = "mail"
MAIL_DOMAIN = "certdesk.invalid"
MAIL_SERVER = "mail.certdesk.invalid:587"
DUPLICATE_WINDOW = timedelta(days=30)
HISTORY = timedelta(days=21)

STATUS_WEIGHTS = ((Status.NEW, 55), (Status.IN_PROGRESS, 20), (Status.COMPLETED, 15),
                  (Status.REJECTED, 10))
AUTO_SHARE = 0.45  # of the completed requests: processed automatically at intake

# -- the team -----------------------------------------------------------------

TEAM = (
    ("maria.santos", "Maria Santos", Role.CERTIFICATE_SPECIALIST),
    ("james.okafor", "James Okafor", Role.CERTIFICATE_SPECIALIST),
    ("hannah.kowalczyk", "Hannah Kowalczyk", Role.CERTIFICATE_SPECIALIST),
    ("priya.raman", "Priya Raman", Role.DATA_PROCESSOR),
    ("tom.becker", "Tom Becker", Role.PAYROLL_ADVISOR),
    ("lucia.ferreira", "Lúcia Ferreira", Role.PAYROLL_ADVISOR),
)
TEAM_DOMAIN = "certdesk.example"

# -- word lists -----------------------------------------------------------------

COMPANY_FIRST = (
    "Harbor", "Summit", "Blue Ridge", "Cypress", "Granite", "Lakeside", "Pioneer", "Redwood",
    "Silver Creek", "Oak Hollow", "Prairie", "Coastal", "Evergreen", "Ironwood", "Keystone",
    "Liberty", "Magnolia", "Northstar", "Palmetto", "Riverbend", "Sandstone", "Timberline",
    "Willow", "Bayside", "Canyon", "Eagle", "Falcon", "Heritage", "Juniper", "Lighthouse",
    "Maple Leaf", "Osprey", "Pinecrest", "Quarry", "Sawgrass", "Tidewater", "Union Street",
    "Vista", "Westfield", "Yellowstone", "Alvarez", "Brennan", "Chen", "Dubois", "Erikson",
    "Fitzgerald", "Garcia", "Hoffman", "Ivanova", "Jensen", "Kowalski", "Lindqvist", "Moreno",
    "Nakamura", "O'Brien", "Patel", "Quinn", "Rossi", "Schmidt", "Takahashi", "Underwood",
    "Vasquez", "Whitaker", "Yilmaz", "Zimmerman", "Acorn", "Beacon", "Copperline", "Driftwood",
    "Foxglove", "Gulf Coast", "High Plains", "Ironbridge", "Lone Pine", "Mesa", "Old Mill",
)
COMPANY_TRADE = (
    "Roofing", "Plumbing", "Electric", "Landscaping", "Dental Group", "Staffing", "Auto Repair",
    "Painting", "HVAC Services", "Concrete", "Masonry", "Janitorial", "Logistics", "Trucking",
    "Bakery", "Catering", "Home Health", "Pet Grooming", "Security Services", "Tree Care",
    "Pool Service", "Flooring", "Drywall", "Carpentry", "Cabinetry", "Excavation", "Paving",
    "Fencing", "Glass & Glazing", "Welding", "Machine Shop", "Print Shop", "Florist",
    "Veterinary Clinic", "Physical Therapy", "Childcare Center", "Moving & Storage", "Courier",
    "Signs & Graphics", "Solar", "Insulation", "Pest Control", "Irrigation", "Demolition",
    "Tile & Stone", "Restoration", "Property Services", "Event Rentals", "Brewing",
    "Medical Billing",
)
COMPANY_SUFFIX = ("LLC", "LLC", "LLC", "Inc", "Inc", "Co.", "Corp", "Group LLC", "& Sons",
                  "Partners LLC")

# Shown literally everywhere; the compact PDF writer encodes all but "Yılmaz" (the
# dotless i), whose certificates therefore always come from the real generator.
SPECIAL_CUSTOMERS = (
    ("Zoë Łukasiewicz – Ñandú GmbH", Brand.COMPEO),
    ("[bold]Bracket[/] & Sons", Brand.PEOPAYGO),
    ("Café Müller Bäckerei & Konditorei", Brand.PEOPAYGO),
    ("Søren Ødegård Tømrer ApS", Brand.CORNERSTONE),
    ("José Peña Landscaping LLC", Brand.COMPEO),
    ("Dvořák & Šťastný Stavby s.r.o.", Brand.COMPEO),
    ("Yılmaz Döner & Grill LLC", Brand.PEOPAYGO),
    ("<b>Angle</b> Brackets & Co", Brand.CORNERSTONE),
)

# The customers right after the special names: what a small demo must show too.
FIRST_PROFILES = ("no_email", "inactive", "lapsed", "lapsing", "cornerstone")

CODE_PREFIX = {Brand.COMPEO: "CMP", Brand.PEOPAYGO: "PPG", Brand.CORNERSTONE: "CS"}
BRAND_WEIGHTS = ((Brand.COMPEO, 45), (Brand.PEOPAYGO, 35), (Brand.CORNERSTONE, 20))

CITIES = (
    ("Tampa", "FL", "336"), ("Miami", "FL", "331"), ("Orlando", "FL", "328"),
    ("Jacksonville", "FL", "322"), ("Atlanta", "GA", "303"), ("Charlotte", "NC", "282"),
    ("Nashville", "TN", "372"), ("Dallas", "TX", "752"), ("Houston", "TX", "770"),
    ("Austin", "TX", "787"), ("Phoenix", "AZ", "850"), ("Denver", "CO", "802"),
    ("Chicago", "IL", "606"), ("Columbus", "OH", "432"), ("Indianapolis", "IN", "462"),
    ("Boston", "MA", "021"), ("Providence", "RI", "029"), ("Hartford", "CT", "061"),
    ("Newark", "NJ", "071"), ("Philadelphia", "PA", "191"), ("Pittsburgh", "PA", "152"),
    ("Baltimore", "MD", "212"), ("Richmond", "VA", "232"), ("Raleigh", "NC", "276"),
    ("Birmingham", "AL", "352"), ("New Orleans", "LA", "701"), ("Kansas City", "MO", "641"),
    ("Omaha", "NE", "681"), ("Minneapolis", "MN", "554"), ("Milwaukee", "WI", "532"),
    ("Detroit", "MI", "482"), ("Louisville", "KY", "402"), ("Salt Lake City", "UT", "841"),
    ("Las Vegas", "NV", "891"), ("San Diego", "CA", "921"), ("Sacramento", "CA", "958"),
    ("Portland", "OR", "972"), ("Boise", "ID", "837"), ("Albuquerque", "NM", "871"),
    ("Oklahoma City", "OK", "731"),
)
STREETS = (
    "Main", "Oak", "Maple", "Cedar", "Pine", "Elm", "Washington", "Lake", "Hill", "Park",
    "Harbor", "Bay", "Commerce", "Industrial", "Market", "Church", "Mill", "River", "Spring",
    "Union", "Franklin", "Jefferson", "Lincoln", "Madison", "Sunset", "Highland", "Airport",
    "Railroad", "Center", "Meadow",
)
STREET_KINDS = ("St", "Ave", "Blvd", "Rd", "Dr", "Way", "Ln", "Pkwy", "Ct")

HOLDER_NAMES = (
    "Brennan", "Turnstone", "Whitfield", "Castellano", "Hargrove", "Delacroix", "Okonkwo",
    "Lindgren", "Marchetti", "Pemberton", "Sterling", "Rutherford", "Vanderberg", "Ashby",
    "Calloway", "Donnelly", "Everhart", "Gallagher", "Holloway", "Kincaid", "Montague",
    "Prescott", "Radcliffe", "Stanhope", "Thornton", "Wexford", "Abernathy", "Blackwood",
    "Crestview", "Fairmont", "Glenwood", "Kingsbridge", "Northgate", "Parkside", "Southpoint",
)
HOLDER_KINDS = (
    "Construction", "Builders", "General Contractors", "Development Group",
    "Property Management", "Realty Partners", "Facilities Services",
    "Construction Management", "Properties", "Commercial Interiors", "Hospitality Group",
    "Retail Centers",
)
HOLDER_SUFFIX = ("Inc", "LLC", "Co", "Corp", "LP")
HOLDER_INSTITUTIONS = (
    "City of {city}", "{city} Unified School District", "{city} Housing Authority",
    "{name} Memorial Hospital", "{city} Convention Center Authority", "County of {name}",
    "{name} University", "{city} Transit Authority",
)
HOLDER_MAILBOXES = ("certs", "coi", "compliance", "insurance", "riskmanagement", "vendors")
CUSTOMER_MAILBOXES = ("office", "admin", "owner", "payroll", "hr", "info", "certificates")

CARRIERS = (
    ("Summit Mutual Casualty Company", "14236", "SMC"),
    ("Granite Shield Insurance Co", "23871", "GSI"),
    ("Lakeshore Workers Indemnity", "31508", "LWI"),
    ("Pinnacle Employers Assurance", "40963", "PEA"),
    ("Blue Heron Casualty Company", "27714", "BHC"),
    ("Meridian Fidelity Insurance Co", "12589", "MFI"),
    ("Keystone Trade Mutual", "35642", "KTM"),
    ("Northwind Casualty & Surety", "19473", "NCS"),
)
LIMITS = (
    (500_000, 500_000, 500_000), (1_000_000, 1_000_000, 1_000_000),
    (500_000, 500_000, 1_000_000), (1_000_000, 1_000_000, 2_000_000),
    (100_000, 100_000, 500_000),
)

PROJECTS = ("Harbor Tower", "Riverside Commons", "Westgate Medical Plaza", "Lakeview Lofts",
            "Northside Elementary renovation", "Airport Terminal C", "Maple Ridge Apartments",
            "Union Station retrofit", "Cedar Point Distribution Center", "Sunset Mall phase 2")

# Customer instructions, by what a specialist does with them.
INSTRUCTIONS_BENIGN = (
    "Please list the project {project} in the description of operations.",
    "Need this today for a bid opening, thank you!",
    "Please add job #{job} to the description.",
    "The contract asks for 30 days notice of cancellation to the holder.",
    "Please email the certificate to our project manager as well: pm@{slug}.example",
    "Holder must read exactly: {holder}, its officers, agents and employees.",
    "Bitte schnell – der Auftraggeber wartet (Baustelle {project}).",
    "[red]URGENT[/red] – site access is blocked until the GC has this.",
)
INSTRUCTIONS_REJECT = {
    "needs_wos": "Our contract requires a waiver of subrogation in favour of the holder.",
    "license": "Please show our contractor license number LIC-{job} on the certificate.",
    "verbiage": "Certificate must state that coverage is primary and non-contributory.",
    "additional_insured": "Please name {holder} as additional insured.",
    "test": "PMS test – please ignore (IT)",
}

# Internal notes: general ones, and ones that fit what the request is about.
NOTES_GENERAL = (
    "Left a voicemail; will try again after lunch.",
    "Description wording checked against the contract excerpt the customer sent.",
    "Customer asked for the certificate to go to the GC directly.",
    "Checked the carrier portal: the policy is in force.",
)
NOTES_ABOUT = {
    "holder": ("Called the customer – waiting for the holder's full name and address.",
               "Holder details confirmed by phone with the customer's office manager."),
    "email": ("Asked the customer for the holder's correct email address.",),
    "duplicate": ("Possible duplicate – asked the customer whether they need a second copy.",),
    "wos": ("Billing shows the WOS fee as paid.",
            "Emailed the broker for the endorsement; carrier turnaround is 2-3 business days."),
    "cornerstone": ("Waiting on the carrier's certificate for this Cornerstone client.",
                    "Requested the certificate from the carrier's service desk."),
    "policy": ("No policy in force on the request date – checked with the payroll advisor.",),
    "inactive": ("Customer shows as inactive; asked the payroll advisor before rejecting.",),
    "instructions": ("Instructions reviewed; wording needs carrier approval.",
                     "Project details from the instructions added to the description."),
}

# What a request the intake would have completed at once gets instead (a weighted list).
FALLBACK_PENDING = (("benign",) * 9 + ("address_incomplete",) * 4 + ("invalid_email",) * 2
                    + ("name_incomplete", "address_missing", "name_missing", "no_email"))
FALLBACK_COMPLETED = ("benign",) * 3 + ("address_incomplete", "invalid_email")

# Rejection reasons a manager added to the seven defaults (the last one later retired).
EXTRA_REASONS = (
    "No workers' compensation policy in force on the request date",
    "Customer account inactive – please contact your payroll advisor",
    "Holder requires additional insured status – not available on workers' compensation",
)
R_DUPLICATE, R_NEEDS_WOS, R_LICENSE, R_VERBIAGE, R_TEST, R_ADDRESS, R_HOLDER_NAME = range(7)
R_NO_POLICY, R_INACTIVE, R_ADDITIONAL_INSURED = 7, 8, 9

# What a rejected request was wrong about, with how often.
REJECT_SCENARIOS = (
    ("duplicate", 22), ("holder_name", 14), ("address", 16), ("needs_wos", 12),
    ("license", 6), ("verbiage", 8), ("test", 4), ("no_policy", 6), ("inactive", 6),
    ("additional_insured", 6),
)

_NAME_RE = re.compile(r"[^a-z0-9]+")


class _Random(random.Random):
    """``random.Random`` with float-based ``choice`` and ``randint``: a few times faster,
    and as deterministic for a seed."""

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))


@functools.cache
def _slug(value: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", value.replace("ł", "l").replace("Ł", "L"))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii").lower()
    return _NAME_RE.sub("-", ascii_text).strip("-")[:40].strip("-") or "customer"


# -- the plan ---------------------------------------------------------------------


@dataclass(slots=True)
class _Policy:
    id: int
    customer_id: int
    carrier: str
    naic: str
    number: str
    effective: date
    expires: date
    each_accident: int
    disease_each_employee: int
    disease_policy_limit: int


@dataclass(slots=True)
class _Customer:
    id: int
    code: str
    name: str
    brand: str
    status: str
    email: str
    address: str
    city: str
    state: str
    zip: str
    policies: list[_Policy] = field(default_factory=list)
    regulars: list[intake.Holder] = field(default_factory=list)
    # Request ages (in whole days n: the day from n to n + 1 days old) whose calendar
    # date falls on either side of a policy boundary depending on the hour of "now".
    bands: tuple[int, ...] = ()

    def clear_of_bands(self, age: timedelta) -> timedelta:
        """The age moved (by whole days) out of the bands, so that whether a request
        was covered never depends on the hour the demo is built at."""
        while age.days in self.bands and age != timedelta(days=age.days):
            age += timedelta(days=1)
        return age

    def policy_on(self, day: date) -> _Policy | None:
        """The policy the intake would attach: in force that day, latest expiry first."""
        best = None
        for p in self.policies:
            if p.effective <= day <= p.expires and (best is None or p.expires > best.expires):
                best = p
        return best


@dataclass(slots=True)
class _Request:
    """One request as planned: what was submitted, and what happened to it."""

    order: int
    status: str
    auto: bool
    customer: _Customer
    type: str
    submitted_type: str
    channel: str
    submitted: intake.Holder  # as the customer sent it
    holder: intake.Holder  # as the certificate names it (corrected by a specialist)
    send_to_holder: bool
    instructions: str
    instruction_kind: str
    payment: str | None  # at submission
    approved_later: bool
    submitted_at: datetime
    scenario: str = ""
    uploaded: bool = False
    relabel: bool = False
    id: int = 0
    key: str = ""  # the submitted holder's intake.Holder.key
    policy: _Policy | None = None
    reasons: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)


class _Weighted:
    """Fast repeated weighted choice (cumulative weights, bisect)."""

    def __init__(self, items: list, weights: Iterable[float]) -> None:
        self.items = items
        self.cum = list(accumulate(weights))

    def __bool__(self) -> bool:
        return bool(self.items)

    def pick(self, rng: random.Random):
        return self.items[bisect(self.cum, rng.random() * self.cum[-1])]


class _Planner:
    def __init__(self, rng: random.Random, now: datetime, requests: int, login: str) -> None:
        self.rng = rng
        self.now = now
        self.count = requests
        self.login = login
        self.today = now.date()
        self.customers: list[_Customer] = []
        self.policies: list[_Policy] = []
        self.requests: list[_Request] = []
        self.by_customer: dict[int, list[_Request]] = {}
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
        self.processors = _Weighted([w[0] for w in workers], [w[1] for w in workers])
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
        brands = _Weighted([b for b, _ in BRAND_WEIGHTS], [w for _, w in BRAND_WEIGHTS])
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
                email = rng.choice(("", f"office at {_slug(name)}.example",
                                    f"office@{_slug(name)}"))
            else:
                email = f"{rng.choice(CUSTOMER_MAILBOXES)}@{_slug(name)}.example"
            if profile == "no_email" and brand == Brand.CORNERSTONE:
                brand = Brand.COMPEO
            elif profile == "cornerstone":
                brand = Brand.CORNERSTONE
            customer = _Customer(
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

    def _plan_policies(self, customer: _Customer, profile: str) -> None:
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
            policy = _Policy(
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

    def _covered(self, customer: _Customer) -> bool:
        """In force over the whole history: requests of any age are covered."""
        start = (self.now - HISTORY - timedelta(days=1)).date()
        return any(p.effective <= start and p.expires >= self.today for p in customer.policies)

    def _pools(self, weights: list[float]) -> None:
        def pool(test) -> _Weighted:
            chosen = [(c, w) for c, w in zip(self.customers, weights, strict=True) if test(c)]
            return _Weighted([c for c, _ in chosen], [w for _, w in chosen])

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
        email = f"{rng.choice(HOLDER_MAILBOXES)}@{_slug(name)}.example"
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

    def _instructions(self, kind: str, customer: _Customer, holder: intake.Holder) -> str:
        rng = self.rng
        values = {"project": rng.choice(PROJECTS), "job": rng.randint(1000, 99999),
                  "slug": _slug(customer.name), "holder": holder.name or "the holder"}
        template = (rng.choice(INSTRUCTIONS_BENIGN) if kind == "benign"
                    else INSTRUCTIONS_REJECT[kind])
        return template.format(**values)

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
        statuses = _Weighted([s for s, _ in STATUS_WEIGHTS], [w for _, w in STATUS_WEIGHTS])
        reject_scenarios = _Weighted([s for s, _ in REJECT_SCENARIOS],
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

    def _customer_for(self, status: str, auto: bool, scenario: str) -> tuple[_Customer, str]:
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

    def _one(self, order: int, status: str, auto: bool, scenario: str) -> _Request:
        rng = self.rng
        customer, scenario = self._customer_for(status, auto, scenario)
        auto = auto and customer.brand != Brand.CORNERSTONE and self._covered(customer)
        active = customer.status == CustomerStatus.ACTIVE
        channel = Channel.MOBILE if active and rng.random() < 0.35 else Channel.PORTAL
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
        req = _Request(
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

    def _give_reason(self, req: _Request) -> None:
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

    def _needs_person(self, req: _Request) -> bool:
        """Whether the intake puts this request on the manual list (duplicates aside)."""
        c = req.customer
        return bool(
            req.instructions or req.type == RequestType.WOS or c.brand == Brand.CORNERSTONE
            or c.status != CustomerStatus.ACTIVE or not is_valid_email(c.email)
            or req.submitted != req.holder or c.policy_on(req.submitted_at.date()) is None
        )

    def _earlier_of(self, customer: _Customer, before: datetime) -> _Request | None:
        """One of this customer's earlier requests (naming a holder), to send again."""
        earlier = [r for r in self.by_customer.get(customer.id, [])[-12:]
                   if r.submitted.name and r.submitted_at < before - timedelta(hours=1)]
        return self.rng.choice(earlier) if earlier else None

    def _number_and_check(self) -> None:
        """Ids in arrival order; then the intake's own rules decide each request's reasons."""
        self.requests.sort(key=lambda r: (r.submitted_at, r.order))
        seen: dict[tuple[int, str], list[_Request]] = {}
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


# -- writing the rows -----------------------------------------------------------------


# An activity as planned: (at, actor, action, detail); tuples, as there are millions.
_Event = tuple[datetime, str, str, str]
ACTIVITY_COLUMNS = ("request_id", "at", "actor", "action", "detail")


def _first(item: tuple):
    return item[0]


class _Writer:
    """Turns the plan into rows: requests, activities, notes, certificates, emails."""

    def __init__(self, plan: _Planner, reasons: list[tuple[int, str]], retired_at: datetime,
                 render_ids: set[int], executor: Executor | None) -> None:
        self.plan = plan
        self.rng = plan.rng
        self.now = plan.now
        self.reasons = reasons
        self.retired_at = retired_at
        self.request_rows: list[dict] = []
        self.activity_rows: list[tuple] = []  # ACTIVITY_COLUMNS
        self.note_rows: list[dict] = []
        self.links: list[dict] = []
        self.certificates: list[dict] = []
        self.renders: list[tuple[int, CertificateForm, str, date]] = []
        self.emails: list[dict] = []
        self.user_ids: dict[str, int] = {}
        self.external_ids: set[int] = set()
        self.render_ids = render_ids
        self.executor = executor
        self.pending = 0  # requests in the queue, New or In Progress
        self.flushed_through = 0  # the last request id written to the database

    def flush(self, load: _Loader) -> None:
        """Write the rows of the requests done so far, and forget them."""
        load(CertificateRequest.__table__, self.request_rows)
        load(DuplicateLink.__table__, self.links)
        load(Note.__table__, self.note_rows)
        load.tuples(Activity.__table__, ACTIVITY_COLUMNS, self.activity_rows)
        self.pending += sum(1 for r in self.request_rows if r["in_queue"]
                            and r["status"] in (Status.NEW, Status.IN_PROGRESS))
        if self.request_rows:
            self.flushed_through = self.request_rows[-1]["id"]
        for rows in (self.request_rows, self.links, self.note_rows, self.activity_rows):
            rows.clear()

    def certificate_rows(self) -> list[dict]:
        """The certificates, once the rendered ones are done."""
        rows = []
        for cert in self.certificates:
            pdf = cert.pop("_pdf")
            if isinstance(pdf, Future):
                pdf = pdf.result()
            elif isinstance(pdf, tuple):
                pdf = _render(pdf)
            rows.append({**cert, "pdf": pdf, "sha256": hashlib.sha256(pdf).hexdigest()})
        return rows

    def _at(self, start: datetime, end: datetime, low: float = 0.0, high: float = 1.0) -> datetime:
        span = max(0.0, (end - start).total_seconds())
        return start + timedelta(seconds=int(span * self.rng.uniform(low, high)))

    def request(self, req: _Request) -> None:
        rng = self.rng
        plan = self.plan
        c = req.customer
        events: list[_Event] = []
        received = req.submitted_at + timedelta(seconds=rng.randint(5, 90))
        hidden = req.payment in (PaymentStatus.PENDING, PaymentStatus.DECLINED)
        manual = bool(req.reasons)
        events.append((received, SYSTEM, "submitted",
                       f"{req.submitted_type} submitted through the {req.channel} "
                       f"(imported by {plan.importer})"))
        if hidden:
            events.append((received, SYSTEM, "awaiting_payment",
                           f"WOS payment {req.payment}: hidden from the queue until "
                           "approved"))
        if manual:
            events.append((received, SYSTEM, "manual",
                           f"assigned to {CERTIFICATES_DEPARTMENT}: "
                           + "; ".join(req.reasons)))
        last = (received, SYSTEM)
        assignee: str | None = None
        claimed_at = closed_at = None
        payment = req.payment
        in_queue = not hidden
        rtype = req.type
        rejection: tuple[int, str] | None = None
        holder = req.submitted
        status = req.status

        if status in (Status.COMPLETED, Status.REJECTED):
            if req.auto:
                closed_at = received + timedelta(seconds=rng.randint(2, 40))
            else:
                closed_at = self._at(received, min(self.now - timedelta(minutes=3),
                                                   received + timedelta(days=3)), 0.05, 1.0)
        end = closed_at or self.now - timedelta(minutes=1)
        if req.approved_later:
            at = self._at(received, end, 0.02, 0.4)
            payment, in_queue = PaymentStatus.APPROVED, True
            events.append((at, SYSTEM, "payment_updated",
                           "payment pending → approved; now in the queue"))
            last = (at, SYSTEM)
            received_for_work = at
        else:
            received_for_work = received
        if hidden and status == Status.NEW and req.approved_later is False:
            pass  # still waiting for its payment: nobody can touch it
        elif not req.auto:
            worker = plan.processors.pick(rng)
            if status == Status.IN_PROGRESS or (status != Status.NEW and rng.random() < 0.7):
                claimed_at = self._at(received_for_work, end, 0.1, 0.85)
                assignee = worker
                events.append((claimed_at, worker, "start",
                               f"marked in progress by {worker}"))
                last = (claimed_at, worker)
            start = claimed_at or received_for_work
            if rng.random() < (0.25 if status == Status.NEW else 0.35):
                author = worker if status != Status.NEW else plan.processors.pick(rng)
                for _ in range(1 if rng.random() < 0.8 else 2):
                    at = self._at(start, end, 0.1, 0.9)
                    self.note_rows.append({"request_id": req.id, "author": author,
                                           "body": self._note(req), "created_at": at})
                    events.append((at, author, "note", "internal note added"))
                    last = max(last, (at, author))
            if req.relabel and status in (Status.IN_PROGRESS, Status.COMPLETED):
                at = self._at(start, end, 0.9, 0.95)
                rtype = RequestType.WOS
                events.append((at, worker, "relabel",
                               f"relabelled {req.submitted_type} → WOS"))
                last = max(last, (at, worker))
            if status in (Status.COMPLETED, Status.REJECTED):
                assignee = worker
                claimed_at = claimed_at or closed_at

        if status == Status.COMPLETED:
            holder = req.holder  # what the specialist put right on the form
            actor = SYSTEM if req.auto else assignee
            assert actor is not None and closed_at is not None
            if req.auto:
                events.append((closed_at, SYSTEM, "auto_processed",
                               "processed automatically"))
            self._complete(req, rtype, holder, closed_at, actor, events)
            last = (closed_at, actor)
        elif status == Status.REJECTED:
            assert assignee is not None and closed_at is not None
            rejection = self._reason_for(req, closed_at)
            events.append((closed_at, assignee, "reject", f"rejected: {rejection[1]}"))
            draft = rejected_email(
                request_id=req.id, request_type=rtype, brand=Brand(c.brand),
                customer_name=c.name,
                customer_email=c.email if is_valid_email(c.email) else "",
                holder_name=holder.name, reason=rejection[1],
            )
            self._emails(req, [draft] if draft else [], None, closed_at, assignee, events)
            last = (closed_at, assignee)

        if req.duplicates:
            for other in req.duplicates:
                self.links.append({"request_id": req.id, "other_id": other})
                self.links.append({"request_id": other, "other_id": req.id})
        events.sort(key=_first)
        rid = req.id
        self.activity_rows.extend([(rid, *e) for e in events])
        submission = {
            "external_id": self._external_id(req),
            "channel": req.channel,
            "customer": c.code,
            "type": req.submitted_type,
            "holder": {"name": req.submitted.name, "address": req.submitted.address,
                       "city": req.submitted.city, "state": req.submitted.state,
                       "zip": req.submitted.zip, "email": req.submitted.email},
            "send_to_holder": req.send_to_holder,
            "instructions": req.instructions,
            "submitted_at": req.submitted_at.isoformat() + "+00:00",
        }
        if req.payment:
            submission["payment_status"] = req.payment
        self.request_rows.append({
            "id": req.id, "external_id": submission["external_id"], "customer_id": c.id,
            "policy_id": req.policy.id if req.policy else None, "type": rtype,
            "submitted_type": req.submitted_type, "channel": req.channel, "status": status,
            "payment_status": payment, "in_queue": in_queue,
            "holder_name": holder.name, "holder_address": holder.address,
            "holder_city": holder.city, "holder_state": holder.state, "holder_zip": holder.zip,
            "holder_email": holder.email, "holder_key": req.key,
            "send_to_holder": req.send_to_holder, "instructions": req.instructions,
            "submission": submission, "manual": manual, "manual_reasons": req.reasons,
            "discrepancy": bool(req.found),
            "department": CERTIFICATES_DEPARTMENT if manual else None,
            "submitted_at": req.submitted_at, "received_at": received,
            "assignee_id": self.user_ids[assignee] if assignee else None,
            "claimed_at": claimed_at, "closed_at": closed_at,
            "rejection_reason_id": rejection[0] if rejection else None,
            "rejection_reason_text": rejection[1] if rejection else None,
            "has_notes": any(e[2] == "note" for e in events),
            "updated_at": last[0], "updated_by": last[1], "version": 1,
        })

    def _note(self, req: _Request) -> str:
        """A note that fits the request (or a general one now and then)."""
        joined = " ".join(req.reasons)
        topics = [topic for topic, words in (
            ("holder", "holder name"), ("holder", "holder address"), ("email", "email"),
            ("duplicate", "duplicate"), ("wos", "waiver"), ("cornerstone", "Cornerstone"),
            ("policy", "no policy"), ("inactive", "inactive customer"),
            ("instructions", "instructions"),
        ) if words in joined]
        if topics and self.rng.random() < 0.8:
            return self.rng.choice(NOTES_ABOUT[self.rng.choice(topics)])
        return self.rng.choice(NOTES_GENERAL)

    def _external_id(self, req: _Request) -> str:
        """What the portal or the app calls the submission: unique, random-looking."""
        prefix = "PTL" if req.channel == Channel.PORTAL else "APP"
        while True:
            value = self.rng.getrandbits(40)
            if value not in self.external_ids:
                self.external_ids.add(value)
                return f"{prefix}-{value:010X}"

    def _reason_for(self, req: _Request, closed_at: datetime) -> tuple[int, str]:
        reasons = self.reasons
        joined = " ".join(req.reasons)
        kind = req.instruction_kind
        if req.duplicates:
            index = R_DUPLICATE
        elif "holder name" in joined:
            index = R_HOLDER_NAME
        elif "holder address" in joined:
            index = R_ADDRESS
        elif "no policy in force" in joined:
            index = R_NO_POLICY
        elif "inactive customer" in joined:
            index = R_INACTIVE
        elif kind == "needs_wos":
            index = R_NEEDS_WOS
        elif kind == "license":
            index = R_LICENSE
        elif kind == "test":
            index = R_TEST
        elif kind == "additional_insured":
            index = R_ADDITIONAL_INSURED if closed_at < self.retired_at else R_VERBIAGE
        else:
            index = R_VERBIAGE
        return reasons[index]

    def _complete(self, req: _Request, rtype: str, holder: intake.Holder, closed_at: datetime,
                  actor: str, events: list[_Event]) -> None:
        c = req.customer
        number = f"CD-{req.id:06d}"
        brand = Brand(c.brand)
        uploaded = req.uploaded
        policy = req.policy or c.policy_on(closed_at.date())
        assert policy is not None, "completed requests are covered"
        form_request = _FormRequest(rtype, req.submitted_at, holder)
        form = automation.prefill(form_request, c, policy)
        file_name = certificate_file_name(number, 0, c.name)
        cert_id = len(self.certificates) + 1
        if uploaded:
            attached = f"{_slug(policy.carrier)}-{policy.number}.pdf"
            how = f"attached file {attached!r}"
            data = {"uploaded_file": attached}
        else:
            how = "generated"
            data = _form_json(form)
        pdf: bytes | tuple | Future | None = None
        if req.id not in self.render_ids:
            try:
                pdf = compact_certificate(form, number=number, revision=0,
                                          issued_on=closed_at.date())
            except _Unencodable:
                pdf = None  # a name Helvetica cannot show: the real generator can
        if pdf is None:
            job = (form, number, closed_at.date())
            pdf = self.executor.submit(_render, job) if self.executor else job
        self.certificates.append({
            "id": cert_id, "request_id": req.id, "number": number, "revision": 0,
            "source": CertificateSource.UPLOADED if uploaded else CertificateSource.GENERATED,
            "file_name": file_name, "data": data, "issued_at": closed_at, "issued_by": actor,
            "_pdf": pdf,
        })
        events.append((closed_at, actor, "certificate_issued",
                       f"certificate {number} rev 0 ({how})"))
        events.append((closed_at, actor, "completed", "status Completed"))
        drafts = completed_emails(
            request_id=req.id, request_type=rtype, brand=brand, customer_name=c.name,
            customer_email=c.email if is_valid_email(c.email) else "",
            holder_name=holder.name, holder_email=holder.email,
            to_holder=req.send_to_holder, certificate_number=number,
        )
        self._emails(req, drafts, (cert_id, file_name), closed_at, actor, events)

    def _emails(self, req: _Request, drafts, cert: tuple[int, str] | None, at: datetime,
                actor: str, events: list[_Event]) -> None:
        if not any(d.recipient_role == "customer" for d in drafts):
            events.append((at, actor, "email_not_sent",
                           "no email to the customer: no valid customer email address "
                           "on file"))
        for d in drafts:
            events.append((at, actor, "email_queued",
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
            events.append((sent, MAIL_ACTOR, "email_sent",
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
                events.append((row["request_id"], at, MAIL_ACTOR, "email_deferred",
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
                           MAIL_ACTOR, "email_failed",
                           f"{self._what(row)} failed refused for good: {error}; "
                           f"`certdesk mail retry {row['id']}` sends it again"))
        self.activity_rows.extend(events)

    @staticmethod
    def _what(row: dict) -> str:
        return f"{row['kind']} email #{row['id']} to {row['recipient_role']} {row['to_addr']}"

    def _unsend(self, row: dict) -> None:
        """Take back the 'sent' of an email (its row and its activity)."""
        sent = (row["request_id"], row["sent_at"], MAIL_ACTOR, "email_sent",
                f"{self._what(row)} sent through {MAIL_SERVER} (attempt 1)")
        row["sent_at"] = None
        rows = self.activity_rows
        for index in range(len(rows) - 1, -1, -1):
            if rows[index] == sent:
                del rows[index]
                return
        raise AssertionError(f"no activity {sent}")


_FORM_FIELDS = tuple(CertificateForm.field_names())


def _form_json(form: CertificateForm) -> dict:
    """``form.to_json()`` without ``asdict``'s deep copies (the fields are all flat)."""
    data = {name: getattr(form, name) for name in _FORM_FIELDS}
    data["effective"] = form.effective.isoformat()
    data["expires"] = form.expires.isoformat()
    return data


@dataclass(frozen=True)
class _FormRequest:
    """What ``automation.prefill`` reads of a request."""

    type: str
    submitted_at: datetime
    holder: intake.Holder

    @property
    def holder_name(self) -> str:
        return self.holder.name

    @property
    def holder_address(self) -> str:
        return self.holder.address

    @property
    def holder_city(self) -> str:
        return self.holder.city

    @property
    def holder_state(self) -> str:
        return self.holder.state

    @property
    def holder_zip(self) -> str:
        return self.holder.zip

    @property
    def holder_email(self) -> str:
        return self.holder.email


# -- the compact certificate PDF --------------------------------------------------------

# Helvetica with WinAnsiEncoding, plus a few Central European letters placed on
# code points WinAnsi leaves unused.
_EXTRA_GLYPHS = {"Ł": (0x81, "Lslash"), "ł": (0x8D, "lslash"), "ř": (0x8F, "rcaron"),
                 "ť": (0x90, "tcaron"), "ś": (0x9D, "sacute")}


class _Unencodable(Exception):
    pass


def _pdf_errors(exc: UnicodeError) -> tuple[bytes, int]:
    assert isinstance(exc, UnicodeEncodeError)
    out = bytearray()
    for ch in exc.object[exc.start:exc.end]:
        extra = _EXTRA_GLYPHS.get(ch)
        if extra is None:
            raise _Unencodable(ch)
        out.append(extra[0])
    return bytes(out), exc.end


codecs.register_error("certdesk_demo_pdf", _pdf_errors)


def _pdf_string(value: str) -> bytes:
    data = value.encode("cp1252", "certdesk_demo_pdf")
    return b"(" + data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _wrap(value: str, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in value.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return lines


_PDF_FONTS = (
    b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding 7 0 R>>",
    b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica-Bold/Encoding 7 0 R>>",
)
_PDF_ENCODING = (
    b"<</Type/Encoding/BaseEncoding/WinAnsiEncoding/Differences["
    + b" ".join(f"{code}/{name}".encode() for code, name in sorted(_EXTRA_GLYPHS.values()))
    + b"]>>"
)


def compact_certificate(form: CertificateForm, *, number: str, revision: int,
                        issued_on: date) -> bytes:
    """A one-page PDF with the certificate's data, written directly (about 0.1 ms).

    Raises ``_Unencodable`` when a name has a letter Helvetica's encoding lacks.
    """
    ops: list[str] = ["0.5 w"]
    y = 750

    def show(x: int, value: str, size: float = 9, bold: bool = False) -> None:
        value = value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"BT /F{2 if bold else 1} {size:g} Tf {x} {y} Td ({value}) Tj ET")

    def rule() -> None:
        ops.append(f"36 {y + 10} m 576 {y + 10} l S")

    show(36, "CERTIFICATE OF LIABILITY INSURANCE", 15, True)
    show(470, f"DATE {issued_on:%m/%d/%Y}", 9, True)
    y -= 16
    show(36, f"CERTIFICATE NUMBER: {number}    REVISION NUMBER: {revision}", 9, True)
    y -= 12
    show(36, "Issued for information only; it does not amend, extend or alter the coverage "
             "of the policies below.", 7)
    y -= 24
    rule()
    blocks = (
        ("PRODUCER", [form.producer_name], form.producer_address),
        ("INSURED", [form.insured_name], form.insured_address),
        ("INSURER A", [f"{form.insurer_name}    NAIC # {form.insurer_naic}"], ""),
    )
    for label, bold_lines, rest in blocks:
        show(36, label, 7, True)
        y -= 11
        for line in bold_lines:
            show(36, line, 10, True)
            y -= 12
        for line in rest.splitlines():
            show(36, line, 9)
            y -= 11
        y -= 8
        rule()
    show(36, "COVERAGES", 8, True)
    y -= 12
    show(36, "WORKERS COMPENSATION AND EMPLOYERS' LIABILITY", 9, True)
    show(330, f"SUBR WVD: {'Y' if form.wos else 'N'}", 9, True)
    y -= 12
    show(36, f"POLICY NUMBER {form.policy_number}    EFFECTIVE {form.effective:%m/%d/%Y}    "
             f"EXPIRES {form.expires:%m/%d/%Y}", 9)
    y -= 12
    for label, amount in (("E.L. EACH ACCIDENT", form.each_accident),
                          ("E.L. DISEASE - EA EMPLOYEE", form.disease_each_employee),
                          ("E.L. DISEASE - POLICY LIMIT", form.disease_policy_limit)):
        show(48, f"{label} ${amount:,}", 9)
        y -= 11
    if form.wos:
        show(36, "WAIVER OF SUBROGATION APPLIES", 9, True)
        y -= 12
    y -= 8
    rule()
    show(36, "DESCRIPTION OF OPERATIONS / LOCATIONS / VEHICLES", 7, True)
    y -= 11
    for line in _wrap(form.description, 105)[:8]:
        show(36, line, 8)
        y -= 10
    y -= 8
    rule()
    show(36, "CERTIFICATE HOLDER", 7, True)
    y -= 12
    show(36, form.holder_name, 10, True)
    y -= 12
    for line in form.holder_block.splitlines()[1:]:
        show(36, line, 9)
        y -= 11
    y -= 8
    rule()
    show(36, "CANCELLATION", 7, True)
    y -= 11
    show(36, "If a policy above is cancelled before its expiration date, notice will be "
             "delivered as the policy provides.", 8)
    y -= 20
    show(36, "AUTHORIZED REPRESENTATIVE", 7, True)
    y -= 12
    show(36, form.producer_name, 10, True)
    y = 40
    show(36, "Compact copy from the certdesk demo data set; certificates issued by certdesk "
             "use the full layout.", 6.5)
    content = zlib.compress("\n".join(ops).encode("cp1252", "certdesk_demo_pdf"), 6)
    info = (b"<</Title " + _pdf_string(f"Certificate of liability insurance {number} revision "
                                       f"{revision}")
            + b"/Producer (certdesk demo)/CreationDate (D:"
            + issued_on.strftime("%Y%m%d000000Z").encode() + b")>>")
    objects = (
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]"
        b"/Resources<</Font<</F1 4 0 R/F2 5 0 R>>>>/Contents 6 0 R>>",
        _PDF_FONTS[0],
        _PDF_FONTS[1],
        b"<</Length %d/Filter/FlateDecode>>stream\n%s\nendstream" % (len(content), content),
        _PDF_ENCODING,
        info,
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number_, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number_, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R/Info 8 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def _render(job: tuple[CertificateForm, str, date]) -> bytes:
    form, number, issued_on = job
    return render_certificate(form, number=number, revision=0, issued_on=issued_on)


def _executor(jobs: int, requests: int) -> Executor | None:
    """Worker processes for the real renderer, when that is worth it and safe (fork, no threads).

    A big build keeps one core for itself; a small one has little else to do.
    """
    cores = os.cpu_count() or 1
    if jobs < 8 or cores < 2 or threading.active_count() > 1:
        return None
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    workers = 1 if requests >= 10_000 else min(2, cores)
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))


# -- wiping and loading --------------------------------------------------------------------


def _wipe(db: Database) -> None:
    """Empty the database, refusing any that holds something other than a demo."""
    try:
        tables = set(inspect(db.engine).get_table_names())
    except DBAPIError as exc:
        hint = "; remove the file to build a new demo there" if db.is_sqlite else ""
        raise ConfigurationError(f"cannot open {db.display_url}: {exc.orig}{hint}") from None
    if not tables:
        return
    ours = set(Base.metadata.tables) | {"alembic_version"}
    foreign = sorted(tables - ours)
    if foreign:
        raise ConfigurationError(
            f"{db.display_url} holds tables certdesk does not know ({', '.join(foreign[:5])}); "
            "the demo only rebuilds a database of its own"
        )
    if {"customers", "certificate_requests", "activities"} <= tables:
        with db.reading() as s:
            customers = s.scalar(select(func.count()).select_from(Customer)) or 0
            requests = s.scalar(select(func.count()).select_from(CertificateRequest)) or 0
            demo = s.scalar(select(Activity.id).where(Activity.request_id.is_(None),
                                                      Activity.action == DEMO_MARKER).limit(1))
        if (customers or requests) and demo is None:
            raise ConfigurationError(
                f"{db.display_url} is not a demo database (it holds {customers:,} customers "
                f"and {requests:,} requests); certdesk demo only rebuilds a database it built"
            )
    if db.is_sqlite:
        path = make_url(db.url).database
        if path and path != ":memory:":
            db.engine.dispose()
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(path + suffix).unlink(missing_ok=True)
            return
    Base.metadata.drop_all(db.engine)
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _chunks(rows: list) -> Iterator[list]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start:start + CHUNK]


def _sqlite_datetime(value: datetime) -> str:
    # SQLAlchemy's own SQLite format, so the ORM reads these rows like any other.
    return value.isoformat(" ", "microseconds")


class _Loader:
    """Bulk inserts of row dicts (all with the same keys) in the session's transaction.

    PostgreSQL gets plain Core ``insert(table)`` executemany. On SQLite the values
    are converted the way SQLAlchemy's column types would (datetimes in its text
    format, JSON text, booleans as 0/1) and handed to the driver's executemany
    directly, which is several times faster than per-row bind processing.
    """

    def __init__(self, conn, sqlite: bool) -> None:
        self.conn = conn
        self.sqlite = sqlite
        self.quote = conn.dialect.identifier_preparer.quote
        self.rows = 0

    @staticmethod
    def _converter(column_type):
        if isinstance(column_type, DateTime):
            return _sqlite_datetime
        if isinstance(column_type, Date):
            return date.isoformat
        if isinstance(column_type, JSON):
            return json.dumps
        if isinstance(column_type, Boolean):
            return int
        return None

    def __call__(self, table, rows: list[dict]) -> None:
        """Insert dicts (all with the same keys)."""
        if rows:
            names = tuple(rows[0])
            get = itemgetter(*names)
            self.tuples(table, names, [get(row) for row in rows])

    def tuples(self, table, names: tuple[str, ...], rows: list[tuple]) -> None:
        """Insert tuples of the ``names`` columns."""
        if not rows:
            return
        self.rows += len(rows)
        if not self.sqlite:
            for chunk in _chunks(rows):
                self.conn.execute(insert(table), [dict(zip(names, r, strict=True))
                                                  for r in chunk])
            return
        converters = [(i, f) for i, f in
                      enumerate(self._converter(table.c[n].type) for n in names) if f]
        sql = (f"INSERT INTO {self.quote(table.name)} "
               f"({', '.join(self.quote(n) for n in names)}) "
               f"VALUES ({', '.join('?' for _ in names)})")
        for chunk in _chunks(rows):
            if converters:
                params = []
                for row in chunk:
                    values = list(row)
                    for i, convert in converters:
                        if values[i] is not None:
                            values[i] = convert(values[i])
                    params.append(tuple(values))
            else:
                params = chunk
            self.conn.exec_driver_sql(sql, params)


def build_demo(db: Database, *, login: str, requests: int, seed: int) -> str:
    """Wipe ``db`` (a demo or empty database) and fill it with a demo; returns a summary."""
    # Millions of small objects that all live to the end: the cyclic collector would
    # walk them again and again for nothing (it made a big build twice as slow).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(db, login=login, requests=requests, seed=seed)
    finally:
        if collecting:
            gc.enable()


def _build(db: Database, *, login: str, requests: int, seed: int) -> str:
    started = time.perf_counter()
    LAST_TIMINGS.clear()
    mark = (started, time.process_time())

    def lap(phase: str) -> None:
        nonlocal mark
        now_ = (time.perf_counter(), time.process_time())
        wall, cpu = LAST_TIMINGS.get(phase, (0.0, 0.0))
        LAST_TIMINGS[phase] = (wall + now_[0] - mark[0], cpu + now_[1] - mark[1])
        mark = now_

    now = utcnow().replace(minute=0, second=0, microsecond=0)
    _wipe(db)
    initialise(db, login)
    lap("wipe and migrate")

    rng = _Random(seed)
    plan = _Planner(rng, now, max(0, requests), login)
    plan.plan_team()
    plan.plan_customers()
    plan.plan_requests()
    lap("plan")

    with db.reading() as s:
        manager_id = s.scalar(select(User.id).where(User.login == login))
        reason_rows = list(s.execute(select(RejectionReason.id, RejectionReason.text)
                                     .order_by(RejectionReason.position, RejectionReason.id)))
        next_reason = (s.scalar(select(func.max(RejectionReason.id))) or 0) + 1
        next_position = (s.scalar(select(func.max(RejectionReason.position))) or 0) + 1
    team_since = now - timedelta(days=30)
    reasons_added = now - timedelta(days=25)
    retired_at = now - timedelta(days=9)
    extra = [(next_reason + i, reason) for i, reason in enumerate(EXTRA_REASONS)]
    reasons = [(r.id, r.text) for r in reason_rows] + extra

    # The newest generated certificates come from the real generator, in a worker
    # process while the rows are written; all others are compact copies.
    render_ids = [r.id for r in reversed(plan.requests)
                  if r.status == Status.COMPLETED and not r.uploaded][:RENDERED_CERTIFICATES]
    executor = _executor(len(render_ids), len(plan.requests))
    writer = _Writer(plan, reasons, retired_at, set(render_ids), executor)
    writer.user_ids[login] = manager_id
    user_rows = []
    for offset, (user_login, name, role) in enumerate(plan.team, start=1):
        writer.user_ids[user_login] = manager_id + offset
        user_rows.append({"id": manager_id + offset, "login": user_login, "name": name,
                          "email": f"{user_login}@{TEAM_DOMAIN}", "role": role, "active": True,
                          "created_at": team_since})
    lap("plan")

    try:
        with db.writing() as s:
            # Core inserts on the session's connection: executemany, no ORM bookkeeping.
            conn = s.connection()
            indexes: list[str] = []
            if db.is_sqlite:
                # Loading into bare tables and indexing once is faster than keeping every
                # index up to date row by row; the indexes come back exactly as they were.
                conn.exec_driver_sql("PRAGMA cache_size = -65536")
                indexes = _drop_indexes(conn)
            load = _Loader(conn, db.is_sqlite)
            load(User.__table__, user_rows)
            load(RejectionReason.__table__, [
                {"id": rid, "text": reason, "position": next_position + i, "active": True,
                 "created_at": reasons_added, "retired_at": None}
                for i, (rid, reason) in enumerate(extra)
            ])
            conn.execute(update(RejectionReason.__table__)
                         .where(RejectionReason.id == extra[-1][0])
                         .values(active=False, retired_at=retired_at))
            admin = [{"request_id": None, "at": team_since, "actor": login,
                      "action": "user_added", "detail": f"user {u['login']} added as "
                      f"{Role(u['role']).label}"} for u in user_rows]
            admin += [{"request_id": None, "at": reasons_added, "actor": login,
                       "action": "reason_added", "detail": f"rejection reason {rid} added: {t}"}
                      for rid, t in extra]
            admin.append({"request_id": None, "at": retired_at, "actor": login,
                          "action": "reason_retired",
                          "detail": f"rejection reason {extra[-1][0]} retired: {extra[-1][1]}"})
            load(Activity.__table__, admin)
            load(Customer.__table__, [
                {"id": c.id, "code": c.code, "name": c.name, "brand": c.brand,
                 "status": c.status, "email": c.email, "address": c.address, "city": c.city,
                 "state": c.state, "zip": c.zip, "name_search": c.name.lower(),
                 "updated_at": team_since} for c in plan.customers
            ])
            load(Policy.__table__, [
                {"id": p.id, "customer_id": p.customer_id, "line": "workers_comp",
                 "carrier": p.carrier, "naic": p.naic, "number": p.number,
                 "effective": p.effective, "expires": p.expires,
                 "each_accident": p.each_accident,
                 "disease_each_employee": p.disease_each_employee,
                 "disease_policy_limit": p.disease_policy_limit} for p in plan.policies
            ])
            lap("insert")
            # The history, a chunk of requests at a time (memory stays flat); the last
            # chunk waits until a few of its emails have had their delivery trouble.
            todo = plan.requests
            for index, req in enumerate(todo):
                writer.request(req)
                if len(writer.request_rows) >= CHUNK and len(todo) - index > CHUNK:
                    lap("history")
                    writer.flush(load)
                    lap("insert")
            writer.trouble_with_mail()
            lap("history")
            writer.flush(load)
            for sql in indexes:  # while the last certificates are being rendered
                conn.exec_driver_sql(sql)
            lap("insert")
            cert_rows = writer.certificate_rows()
            lap("wait for rendered certificates")
            load(Certificate.__table__, cert_rows)
            load(OutboxEmail.__table__, writer.emails)
            load(Activity.__table__, [{
                "request_id": None, "at": now, "actor": login, "action": DEMO_MARKER,
                "detail": f"demo database built with seed {seed}: {len(plan.requests):,} "
                          f"requests, {len(plan.customers):,} customers",
            }])
            conn.execute(update(ChangeMarker.__table__).where(ChangeMarker.id == 1)
                         .values(counter=ChangeMarker.counter + 1, changed_at=utcnow()))
            if db.is_sqlite:
                conn.exec_driver_sql("PRAGMA cache_size = -2000")
            lap("insert")
        lap("commit")
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
    _finish(db)
    lap("analyze")
    users = len(user_rows) + 1
    elapsed = time.perf_counter() - started
    return (f"demo database built: {len(plan.requests):,} requests "
            f"({writer.pending:,} pending), {len(plan.customers):,} customers, {users} users, "
            f"in {elapsed:.1f} s")


def _drop_indexes(conn) -> list[str]:
    """Drop SQLite's secondary indexes; returns the statements that create them again."""
    found = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "ORDER BY name"
    ).all()
    for name, _ in found:
        conn.exec_driver_sql(f"DROP INDEX {conn.dialect.identifier_preparer.quote(name)}")
    return [sql for _, sql in found]


def _finish(db: Database) -> None:
    """Statistics for the query planner; PostgreSQL sequences past the ids written here."""
    if db.is_sqlite:
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.close()
        finally:
            raw.close()
        return
    with db.engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if "id" in table.c and table.c.id.autoincrement is not False \
                    and table.name != "duplicate_links":
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                ))
        conn.execute(text("ANALYZE"))
