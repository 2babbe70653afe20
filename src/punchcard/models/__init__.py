"""All tables. Importing this package registers every model on ``Base.metadata``."""

from punchcard.models.advocacy import FeedbackBoard, Idea, IdeaVote, Testimonial
from punchcard.models.base import Base, TenantOwned
from punchcard.models.catalog import Brand, Category, Product, Variant
from punchcard.models.community import CommentLike, Post, PostComment, PostLike, Room
from punchcard.models.coupons import Coupon, CouponPool
from punchcard.models.identity import (
    ApiKey,
    Invitation,
    MemberSession,
    PasswordReset,
    User,
    UserSession,
)
from punchcard.models.ledger import (
    Activity,
    PointsAllocation,
    PointsEntry,
    PointsLot,
    Reward,
    Tier,
)
from punchcard.models.magiclinks import MagicLink
from punchcard.models.membermail import MemberMail, MemberMailSettings
from punchcard.models.members import (
    Capture,
    Member,
    MemberGroup,
    MemberGroupMembership,
    MemberTag,
    Tag,
)
from punchcard.models.orders import Order, Refund
from punchcard.models.platform import AuditRecord, IdempotencyRecord, OutboxEvent
from punchcard.models.quests import Quest, QuestCompletion, QuestTask, QuestTaskCompletion
from punchcard.models.sso import SsoMapping, SsoSignature
from punchcard.models.stores import Store
from punchcard.models.tenancy import Tenant
from punchcard.models.tracking import ReferralCode, ReferralEvent, TrackingEvent
from punchcard.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from punchcard.models.worker import ScheduledJob

__all__ = [
    "Activity",
    "ApiKey",
    "AuditRecord",
    "Base",
    "Brand",
    "Capture",
    "Category",
    "CommentLike",
    "Coupon",
    "CouponPool",
    "FeedbackBoard",
    "Idea",
    "IdeaVote",
    "IdempotencyRecord",
    "Invitation",
    "MagicLink",
    "Member",
    "MemberGroup",
    "MemberGroupMembership",
    "MemberMail",
    "MemberMailSettings",
    "MemberSession",
    "MemberTag",
    "Order",
    "OutboxEvent",
    "PasswordReset",
    "PointsAllocation",
    "PointsEntry",
    "PointsLot",
    "Post",
    "PostComment",
    "PostLike",
    "Product",
    "Quest",
    "QuestCompletion",
    "QuestTask",
    "QuestTaskCompletion",
    "ReferralCode",
    "ReferralEvent",
    "Refund",
    "Reward",
    "Room",
    "ScheduledJob",
    "SsoMapping",
    "SsoSignature",
    "Store",
    "Tag",
    "Tenant",
    "TenantOwned",
    "Testimonial",
    "Tier",
    "TrackingEvent",
    "User",
    "UserSession",
    "Variant",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
