"""Order batches (``POST /orders/batch``), set-based.

A batch reads what its rows need once (the members, locked in id order; the orders
already holding its external ids; its stores; the tenant, the purchase rule and the
tiers), decides every row in memory in row order (the same checks, in the same order,
as ``service.place``), writes the new orders in one insert, credits the orders' points
through the ledger's bulk credit (``ledger.Credits``: decided row after row in memory,
since a member's tier, and so its multiplier, may change with an earlier row's points,
then written with one insert per table), and emits the ``order.created`` events in one
insert. The whole batch runs in one savepoint: should anything fail that the checks
could not foresee (the ledger refusing an amount, a uniqueness race lost to another
process), it is rolled back and the batch is placed row by row, each in its own
savepoint, as before, so the results are exactly those of ``place`` on each row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from punchcard.db.uow import now
from punchcard.errors import PunchcardError
from punchcard.events.service import emit_many
from punchcard.identity.principal import Principal
from punchcard.ledger import service as ledger
from punchcard.members import service as members
from punchcard.members.visibility import visible
from punchcard.models import Member, Order
from punchcard.orders.repository import OrderRepository
from punchcard.orders.service import (
    NewOrder,
    Placed,
    award,
    check_currency,
    check_points,
    earned,
    eligible_amount,
    followers_concerned,
    new_order,
    order_created,
    place,
    refuse_other_body,
)
from punchcard.stores import service as stores
from punchcard.tenants.service import PURCHASE_ACTIVITY
from punchcard.tenants.snapshot import snapshot

Row = NewOrder | PunchcardError
Result = Placed | PunchcardError


@dataclass(frozen=True)
class _Duplicate:
    order: Order
    member: Member


@dataclass(frozen=True)
class _New:
    order: Order
    member: Member
    amount: Decimal


def place_batch(session: Session, principal: Principal, *, orders: Sequence[Row]) -> list[Result]:
    """Ingest up to 500 orders (a row the face could not read is its error, passed
    through); each succeeds or fails on its own, with the result ``place`` gives it."""
    if not any(isinstance(r, NewOrder) for r in orders):
        return [r for r in orders if isinstance(r, PunchcardError)]
    savepoint = session.begin_nested()
    try:
        results = _place_set(session, principal, orders)
        session.flush()
    except (PunchcardError, IntegrityError):
        savepoint.rollback()
        return place_each(session, principal, orders=orders)
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    savepoint.commit()
    return results


def place_each(session: Session, principal: Principal, *, orders: Sequence[Row]) -> list[Result]:
    """The batch row by row, each order in its own savepoint so a bad one fails alone."""
    results: list[Result] = []
    for row in orders:
        if isinstance(row, PunchcardError):
            results.append(row)
            continue
        try:
            with session.begin_nested():
                results.append(place(session, principal, data=row))
        except PunchcardError as exc:
            results.append(exc)
    return results


def _place_set(session: Session, principal: Principal, orders: Sequence[Row]) -> list[Result]:
    rows = [r for r in orders if isinstance(r, NewOrder)]
    # The members first, as ``place`` does: a concurrent post of one of these orders
    # then waits for this batch and finds its order.
    locked = members.lock_many(session, principal, member_ids=[r.member_id for r in rows])
    if followers_concerned(
        session, principal, list(locked.values()), {r.external_order_id for r in rows}
    ):
        # An order of the batch converts a referral (``ambassador``): row by row, so
        # each follows ``place`` exactly (rare: a pending conversion or a referred
        # member's first order).
        return place_each(session, principal, orders=orders)
    repo = OrderRepository(session, principal.tenant_id)
    held = repo.by_external_ids({r.external_order_id for r in rows})
    store_of = stores.resolve_many(session, principal, [r.store_id for r in rows])
    config = snapshot(session, principal.tenant_id)
    tenant = config.settings
    activity = config.system_activity(PURCHASE_ACTIVITY)
    at = now(session)

    def points(member: Member, amount: Decimal) -> int:
        # The member's tier as it is now: an earlier row may have moved it up.
        tier = config.tier(member.tier_id)
        return earned(amount, settings=tenant, tier=tier, activity=activity)

    # Decide every row, in order, with ``place``'s checks in ``place``'s order; a row
    # sees the orders earlier rows create.
    plan: list[_New | _Duplicate | PunchcardError] = []
    for row in orders:
        if isinstance(row, PunchcardError):
            plan.append(row)
            continue
        try:
            member = visible(principal, locked.get(row.member_id), field="memberId")
            existing = held.get(row.external_order_id)
            if existing is not None:
                refuse_other_body(existing, row)
                plan.append(_Duplicate(existing, member))
                continue
            store = store_of(row.store_id, "storeId")
            check_currency(row, tenant)
            amount = eligible_amount(row)
            earns = points(member, amount)
            check_points(earns, tenant)
        except PunchcardError as exc:
            plan.append(exc)
            continue
        order = new_order(row, member, store, tenant, at, earns)
        held[row.external_order_id] = order
        plan.append(_New(order, member, amount))
    new = [p for p in plan if isinstance(p, _New)]
    # One insert for the batch's orders, in external id order: two batches sharing ids
    # then meet on the unique index in the same order (PostgreSQL would otherwise
    # deadlock them, each waiting for an id the other inserted first).
    inserted: list[Order] = sorted([p.order for p in new], key=lambda o: o.external_order_id)
    # With Core: the new orders never enter the session (their flush and the
    # savepoints' bookkeeping of 500 new objects cost more than the insert).
    session.flush()
    repo.insert_many(inserted)
    planned = {p.order.id: p.order.points_awarded for p in new}

    # The points credited together: one insert per table for the common case, the
    # member's tier (and so the next row's multiplier) moved row by row in memory.
    credits = ledger.Credits(session)
    results: list[Result] = []
    for step in plan:
        if isinstance(step, PunchcardError):
            results.append(step)
        elif isinstance(step, _Duplicate):
            results.append(Placed(step.order, False, step.member.points_balance))
        else:
            # The points with the member's tier as it is now (an earlier row may have
            # moved it up), as ``place`` would have computed them at this row.
            step.order.points_awarded = points(step.member, step.amount)
            award(session, step.member, step.order, activity, credits=credits)
            step.member.last_activity_at = at
            results.append(Placed(step.order, True, step.member.points_balance))
    credits.write()
    # The points a row earned with its member's tier as it was at its turn, where an
    # earlier row's credit moved that tier after the orders were written.
    repo.set_points(
        [(o.id, o.points_awarded) for o in inserted if planned[o.id] != o.points_awarded]
    )
    emit_many(session, principal.tenant_id, [order_created(p.order) for p in new])
    return results
