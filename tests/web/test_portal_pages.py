"""The portal's pages beyond home, in-process: what each shows, the changes a member
makes (redeem, testimonial, idea, vote, post) through the core's rules, and another
member's or tenant's ids answered as missing."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from punchcard.identity import member_sessions
from punchcard.identity.principal import Principal
from punchcard.identity.scopes import ALL_SCOPES
from punchcard.kit.ids import parse
from punchcard.members import service as members
from punchcard.models import Coupon, IdeaVote, Post
from punchcard.models import Testimonial as TestimonialRow
from punchcard.web.portal.pages import describe, share_links
from tests.factories import Tenant, award, balance, unique, verify_tenant


@pytest.fixture(autouse=True)
def _no_cookie_left(tenant: Tenant) -> Iterator[None]:
    yield
    tenant.client.cookies.clear()


def new_member(t: Tenant, **kw: Any) -> str:
    r = t.api.post("/members", json={"email": f"{unique('m')}@example.com", **kw})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def sign_in(t: Tenant, member: str) -> str:
    """A portal session opened through the core, as the portal cookie of the client."""
    member_id = parse("mem", member)
    assert member_id is not None
    with t.db.transaction() as s:
        row = members.get(s, Principal(t.id, frozenset(ALL_SCOPES)), member_id=member_id)
        token = member_sessions.open_session(s, row, kind="portal", ttl_seconds=3600).token
    t.client.cookies.clear()
    t.client.cookies.set(member_sessions.PORTAL_COOKIE, token)
    return token


def url(t: Tenant, path: str) -> str:
    return f"/portal/{t.partner_id}{path}"


def csrf_of(t: Tenant, path: str) -> str:
    page = t.client.get(url(t, path))
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def post(t: Tenant, path: str, data: dict[str, str], *, from_page: str) -> Any:
    return t.client.post(
        url(t, path), data={"csrf": csrf_of(t, from_page), **data}, follow_redirects=False
    )


def count(t: Tenant, model: Any, **where: Any) -> int:
    with t.db.transaction(write=False) as s:
        stmt = select(func.count()).select_from(model).where(model.tenant_id == t.id)
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        return int(s.scalar(stmt) or 0)


def reward(t: Tenant, cost: int, codes: list[str], **kw: Any) -> dict[str, Any]:
    body = {"name": unique("Five off"), "pointsCost": cost, "codes": codes, **kw}
    r = t.api.post("/rewards", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


# History ------------------------------------------------------------------------------


def test_history_shows_the_ledger_in_plain_words_newest_first_paged(tenant: Tenant) -> None:
    m = new_member(tenant)
    for i in range(21):
        award(tenant, m, 10 + i, description=f"Bonus {i}")
    r = tenant.api.post(
        "/orders",
        json={"externalOrderId": "1234", "memberId": m, "total": "12.00", "currency": "USD"},
    )
    assert r.status_code in (200, 201), r.text
    key = unique("review").replace("-", "_")
    activity = {"name": key, "key": key, "points": 3, "approval": "manual"}
    assert tenant.api.post("/activities", json=activity).status_code == 201
    r = tenant.api.post(f"/activities/{key}/award", json={"memberId": m})
    assert r.status_code == 201, r.text
    sign_in(tenant, m)
    first = tenant.client.get(url(tenant, "/history"))
    assert "Earned 3 points" in first.text and "(pending approval)" in first.text
    assert "(approved)" not in first.text
    assert first.status_code == 200
    assert re.search(r"Earned \d+ points for order #1234", first.text), first.text
    assert "Page 1 of 2" in first.text and "Bonus 20" in first.text and "Bonus 0" not in first.text
    second = tenant.client.get(url(tenant, "/history?page=2"))
    assert "Earned 10 points: Bonus 0" in second.text and "Bonus 20" not in second.text
    bad = tenant.client.get(url(tenant, "/history?page=x"))
    assert bad.status_code == 400 and "page must be" in bad.text


def test_plain_words_for_each_kind_of_entry() -> None:
    class E:
        def __init__(self, type_: str, amount: int, description: str | None) -> None:
            self.type, self.amount, self.description = type_, amount, description

    assert describe(E("award", 120, "Order 1234")) == "Earned 120 points for order #1234"  # type: ignore[arg-type]
    assert describe(E("redeem", -500, "Redeemed: $5 off")) == "Redeemed 500 points for $5 off"  # type: ignore[arg-type]
    assert describe(E("expire", -40, None)) == "40 points expired"  # type: ignore[arg-type]
    assert describe(E("deduct", -1, "Oops")) == "1 point deducted: Oops"  # type: ignore[arg-type]


def test_a_page_without_a_signed_in_member_goes_to_join(tenant: Tenant) -> None:
    r = tenant.client.get(url(tenant, "/rewards"), follow_redirects=False)
    assert r.status_code == 303
    assert (
        r.headers["location"]
        == f"/portal/{tenant.partner_id}/join?next=/portal/{tenant.partner_id}/rewards"
    )


def test_another_tenants_member_is_not_signed_in_here(tenant: Tenant, other_tenant: Tenant) -> None:
    sign_in(other_tenant, new_member(other_tenant))
    r = tenant.client.get(url(tenant, "/history"), follow_redirects=False)
    assert r.status_code == 303 and "/join" in r.headers["location"]


# Rewards and coupons --------------------------------------------------------------------


def test_redeem_shows_the_code_and_the_coupons_page_lists_it(tenant: Tenant) -> None:
    m = new_member(tenant)
    award(tenant, m, 700)
    offer = reward(tenant, 500, ["SAVE5-AAA"])
    sign_in(tenant, m)
    page = tenant.client.get(url(tenant, "/rewards"))
    assert offer["name"] in page.text and "500 points" in page.text
    rid = parse("rwd", offer["id"])
    assert rid is not None
    r = post(tenant, f"/rewards/{rid.hex}/redeem", {}, from_page="/rewards")
    assert r.status_code == 303, r.text
    assert re.search(r"/coupons/[0-9a-f]{32}\?notice=Redeemed", r.headers["location"])
    shown = tenant.client.get(r.headers["location"])
    assert "SAVE5-AAA" in shown.text and "Your balance is 200 points" in shown.text
    assert balance(tenant, m) == 200
    # Reloading the code's page redeems nothing more.
    assert tenant.client.get(r.headers["location"]).status_code == 200
    assert balance(tenant, m) == 200
    coupons = tenant.client.get(url(tenant, "/coupons"))
    assert "SAVE5-AAA" in coupons.text and "Ready to use" in coupons.text
    history = tenant.client.get(url(tenant, "/history"))
    assert f"Redeemed 500 points for {offer['name']}" in history.text
    verify_tenant(tenant)


def test_too_few_points_is_a_message_and_nothing_is_written(tenant: Tenant) -> None:
    m = new_member(tenant)
    award(tenant, m, 100)
    offer = reward(tenant, 500, ["NOPE-1"])
    sign_in(tenant, m)
    rid = parse("rwd", offer["id"])
    assert rid is not None
    r = post(tenant, f"/rewards/{rid.hex}/redeem", {}, from_page="/rewards")
    assert r.status_code == 422 and "Not enough points" in r.text
    assert balance(tenant, m) == 100
    assert count(tenant, Coupon, code="NOPE-1", status="available") == 1


def test_redeem_without_the_csrf_token_is_refused(tenant: Tenant) -> None:
    m = new_member(tenant)
    award(tenant, m, 700)
    offer = reward(tenant, 500, ["CSRF-1"])
    sign_in(tenant, m)
    rid = parse("rwd", offer["id"])
    assert rid is not None
    r = tenant.client.post(url(tenant, f"/rewards/{rid.hex}/redeem"), data={})
    assert r.status_code == 403 and balance(tenant, m) == 700


def test_another_tenants_reward_is_a_404(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = reward(other_tenant, 1, ["THEIRS-1"])
    m = new_member(tenant)
    award(tenant, m, 100)
    sign_in(tenant, m)
    rid = parse("rwd", theirs["id"])
    assert rid is not None
    for ref in (rid.hex, "garbage"):
        r = post(tenant, f"/rewards/{ref}/redeem", {}, from_page="/rewards")
        assert r.status_code == 404, r.text
    assert balance(tenant, m) == 100


def test_coupons_show_only_the_members_own(tenant: Tenant) -> None:
    a, b = new_member(tenant), new_member(tenant)
    offer = reward(tenant, 10, ["MINE-1", "YOURS-1"])
    for m in (a, b):
        award(tenant, m, 10)
        r = tenant.api.post(f"/rewards/{offer['id']}/redeem", json={"memberId": m})
        assert r.status_code == 200, r.text
    sign_in(tenant, a)
    page = tenant.client.get(url(tenant, "/coupons")).text
    assert ("MINE-1" in page) != ("YOURS-1" in page)
    theirs = "YOURS-1" if "MINE-1" in page else "MINE-1"
    with tenant.db.transaction(write=False) as s:
        other_id = s.scalars(
            select(Coupon.id).where(Coupon.tenant_id == tenant.id, Coupon.code == theirs)
        ).one()
    assert tenant.client.get(url(tenant, f"/coupons/{other_id.hex}")).status_code == 404
    assert tenant.client.get(url(tenant, "/coupons/garbage")).status_code == 404


# Referrals ------------------------------------------------------------------------------


def test_referrals_show_the_link_share_links_and_stats(tenant: Tenant) -> None:
    m = new_member(tenant)
    code = tenant.api.get(f"/members/{m}").json()["referralCode"]
    r = tenant.api.post("/referrals/clicks", json={"code": code, "visitorId": "v1"})
    assert r.status_code == 202, r.text
    sign_in(tenant, m)
    page = tenant.client.get(url(tenant, "/referrals"))
    assert page.status_code == 200
    assert f"/r/{code}" in page.text
    assert "https://x.com/intent/tweet?" in page.text and "https://wa.me/?" in page.text
    assert '<script src="https' not in page.text
    assert re.search(r"Clicks</span> <span class=\"value\">1<", page.text)


def test_share_links_url_encode_the_link() -> None:
    links = dict(share_links("https://x.test/r/AB C&d", "Join me"))
    assert links["Facebook"].endswith("u=https%3A%2F%2Fx.test%2Fr%2FAB+C%26d")
    assert "AB%20C%26d" in links["Email"] and links["Email"].startswith("mailto:?")


# Quests ---------------------------------------------------------------------------------


def test_quests_show_tasks_and_the_members_progress(tenant: Tenant) -> None:
    m = new_member(tenant)
    body = {
        "title": "Explorer",
        "tasks": [{"title": "Visit", "points": 5}, {"title": "Review", "points": 5}],
    }
    quest = tenant.api.post("/quests", json=body).json()
    r = tenant.api.post(
        f"/quests/{quest['id']}/complete", json={"memberId": m, "taskId": quest["tasks"][0]["id"]}
    )
    assert r.status_code in (200, 201), r.text
    sign_in(tenant, m)
    page = tenant.client.get(url(tenant, "/quests")).text
    assert "Explorer" in page and "1 of 2 tasks done" in page
    assert "<strong>Done:</strong> Visit" in page and "To do:</span> Review" in page
    other = new_member(tenant)
    sign_in(tenant, other)
    assert "0 of 2 tasks done" in tenant.client.get(url(tenant, "/quests")).text


# Testimonials ---------------------------------------------------------------------------


def test_a_testimonial_is_written_and_listed_bad_input_names_the_field(tenant: Tenant) -> None:
    m = new_member(tenant)
    sign_in(tenant, m)
    r = post(
        tenant,
        "/testimonials",
        {"rating": "5", "content": "Great coffee"},
        from_page="/testimonials",
    )
    assert r.status_code == 303
    page = tenant.client.get(r.headers["location"]).text
    assert "Great coffee" in page and "Waiting for approval" in page
    empty = post(
        tenant, "/testimonials", {"rating": "4", "content": "  "}, from_page="/testimonials"
    )
    assert empty.status_code == 400 and "content must not be empty" in empty.text
    assert count(tenant, TestimonialRow) == 1


# Ideas ----------------------------------------------------------------------------------


def board_and_idea(t: Tenant) -> tuple[str, str]:
    board = t.api.post("/feedback/boards", json={"name": unique("Board")}).json()["id"]
    author = new_member(t)
    idea = t.api.post(
        f"/feedback/boards/{board}/ideas", json={"title": "Oat milk", "memberId": author}
    ).json()["id"]
    return board, idea


def test_a_member_votes_once_and_posts_an_idea(tenant: Tenant) -> None:
    board, idea = board_and_idea(tenant)
    m = new_member(tenant)
    sign_in(tenant, m)
    idea_id = parse("idea", idea)
    assert idea_id is not None
    first = post(tenant, f"/ideas/{idea_id.hex}/vote", {}, from_page="/ideas")
    assert first.status_code == 303 and "Thanks" in first.headers["location"]
    again = post(tenant, f"/ideas/{idea_id.hex}/vote", {}, from_page="/ideas")
    assert again.status_code == 303 and "already" in again.headers["location"]
    assert count(tenant, IdeaVote, idea_id=idea_id) == 1
    page = tenant.client.get(url(tenant, "/ideas")).text
    assert "1 vote " in page and "You voted for this." in page
    board_id = parse("fbb", board)
    assert board_id is not None
    r = post(
        tenant,
        "/ideas",
        {"board": board_id.hex, "title": "Longer hours", "body": ""},
        from_page="/ideas",
    )
    assert r.status_code == 303
    assert "Longer hours" in tenant.client.get(url(tenant, "/ideas")).text
    missing = post(tenant, "/ideas", {"board": "", "title": "X"}, from_page="/ideas")
    assert missing.status_code == 400 and "board" in missing.text


def test_another_tenants_idea_is_a_404(tenant: Tenant, other_tenant: Tenant) -> None:
    _, idea = board_and_idea(other_tenant)
    sign_in(tenant, new_member(tenant))
    idea_id = parse("idea", idea)
    assert idea_id is not None
    r = post(tenant, f"/ideas/{idea_id.hex}/vote", {}, from_page="/ideas")
    assert r.status_code == 404
    assert count(other_tenant, IdeaVote, idea_id=idea_id) == 0


# Rooms ----------------------------------------------------------------------------------


def room(t: Tenant, name: str) -> uuid.UUID:
    r = t.api.post("/rooms", json={"name": name})
    assert r.status_code == 201, r.text
    found = parse("room", r.json()["id"])
    assert found is not None
    return found


def test_rooms_resolve_by_slug_or_id_and_a_member_posts(tenant: Tenant) -> None:
    general = room(tenant, "General")
    room(tenant, "Coffee Talk!")
    m = new_member(tenant)
    sign_in(tenant, m)
    rooms = tenant.client.get(url(tenant, "/rooms")).text
    assert f"/portal/{tenant.partner_id}/room/general" in rooms
    assert f"/portal/{tenant.partner_id}/room/coffee-talk" in rooms
    assert tenant.client.get(url(tenant, f"/room/{general.hex}")).status_code == 200
    assert tenant.client.get(url(tenant, f"/room/room_{general.hex}")).status_code == 200
    r = post(tenant, "/room/general", {"content": "Hello all"}, from_page="/room/general")
    assert r.status_code == 303
    page = tenant.client.get(url(tenant, "/room/general")).text
    assert "Hello all" in page and "You ·" in page
    assert count(tenant, Post, room_id=general) == 1
    empty = post(tenant, "/room/general", {"content": " "}, from_page="/room/general")
    assert empty.status_code == 400 and "content must not be empty" in empty.text
    assert tenant.client.get(url(tenant, "/room/nowhere")).status_code == 404


def test_another_tenants_room_is_a_404(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = room(other_tenant, "Secret")
    sign_in(tenant, new_member(tenant))
    assert tenant.client.get(url(tenant, f"/room/{theirs.hex}")).status_code == 404
    assert tenant.client.get(url(tenant, "/room/secret")).status_code == 404


def test_a_banned_member_cannot_post(tenant: Tenant) -> None:
    general = room(tenant, "General")
    m = new_member(tenant)
    sign_in(tenant, m)
    token = csrf_of(tenant, "/room/general")
    assert tenant.api.patch(f"/members/{m}", json={"status": "banned"}).status_code == 200
    r = tenant.client.post(
        url(tenant, "/room/general"),
        data={"csrf": token, "content": "Let me in"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "/join" in r.headers["location"]
    assert count(tenant, Post, room_id=general) == 0
