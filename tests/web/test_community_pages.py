"""The dashboard's community page in-process: testimonials approved or rejected, ideas
moved between statuses, rooms created, posts and comments hidden, shown again and
deleted with who moderated and when; bad input named, a viewer 403, another tenant's
id the 404 page, nothing written on a refusal."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Tenant, insert_member
from tests.web.test_programs_pages import add_viewer, alert, post, sign_in, uid

C = "/dashboard/community"


def moderated_by(email: str, html: str) -> bool:
    """Whether a "Moderated" cell names ``email`` and a time (the header names the
    signed-in user too, without one)."""
    return re.search(re.escape(email) + r", \d{4}-\d\d-\d\d \d\d:\d\d UTC", html) is not None


def made(r: Any) -> dict[str, Any]:
    assert r.status_code in (200, 201), r.text
    return dict(r.json())


def content(t: Tenant) -> dict[str, Any]:
    """A member's testimonial, a board with an idea, a room with a post and a comment."""
    member = insert_member(t)
    said = made(
        t.api.post(
            "/testimonials", json={"memberId": member, "content": "Lovely coffee", "rating": 5}
        )
    )
    board = made(t.api.post("/feedback/boards", json={"name": "Menu ideas"}))
    idea = made(
        t.api.post(
            f"/feedback/boards/{board['id']}/ideas", json={"memberId": member, "title": "Oat milk"}
        )
    )
    room = made(t.api.post("/rooms", json={"name": "Regulars"}))
    p = made(
        t.api.post(
            "/posts",
            json={"roomId": room["id"], "memberId": member, "content": "Best flat white in town"},
        )
    )
    c = made(
        t.api.post(f"/posts/{p['id']}/comments", json={"memberId": member, "content": "Agreed!"})
    )
    return {
        "member": member,
        "testimonial": said,
        "idea": idea,
        "room": room,
        "post": p,
        "comment": c,
    }


def test_the_page_shows_everything_to_moderate(client: TestClient, tenant: Tenant) -> None:
    content(tenant)
    sign_in(client, tenant.owner_email)
    r = client.get(C)
    assert r.status_code == 200
    for text in ("Lovely coffee", "Menu ideas", "Oat milk", "Regulars", "Best flat white"):
        assert text in r.text, text
    assert client.get(C + "?status=bogus").status_code == 400


def test_a_testimonial_is_approved_then_rejected_with_who_and_when(
    client: TestClient, tenant: Tenant
) -> None:
    c = content(tenant)
    token = sign_in(client, tenant.owner_email)
    tid = c["testimonial"]["id"]
    r = post(client, f"{C}/testimonials/{uid(tid)}", token, status="approved")
    assert r.status_code == 303 and "notice=" in r.headers["location"]
    after = made(tenant.api.get(f"/testimonials/{tid}"))
    assert after["status"] == "approved" and after["moderatedAt"]
    assert moderated_by(tenant.owner_email, client.get(C).text)
    post(client, f"{C}/testimonials/{uid(tid)}", token, status="rejected")
    assert made(tenant.api.get(f"/testimonials/{tid}"))["status"] == "rejected"
    r = post(client, f"{C}/testimonials/{uid(tid)}", token, status="pending")
    assert r.status_code == 400 and alert(r.text).startswith("status")
    assert made(tenant.api.get(f"/testimonials/{tid}"))["status"] == "rejected"


def test_an_idea_moves_between_statuses(client: TestClient, tenant: Tenant) -> None:
    c = content(tenant)
    token = sign_in(client, tenant.owner_email)
    iid = c["idea"]["id"]
    assert post(client, f"{C}/ideas/{uid(iid)}", token, status="planned").status_code == 303
    assert made(tenant.api.get(f"/feedback/ideas/{iid}"))["status"] == "planned"
    r = post(client, f"{C}/ideas/{uid(iid)}", token, status="someday")
    assert r.status_code == 400 and alert(r.text).startswith("status")
    assert made(tenant.api.get(f"/feedback/ideas/{iid}"))["status"] == "planned"


def test_a_room_is_created_a_blank_name_named(client: TestClient, tenant: Tenant) -> None:
    token = sign_in(client, tenant.owner_email)
    r = post(client, f"{C}/rooms", token, name="Baristas")
    assert r.status_code == 303
    assert [x["name"] for x in made(tenant.api.get("/rooms"))["rooms"]] == ["Baristas"]
    assert "Baristas" in client.get(C).text
    r = post(client, f"{C}/rooms", token, name="   ")
    assert r.status_code == 400 and alert(r.text).startswith("Room name")
    assert 'aria-invalid="true"' in r.text
    r = post(client, f"{C}/rooms", token, name="x" * 101)
    assert r.status_code == 400 and "at most 100" in alert(r.text)
    assert made(tenant.api.get("/rooms"))["total"] == 1


