"""Coupon pools, issuing codes, redeeming at the register, buying a code with points."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from punchcard.coupons.repository import CouponRepository, PoolRepository
from punchcard.coupons.schemas import NewPool
from punchcard.db.uow import now
from punchcard.errors import NotFound, PoolExhausted, ValidationFailed
from punchcard.events import data as event_data
from punchcard.events.service import emit, lane
from punchcard.identity.principal import Principal
from punchcard.kit.ids import new_id
from punchcard.kit.paging import Page
from punchcard.ledger import service as ledger
from punchcard.members import service as members
from punchcard.members.visibility import member_filter
from punchcard.models import Coupon, CouponPool, PointsEntry
from punchcard.stores import service as stores

# Unambiguous characters only: a cashier reads these aloud and types them.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_PATTERN_MAX = 64


def get_pool(
    session: Session, principal: Principal, *, pool_id: uuid.UUID, field: str = "poolId"
) -> CouponPool:
    pool = PoolRepository(session, principal.tenant_id).get(pool_id)
    if pool is None:
        raise NotFound("Coupon pool not found", field=field)
    return pool


def pool_counts(
    session: Session, principal: Principal, pools: list[CouponPool]
) -> dict[uuid.UUID, dict[str, int]]:
    return PoolRepository(session, principal.tenant_id).counts([p.id for p in pools])


def list_pools(
    session: Session, principal: Principal, *, page: Page
) -> tuple[list[CouponPool], int]:
    return PoolRepository(session, principal.tenant_id).list(page)


def create_pool(session: Session, principal: Principal, *, data: NewPool) -> CouponPool:
    """A pool with the given codes, or generated ones."""
    at = now(session)
    if data.expires_at is not None and data.expires_at <= at:
        raise ValidationFailed("expiresAt must be in the future", field="expiresAt")
    codes = _codes(data)
    _check_free(session, principal, codes, "codes")
    pool = PoolRepository(session, principal.tenant_id).add(
        CouponPool(
            id=new_id(),
            name=data.name,
            discount_type=data.discount_type.value,
            discount_value=data.discount_value,
            points_cost=data.points_cost,
            expires_at=data.expires_at,
            created_at=at,
            updated_at=at,
        )
    )
    _insert_codes(session, principal, pool, codes)
    return pool


def add_codes(
    session: Session,
    principal: Principal,
    *,
    pool_id: uuid.UUID,
    codes: list[str],
    field: str = "codes",
) -> None:
    """Add given codes to an existing pool."""
    pool = PoolRepository(session, principal.tenant_id).get(pool_id)
    if pool is None:
        raise NotFound("Coupon pool not found", field=field)
    clean = _clean_codes(codes, field)
    _check_free(session, principal, clean, field)
    _insert_codes(session, principal, pool, clean)


def taken_codes(session: Session, principal: Principal, codes: list[str]) -> set[str]:
    """Which of ``codes`` the tenant already has (in any pool): an upload leaves them
    out rather than refusing the whole file."""
    return CouponRepository(session, principal.tenant_id).existing_codes(codes)


def _check_free(session: Session, principal: Principal, codes: list[str], field: str) -> None:
    taken = CouponRepository(session, principal.tenant_id).existing_codes(codes)
    if taken:
        raise ValidationFailed(f"Code already exists: {sorted(taken)[0]}", field=field)


def _insert_codes(
    session: Session, principal: Principal, pool: CouponPool, codes: list[str]
) -> None:
    at = now(session)
    session.add_all(
        Coupon(
            tenant_id=principal.tenant_id,
            id=new_id(),
            pool_id=pool.id,
            code=code,
            status="available",
            expires_at=pool.expires_at,
            created_at=at,
        )
        for code in codes
    )
    session.flush()


def _clean_codes(raw: list[str], field: str) -> list[str]:
    codes = [c.strip() for c in raw]
    for i, code in enumerate(codes):
        if not code or len(code) > CODE_PATTERN_MAX or not code.isprintable() or " " in code:
            raise ValidationFailed(
                f"{field}[{i}] must be 1..64 printable characters without spaces",
                field=f"{field}.{i}",
            )
    if len(set(codes)) != len(codes):
        raise ValidationFailed(f"{field} contains duplicates", field=field)
    return codes


def _codes(data: NewPool) -> list[str]:
    if data.codes is not None:
        return _clean_codes(data.codes, "codes")
    if data.generate is None:
        return []
    gen = data.generate
    out: set[str] = set()
    while len(out) < gen.count:
        out.add(gen.prefix + "".join(secrets.choice(ALPHABET) for _ in range(gen.length)))
    return sorted(out)


def list_coupons(
    session: Session,
    principal: Principal,
    *,
    page: Page,
    pool_id: uuid.UUID | None = None,
    member_id: uuid.UUID | None = None,
    status: str | None = None,
    code: str | None = None,
) -> tuple[list[Coupon], int]:
    return CouponRepository(session, principal.tenant_id).list(
        page,
        pool_id=pool_id,
        member_id=member_filter(principal, member_id),
        status=status,
        code=code,
    )


def members_coupon(
    session: Session, principal: Principal, *, member_id: uuid.UUID, coupon_id: uuid.UUID
) -> Coupon:
    """One coupon of the member, by id; another member's, another tenant's or an unknown
    id is NotFound (for a member principal, another member's id too)."""
    owner = member_filter(principal, member_id)
    coupon = CouponRepository(session, principal.tenant_id).get(coupon_id)
    if coupon is None or coupon.member_id != owner:
        raise NotFound("Coupon not found", field="id")
    return coupon


def issue(
    session: Session,
    principal: Principal,
    *,
    pool_id: uuid.UUID,
    member_id: uuid.UUID,
    quantity: int = 1,
) -> list[Coupon]:
    """Give ``quantity`` codes from a pool to a member (no points charged)."""
    pool = get_pool(session, principal, pool_id=pool_id)
    member = members.get(session, principal, member_id=member_id, field="memberId")
    coupons = CouponRepository(session, principal.tenant_id).take_available(
        pool.id, quantity, now(session)
    )
    if len(coupons) < quantity:
        raise PoolExhausted(
            f"The pool has {len(coupons)} code(s) left; {quantity} requested", field="poolId"
        )
    at = now(session)
    for c in coupons:
        c.status, c.member_id, c.issued_at = "issued", member.id, at
    session.flush()
    for c in coupons:
        _emit(session, principal, "coupon.issued", c)
    return coupons


def redeem(
    session: Session,
    principal: Principal,
    *,
    ref: uuid.UUID | str,
    store_id: uuid.UUID | str | None = None,
) -> Coupon:
    """Redeem a code at the register, by coupon id (a UUID) or by its code (a string).
    Unknown, used or expired: 404 ("do not honor")."""
    repo = CouponRepository(session, principal.tenant_id)
    store = stores.resolve(session, principal, store_id)
    coupon = repo.by_ref(ref)
    at = now(session)
    if coupon is None or not repo.mark_redeemed(coupon.id, at, store.id if store else None):
        raise NotFound("Coupon not found, already redeemed, or expired: do not honor", field="id")
    session.refresh(coupon)
    _emit(session, principal, "coupon.redeemed", coupon)
    return coupon


@dataclass(frozen=True)
class Purchase:
    coupon: Coupon
    entry: PointsEntry
    balance: int


def redeem_for_points(
    session: Session, principal: Principal, *, member_id: uuid.UUID, pool_id: uuid.UUID
) -> Purchase:
    """Spend the pool's points cost for one code, in one transaction; refuse and charge
    nothing when the member cannot afford it or the pool is empty."""
    pool = get_pool(session, principal, pool_id=pool_id)
    if pool.points_cost is None:
        raise ValidationFailed(
            "This pool cannot be redeemed for points (no pointsCost)", field="poolId"
        )
    member = members.lock(session, principal, member_id=member_id)
    taken = CouponRepository(session, principal.tenant_id).take_available(pool.id, 1, now(session))
    if not taken:
        raise PoolExhausted(field="poolId")
    coupon = taken[0]
    entry = ledger.debit(
        session,
        member,
        amount=pool.points_cost,
        refs=ledger.Refs(description=f"Coupon: {pool.name}", coupon_id=coupon.id),
        type_="redeem",
    )
    coupon.status, coupon.member_id, coupon.issued_at = "issued", member.id, now(session)
    session.flush()
    _emit(session, principal, "coupon.issued", coupon)
    return Purchase(coupon, entry, member.points_balance)


def _emit(session: Session, principal: Principal, type_: str, coupon: Coupon) -> None:
    payload = {"coupon": event_data.coupon(coupon)}
    emit(session, principal.tenant_id, type_, payload, resource_id=lane("cpn", coupon.id))
