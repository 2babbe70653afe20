"""The dashboard's programs pages (issue 14): earning rules, tiers, rewards, coupon
pools (with a CSV upload of codes), quests and the referral program's settings.

Every page calls the core services the native face calls (``activities``, ``tiers``,
``rewards``, ``coupons``, ``quests``, ``ambassador.payout``). A form's input is read and
checked here first (a message naming the field, nothing written); the core's own
refusal of a good-looking input is shown inside the same form, its writes rolled back
to a savepoint. Ids in the paths are the rows' UUIDs: a malformed one, or another
tenant's, is the 404 page.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar, cast
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from punchcard.activities import service as activities
from punchcard.activities.schemas import ActivityKind, Approval
from punchcard.ambassador import payout
from punchcard.coupons import service as coupons
from punchcard.coupons.schemas import DiscountType, NewPool
from punchcard.errors import NotFound, PunchcardError, ValidationFailed
from punchcard.kit.paging import Page
from punchcard.models import Activity, Reward, Tier
from punchcard.quests import service as quests
from punchcard.quests.schemas import MAX_TASKS, NewQuest, NewTask, QuestStatus
from punchcard.rewards import service as rewards
from punchcard.rewards.schemas import RewardType
from punchcard.tiers import service as tiers
from punchcard.tiers.schemas import NewTier, TierChanges, TierType
from punchcard.web.dashboard.session import Ctx, action, redirect, view

router = APIRouter(include_in_schema=False)

BASE = "/dashboard/programs"
ALL = Page(limit=200)
# The CSV upload of coupon codes: at most this many bytes and codes per file.
MAX_CSV_BYTES = 1_000_000
MAX_CSV_CODES = 10_000
MAX_CODE = 64

E = TypeVar("E", bound=StrEnum)


# Forms -----------------------------------------------------------------------------


@dataclass
class Field:
    """One input of a form, as the shared form template renders it."""

    name: str
    label: str
    kind: str = "text"  # text, number, textarea, select, checkbox, file
    value: Any = ""
    options: Sequence[tuple[str, str]] = ()
    required: bool = False
    help: str | None = None
    step: str | None = None


@dataclass
class FormPage:
    """A form page: its heading, where it posts, its fields and its refusal."""

    title: str
    post_to: str
    fields: list[Field]
    submit: str
    back: str
    error: str | None = None
    error_field: str | None = None
    multipart: bool = False
    intro: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Reader:
    """The posted form's values, checked one by one: each refusal is a
    :class:`ValidationFailed` naming the field (its label in the message)."""

    def __init__(self, form: FormData, labels: dict[str, str]) -> None:
        self.form = form
        self.labels = labels

    def _raw(self, name: str) -> str:
        value = self.form.get(name)
        return value.strip() if isinstance(value, str) else ""

    def _bad(self, name: str, message: str) -> ValidationFailed:
        return ValidationFailed(f"{self.labels.get(name, name)}: {message}", field=name)

    def text(self, name: str, *, limit: int = 200, required: bool = True) -> str | None:
        value = self._raw(name)
        if not value:
            if required:
                raise self._bad(name, "enter a value")
            return None
        if len(value) > limit:
            raise self._bad(name, f"at most {limit} characters")
        if not value.replace("\n", "").replace("\r", "").replace("\t", "").isprintable():
            raise self._bad(name, "use printable characters only")
        return value

    def integer(self, name: str, *, low: int, high: int, required: bool = True) -> int | None:
        value = self._raw(name)
        if not value:
            if required:
                raise self._bad(name, "enter a whole number")
            return None
        try:
            number = int(value)
        except ValueError:
            raise self._bad(name, f"enter a whole number from {low} to {high}") from None
        if not low <= number <= high:
            raise self._bad(name, f"enter a whole number from {low} to {high}")
        return number

    def decimal(
        self,
        name: str,
        *,
        low: Decimal,
        high: Decimal,
        above: bool = False,
        required: bool = True,
    ) -> Decimal | None:
        value = self._raw(name)
        if not value:
            if required:
                raise self._bad(name, "enter a number")
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = Decimal("NaN")
        word = "above" if above else "from"
        if (
            not number.is_finite()
            or (number <= low if above else number < low)
            or number > high
            or number.as_tuple().exponent < -4  # type: ignore[operator]
        ):
            raise self._bad(name, f"enter a number {word} {low} to {high} (up to 4 decimals)")
        return number

    def choice(self, name: str, enum: type[E]) -> E:
        value = self._raw(name)
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(e.value for e in enum)
            raise self._bad(name, f"choose one of {allowed}") from None

    def flag(self, name: str) -> bool:
        return self._raw(name) in ("1", "on", "true", "yes")


def form_page(ctx: Ctx, page: FormPage, *, status: int = 200) -> Response:
    return ctx.page("dashboard/programs/form.html", status=status, title=page.title, form=page)


def refused(ctx: Ctx, page: FormPage, exc: PunchcardError) -> Response:
    """The form again, with the refusal's message naming the field (400)."""
    page.error = exc.message
    page.error_field = exc.field
    status = 404 if isinstance(exc, NotFound) else 400
    return form_page(ctx, page, status=status)


