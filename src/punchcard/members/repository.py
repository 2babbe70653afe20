"""Member, tag and capture SQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, bindparam, case, exists, func, or_, select, update

from punchcard.db.dialect import for_update
from punchcard.db.repository import TenantRepository, cached_statement
from punchcard.db.uow import dialect
from punchcard.kit.paging import Page
from punchcard.models import Capture, Member, MemberTag, ReferralCode, Tag, Tenant, Tier
from punchcard.tenants import snapshot

# The tenant's config_version, read beside the locked member (a scalar subquery: not
# locked itself): the write path then knows whether its tenant snapshot is current
# without another statement (``tenants.snapshot``).
_CONFIG_VERSION = (
    select(Tenant.config_version).where(Tenant.id == bindparam("tenant_id")).scalar_subquery()
)


@dataclass(frozen=True)
class MemberFilters:
    """``GET /members`` filters, already normalised by the service."""

    status: str | None = None
    email: str | None = None
    phone: str | None = None
    external_id: str | None = None
    tier_id: uuid.UUID | None = None
    tier_name: str | None = None
    tag: str | None = None
    q: str | None = None
    # ``q`` reduced to the characters a normalised phone holds ("555-0100" -> "5550100").
    q_phone: str | None = None
    # Substring of the email or the full name only (the advocate face's ``search``).
    name_or_email: str | None = None
    # Half-open UTC windows [from, until) on the enrolment and last-activity times.
    enrolled_from: datetime | None = None
    enrolled_until: datetime | None = None
    active_from: datetime | None = None
    active_until: datetime | None = None


class MemberRepository(TenantRepository[Member]):
    model = Member

    def lock_by_id(self, member_id: uuid.UUID | None) -> Member | None:
        """Fetch the member row locked for update: every balance change on one member
        goes through this lock, so concurrent writers run one at a time."""
        if member_id is None:
            return None
        session = self.session
        stmt = cached_statement(
            ("members.lock", dialect(session)),
            # populate_existing: after waiting for the lock, see the committed values.
            lambda: for_update(
                session,
                select(Member, _CONFIG_VERSION).where(
                    Member.tenant_id == bindparam("tenant_id"), Member.id == bindparam("id")
                ),
            ).execution_options(populate_existing=True),
        )
        row = session.execute(stmt, {"tenant_id": self.tenant_id, "id": member_id}).first()
        if row is None:
            return None
        snapshot.remember(session, self.tenant_id, row[1])
        return row[0]

    def lock_many(self, member_ids: Iterable[uuid.UUID]) -> list[Member]:
        """``lock_by_id`` for a batch: the members locked in one statement, in id order,
        so two batches sharing members take their locks in the same order (PostgreSQL
        would otherwise deadlock them)."""
        ids = sorted(set(member_ids))
        if not ids:
            return []
        stmt = for_update(
            self.session, self.scoped().where(Member.id.in_(ids)).order_by(Member.id)
        ).execution_options(populate_existing=True)
        return list(self.session.scalars(stmt))

    def holding_any(
        self, *, emails: Iterable[str], phones: Iterable[str], external_ids: Iterable[str]
    ) -> list[Member]:
        """``find_by_identities`` for a batch: every member holding one of these
        identities, in one query, locked in id order (see ``lock_many``)."""
        conds = []
        for column, values in (
            (Member.email, emails),
            (Member.phone, phones),
            (Member.external_id, external_ids),
        ):
            wanted = sorted(set(values))
            if wanted:
                conds.append(column.in_(wanted))
        if not conds:
            return []
        stmt = for_update(
            self.session, self.scoped().where(or_(*conds)).order_by(Member.id)
        ).execution_options(populate_existing=True)
        return list(self.session.scalars(stmt))

    def get_by_email(self, email: str) -> Member | None:
        stmt = cached_statement(
            "members.by_email",
            lambda: select(Member).where(
                Member.tenant_id == bindparam("tenant_id"), Member.email == bindparam("email")
            ),
        )
        return self.session.scalars(stmt, {"tenant_id": self.tenant_id, "email": email}).first()

    def get_by_external_id(self, external_id: str) -> Member | None:
        return self.session.scalars(self.scoped().where(Member.external_id == external_id)).first()

    def find_by_identities(
        self,
        *,
        email: str | None = None,
        phone: str | None = None,
        external_id: str | None = None,
        exclude: uuid.UUID | None = None,
    ) -> list[Member]:
        """Members holding any of these identities (each one a unique index probe)."""
        conds = []
        if email is not None:
            conds.append(Member.email == email)
        if phone is not None:
            conds.append(Member.phone == phone)
        if external_id is not None:
            conds.append(Member.external_id == external_id)
        if not conds:
            return []
        stmt = self.scoped().where(or_(*conds))
        if exclude is not None:
            stmt = stmt.where(Member.id != exclude)
        return list(self.session.scalars(stmt))

    def search(
        self, page: Page, filters: MemberFilters, *, newest_first: bool = False
    ) -> tuple[list[Member], int]:
        """A page of the members matching ``filters``, oldest enrolment first (newest
        first with ``newest_first``: the dashboard's recent members)."""
        if filters.email is not None and filters == MemberFilters(email=filters.email):
            # The POS lookup: one probe of the unique index through a reused statement,
            # and no count query (there is one such member or none).
            found = self.get_by_email(filters.email)
            matched = [found] if found is not None else []
            return matched[page.offset : page.offset + page.limit], len(matched)
        if newest_first:
            order = (Member.created_at.desc(), Member.id.desc())
            return self.page(self._filtered(filters), page, *order)
        return self.page(self._filtered(filters), page, Member.created_at, Member.id)

    def _filtered(self, f: MemberFilters) -> Select[tuple[Member]]:
        stmt = self.scoped()
        # Exact identity filters hit the (tenant_id, email|phone|external_id) unique indexes.
        if f.email is not None:
            stmt = stmt.where(Member.email == f.email)
        if f.phone is not None:
            stmt = stmt.where(Member.phone == f.phone)
        if f.external_id is not None:
            stmt = stmt.where(Member.external_id == f.external_id)
        if f.status is not None:
            stmt = stmt.where(Member.status == f.status)
        if f.enrolled_from is not None:
            stmt = stmt.where(Member.enrolled_at >= f.enrolled_from)
        if f.enrolled_until is not None:
            stmt = stmt.where(Member.enrolled_at < f.enrolled_until)
        if f.active_from is not None:
            stmt = stmt.where(Member.last_activity_at >= f.active_from)
        if f.active_until is not None:
            stmt = stmt.where(Member.last_activity_at < f.active_until)
        if f.tier_id is not None:
            stmt = stmt.where(Member.tier_id == f.tier_id)
        elif f.tier_name is not None:
            names = self.scoped(select(Tier.id), Tier).where(
                func.lower(Tier.name) == f.tier_name.lower()
            )
            stmt = stmt.where(Member.tier_id.in_(names))
        if f.tag is not None:
            tagged = (
                select(MemberTag.member_id)
                .join(Tag, (Tag.tenant_id == MemberTag.tenant_id) & (Tag.id == MemberTag.tag_id))
                .where(
                    MemberTag.tenant_id == self.tenant_id,
                    MemberTag.member_id == Member.id,
                    Tag.key == f.tag,
                )
            )
            stmt = stmt.where(exists(tagged))
        if f.q:
            needle = f.q.lower()
            full_name = (
                func.coalesce(Member.first_name, "") + " " + func.coalesce(Member.last_name, "")
            )
            conds = [
                func.lower(Member.email).contains(needle, autoescape=True),
                func.lower(full_name).contains(needle, autoescape=True),
                func.lower(Member.external_id).contains(needle, autoescape=True),
            ]
            if f.q_phone:
                conds.append(Member.phone.contains(f.q_phone, autoescape=True))
            stmt = stmt.where(or_(*conds))
        if f.name_or_email:
            needle = f.name_or_email.lower()
            full_name = (
                func.coalesce(Member.first_name, "") + " " + func.coalesce(Member.last_name, "")
            )
            stmt = stmt.where(
                or_(
                    func.lower(Member.email).contains(needle, autoescape=True),
                    func.lower(full_name).contains(needle, autoescape=True),
                )
            )
        return stmt

    # Related rows, loaded in bulk so a page of members costs a fixed number of queries.

    def tag_keys_for(self, member_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
        ids = list(member_ids)
        out: dict[uuid.UUID, list[str]] = {i: [] for i in ids}
        if not ids:
            return out
        stmt = cached_statement(
            "members.tag_keys",
            lambda: (
                select(MemberTag.member_id, Tag.key)
                .join(Tag, (Tag.tenant_id == MemberTag.tenant_id) & (Tag.id == MemberTag.tag_id))
                .where(
                    MemberTag.tenant_id == bindparam("tenant_id"),
                    MemberTag.member_id.in_(bindparam("ids", expanding=True)),
                )
                .order_by(MemberTag.member_id, Tag.key)
            ),
        )
        for member_id, key in self.session.execute(
            stmt, {"tenant_id": self.tenant_id, "ids": list(ids)}
        ):
            out[member_id].append(key)
        return out

    def tiers_by_id(self, tier_ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, Tier]:
        ids = {i for i in tier_ids if i is not None}
        if not ids:
            return {}
        stmt = cached_statement(
            "members.tiers_by_id",
            lambda: select(Tier).where(
                Tier.tenant_id == bindparam("tenant_id"),
                Tier.id.in_(bindparam("ids", expanding=True)),
            ),
        )
        rows = self.session.scalars(stmt, {"tenant_id": self.tenant_id, "ids": list(ids)})
        return {t.id: t for t in rows}

    def default_tier(self) -> Tier | None:
        """The active tier flagged default, else the lowest-position active tier with
        minimum 0 points."""
        stmt = (
            self.scoped(select(Tier), Tier)
            .where(Tier.is_active.is_(True))
            .where(or_(Tier.is_default.is_(True), Tier.min_points == 0))
            .order_by(case((Tier.is_default.is_(True), 0), else_=1), Tier.position, Tier.id)
            .limit(1)
        )
        return self.session.scalars(stmt).first()

    def referral_code_id(self, code: str) -> uuid.UUID | None:
        """The id of the tenant's referral code ``code`` (as typed, else ignoring case,
        as ``ambassador`` finds codes: people retype them)."""
        stmt = self.scoped(select(ReferralCode.id), ReferralCode)
        found = self.session.scalar(stmt.where(ReferralCode.code == code).limit(1))
        if found is None:
            lowered = stmt.where(func.lower(ReferralCode.code) == code.lower())
            found = self.session.scalar(lowered.order_by(ReferralCode.created_at).limit(1))
        return found

    def referral_code_taken(self, code: str) -> bool:
        in_codes = self.scoped(select(ReferralCode.id), ReferralCode).where(
            ReferralCode.code == code
        )
        in_members = self.scoped(select(Member.id)).where(Member.referral_code == code)
        return self.session.scalar(select(exists(in_codes) | exists(in_members))) or False

    def referral_codes_taken(self, codes: Iterable[str]) -> set[str]:
        """Which of these codes a member or a referral code of the tenant holds."""
        wanted = sorted(set(codes))
        if not wanted:
            return set()
        in_codes = self.scoped(select(ReferralCode.code), ReferralCode).where(
            ReferralCode.code.in_(wanted)
        )
        in_members = self.scoped(select(Member.referral_code)).where(
            Member.referral_code.in_(wanted)
        )
        return {c for c in self.session.scalars(in_codes.union(in_members)) if c is not None}

    def mark_joined(self, member_id: uuid.UUID, *, at: datetime) -> bool:
        """Set the member's ``joined_at`` if it is not set yet: True for the one call,
        across every process, that set it (a conditional UPDATE, so two first posts
        racing cannot both count)."""
        result = self.session.execute(
            update(Member)
            .where(
                Member.tenant_id == self.tenant_id,
                Member.id == member_id,
                Member.joined_at.is_(None),
            )
            .values(joined_at=at)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    def add_referral_code(self, code: ReferralCode) -> None:
        code.tenant_id = self.tenant_id
        self.session.add(code)


class TagRepository(TenantRepository[Tag]):
    model = Tag

    def get_by_key(self, key: str) -> Tag | None:
        return self.session.scalars(self.scoped().where(Tag.key == key)).first()

    def get_by_keys(self, keys: Iterable[str]) -> dict[str, Tag]:
        wanted = list(keys)
        if not wanted:
            return {}
        return {t.key: t for t in self.session.scalars(self.scoped().where(Tag.key.in_(wanted)))}

    def list_with_counts(self, page: Page) -> tuple[list[tuple[Tag, int]], int]:
        total = self.session.scalar(self.scoped(select(func.count()).select_from(Tag)))
        counts = (
            select(MemberTag.tag_id, func.count().label("n"))
            .where(MemberTag.tenant_id == self.tenant_id)
            .group_by(MemberTag.tag_id)
            .subquery()
        )
        stmt = (
            self.scoped(select(Tag, func.coalesce(counts.c.n, 0)))
            .outerjoin(counts, counts.c.tag_id == Tag.id)
            .order_by(Tag.key)
            .limit(page.limit)
            .offset(page.offset)
        )
        rows = [(tag, int(n)) for tag, n in self.session.execute(stmt)]
        return rows, int(total or 0)

    def member_tags(self, member_id: uuid.UUID) -> list[tuple[MemberTag, Tag]]:
        stmt = (
            select(MemberTag, Tag)
            .join(Tag, (Tag.tenant_id == MemberTag.tenant_id) & (Tag.id == MemberTag.tag_id))
            .where(MemberTag.tenant_id == self.tenant_id, MemberTag.member_id == member_id)
            .order_by(MemberTag.added_at, Tag.key)
        )
        return [(link, tag) for link, tag in self.session.execute(stmt).tuples()]

    def link(self, member_id: uuid.UUID, tag_id: uuid.UUID) -> MemberTag | None:
        return self.session.get(MemberTag, (self.tenant_id, member_id, tag_id))

    def add_link(self, link: MemberTag) -> None:
        link.tenant_id = self.tenant_id
        self.session.add(link)
        self.session.flush()

    def remove_link(self, link: MemberTag) -> None:
        self.session.delete(link)
        self.session.flush()


class CaptureRepository(TenantRepository[Capture]):
    model = Capture

    def get_by_dedup_key(self, key: str) -> Capture | None:
        return self.session.scalars(self.scoped().where(Capture.dedup_key == key)).first()

    def search(
        self,
        page: Page,
        *,
        member_id: uuid.UUID | None = None,
        store_id: uuid.UUID | None = None,
        source: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> tuple[list[Capture], int]:
        stmt = self.scoped()
        if member_id is not None:
            stmt = stmt.where(Capture.member_id == member_id)
        if store_id is not None:
            stmt = stmt.where(Capture.store_id == store_id)
        if source is not None:
            stmt = stmt.where(Capture.source == source)
        if start is not None:
            stmt = stmt.where(Capture.created_at >= start)
        if end is not None:
            stmt = stmt.where(Capture.created_at < end)
        # Oldest first, like every list: offset paging stays stable while rows arrive.
        return self.page(stmt, page, Capture.created_at, Capture.id)
