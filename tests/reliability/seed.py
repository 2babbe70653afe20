"""A tenant with one of everything, and the path ids each face's operations take.

The reliability suite calls every operation with real ids (so generated requests
reach the code behind the lookup, and the isolation matrix has something to leak).
``PathIds`` maps each path parameter, named by the path segment before it, to the id
of a seeded object; an operation whose parameter has no seeded id fails the coverage
test, so a new endpoint cannot slip past the matrices.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.factories import Api, Tenant, unique

NATIVE = "/api/v2"
ADVOCATE = "/api/v1"
LOYALTY = "/v2/loyalty"
ADDGLOW = "/addglow/v1"

_PARAM = re.compile(r"\{([^}]+)\}")


@dataclass
class Seeded:
    """What `seed` made, by name, plus the path ids per face."""

    tenant: Tenant
    member: str
    member_email: str
    member_external_id: str
    values: dict[str, str] = field(default_factory=dict)

    def path_ids(self) -> dict[tuple[str, str], str]:
        """``(segment before the parameter, parameter name) -> value``."""
        v = self.values
        return {
            # native
            ("api-keys", "id"): v["api_key"],
            ("stores", "id"): v["store"],
            ("members", "id"): self.member,
            ("tags", "tagKey"): "vip",
            ("member-groups", "id"): v["member_group"],
            ("activities", "id"): v["activity"],
            ("tiers", "id"): v["tier"],
            ("rewards", "id"): v["reward"],
            ("transactions", "id"): v["transaction"],
            ("orders", "externalOrderId"): v["order_external_id"],
            ("coupons", "id"): v["coupon"],
            ("products", "id"): v["product"],
            ("webhooks", "id"): v["webhook"],
            ("deliveries", "deliveryId"): v["delivery"],
            ("testimonials", "id"): v["testimonial"],
            ("boards", "id"): v["board"],
            ("ideas", "id"): v["idea"],
            ("votes", "memberId"): self.member,
            ("quests", "id"): v["quest"],
            ("rooms", "id"): v["room"],
            ("posts", "id"): v["post"],
            ("comments", "id"): v["comment"],
            # advocate (/api/v1): the native ids; ("rewards", "id") is shared with native
            ("advocates", "id"): self.member,
            # advocate (/api/v1)
            ("referrals", "code"): v["referral_code"],
            # ShopSocially
            ("transactions", "transaction_id"): v["ss_transaction"],
            ("users", "user_email"): self.member_email,
            ("users", "uid"): self.member_external_id,
            ("activities", "activity_id"): v["ss_activity"],
            ("redemptions", "redemption_id"): v["ss_redemption"],
            ("levels", "level_id"): v["ss_level"],
            # AddGlow (/addglow/v1): canonical UUIDs; a segment other faces also use is
            # keyed by the whole path before the parameter (``fill_path``)
            (f"{ADDGLOW}/members", "id"): str(uuid.UUID(hex=self.member.split("_", 1)[1])),
            (f"{ADDGLOW}/products", "id"): v["ag_product"],
            (f"{ADDGLOW}/member-groups", "id"): str(
                uuid.UUID(hex=v["member_group"].split("_", 1)[1])
            ),
            ("product-variants", "id"): v["ag_variant"],
        }


def path_params(path: str) -> list[tuple[str, str]]:
    """``[(segment before, name), ...]`` for each ``{name}`` in an OpenAPI path."""
    parts = path.strip("/").split("/")
    out = []
    for i, part in enumerate(parts):
        m = _PARAM.fullmatch(part)
        if m:
            out.append((parts[i - 1] if i else "", m.group(1)))
    return out


def path_values(path: str, ids: dict[tuple[str, str], str]) -> dict[str, str]:
    """The seeded id of every ``{name}`` in ``path`` that has one: the id seeded for the
    whole path before it if any (a face's own ids), else the one for its segment."""
    out: dict[str, str] = {}
    for segment, name in path_params(path):
        before = path[: path.index("{" + name + "}")].rstrip("/")
        found = ids.get((before, name)) or ids.get((segment, name))
        if found is not None:
            out[name] = found
    return out


def fill_path(path: str, ids: dict[tuple[str, str], str]) -> str:
    """The path with every ``{name}`` replaced by its seeded id (``path_values``; a
    parameter without one is a KeyError: the coverage tests want every one seeded)."""
    values = path_values(path, ids)
    for _segment, name in path_params(path):
        path = path.replace("{" + name + "}", values[name], 1)
    return path


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def seed(t: Tenant) -> Seeded:
    """A store, a member with points, a tier, an activity, a reward, a coupon pool and a
    coupon, an order, a product, a tag, a member group (the member in it), a webhook
    with a delivery, an API key, a testimonial, a feedback board with an idea, a quest,
    a community room with a post and a comment."""
    api = t.api
    store = _ok(api.post("/stores", json={"code": unique("ST"), "name": "Main"}), 201)
    email = f"{unique('seed')}@example.com"
    external = unique("ext")
    created = _ok(
        api.post(
            "/members",
            json={"email": email, "externalId": external, "firstName": "Ada", "phone": None},
        ),
        201,
    )
    member = created["id"]
    award = _ok(api.post(f"/members/{member}/points", json={"amount": 5000}))
    tier = _ok(api.post("/tiers", json={"name": unique("Gold"), "minPoints": 100_000}), 201)
    activity = _ok(api.post("/activities", json={"name": unique("act"), "points": 10}), 201)
    reward = _ok(
        api.post("/rewards", json={"name": unique("reward"), "pointsCost": 10, "stock": 100}),
        201,
    )
    pool = _ok(
        api.post(
            "/coupons/pools",
            json={
                "name": unique("pool"),
                "discountType": "amount",
                "discountValue": "5.00",
                "pointsCost": 10,
                "generate": {"count": 50},
            },
        ),
        201,
    )
    coupon = _ok(api.post("/coupons/issue", json={"poolId": pool["id"], "memberId": member}), 201)[
        "coupons"
    ][0]
    # A "/" in it, as shops write them: every route taking it in its path must cope.
    order_ext = unique("SO") + "/2026"
    order = _ok(
        api.post(
            "/orders",
            json={"externalOrderId": order_ext, "memberId": member, "total": "100.00"},
        ),
        201,
    )
    _ok(api.post(f"/members/{member}/tags", json={"tags": ["vip"]}))
    group = _ok(
        api.post("/member-groups", json={"name": "Regulars", "brandMemberBadge": {"label": "R"}}),
        201,
    )
    _ok(api.put(f"/members/{member}/groups", json={"groupIds": [group["id"]]}))
    imported = _ok(
        api.post(
            "/catalog/import",
            json={
                "format": "generic",
                "products": [
                    {
                        "externalId": unique("p"),
                        "title": "Mug",
                        "variants": [{"externalId": unique("v"), "price": "9.00"}],
                    }
                ],
            },
        )
    )
    assert imported["created"] == 1, imported
    product = _ok(api.get("/products"))["products"][0]["id"]
    webhook = _ok(
        api.post(
            "/webhooks",
            json={"url": "http://127.0.0.1:9/hook", "events": ["points.awarded"]},
        ),
        201,
    )
    delivery = _ok(api.post(f"/webhooks/{webhook['id']}/test"), 202)
    key = _ok(t.owner.post("/api-keys", json={"name": "victim", "preset": "read"}), 201)
    testimonial = _ok(
        api.post("/testimonials", json={"memberId": member, "content": "Lovely", "rating": 5}),
        201,
    )
    board = _ok(api.post("/feedback/boards", json={"name": unique("board")}), 201)
    idea = _ok(
        api.post(
            f"/feedback/boards/{board['id']}/ideas", json={"title": "Oat milk", "memberId": member}
        ),
        201,
    )
    quest = _ok(
        api.post(
            "/quests",
            json={
                "title": unique("quest"),
                "tasks": [{"title": "Share", "points": 10}, {"title": "Review", "points": 5}],
            },
        ),
        201,
    )
    room = _ok(api.post("/rooms", json={"name": unique("room")}), 201)
    post = _ok(
        api.post("/posts", json={"roomId": room["id"], "memberId": member, "content": "Hi"}),
        201,
    )
    comment = _ok(
        api.post(f"/posts/{post['id']}/comments", json={"memberId": member, "content": "Yes"}),
        201,
    )

    values = {
        "store": store["id"],
        "tier": tier["id"],
        "activity": activity["id"],
        "reward": reward["id"],
        "pool": pool["id"],
        "coupon": coupon["id"],
        "coupon_code": coupon["code"],
        "transaction": award["transactionId"],
        "order": order["id"],
        "order_external_id": order_ext,
        "product": product,
        "webhook": webhook["id"],
        "delivery": delivery["id"],
        "api_key": key["id"],
        "testimonial": testimonial["id"],
        "board": board["id"],
        "idea": idea["id"],
        "quest": quest["id"],
        "member_group": group["id"],
        "quest_task": quest["tasks"][0]["id"],
        "room": room["id"],
        "post": post["id"],
        "comment": comment["id"],
        "referral_code": created["referralCode"],
    }
    values.update(_seed_loyalty(t, email))
    values.update(_seed_addglow(t))
    return Seeded(t, member, email, external, values)


def _seed_addglow(t: Tenant) -> dict[str, str]:
    """Two products made on the AddGlow face (their own store ids), the second with a
    variant: deleting the first (the path id) leaves the variant for its own DELETE."""
    ag = Api(t.client, t.api.token, base=ADDGLOW)
    product = _ok(ag.post("/products", json=addglow_product()))["data"]
    parent = _ok(ag.post("/products", json=addglow_product()))["data"]
    variant = _ok(ag.post("/product-variants", json=addglow_variant(parent["storeId"])))["data"]
    return {
        "ag_product": product["id"],
        "ag_product_store_id": parent["storeId"],
        "ag_variant": variant["id"],
    }


def addglow_product(store_id: str | None = None) -> dict[str, Any]:
    """A body ``POST /addglow/v1/products`` accepts."""
    return {
        "storeId": store_id or unique("gid://shopify/Product/"),
        "title": "Serum",
        "description": "Glows",
        "imageUrl": None,
        "imageWidth": None,
        "imageHeight": None,
        "onlineStoreUrl": "https://shop.example.com/serum",
    }


def addglow_variant(product_store_id: str) -> dict[str, Any]:
    """A body ``POST /addglow/v1/product-variants`` accepts."""
    return {
        "storeId": unique("gid://shopify/ProductVariant/"),
        "productStoreId": product_store_id,
        "title": "Large",
        "position": 1,
        "priceCents": 2999,
        "currency": "USD",
    }


def loyalty_headers(t: Tenant, key: Api | None = None) -> dict[str, str]:
    return {"partner-id": t.partner_id, "api-key": (key or t.api).token}


def _seed_loyalty(t: Tenant, email: str) -> dict[str, str]:
    """The ShopSocially ids of the same objects, plus a level and an activity of its own."""
    h = loyalty_headers(t)

    def post(path: str, body: dict[str, Any]) -> Any:
        return _ok(t.client.post(LOYALTY + path, json=body, headers=h))["data"]

    activity = post(
        "/activities",
        {
            "activity_id": unique("act").replace("-", "_"),
            "activity_name": "Shared a photo",
            "activity_description": "Shared a photo",
            "activity_type": "fixed",
            "approval_method": "immediate",
            "max_award_frequency": 1000,
            "max_award_frequency_interval": "day",
            "points_per_activity": 10,
            "is_active": True,
        },
    )
    redemption = post(
        "/redemptions",
        {
            "redemption_id": unique("rd").replace("-", "_"),
            "redemption_name": "Gift card",
            "is_active": True,
            "allowed_redeem_points": 10,
            "redemption_value": "$5",
            "giftcard_description": "$5 gift card",
            "terms_and_conds_text": "at checkout",
            "redemption_instructions": "apply the code at checkout",
            "giftcard_coupon_codes": f"{unique('C')},{unique('C')}",
            "coupon_expiry": "30-May-2099",
        },
    )
    level = post(
        "/levels",
        {
            "level_id": unique("lvl"),
            "level_name": "Star",
            "level_description": "Star level",
            "is_active": True,
            "level_type": "lifetime",
            "level_position": 10,
            "level_minimum_points": 100_000,
            "level_bonus_multiplier": 1.5,
        },
    )
    awarded = post("/award", {"user_email": email, "activity_id": activity["activity_id"]})
    return {
        "ss_activity": str(activity["activity_id"]),
        "ss_redemption": str(redemption["redemption_id"]),
        "ss_level": str(level["level_id"]),
        "ss_transaction": str(_transaction_id(awarded)),
    }


def _transaction_id(awarded: dict[str, Any]) -> str:
    for name in ("transaction_id", "points_transaction_id", "id"):
        if name in awarded:
            return str(awarded[name])
    raise AssertionError(f"no transaction id in the award answer: {awarded}")
