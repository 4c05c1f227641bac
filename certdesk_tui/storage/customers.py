"""Customers and their policies in the database."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from certdesk_tui.storage.models import Customer, Policy


def customer_by_code(session: Session, code: str) -> Customer | None:
    return session.scalar(select(Customer).where(Customer.code == code))


def policy_in_force(session: Session, customer_id: int, day: date) -> Policy | None:
    """The customer's policy in force on ``day`` (the one that runs longest when several do)."""
    return session.scalars(
        select(Policy).where(Policy.customer_id == customer_id, Policy.effective <= day,
                             Policy.expires >= day).order_by(Policy.expires.desc())
    ).first()


def policies_of(session: Session, customer_id: int) -> list[Policy]:
    return list(session.scalars(select(Policy).where(Policy.customer_id == customer_id)))


def policy_by_number(session: Session, customer_id: int, number: str) -> Policy | None:
    return session.scalar(select(Policy).where(Policy.customer_id == customer_id,
                                               Policy.number == number))


def customer_choices(session: Session) -> list[tuple[str, str, str]]:
    """Every customer's code, name and brand, by code (what a form suggests)."""
    rows = session.execute(select(Customer.code, Customer.name, Customer.brand)
                           .order_by(Customer.code))
    return [(code, name, brand) for code, name, brand in rows]
