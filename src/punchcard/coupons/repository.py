"""Coupon SQL."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select, update

from punchcard.db.dialect import for_update
from punchcard.db.repository import TenantRepository
from punchcard.kit.paging import Page
from punchcard.models import Coupon, CouponPool

REDEEMABLE = ("available", "issued")


class PoolRepository(TenantRepository[CouponPool]):
    model = CouponPool

    def counts(self, pool_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
        if not pool_ids:
            return {}
        stmt = (
            self.scoped(select(Coupon.pool_id, Coupon.status, func.count()), Coupon)
            .where(Coupon.pool_id.in_(pool_ids))
            .group_by(Coupon.pool_id, Coupon.status)
        )
        out: dict[uuid.UUID, dict[str, int]] = {pid: {} for pid in pool_ids}
        for pool_id, status, n in self.session.execute(stmt):
            out[pool_id][status] = int(n)
        return out

    def list(self, page: Page) -> tuple[list[CouponPool], int]:
        return self.page(self.scoped(), page, CouponPool.created_at, CouponPool.id)


class CouponRepository(TenantRepository[Coupon]):
    model = Coupon

    def existing_codes(self, codes: list[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(codes), 500):
            chunk = codes[i : i + 500]
            found.update(
                self.session.scalars(self.scoped(select(Coupon.code)).where(Coupon.code.in_(chunk)))
            )
        return found

    def in_pool(self, pool_id: uuid.UUID, codes: list[str]) -> set[str]:
        """Which of ``codes`` the pool holds."""
        found: set[str] = set()
        for i in range(0, len(codes), 500):
            chunk = codes[i : i + 500]
            stmt = self.scoped(select(Coupon.code)).where(
                Coupon.pool_id == pool_id, Coupon.code.in_(chunk)
            )
            found.update(self.session.scalars(stmt))
        return found

    def by_id_or_code(self, ref: uuid.UUID | None, code: str) -> Coupon | None:
        cond = Coupon.code == code if ref is None else or_(Coupon.id == ref, Coupon.code == code)
        return self.session.scalars(self.scoped().where(cond)).first()

    def take_available(self, pool_id: uuid.UUID, quantity: int, at: datetime) -> list[Coupon]:
        """Claim up to ``quantity`` unissued, unexpired codes, oldest first.

        SKIP LOCKED on PostgreSQL: concurrent issuers take different codes instead of
        queueing on the same rows. On SQLite the write lock already serialises them.
        """
        stmt = (
            self.scoped()
            .where(
                Coupon.pool_id == pool_id,
                Coupon.status == "available",
                or_(Coupon.expires_at.is_(None), Coupon.expires_at > at),
            )
            .order_by(Coupon.created_at, Coupon.id)
            .limit(quantity)
        )
        return list(self.session.scalars(for_update(self.session, stmt, skip_locked=True)))

    def mark_redeemed(self, coupon_id: uuid.UUID, at: datetime, store_id: uuid.UUID | None) -> bool:
        """Redeem atomically: exactly one of N concurrent redeems can flip the status."""
        result = self.session.execute(
            update(Coupon)
            .where(
                Coupon.tenant_id == self.tenant_id,
                Coupon.id == coupon_id,
                Coupon.status.in_(REDEEMABLE),
                or_(Coupon.expires_at.is_(None), Coupon.expires_at > at),
            )
            .values(status="redeemed", redeemed_at=at, redeemed_store_id=store_id)
            .execution_options(synchronize_session=False)
        )
        return getattr(result, "rowcount", 0) == 1

    def list(
        self,
        page: Page,
        *,
        pool_id: uuid.UUID | None = None,
        member_id: uuid.UUID | None = None,
        status: str | None = None,
        code: str | None = None,
    ) -> tuple[list[Coupon], int]:
        stmt: Select[Any] = self.scoped()
        if pool_id is not None:
            stmt = stmt.where(Coupon.pool_id == pool_id)
        if member_id is not None:
            stmt = stmt.where(Coupon.member_id == member_id)
        if status is not None:
            stmt = stmt.where(Coupon.status == status)
        if code is not None:
            stmt = stmt.where(Coupon.code == code)
        return self.page(stmt, page, Coupon.created_at, Coupon.id)