def test_a_post_is_hidden_unhidden_and_deleted_showing_the_moderator(
    client: TestClient, tenant: Tenant
) -> None:
    c = content(tenant)
    token = sign_in(client, tenant.owner_email)
    pid = c["post"]["id"]
    r = post(client, f"{C}/posts/{uid(pid)}/hide", token)
    assert r.status_code == 303 and "hidden" in r.headers["location"]
    assert made(tenant.api.get(f"/posts/{pid}"))["status"] == "hidden"
    page = client.get(C).text
    assert "Unhide" in page and moderated_by(tenant.owner_email, page)
    post(client, f"{C}/posts/{uid(pid)}/restore", token)
    assert made(tenant.api.get(f"/posts/{pid}"))["status"] == "visible"
    post(client, f"{C}/posts/{uid(pid)}/delete", token)
    assert made(tenant.api.get(f"/posts/{pid}"))["status"] == "deleted"
    assert "Best flat white" not in client.get(C).text
    assert "Best flat white" in client.get(C + "?status=deleted").text
    r = post(client, f"{C}/posts/{uid(pid)}/hide", token)
    assert r.status_code == 422 and "cannot become hidden" in alert(r.text)
    assert made(tenant.api.get(f"/posts/{pid}"))["status"] == "deleted"
    assert post(client, f"{C}/posts/{uid(pid)}/archive", token).status_code == 400


def test_a_comment_is_hidden_and_deleted_from_its_posts_page(
    client: TestClient, tenant: Tenant
) -> None:
    c = content(tenant)
    token = sign_in(client, tenant.owner_email)
    pid, cid = c["post"]["id"], c["comment"]["id"]
    shown = client.get(f"{C}/posts/{uid(pid)}")
    assert shown.status_code == 200 and "Agreed!" in shown.text
    back = f"{C}/posts/{uid(pid)}"
    r = post(client, f"{C}/comments/{uid(cid)}/hide", token, back=back)
    assert r.status_code == 303 and r.headers["location"].startswith(back + "?notice=")
    assert made(tenant.api.get(f"/comments/{cid}"))["status"] == "hidden"
    assert moderated_by(tenant.owner_email, client.get(back).text)
    post(client, f"{C}/comments/{uid(cid)}/delete", token, back="https://evil.example/")
    assert made(tenant.api.get(f"/comments/{cid}"))["status"] == "deleted"
    assert "Agreed!" in client.get(back + "?status=deleted").text


def test_a_viewer_sees_the_community_but_cannot_moderate(
    client: TestClient, tenant: Tenant
) -> None:
    c = content(tenant)
    token = sign_in(client, add_viewer(tenant))
    page = client.get(C)
    assert page.status_code == 200 and "Best flat white" in page.text
    assert "/hide" not in page.text and "Create room" not in page.text
    for path, data in [
        (f"{C}/testimonials/{uid(c['testimonial']['id'])}", {"status": "approved"}),
        (f"{C}/ideas/{uid(c['idea']['id'])}", {"status": "done"}),
        (f"{C}/rooms", {"name": "Viewers"}),
        (f"{C}/posts/{uid(c['post']['id'])}/hide", {}),
        (f"{C}/comments/{uid(c['comment']['id'])}/delete", {}),
    ]:
        assert post(client, path, token, **data).status_code == 403, path
    assert made(tenant.api.get(f"/testimonials/{c['testimonial']['id']}"))["status"] == "pending"
    assert made(tenant.api.get(f"/feedback/ideas/{c['idea']['id']}"))["status"] == "open"
    assert made(tenant.api.get("/rooms"))["total"] == 1
    assert made(tenant.api.get(f"/posts/{c['post']['id']}"))["status"] == "visible"
    assert made(tenant.api.get(f"/comments/{c['comment']['id']}"))["status"] == "visible"


def test_another_tenants_ids_are_404_pages(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = content(other_tenant)
    token = sign_in(client, tenant.owner_email)
    for r in (
        post(
            client, f"{C}/testimonials/{uid(theirs['testimonial']['id'])}", token, status="approved"
        ),
        post(client, f"{C}/ideas/{uid(theirs['idea']['id'])}", token, status="done"),
        post(client, f"{C}/posts/{uid(theirs['post']['id'])}/hide", token),
        post(client, f"{C}/comments/{uid(theirs['comment']['id'])}/hide", token),
        client.get(f"{C}/posts/{uid(theirs['post']['id'])}"),
        client.get(f"{C}/posts/nope"),
    ):
        assert r.status_code == 404 and "<h1>Not found</h1>" in r.text
    o = other_tenant.api
    assert made(o.get(f"/testimonials/{theirs['testimonial']['id']}"))["status"] == "pending"
    assert made(o.get(f"/feedback/ideas/{theirs['idea']['id']}"))["status"] == "open"
    assert made(o.get(f"/posts/{theirs['post']['id']}"))["status"] == "visible"
    assert made(o.get(f"/comments/{theirs['comment']['id']}"))["status"] == "visible"
