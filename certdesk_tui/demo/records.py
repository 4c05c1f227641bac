"""The plan's records (a customer, a policy, a request) and the seeded random source."""

from __future__ import annotations

import functools
import random
import re
import unicodedata
from bisect import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate
from typing import Generic, TypeVar

from certdesk_tui import intake

_NAME_RE = re.compile(r"[^a-z0-9]+")


T = TypeVar("T")


class DemoRandom(random.Random):
    """``random.Random`` with float-based ``choice`` and ``randint``: a few times faster,
    and as deterministic for a seed."""

    def choice(self, seq: Sequence[T]) -> T:
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))


@functools.cache
def slug(value: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", value.replace("ł", "l").replace("Ł", "L"))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii").lower()
    return _NAME_RE.sub("-", ascii_text).strip("-")[:40].strip("-") or "customer"


# -- the plan ---------------------------------------------------------------------


@dataclass(slots=True)
class PlannedPolicy:
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
class PlannedCustomer:
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
    policies: list[PlannedPolicy] = field(default_factory=list)
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

    def policy_on(self, day: date) -> PlannedPolicy | None:
        """The policy the intake would attach: in force that day, latest expiry first."""
        best = None
        for p in self.policies:
            if p.effective <= day <= p.expires and (best is None or p.expires > best.expires):
                best = p
        return best


@dataclass(slots=True)
class PlannedRequest:
    """One request as planned: what was submitted, and what happened to it."""

    order: int
    status: str
    auto: bool
    customer: PlannedCustomer
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
    policy: PlannedPolicy | None = None
    reasons: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)


class Weighted(Generic[T]):
    """Fast repeated weighted choice (cumulative weights, bisect)."""

    def __init__(self, items: list[T], weights: Iterable[float]) -> None:
        self.items = items
        self.cum = list(accumulate(weights))

    def __bool__(self) -> bool:
        return bool(self.items)

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect(self.cum, rng.random() * self.cum[-1])]


