"""Intake's SQL in bulk: what a batch of submission lines needs to know, and its rows.

A batch of lines asks each question once (which external ids are already stored,
the customers it names with their policies, the requests for the same holders)
and writes its requests and activities in one statement each.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, select, tuple_
from sqlalchemy.orm import Session

from certdesk_tui.storage.models import (
    Activity,
    CertificateRequest,
    Customer,
    DuplicateLink,
    Policy,
)

R = CertificateRequest
# Values bound in one IN list: well under SQLite's and PostgreSQL's limits.
CHUNK = 500


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def received_ids(session: Session, external_ids: Iterable[str]) -> dict[str, int]:
    """The requests already stored under these external ids: external id → request id."""
    wanted = sorted(set(external_ids))
    found: dict[str, int] = {}
    for chunk in _chunks(wanted):
        rows = session.execute(select(R.external_id, R.id).where(R.external_id.in_(chunk)))
        found.update((external_id, rid) for external_id, rid in rows)
    return found


@dataclass(frozen=True)
class CustomerFacts:
    """A customer as intake reads it (its columns by name) and its policies."""

    customer: Row[Any]
    policies: tuple[Row[Any], ...]


def customers_by_code(session: Session, codes: Iterable[str]) -> dict[str, CustomerFacts]:
    """The customers with these codes and their policies: code → facts (plain rows)."""
    wanted = sorted(set(codes))
    rows: list[Row[Any]] = []
    for chunk in _chunks(wanted):
        rows.extend(session.execute(select(*Customer.__table__.c)
                                    .where(Customer.code.in_(chunk))))
    policies: dict[int, list[Row[Any]]] = {row.id: [] for row in rows}
    ids = sorted(policies)
    for chunk in _chunks(ids):
        for policy in session.execute(select(*Policy.__table__.c)
                                      .where(Policy.customer_id.in_(chunk))
                                      .order_by(Policy.id)):
            policies[policy.customer_id].append(policy)
    return {row.code: CustomerFacts(row, tuple(policies[row.id])) for row in rows}


def requests_for_holders(
    session: Session, holders: Iterable[tuple[int, str]],
) -> list[tuple[int, int, str, datetime]]:
    """(id, customer id, holder key, submitted at) of the requests of these customers'
    holders (customer id, holder key), for the possible-duplicate rule."""
    wanted = sorted(set(holders))
    rows: list[tuple[int, int, str, datetime]] = []
    for chunk in _chunks(wanted):
        rows.extend((rid, customer_id, key, at) for rid, customer_id, key, at in session.execute(
            select(R.id, R.customer_id, R.holder_key, R.submitted_at)
            .where(tuple_(R.customer_id, R.holder_key).in_(chunk))))
    return rows


def insert_requests(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert the requests (one statement); their ids, in the order given."""
    if not rows:
        return []
    table = R.__table__
    result = session.connection().execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True),
        [dict(row, version=1) for row in rows],
    )
    return list(result.scalars())


def insert_activities(session: Session, rows: list[dict[str, Any]]) -> None:
    """Append activities (one statement), in the order given."""
    if rows:
        session.connection().execute(insert(Activity.__table__), rows)


def insert_duplicate_links(session: Session, pairs: list[tuple[int, int]]) -> None:
    """Link each pair of possible duplicates both ways."""
    if pairs:
        session.connection().execute(insert(DuplicateLink.__table__), [
            row for a, b in pairs
            for row in ({"request_id": a, "other_id": b}, {"request_id": b, "other_id": a})])


def reserved_before(session: Session, before: datetime, limit: int = 1000
                    ) -> list[CertificateRequest]:
    """Requests reserved for automatic processing at or before ``before`` and never
    completed (the import that reserved them stopped), locked for the transaction.
    Times are kept to the second: a mark made this second counts when ``before`` is now."""
    return list(session.scalars(
        select(R).where(R.auto_started_at.is_not(None), R.auto_started_at <= before)
        .order_by(R.id).limit(limit).with_for_update()))


def reserved_among(session: Session, ids: Iterable[int]) -> list[CertificateRequest]:
    """Those of these requests still reserved for automatic processing, locked for the
    transaction (a request completed, or claimed by a person, is no longer reserved)."""
    wanted = sorted(set(ids))
    found: list[CertificateRequest] = []
    for chunk in _chunks(wanted):
        found.extend(session.scalars(
            select(R).where(R.id.in_(chunk), R.auto_started_at.is_not(None))
            .order_by(R.id).with_for_update()))
    return found
