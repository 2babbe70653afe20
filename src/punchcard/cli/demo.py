"""``punchcard demo``: a realistic tenant to look around in — members, a year of orders
with some refunds, tiers, rewards and redemptions, referral clicks — written through
the core services (the batch paths for members and orders) while a clock walks the
year, so the ledger, the tiers and the metrics are what a real year would leave.
Prints the owner's login, the partner id and an API key, like the first-start banner.
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import typer
from rich.console import Console
from rich.panel import Panel
from sqlalchemy import func, select

from punchcard.ambassador import referrals
from punchcard.cli.database import open_db, settings
from punchcard.community import service as community
from punchcard.db.uow import Database
from punchcard.errors import PunchcardError
from punchcard.identity.keys import create_key
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.kit.clock import FrozenClock
from punchcard.kit.crypto import hash_password, random_token
from punchcard.kit.ids import new_id
from punchcard.ledger.jobs import expire_due_lots
from punchcard.members import batch as member_batch
from punchcard.members.service import NewMember
from punchcard.models import Member, ReferralEvent, User
from punchcard.orders import batch as order_batch
from punchcard.orders import service as orders
from punchcard.quests import service as quests
from punchcard.quests.schemas import NewQuest, NewTask
from punchcard.rewards import service as rewards
from punchcard.tenants.service import create_tenant, update_settings
from punchcard.tiers import service as tiers
from punchcard.tiers.schemas import NewTier

FIRST = ["Ada", "Ben", "Cleo", "Dev", "Ema", "Finn", "Gia", "Hugo", "Ines", "Jon", "Kai", "Lea"]
LAST = ["Moreau", "Nakamura", "Okafor", "Patel", "Quinn", "Rossi", "Silva", "Tanaka", "Weber"]
DAYS = 365
POSTS = [
    "Best flat white in town.",
    "Tried the new Ethiopian roast today, lovely and fruity.",
    "Does anyone know when the oat milk is back?",
    "The Gold tier perks are worth it.",
    "Brought a friend, we both got points!",
]


def demo(
    members: int = typer.Option(1000, "--members", min=1, max=100_000, help="Members to create"),
    seed: int = typer.Option(7, "--seed", help="Random seed (the same seed, the same data)"),
) -> None:
    """Load a demo tenant: members, a year of orders and refunds, tiers, rewards,
    redemptions and referral clicks; print its login, partner id and an API key."""
    console = Console()
    started = time.perf_counter()
    open_db().dispose()  # refuses an unmigrated database, with the hint
    end = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    clock = FrozenClock(end - timedelta(days=DAYS))
    db = Database(settings().database_url, settings=settings(), clock=clock)
    try:
        made = load(db, clock, members=members, seed=seed)
    finally:
        db.dispose()
    elapsed = time.perf_counter() - started
    console.print(
        Panel.fit(
            "\n".join(
                [
                    "[bold]A demo tenant was loaded (shown once):[/bold]",
                    "",
                    "  dashboard       : /dashboard/login",
                    f"  login           : {made['email']}",
                    f"  password        : {made['password']}",
                    f"  partner id      : {made['partner_id']}",
                    f"  API key         : {made['key']}",
                    "",
                    f"  {made['members']} members, {made['orders']} orders "
                    f"({made['refunds']} refunded), {made['tiers']} tiers, "
                    f"{made['redemptions']} redemptions, {made['clicks']} referral clicks "
                    f"({made['conversions']} conversions), "
                    f"{made['completions']} quest tasks done, {made['posts']} posts "
                    f"in {elapsed:.1f} s",
                ]
            ),
            title="punchcard demo",
        )
    )


def load(db: Database, clock: FrozenClock, *, members: int, seed: int) -> dict[str, object]:
    """Write the demo tenant; returns what the banner shows."""
    rng = random.Random(seed)
    end = clock.now() + timedelta(days=DAYS)
    password = random_token(12)
    email = f"owner-{random_token(4).lower()}@demo.example.com"
    with db.transaction() as s:
        tenant = create_tenant(s, name="Demo Coffee Co")
        at = clock.now()
        s.add(
            User(
                id=new_id(),
                tenant_id=tenant.id,
                email=email,
                name="Demo Owner",
                role="owner",
                password_hash=hash_password(password),
                created_at=at,
                updated_at=at,
            )
        )
        key = create_key(s, tenant.id, name="demo", preset="write")
        p = Principal(tenant_id=tenant.id, scopes=frozenset(ALL_SCOPES))
        for position, (name, floor) in enumerate([("Bronze", 0), ("Silver", 250), ("Gold", 600)]):
            tiers.create_tier(
                s,
                p,
                data=NewTier(name=name, position=position, min_points=floor),
            )
        reward_ids = [
            rewards.create(s, p, data=rewards.NewReward(name=n, points_cost=c)).id
            for n, c in [("Free coffee", 100), ("Pastry", 150), ("Tote bag", 500)]
        ]
        # Points lapse after 180 days, so the year shows expiries (breakage).
        update_settings(s, tenant.id, {"points_expiry_days": 180})
        quest = quests.create(
            s,
            p,
            data=NewQuest(
                title="Coffee explorer",
                tasks=(
                    NewTask(title="Try a pour-over", points=20),
                    NewTask(title="Bring a friend", points=30),
                ),
                reward_points=50,
            ),
        )
        quest_id, task_ids = quest.quest.id, [t.id for t in quest.tasks]
        room_id = community.create_room(s, p, name="Coffee talk").id
        partner_id, tenant_id = tenant.partner_id, tenant.id
    # Members join through the year, in weekly batches.
    member_ids: list[uuid.UUID] = []
    codes: list[str] = []
    joined: list[datetime] = []
    weeks = DAYS // 7
    for week in range(weeks):
        count = members * (week + 1) // weeks - members * week // weeks
        if not count:
            continue
        clock.set(end - timedelta(days=DAYS - week * 7))
        rows: list[member_batch.Row] = []
        for i in range(count):
            n = len(member_ids) + i
            rows.append(
                NewMember(
                    email=f"member{n}@demo.example.com",
                    first_name=rng.choice(FIRST),
                    last_name=rng.choice(LAST),
                    # Some join through a friend's code: their first order converts it.
                    referred_by=rng.choice(codes) if codes and rng.random() < 0.15 else None,
                )
            )
        with db.transaction() as s:
            fresh = []
            for outcome in member_batch.upsert_batch(s, p, rows=rows):
                assert outcome.member_id is not None, outcome.error
                fresh.append(outcome.member_id)
                joined.append(clock.now())
            member_ids.extend(fresh)
            codes.extend(
                code
                for code in s.scalars(
                    select(Member.referral_code).where(
                        Member.tenant_id == tenant_id, Member.id.in_(fresh)
                    )
                )
                if code
            )
    # A year of orders, one batch a day; a few refunded the next day.
    by_day: dict[int, list[int]] = {}
    for index, since in enumerate(joined):
        first_day = (since - (end - timedelta(days=DAYS))).days
        for _ in range(rng.randint(1, 8)):
            by_day.setdefault(rng.randint(first_day, DAYS - 1), []).append(index)
    placed = refunded = redeemed = clicks = completions = posts = 0
    to_refund: list[str] = []
    for day in range(DAYS):
        clock.set(end - timedelta(days=DAYS - day, hours=rng.randint(0, 8)))
        with db.transaction() as s:
            for ext in to_refund:
                try:
                    orders.refund(
                        s, p, external_order_id=ext, data=orders.RefundRequest(amount=None)
                    )
                    refunded += 1
                except PunchcardError:
                    pass
            to_refund = []
            batch = [
                orders.NewOrder(
                    external_order_id=f"D{day:03d}-{k:05d}",
                    member_id=member_ids[i],
                    total=Decimal(rng.randint(400, 9000)) / 100,
                    fingerprint=f"demo-{day}-{k}",
                )
                for k, i in enumerate(by_day.get(day, []))
            ]
            for chunk in range(0, len(batch), 500):
                for result in order_batch.place_batch(s, p, orders=batch[chunk : chunk + 500]):
                    if isinstance(result, PunchcardError):
                        continue
                    placed += 1
                    if rng.random() < 0.04:
                        to_refund.append(result.order.external_order_id)
            # Some members spend their points; some share their referral link.
            # Only members who had joined by then (each one's activity starts at its join).
            present = [i for i, since in enumerate(joined) if since <= clock.now()]
            for i in rng.sample(present, k=min(len(present), 3)):
                member = s.get(Member, (tenant_id, member_ids[i]))
                if member is not None and member.points_balance >= 100:
                    try:
                        rewards.redeem(s, p, reward_id=reward_ids[0], member_id=member.id)
                        redeemed += 1
                    except PunchcardError:
                        pass
                if member is not None and member.referral_code and rng.random() < 0.5:
                    visitor = f"v{day}-{i}"
                    referrals.record_click(
                        s, p, data=referrals.Click(code=member.referral_code, visitor_id=visitor)
                    )
                    clicks += 1
                if member is not None and rng.random() < 0.3:
                    done = quests.complete(
                        s, p, quest_id=quest_id, task_id=rng.choice(task_ids), member_id=member.id
                    )
                    completions += 1 if done.created else 0
                if member is not None and rng.random() < 0.2:
                    text = rng.choice(POSTS)
                    community.create_post(s, p, room_id=room_id, member_id=member.id, content=text)
                    posts += 1
        if day % 30 == 29:
            expire_due_lots(db, clock.now(), tenant_id=tenant_id)
    clock.set(end)
    with db.transaction(write=False) as s:
        conversions = s.execute(
            select(func.count())
            .select_from(ReferralEvent)
            .where(ReferralEvent.tenant_id == tenant_id, ReferralEvent.type == "conversion")
        ).scalar_one()
    return {
        "email": email,
        "password": password,
        "partner_id": partner_id,
        "key": key.plaintext,
        "members": len(member_ids),
        "orders": placed,
        "refunds": refunded,
        "tiers": 3,
        "redemptions": redeemed,
        "clicks": clicks,
        "conversions": int(conversions),
        "completions": completions,
        "posts": posts,
    }
