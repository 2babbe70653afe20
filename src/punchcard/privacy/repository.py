"""SQL of erasure and export: every row that names one member, inside one tenant."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, or_, select, update

from punchcard.db.repository import TenantRepository
from punchcard.models import (
    Capture,
    CommentLike,
    Coupon,
    Idea,
    IdeaVote,
    MagicLink,
    Member,
    MemberGroupMembership,
    MemberMail,
    MemberSession,
    MemberTag,
    Order,
    PointsEntry,
    PointsLot,
    Post,
    PostComment,
    PostLike,
    QuestCompletion,
    QuestTaskCompletion,
    ReferralCode,
    ReferralEvent,
    Refund,
    SsoMapping,
    Testimonial,
    TrackingEvent,
)

# Tables whose rows carry ``member_id``, by the section name the export gives them.
# Each is read whole for the member: a person's own data, not a hot path.
BY_MEMBER: dict[str, Any] = {
    "ledgerEntries": PointsEntry,
    "lots": PointsLot,
    "orders": Order,
    "coupons": Coupon,
    "referralCodes": ReferralCode,
    "captures": Capture,
    "tags": MemberTag,
    "groups": MemberGroupMembership,
    "posts": Post,
    "comments": PostComment,
    "postLikes": PostLike,
    "commentLikes": CommentLike,
    "testimonials": Testimonial,
    "ideas": Idea,
    "votes": IdeaVote,
    "questTasks": QuestTaskCompletion,
    "quests": QuestCompletion,
    "ssoMappings": SsoMapping,
    "sessions": MemberSession,
    "magicLinks": MagicLink,
    "trackingEvents": TrackingEvent,
    "memberMails": MemberMail,
}


class PrivacyRepository(TenantRepository[Member]):
    model = Member

    def rows_of(self, model: Any, member_id: uuid.UUID) -> list[Any]:
        order = getattr(model, "created_at", None)
        stmt = self.scoped(select(model), model).where(model.member_id == member_id)
        if order is not None:
            stmt = stmt.order_by(order)
        return list(self.session.scalars(stmt))

    def refunds_of(self, order_ids: list[uuid.UUID]) -> list[Refund]:
        if not order_ids:
            return []
        stmt = self.scoped(select(Refund), Refund).where(Refund.order_id.in_(order_ids))
        return list(self.session.scalars(stmt.order_by(Refund.created_at)))

    def referral_events_of(self, member_id: uuid.UUID, code_ids: list[uuid.UUID]) -> list[Any]:
        """Referral events of the member's codes (as referrer) or naming it as referred."""
        cond = ReferralEvent.referred_member_id == member_id
        if code_ids:
            cond = or_(cond, ReferralEvent.code_id.in_(code_ids))
        stmt = self.scoped(select(ReferralEvent), ReferralEvent).where(cond)
        return list(self.session.scalars(stmt.order_by(ReferralEvent.created_at)))

    def delete_for(self, model: Any, member_id: uuid.UUID) -> int:
        stmt = delete(model).where(model.tenant_id == self.tenant_id, model.member_id == member_id)
        return int(self.session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]

    def forget_visitors(self, member_id: uuid.UUID) -> None:
        """Tracking events lose their visitor id, url and properties; referral events
        that name the member or one of its visitor ids lose the visitor id."""
        visitors = select(TrackingEvent.visitor_id).where(
            TrackingEvent.tenant_id == self.tenant_id,
            TrackingEvent.member_id == member_id,
            TrackingEvent.visitor_id.is_not(None),
        )
        known = [v for v in self.session.scalars(visitors.distinct()) if v]
        cond = ReferralEvent.referred_member_id == member_id
        if known:
            cond = or_(cond, ReferralEvent.visitor_id.in_(known))
        self.session.execute(
            update(ReferralEvent)
            .where(ReferralEvent.tenant_id == self.tenant_id, cond)
            .values(visitor_id=None)
        )
        self.session.execute(
            update(TrackingEvent)
            .where(TrackingEvent.tenant_id == self.tenant_id, TrackingEvent.member_id == member_id)
            .values(visitor_id=None, url=None, properties=None)
        )
