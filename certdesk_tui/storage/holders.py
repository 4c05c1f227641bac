"""The holder address book in the database: learned at issue, read most used first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from certdesk_tui.domain.holders import HolderView, learned_holder
from certdesk_tui.storage.models import Holder


def learn_holder(session: Session, customer_id: int, *, name: str, address: str, city: str,
                 state: str, zip_code: str, email: str, at: datetime) -> None:
    """Count one more certificate for the customer's holder of this name.

    A known name takes the address and email of its newest certificate; an unknown
    one is added. Two issues that add the same new holder at once: the second finds
    the first's row (the savepoint keeps the issue itself).
    """
    learned = learned_holder(name=name, address=address, city=city, state=state,
                             zip_code=zip_code, email=email, at=at)
    if learned is None:
        return
    for _attempt in range(2):
        known = session.scalar(select(Holder).where(Holder.customer_id == customer_id,
                                                    Holder.name_key == learned.key)
                               .with_for_update())
        if known is not None:
            for column, value in learned.entry(known.certificates).items():
                setattr(known, column, value)
            return
        try:
            with session.begin_nested():
                session.add(Holder(customer_id=customer_id, **learned.entry(0)))
            return
        except IntegrityError:
            continue


def holders_of(session: Session, customer_id: int) -> list[HolderView]:
    """The customer's holders, most used first (then the most recently used)."""
    rows = session.scalars(select(Holder).where(Holder.customer_id == customer_id)
                           .order_by(Holder.certificates.desc(), Holder.last_issued.desc(),
                                     Holder.name))
    return [HolderView(h.name, h.address, h.city, h.state, h.zip, h.email, h.certificates,
                       h.last_issued) for h in rows]
