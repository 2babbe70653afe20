"""Redemption options as faces list them: the reward with its pool of one-time codes
(the codes still available, oldest first) and the tiers it is limited to, loaded for a
whole page in a fixed number of queries whatever its size."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session

from punchcard.db.repository import TenantRepository
from punchcard.identity.principal import Principal
from punchcard.kit.ids import parse
from punchcard.models import Coupon, CouponPool, Reward, Tier

_AVAILABLE = Coupon.status == literal_column("'available'")


@dataclass(frozen=True)
class RewardOption:
    reward: Reward
    pool: CouponPool | None
    available_codes: list[str]  # the pool's codes not yet issued, oldest first
    tiers: list[Tier]  # the tiers it is limited to, in the reward's order (none: all)


class RewardOptionRepository(TenantRepository[Reward]):
    model = Reward

    def rows(
        self, model: type[CouponPool | Tier], ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, Any]:
        wanted = set(ids)
        if not wanted:
            return {}
        stmt = self.scoped(select(model), model).where(model.id.in_(wanted))
        return {r.id: r for r in self.session.scalars(stmt)}

    def available_codes(self, pool_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
        out: dict[uuid.UUID, list[str]] = {i: [] for i in pool_ids}
        if not pool_ids:
            return out
        stmt = (
            self.scoped(select(Coupon.pool_id, Coupon.code), Coupon)
            .where(Coupon.pool_id.in_(pool_ids), _AVAILABLE)
            .order_by(Coupon.created_at, Coupon.id)
        )
        for pool_id, code in self.session.execute(stmt):
            out[pool_id].append(code)
        return out


def _tier_id(value: object) -> uuid.UUID | None:
    """A stored tier reference: a UUID, or the native face's ``tier_…`` string."""
    if isinstance(value, uuid.UUID):
        return value
    text = str(value)
    if text.startswith("tier_"):
        return parse("tier", text)
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def options_of(
    session: Session, principal: Principal, rewards: Sequence[Reward]
) -> list[RewardOption]:
    repo = RewardOptionRepository(session, principal.tenant_id)
    pool_ids = [r.pool_id for r in rewards if r.pool_id is not None]
    pools = repo.rows(CouponPool, pool_ids)
    codes = repo.available_codes(list(pools))
    tier_refs = {r.id: [_tier_id(t) for t in r.tier_ids or []] for r in rewards}
    tiers = repo.rows(Tier, (t for refs in tier_refs.values() for t in refs if t is not None))
    out = []
    for r in rewards:
        pool = pools.get(r.pool_id) if r.pool_id else None
        out.append(
            RewardOption(
                reward=r,
                pool=pool,
                available_codes=codes[pool.id] if pool is not None else [],
                tiers=[tiers[t] for t in tier_refs[r.id] if t is not None and t in tiers],
            )
        )
    return out