def guarded(ctx: Ctx, write: Callable[[], Any]) -> Any:
    """Run the core's change in a savepoint: a refusal rolls back what it wrote."""
    with ctx.session.begin_nested():
        return write()


def row_id(value: str) -> uuid.UUID:
    """A path's id: a UUID, else the 404 page."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound("There is no such page", field="id") from None


def options(enum: type[StrEnum]) -> list[tuple[str, str]]:
    return [(e.value, e.value.replace("_", " ")) for e in enum]


def done(url: str, notice: str) -> Response:
    return redirect(f"{url}?notice={quote(notice)}")


def yes_no() -> list[tuple[str, str]]:
    return [("1", "Active"), ("0", "Inactive")]


# Index -----------------------------------------------------------------------------


@router.get(BASE)
async def index(request: Request) -> Response:
    def page(ctx: Ctx) -> Response:
        p = ctx.principal
        s = ctx.session
        small = Page(limit=1)
        sections = [
            (
                "Earning rules",
                f"{BASE}/activities",
                activities.list_activities(s, p, page=small)[1],
                "How members earn points: per purchase, per action, with multipliers.",
            ),
            (
                "Tiers",
                f"{BASE}/tiers",
                tiers.list_tiers(s, p, page=small)[1],
                "Levels members reach by points, each with its multiplier.",
            ),
            (
                "Rewards",
                f"{BASE}/rewards",
                rewards.list_rewards(s, p, page=small)[1],
                "What members spend points on, with stock and one-time codes.",
            ),
            (
                "Coupon pools",
                f"{BASE}/coupons",
                coupons.list_pools(s, p, page=small)[1],
                "Pools of coupon codes: create one, upload codes from a CSV file.",
            ),
            (
                "Quests",
                f"{BASE}/quests",
                quests.list_quests(s, p, page=small)[1],
                "Campaigns of tasks worth points.",
            ),
            (
                "Referral program",
                f"{BASE}/referrals",
                None,
                "What a referrer and the referred friend earn.",
            ),
        ]
        return ctx.page("dashboard/programs/index.html", title="Programs", sections=sections)

    return await view(request, page)


# Earning rules ---------------------------------------------------------------------

ACTIVITY_LABELS = {
    "name": "Name",
    "kind": "Kind",
    "points": "Points",
    "multiplier": "Multiplier",
    "approval": "Approval",
    "is_active": "Status",
}


def _activity_form(
    ctx: Ctx, values: dict[str, Any], *, post_to: str, title: str, submit: str
) -> FormPage:
    return FormPage(
        title=title,
        post_to=post_to,
        submit=submit,
        back=f"{BASE}/activities",
        fields=[
            Field("name", "Name", value=values.get("name", ""), required=True),
            Field(
                "kind",
                "Kind",
                "select",
                values.get("kind", "fixed"),
                options(ActivityKind),
                help="fixed: the points below; bonus multiplier: the amount passed times the "
                "multiplier",
            ),
            Field("points", "Points", "number", values.get("points", "0"), required=True),
            Field(
                "multiplier",
                "Multiplier",
                "number",
                values.get("multiplier", "1"),
                required=True,
                step="0.0001",
            ),
            Field(
                "approval",
                "Approval",
                "select",
                values.get("approval", "immediate"),
                options(Approval),
            ),
            Field("is_active", "Status", "select", values.get("is_active", "1"), yes_no()),
        ],
    )


def _read_activity(form: FormData) -> dict[str, Any]:
    r = Reader(form, ACTIVITY_LABELS)
    return {
        "name": r.text("name"),
        "kind": r.choice("kind", ActivityKind),
        "points": r.integer("points", low=0, high=10**9),
        "multiplier": r.decimal("multiplier", low=Decimal(0), high=Decimal(1000), above=True),
        "approval": r.choice("approval", Approval),
        "is_active": r.flag("is_active"),
    }


def _activity_values(a: Activity) -> dict[str, Any]:
    return {
        "name": a.name,
        "kind": a.kind,
        "points": str(a.points),
        "multiplier": str(a.multiplier.normalize()),
        "approval": a.approval,
        "is_active": "1" if a.is_active else "0",
    }


def _posted(form: FormData) -> dict[str, Any]:
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.get(f"{BASE}/activities")
async def activity_list(request: Request) -> Response:
    def page(ctx: Ctx) -> Response:
        rows, total = activities.list_activities(ctx.session, ctx.principal, page=ALL)
        return ctx.page(
            "dashboard/programs/activities.html", title="Earning rules", rows=rows, total=total
        )

    return await view(request, page)


@router.get(f"{BASE}/activities/new")
async def activity_new(request: Request) -> Response:
    def page(ctx: Ctx) -> Response:
        return form_page(
            ctx,
            _activity_form(
                ctx,
                {},
                post_to=f"{BASE}/activities/new",
                title="New earning rule",
                submit="Create rule",
            ),
        )

    return await view(request, page)


@router.post(f"{BASE}/activities/new")
async def activity_create(request: Request) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        page = _activity_form(
            ctx,
            _posted(form),
            post_to=f"{BASE}/activities/new",
            title="New earning rule",
            submit="Create rule",
        )
        try:
            data = _read_activity(form)
            created = guarded(
                ctx,
                lambda: activities.create(
                    ctx.session, ctx.principal, data=activities.NewActivity(**data)
                ),
            )
        except PunchcardError as exc:
            return refused(ctx, page, exc)
        return done(f"{BASE}/activities", f"Earning rule “{created.name}” created")

    return await action(request, work)


@router.get(f"{BASE}/activities/{{id}}")
async def activity_edit(request: Request, id: str) -> Response:
    def page(ctx: Ctx) -> Response:
        a = activities.get(ctx.session, ctx.principal, activity_id=row_id(id), field="id")
        return form_page(
            ctx,
            _activity_form(
                ctx,
                _activity_values(a),
                post_to=f"{BASE}/activities/{a.id}",
                title=f"Edit earning rule: {a.name}",
                submit="Save rule",
            ),
        )

    return await view(request, page)


@router.post(f"{BASE}/activities/{{id}}")
async def activity_update(request: Request, id: str) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        a = activities.get(ctx.session, ctx.principal, activity_id=row_id(id), field="id")
        page = _activity_form(
            ctx,
            _posted(form),
            post_to=f"{BASE}/activities/{a.id}",
            title=f"Edit earning rule: {a.name}",
            submit="Save rule",
        )
        try:
            data = _read_activity(form)
            guarded(
                ctx,
                lambda: activities.update(
                    ctx.session,
                    ctx.principal,
                    activity_id=a.id,
                    data=activities.ActivityChanges(**data),  # type: ignore[typeddict-item]
                ),
            )
        except PunchcardError as exc:
            return refused(ctx, page, exc)
        return done(f"{BASE}/activities", f"Earning rule “{a.name}” saved")

    return await action(request, work)


@router.post(f"{BASE}/activities/{{id}}/active")
async def activity_toggle(request: Request, id: str) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        on = form.get("active") == "1"
        a = activities.update(
            ctx.session,
            ctx.principal,
            activity_id=row_id(id),
            data=activities.ActivityChanges(is_active=on),
        )
        word = "enabled" if on else "disabled"
        return done(f"{BASE}/activities", f"Earning rule “{a.name}” {word}")

    return await action(request, work)


# Tiers -----------------------------------------------------------------------------

TIER_LABELS = {
    "name": "Name",
    "type": "Type",
    "position": "Position",
    "min_points": "Threshold (points)",
    "multiplier": "Multiplier",
    "is_active": "Status",
}


def _tier_form(values: dict[str, Any], *, post_to: str, title: str, submit: str) -> FormPage:
    return FormPage(
        title=title,
        post_to=post_to,
        submit=submit,
        back=f"{BASE}/tiers",
        fields=[
            Field("name", "Name", value=values.get("name", ""), required=True),
            Field(
                "type",
                "Type",
                "select",
                values.get("type", "lifetime"),
                options(TierType),
                help="lifetime: points ever earned; period: points earned this period",
            ),
            Field(
                "position",
                "Position",
                "number",
                values.get("position", "0"),
                required=True,
                help="Lowest first",
            ),
            Field(
                "min_points",
                "Threshold (points)",
                "number",
                values.get("min_points", "0"),
                required=True,
            ),
            Field(
                "multiplier",
                "Multiplier",
                "number",
                values.get("multiplier", "1"),
                required=True,
                step="0.0001",
            ),
            Field("is_active", "Status", "select", values.get("is_active", "1"), yes_no()),
        ],
    )


def _read_tier(form: FormData) -> dict[str, Any]:
    r = Reader(form, TIER_LABELS)
    return {
        "name": r.text("name", limit=100),
        "type": r.choice("type", TierType),
        "position": r.integer("position", low=0, high=10_000),
        "min_points": r.integer("min_points", low=0, high=10**12),
        "multiplier": r.decimal("multiplier", low=Decimal(0), high=Decimal(100), above=True),
        "is_active": r.flag("is_active"),
    }


def _tier_values(t: Tier) -> dict[str, Any]:
    return {
        "name": t.name,
        "type": t.type,
        "position": str(t.position),
        "min_points": str(t.min_points),
        "multiplier": str(t.multiplier.normalize()),
        "is_active": "1" if t.is_active else "0",
    }


@router.get(f"{BASE}/tiers")
async def tier_list(request: Request) -> Response:
    def page(ctx: Ctx) -> Response:
        rows, total = tiers.list_tiers(ctx.session, ctx.principal, page=ALL)
        return ctx.page("dashboard/programs/tiers.html", title="Tiers", rows=rows, total=total)

    return await view(request, page)


@router.get(f"{BASE}/tiers/new")
async def tier_new(request: Request) -> Response:
    def page(ctx: Ctx) -> Response:
        return form_page(
            ctx, _tier_form({}, post_to=f"{BASE}/tiers/new", title="New tier", submit="Create tier")
        )

    return await view(request, page)


@router.post(f"{BASE}/tiers/new")
async def tier_create(request: Request) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        page = _tier_form(
            _posted(form), post_to=f"{BASE}/tiers/new", title="New tier", submit="Create tier"
        )
        try:
            data = _read_tier(form)
            created = guarded(
                ctx, lambda: tiers.create_tier(ctx.session, ctx.principal, data=NewTier(**data))
            )
        except PunchcardError as exc:
            return refused(ctx, page, exc)
        return done(f"{BASE}/tiers", f"Tier “{created.name}” created")

    return await action(request, work)


@router.get(f"{BASE}/tiers/{{id}}")
async def tier_edit(request: Request, id: str) -> Response:
    def page(ctx: Ctx) -> Response:
        t = tiers.get_tier(ctx.session, ctx.principal, tier_id=row_id(id), field="id")
        return form_page(
            ctx,
            _tier_form(
                _tier_values(t),
                post_to=f"{BASE}/tiers/{t.id}",
                title=f"Edit tier: {t.name}",
                submit="Save tier",
            ),
        )

    return await view(request, page)


@router.post(f"{BASE}/tiers/{{id}}")
async def tier_update(request: Request, id: str) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        t = tiers.get_tier(ctx.session, ctx.principal, tier_id=row_id(id), field="id")
        page = _tier_form(
            _posted(form),
            post_to=f"{BASE}/tiers/{t.id}",
            title=f"Edit tier: {t.name}",
            submit="Save tier",
        )
        try:
            data = _read_tier(form)
            guarded(
                ctx,
                lambda: tiers.update_tier(
                    ctx.session, ctx.principal, tier_id=t.id, data=cast(TierChanges, data)
                ),
            )
        except PunchcardError as exc:
            return refused(ctx, page, exc)
        return done(f"{BASE}/tiers", f"Tier “{t.name}” saved")

    return await action(request, work)


# Rewards ---------------------------------------------------------------------------

REWARD_LABELS = {
    "name": "Name",
    "points_cost": "Points cost",
    "type": "Type",
    "description": "Description",
    "stock": "Stock",
    "is_active": "Status",
}


def _reward_form(values: dict[str, Any], *, post_to: str, title: str, submit: str) -> FormPage:
    return FormPage(
        title=title,
        post_to=post_to,
        submit=submit,
        back=f"{BASE}/rewards",
        fields=[
            Field("name", "Name", value=values.get("name", ""), required=True),
            Field(
                "points_cost", "Points cost", "number", values.get("points_cost", ""), required=True
            ),
            Field("type", "Type", "select", values.get("type", "custom"), options(RewardType)),
            Field("description", "Description", "textarea", values.get("description", "")),
            Field(
                "stock", "Stock", "number", values.get("stock", ""), help="Leave empty for no limit"
            ),
            Field("is_active", "Status", "select", values.get("is_active", "1"), yes_no()),
        ],
    )


def _read_reward(form: FormData) -> dict[str, Any]:
    r = Reader(form, REWARD_LABELS)
    return {
        "name": r.text("name"),
        "points_cost": r.integer("points_cost", low=1, high=10**12),
        "type": r.choice("type", RewardType),
        "description": r.text("description", limit=5000, required=False),
        "stock": r.integer("stock", low=0, high=10**9, required=False),
        "is_active": r.flag("is_active"),
    }


def _reward_values(rw: Reward) -> dict[str, Any]:
    return {
        "name": rw.name,
        "points_cost": str(rw.points_cost),
        "type": rw.type,
        "description": rw.description or "",
        "stock": "" if rw.stock is None else str(rw.stock),
        "is_active": "1" if rw.is_active else "0",
    }


@router.get(f"{BASE}/rewards")
async def reward_list(request: Request) -> Response:
    def page(ctx: Ctx) -> Response:
        rows, total = rewards.list_rewards(ctx.session, ctx.principal, page=ALL)
        codes = rewards.available_codes(ctx.session, ctx.principal, rows)
        return ctx.page(
            "dashboard/programs/rewards.html", title="Rewards", rows=rows, total=total, codes=codes
        )

    return await view(request, page)


@router.get(f"{BASE}/rewards/new")
async def reward_new(request: Request) -> Response:
    def page(ctx: Ctx) -> Response:
        return form_page(
            ctx,
            _reward_form(
                {}, post_to=f"{BASE}/rewards/new", title="New reward", submit="Create reward"
            ),
        )

    return await view(request, page)


@router.post(f"{BASE}/rewards/new")
async def reward_create(request: Request) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        page = _reward_form(
            _posted(form), post_to=f"{BASE}/rewards/new", title="New reward", submit="Create reward"
        )
        try:
            data = _read_reward(form)
            created = guarded(
                ctx,
                lambda: rewards.create(ctx.session, ctx.principal, data=rewards.NewReward(**data)),
            )
        except PunchcardError as exc:
            return refused(ctx, page, exc)
        return done(f"{BASE}/rewards", f"Reward “{created.name}” created")

    return await action(request, work)


@router.get(f"{BASE}/rewards/{{id}}")
async def reward_edit(request: Request, id: str) -> Response:
    def page(ctx: Ctx) -> Response:
        rw = rewards.get(ctx.session, ctx.principal, reward_id=row_id(id), field="id")
        return form_page(
            ctx,
            _reward_form(
                _reward_values(rw),
                post_to=f"{BASE}/rewards/{rw.id}",
                title=f"Edit reward: {rw.name}",
                submit="Save reward",
            ),
        )

    return await view(request, page)


@router.post(f"{BASE}/rewards/{{id}}")
async def reward_update(request: Request, id: str) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        rw = rewards.get(ctx.session, ctx.principal, reward_id=row_id(id), field="id")
        page = _reward_form(
            _posted(form),
            post_to=f"{BASE}/rewards/{rw.id}",
            title=f"Edit reward: {rw.name}",
            submit="Save reward",
        )
        try:
            data = _read_reward(form)
            guarded(
                ctx,
                lambda: rewards.update(
                    ctx.session,
                    ctx.principal,
                    reward_id=rw.id,
                    data=cast(rewards.RewardChanges, data),
                ),
            )
        except PunchcardError as exc:
            return refused(ctx, page, exc)
        return done(f"{BASE}/rewards", f"Reward “{rw.name}” saved")

    return await action(request, work)


@router.post(f"{BASE}/rewards/{{id}}/active")
async def reward_toggle(request: Request, id: str) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        on = form.get("active") == "1"
        rw = rewards.update(
            ctx.session,
            ctx.principal,
            reward_id=row_id(id),
            data=rewards.RewardChanges(is_active=on),
        )
        word = "activated" if on else "deactivated"
        return done(f"{BASE}/rewards", f"Reward “{rw.name}” {word}")

    return await action(request, work)


# Coupon pools ----------------------------------------------------------------------

POOL_LABELS = {
    "name": "Name",
    "discount_type": "Discount type",
    "discount_value": "Discount value",
    "points_cost": "Points cost",
    "file": "Codes file (CSV)",
}


@dataclass(frozen=True)
class CsvCodes:
    """The codes of an uploaded file, and what was left out of them."""

    codes: list[str]
    duplicates: int
    blank: int


def read_csv_codes(upload: Any, *, field: str = "file") -> CsvCodes:
    """The codes of a CSV file: one per line, or the column headed ``code``. Blank lines
    and repeats are left out and counted; a file that is not CSV text, too big, empty or
    with a bad code is refused naming the field (and the line)."""
    label = POOL_LABELS["file"]
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed(f"{label}: choose a file", field=field)
    name = upload.filename.lower()
    if not name.endswith((".csv", ".txt")):
        raise ValidationFailed(f"{label}: upload a .csv or .txt file", field=field)
    raw = upload.file.read(MAX_CSV_BYTES + 1)
    if len(raw) > MAX_CSV_BYTES:
        raise ValidationFailed(
            f"{label}: the file is over {MAX_CSV_BYTES // 1_000_000} MB; split it", field=field
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(f"{label}: not a CSV text file (UTF-8)", field=field) from None
    if "\x00" in text:
        raise ValidationFailed(f"{label}: not a CSV text file", field=field)
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise ValidationFailed(f"{label}: not a readable CSV file ({exc})", field=field) from None
    column = 0
    start = 0
    if rows:
        header = [c.strip().lower() for c in rows[0]]
        if "code" in header:
            column, start = header.index("code"), 1
    codes: list[str] = []
    seen: set[str] = set()
    duplicates = blank = 0
    for number, row in enumerate(rows[start:], start=start + 1):
        value = row[column].strip() if len(row) > column else ""
        if not value:
            blank += 1
            continue
        if len(value) > MAX_CODE or not value.isprintable() or " " in value:
            raise ValidationFailed(
                f"{label}: line {number}: a code is 1 to {MAX_CODE} printable characters "
                "without spaces",
                field=field,
            )
        if value in seen:
            duplicates += 1
            continue
        seen.add(value)
        codes.append(value)
    if not codes:
        raise ValidationFailed(f"{label}: the file has no codes", field=field)
    if len(codes) > MAX_CSV_CODES:
        raise ValidationFailed(
            f"{label}: at most {MAX_CSV_CODES} codes per file; split it", field=field
        )
    return CsvCodes(codes, duplicates, blank)


def _pool_form(values: dict[str, Any]) -> FormPage:
    return FormPage(
        title="New coupon pool",
        post_to=f"{BASE}/coupons/new",
        submit="Create pool",
        back=f"{BASE}/coupons",
        multipart=True,
        fields=[
            Field("name", "Name", value=values.get("name", ""), required=True),
            Field(
                "discount_type",
                "Discount type",
                "select",
                values.get("discount_type", "amount"),
                options(DiscountType),
            ),
            Field(
                "discount_value",
                "Discount value",
                "number",
                values.get("discount_value", ""),
                required=True,
                step="0.01",
            ),
            Field(
                "points_cost",
                "Points cost",
                "number",
                values.get("points_cost", ""),
                help="Leave empty if members cannot buy a code with points",
            ),
            Field(
                "file",
                "Codes file (CSV)",
                "file",
                help="Optional. One code per line, or a column headed “code”.",
            ),
        ],
    )


def _upload_notice(added: int, found: CsvCodes, taken: int) -> str:
    parts = [f"{added} code{'s' if added != 1 else ''} added"]
    parts.append(f"{found.duplicates} duplicate{'s' if found.duplicates != 1 else ''} skipped")
    parts.append(f"{found.blank} blank line{'s' if found.blank != 1 else ''} skipped")
    if taken:
        parts.append(f"{taken} already in use skipped")
    return ", ".join(parts)


def _add_codes(ctx: Ctx, pool_id: uuid.UUID, found: CsvCodes) -> tuple[int, int]:
    """Add the file's codes to the pool, leaving out the tenant's codes in use: (added,
    already in use)."""
    taken = coupons.taken_codes(ctx.session, ctx.principal, found.codes)
    fresh = [c for c in found.codes if c not in taken]
    if fresh:
        coupons.add_codes(ctx.session, ctx.principal, pool_id=pool_id, codes=fresh, field="file")
    return len(fresh), len(taken)


@router.get(f"{BASE}/coupons")
async def pool_list(request: Request) -> Response:
    def page(ctx: Ctx) -> Response:
        rows, total = coupons.list_pools(ctx.session, ctx.principal, page=ALL)
        counts = coupons.pool_counts(ctx.session, ctx.principal, rows)
        return ctx.page(
            "dashboard/programs/coupons.html",
            title="Coupon pools",
            rows=rows,
            total=total,
            counts=counts,
        )

    return await view(request, page)


@router.get(f"{BASE}/coupons/new")
async def pool_new(request: Request) -> Response:
    def page(ctx: Ctx) -> Response:
        return form_page(ctx, _pool_form({}))

    return await view(request, page)


@router.post(f"{BASE}/coupons/new")
async def pool_create(request: Request) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        page = _pool_form(_posted(form))
        try:
            r = Reader(form, POOL_LABELS)
            name = r.text("name")
            kind = r.choice("discount_type", DiscountType)
            high = Decimal(100) if kind == DiscountType.percent else Decimal(99_999_999)
            value = r.decimal("discount_value", low=Decimal(0), high=high)
            cost = r.integer("points_cost", low=1, high=10**12, required=False)
            upload = form.get("file")
            found = None
            if isinstance(upload, UploadFile) and upload.filename:
                found = read_csv_codes(upload)
            assert name is not None and value is not None

            def write() -> tuple[Any, int, int]:
                pool = coupons.create_pool(
                    ctx.session,
                    ctx.principal,
                    data=NewPool(
                        name=name, discount_type=kind, discount_value=value, points_cost=cost
                    ),
                )
                added, taken = _add_codes(ctx, pool.id, found) if found else (0, 0)
                return pool, added, taken

            pool, added, taken = guarded(ctx, write)
        except PunchcardError as exc:
            return refused(ctx, page, exc)
        notice = f"Coupon pool “{pool.name}” created"
        if found:
            notice += ": " + _upload_notice(added, found, taken)
        return done(f"{BASE}/coupons/{pool.id}", notice)

    return await action(request, work)


def _upload_form(pool_id: uuid.UUID, name: str) -> FormPage:
    return FormPage(
        title=f"Coupon pool: {name}",
        post_to=f"{BASE}/coupons/{pool_id}/codes",
        submit="Upload codes",
        back=f"{BASE}/coupons",
        multipart=True,
        fields=[
            Field(
                "file",
                "Codes file (CSV)",
                "file",
                required=True,
                help="One code per line, or a column headed “code”. Up to "
                f"{MAX_CSV_CODES} codes, 1 MB.",
            ),
        ],
    )


def _pool_page(ctx: Ctx, pool_id: uuid.UUID, *, error: PunchcardError | None = None) -> Response:
    pool = coupons.get_pool(ctx.session, ctx.principal, pool_id=pool_id, field="id")
    counts = coupons.pool_counts(ctx.session, ctx.principal, [pool]).get(pool.id, {})
    upload = _upload_form(pool.id, pool.name)
    status = 200
    if error is not None:
        upload.error, upload.error_field, status = error.message, error.field, 400
    return ctx.page(
        "dashboard/programs/pool.html",
        status=status,
        title=upload.title,
        pool=pool,
        counts=counts,
        form=upload,
    )


@router.get(f"{BASE}/coupons/{{id}}")
async def pool_show(request: Request, id: str) -> Response:
    def page(ctx: Ctx) -> Response:
        return _pool_page(ctx, row_id(id))

    return await view(request, page)


@router.post(f"{BASE}/coupons/{{id}}/codes")
async def pool_upload(request: Request, id: str) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        pool = coupons.get_pool(ctx.session, ctx.principal, pool_id=row_id(id), field="id")
        try:
            found = read_csv_codes(form.get("file"))
            added, taken = guarded(ctx, lambda: _add_codes(ctx, pool.id, found))
        except PunchcardError as exc:
            return _pool_page(ctx, pool.id, error=exc)
        return done(f"{BASE}/coupons/{pool.id}", _upload_notice(added, found, taken))

    return await action(request, work)


# Quests ----------------------------------------------------------------------------

QUEST_LABELS = {
    "title": "Title",
    "description": "Description",
    "status": "Status",
    "tasks": "Tasks",
    "reward_points": "Bonus points for doing them all",
}


def _quest_form(values: dict[str, Any]) -> FormPage:
    return FormPage(
        title="New quest",
        post_to=f"{BASE}/quests/new",
        submit="Create quest",
        back=f"{BASE}/quests",
        fields=[
            Field("title", "Title", value=values.get("title", ""), required=True),
            Field("description", "Description", "textarea", values.get("description", "")),
            Field(
                "status", "Status", "select", values.get("status", "active"), options(QuestStatus)
            ),
            Field(
                "tasks",
                "Tasks",
                "textarea",
                values.get("tasks", ""),
                required=True,
                help="One task a line: points, then the title (e.g. “50 Follow us”).",
            ),
            Field(
                "reward_points",
                "Bonus points for doing them all",
                "number",
                values.get("reward_points", ""),
                help="Optional",
            ),
        ],
    )


def _read_tasks(raw: str) -> tuple[NewTask, ...]:
    label = QUEST_LABELS["tasks"]
    tasks: list[NewTask] = []
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    if not lines:
        raise ValidationFailed(f"{label}: enter at least one task", field="tasks")
    if len(lines) > MAX_TASKS:
        raise ValidationFailed(f"{label}: at most {MAX_TASKS} tasks", field="tasks")
    for number, line in enumerate(lines, start=1):
        points, _, title = line.partition(" ")
        title = title.strip()
        if not points.isdigit() or not title or int(points) > 10**9 or len(title) > 200:
            raise ValidationFailed(
                f"{label}: line {number}: write the points (a whole number) and a title",
                field="tasks",
            )
        tasks.append(NewTask(title=title, points=int(points)))
    return tuple(tasks)


@router.get(f"{BASE}/quests")
async def quest_list(request: Request) -> Response:
    def page(ctx: Ctx) -> Response:
        rows, total = quests.list_quests(ctx.session, ctx.principal, page=ALL)
        return ctx.page("dashboard/programs/quests.html", title="Quests", rows=rows, total=total)

    return await view(request, page)


@router.get(f"{BASE}/quests/new")
async def quest_new(request: Request) -> Response:
    def page(ctx: Ctx) -> Response:
        return form_page(ctx, _quest_form({}))

    return await view(request, page)


@router.post(f"{BASE}/quests/new")
async def quest_create(request: Request) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        page = _quest_form(_posted(form))
        try:
            r = Reader(form, QUEST_LABELS)
            title = r.text("title")
            assert title is not None
            data = NewQuest(
                title=title,
                description=r.text("description", limit=5000, required=False),
                status=r.choice("status", QuestStatus),
                tasks=_read_tasks(str(form.get("tasks") or "")),
                reward_points=r.integer("reward_points", low=1, high=10**9, required=False),
            )
            made = guarded(ctx, lambda: quests.create(ctx.session, ctx.principal, data=data))
        except PunchcardError as exc:
            return refused(ctx, page, exc)
        return done(f"{BASE}/quests", f"Quest “{made.quest.title}” created")

    return await action(request, work)


# Referral program ------------------------------------------------------------------

REFERRAL_LABELS = {
    "points": "Referrer's points per conversion",
    "approval": "Approval of the referrer's points",
    "is_active": "Referrer reward",
    "welcome_points": "Referred friend's welcome points",
}


@dataclass(frozen=True)
class ReferralSettings:
    points: int
    approval: str
    is_active: bool
    welcome_points: int  # 0: no welcome reward
    created: bool  # whether the referral rule exists yet (else the defaults)


def _by_key(ctx: Ctx, key: str) -> Activity | None:
    try:
        return activities.get(ctx.session, ctx.principal, activity_id=key)
    except NotFound:
        return None


def referral_settings(ctx: Ctx) -> ReferralSettings:
    rule = _by_key(ctx, payout.REFERRAL_ACTIVITY)
    welcome = _by_key(ctx, payout.WELCOME_ACTIVITY)
    return ReferralSettings(
        points=rule.points if rule else payout.DEFAULT_REFERRAL_POINTS,
        approval=rule.approval if rule else Approval.immediate.value,
        is_active=rule.is_active if rule else True,
        welcome_points=welcome.points if welcome and welcome.is_active else 0,
        created=rule is not None,
    )


def _referral_form(values: dict[str, Any]) -> FormPage:
    return FormPage(
        title="Referral program",
        post_to=f"{BASE}/referrals",
        submit="Save referral settings",
        back=BASE,
        intro="A member's referral code brings a customer: when the customer's order is "
        "recorded, the referrer earns through the “referral” earning rule and the friend "
        "through the “referral_welcome” one.",
        fields=[
            Field(
                "points",
                REFERRAL_LABELS["points"],
                "number",
                values.get("points", ""),
                required=True,
            ),
            Field(
                "approval",
                REFERRAL_LABELS["approval"],
                "select",
                values.get("approval", "immediate"),
                options(Approval),
            ),
            Field(
                "is_active",
                REFERRAL_LABELS["is_active"],
                "select",
                values.get("is_active", "1"),
                [("1", "On"), ("0", "Off")],
            ),
            Field(
                "welcome_points",
                REFERRAL_LABELS["welcome_points"],
                "number",
                values.get("welcome_points", "0"),
                required=True,
                help="0: no welcome reward",
            ),
        ],
    )


@router.get(f"{BASE}/referrals")
async def referral_show(request: Request) -> Response:
    def page(ctx: Ctx) -> Response:
        s = referral_settings(ctx)
        values = {
            "points": str(s.points),
            "approval": s.approval,
            "is_active": "1" if s.is_active else "0",
            "welcome_points": str(s.welcome_points),
        }
        return form_page(ctx, _referral_form(values))

    return await view(request, page)


@router.post(f"{BASE}/referrals")
async def referral_save(request: Request) -> Response:
    def work(ctx: Ctx, form: FormData) -> Response:
        page = _referral_form(_posted(form))
        try:
            r = Reader(form, REFERRAL_LABELS)
            points = r.integer("points", low=0, high=10**9)
            approval = r.choice("approval", Approval)
            on = r.flag("is_active")
            welcome = r.integer("welcome_points", low=0, high=10**9)
            assert welcome is not None

            def write() -> None:
                rule = payout.referral_rule(ctx.session, ctx.principal)
                activities.update(
                    ctx.session,
                    ctx.principal,
                    activity_id=rule.id,
                    data=activities.ActivityChanges(points=points, approval=approval, is_active=on),
                )
                existing = _by_key(ctx, payout.WELCOME_ACTIVITY)
                if existing is not None:
                    activities.update(
                        ctx.session,
                        ctx.principal,
                        activity_id=existing.id,
                        data=activities.ActivityChanges(points=welcome, is_active=welcome > 0),
                    )
                elif welcome > 0:
                    activities.create(
                        ctx.session,
                        ctx.principal,
                        data=activities.NewActivity(
                            name="Referred by a member",
                            key=payout.WELCOME_ACTIVITY,
                            description="Welcome points for a customer a member referred",
                            points=welcome,
                        ),
                    )

            guarded(ctx, write)
        except PunchcardError as exc:
            return refused(ctx, page, exc)
        return done(f"{BASE}/referrals", "Referral settings saved")

    return await action(request, work)
