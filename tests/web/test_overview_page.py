"""The overview page (in-process): the figures it shows are the metrics service's, the
period chooser refuses bad dates with a message naming the field, a viewer sees it."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from punchcard.metrics.service import overview
from punchcard.web.dashboard.overview import cards
from tests.factories import PASSWORD, Tenant, award, insert_member, new_user


def _login(app: Any, email: str) -> TestClient:
    c = TestClient(app)
    html = c.get("/dashboard/login").text
    token = re.search(r'name="csrf" value="([^"]+)"', html)
    assert token
    r = c.post(
        "/dashboard/login",
        data={"email": email, "password": PASSWORD, "csrf": token.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return c


def _viewer(t: Tenant) -> str:
    return new_user(t, "viewer")[1]


def test_the_cards_show_the_services_figures(app: Any, tenant: Tenant) -> None:
    member = insert_member(tenant)
    award(tenant, member, 120)
    tenant.api.post(f"/members/{member}/points", json={"amount": -20})
    c = _login(app, tenant.owner_email)
    r = c.get("/dashboard/?period=7")
    assert r.status_code == 200, r.text
    today = tenant.db.clock.now().date()
    with tenant.db.transaction(write=False) as s:
        expected = overview(s, tenant.id, start=today - timedelta(days=6), end=today)
    assert expected.totals.issued == 120 and expected.totals.deducted == 20
    for label, value in cards(expected):
        assert f'data-kpi="{label}">{value}<' in r.text, label
    assert r.text.count('role="img"') == 3
    assert 'aria-label="Points per day' in r.text
    assert "style=" not in r.text and "<script>" not in r.text


def test_bad_dates_are_a_message_naming_the_field(app: Any, tenant: Tenant) -> None:
    c = _login(app, tenant.owner_email)
    r = c.get("/dashboard/?from=2026-13-01&to=2026-12-01")
    assert r.status_code == 400
    assert 'id="overview-error"' in r.text and "From date must be a date" in r.text
    assert 'id="from" name="from" type="date" value="2026-13-01" aria-invalid="true"' in r.text
    r = c.get("/dashboard/?from=2026-12-05&to=2026-12-01")
    assert r.status_code == 400 and "To date must not be before the From date" in r.text
    r = c.get("/dashboard/?period=12")
    assert r.status_code == 400 and "Period must be" in r.text
    r = c.get("/dashboard/?from=2026-11-01&to=2026-11-30")
    assert r.status_code == 200 and "2026-11-01 to 2026-11-30" in r.text


def test_a_viewer_sees_the_overview(app: Any, tenant: Tenant) -> None:
    c = _login(app, _viewer(tenant))
    r = c.get("/dashboard/")
    assert r.status_code == 200
    assert 'data-kpi="Points issued"' in r.text


def test_signed_out_goes_to_the_login(app: Any) -> None:
    r = TestClient(app).get("/dashboard/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/dashboard/login")


def test_charts_escape_their_labels_and_carry_no_style() -> None:
    from punchcard.web import charts

    chart = charts.bar_chart(
        "Members by tier", ["<Gold & co>", "Silver"], charts.Series("Members", [3.0, 22.0])
    )
    svg = str(chart.svg)
    assert "<Gold" not in svg and "&lt;Gold &amp; co&gt;" in svg
    assert 'role="img"' in svg and 'viewBox="0 0 640 260"' in svg
    assert "style" not in svg and "<script" not in svg
    assert chart.label.startswith("Members by tier, <Gold & co> to Silver: Members total 25")
    assert chart.rows == [("<Gold & co>", ["3"]), ("Silver", ["22"])]
    # The y axis: about four steps of 1, 2 or 5 times a power of ten, up to the top.
    assert charts._scale(22) == (30.0, 3)
    assert charts._scale(19_417) == (20_000.0, 4)
    assert charts._scale(0) == (4.0, 4)
