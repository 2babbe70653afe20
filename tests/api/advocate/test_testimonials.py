"""The document's Testimonials group at /api/v1, to the letter:

| GET   | /api/v1/testimonials  Params: status, rating | 200: { testimonials: [], total } |
| PATCH | /api/v1/testimonials/:id  Body: { status }   | 200: { testimonial } | 404: Not found |

plus the face's rules: page/limit, 400 naming the field, 401, 403 without `community`,
404 for another tenant's id.
"""

from __future__ import annotations

from tests.factories import Api, Tenant
from tests.tracking.factories import make_member


def v1(t: Tenant, key: Api | None = None) -> Api:
    return Api(t.client, (key or t.api).token, base="/api/v1")


def submit(t: Tenant, rating: int = 5, member: str | None = None) -> str:
    member = member or make_member(t)["id"]
    r = t.api.post("/testimonials", json={"memberId": member, "content": "Great", "rating": rating})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_list_testimonials_answers_testimonials_and_total(tenant: Tenant) -> None:
    member = make_member(tenant)["id"]
    tid = submit(tenant, rating=4, member=member)
    r = v1(tenant).get("/testimonials")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"testimonials", "total"} and body["total"] == 1
    (t,) = body["testimonials"]
    assert t["id"] == tid and t["advocateId"] == member
    assert (t["content"], t["rating"], t["status"]) == ("Great", 4, "pending")
    assert t["moderatedBy"] is None and t["moderatedAt"] is None and t["createdAt"]


def test_status_and_rating_filter_exactly(tenant: Tenant) -> None:
    five, three = submit(tenant, 5), submit(tenant, 3)
    four = submit(tenant, 4)
    assert v1(tenant).patch(f"/testimonials/{four}", json={"status": "approved"}).status_code == 200

    def listed(**params: object) -> tuple[set[str], int]:
        r = v1(tenant).get("/testimonials", params=params)
        assert r.status_code == 200, r.text
        return {x["id"] for x in r.json()["testimonials"]}, r.json()["total"]

    assert listed(rating=5) == ({five}, 1)
    assert listed(rating=3) == ({three}, 1)
    assert listed(status="approved") == ({four}, 1)
    assert listed(status="pending") == ({five, three}, 2)
    assert listed(status="approved", rating=5) == (set(), 0)


def test_page_and_limit_page_the_list_and_total_counts_all(tenant: Tenant) -> None:
    made = [submit(tenant) for _ in range(3)]
    r = v1(tenant).get("/testimonials", params={"page": 2, "limit": 2})
    assert r.status_code == 200 and r.json()["total"] == 3
    assert len(r.json()["testimonials"]) == 1
    first = v1(tenant).get("/testimonials", params={"page": 1, "limit": 2}).json()
    seen = {x["id"] for x in first["testimonials"]} | {r.json()["testimonials"][0]["id"]}
    assert seen == set(made)


def test_out_of_range_and_unknown_values_are_400_naming_the_field(tenant: Tenant) -> None:
    for params, field in (
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": "five"}, "rating"),
        ({"status": "spam"}, "status"),
        ({"page": 0}, "page"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
    ):
        r = v1(tenant).get("/testimonials", params=params)
        assert r.status_code == 400, (params, r.text)
        assert r.json()["error"]["field"] == field, (params, r.text)
        assert r.json()["error"]["code"] == "VALIDATION_ERROR"


def test_patch_approves_or_rejects_and_answers_testimonial(tenant: Tenant) -> None:
    tid = submit(tenant)
    r = v1(tenant).patch(f"/testimonials/{tid}", json={"status": "approved"})
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"testimonial"}
    t = r.json()["testimonial"]
    assert t["id"] == tid and t["status"] == "approved"
    assert t["moderatedBy"].startswith("key_") and t["moderatedAt"]
    r = v1(tenant).patch(f"/testimonials/{tid}", json={"status": "rejected"})
    assert r.status_code == 200 and r.json()["testimonial"]["status"] == "rejected"


def test_patch_refusals_are_400_naming_status(tenant: Tenant) -> None:
    tid = submit(tenant)
    v1(tenant).patch(f"/testimonials/{tid}", json={"status": "approved"})
    for payload in ({"status": "pending"}, {"status": "published"}, {}, {"status": None}):
        r = v1(tenant).patch(f"/testimonials/{tid}", json=payload)
        assert r.status_code == 400, (payload, r.text)
        assert r.json()["error"]["field"] == "status", (payload, r.text)
    r = v1(tenant).patch(f"/testimonials/{tid}", json={"status": "pending"})
    assert r.json()["error"]["code"] == "INVALID_STATUS_TRANSITION"


def test_patch_of_an_unknown_or_another_tenants_testimonial_is_404(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = submit(other_tenant)
    for tid in (theirs, "tst_00000000000000000000000000000000", "nope"):
        r = v1(tenant).patch(f"/testimonials/{tid}", json={"status": "approved"})
        assert r.status_code == 404, r.text
        assert r.json()["error"]["code"] == "NOT_FOUND"
    assert v1(tenant).get("/testimonials").json() == {"testimonials": [], "total": 0}


def test_no_key_is_401_and_a_key_without_community_is_403(tenant: Tenant) -> None:
    tid = submit(tenant)
    assert tenant.client.get("/api/v1/testimonials").status_code == 401
    r = tenant.client.patch(f"/api/v1/testimonials/{tid}", json={"status": "approved"})
    assert r.status_code == 401 and "error" in r.json()
    no_read = v1(tenant, tenant.key_without("community:read"))
    assert no_read.get("/testimonials").status_code == 403
    reader = v1(tenant, tenant.key("community:read"))
    assert reader.get("/testimonials").status_code == 200
    r = reader.patch(f"/testimonials/{tid}", json={"status": "approved"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "INSUFFICIENT_SCOPE"
