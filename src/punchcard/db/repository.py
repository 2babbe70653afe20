"""Repository base: every query is scoped to one tenant through one helper."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import Select, bindparam, func, literal, select, tuple_
from sqlalchemy.orm import Session, class_mapper

from punchcard.db.dialect import for_update
from punchcard.db.uow import dialect
from punchcard.errors import ValidationFailed
from punchcard.kit.paging import Cursor, Page
from punchcard.models.base import TenantOwned

M = TypeVar("M", bound=TenantOwned)
S = TypeVar("S")
R = TypeVar("R")

_STATEMENTS: dict[Hashable, Any] = {}


def cached_statement(key: Hashable, build: Callable[[], S]) -> S:
    """The statement ``build()`` makes, built once per ``key`` and reused.

    For the hot paths: SQLAlchemy keys its compiled-SQL cache on a statement's
    structure, which it must walk on every new statement object (about as costly as
    running a simple query); a reused object, with its values as ``bindparam``s, keeps
    its key. Include in ``key`` whatever ``build`` depends on (the dialect, a flag).
    """
    stmt = _STATEMENTS.get(key)
    if stmt is None:
        stmt = _STATEMENTS.setdefault(key, build())
    return cast(S, stmt)


def by_id_or_key(
    ref: uuid.UUID | str,
    by_id: Callable[[uuid.UUID], R | None],
    by_key: Callable[[str], R | None],
) -> R | None:
    """The row an input names by id (a UUID, parsed by the face) or by a merchant key
    (a string: a store code, a reward key, an external id). A UUID no row has is tried
    as a key too, in both spellings (hyphenated, 32 hex): merchants use UUIDs as codes,
    and the face cannot tell such a key from an id."""
    if isinstance(ref, uuid.UUID):
        return by_id(ref) or by_key(str(ref)) or by_key(ref.hex)
    return by_key(ref)


def pinned_get(session: Session, model: type[S], ident: Any) -> S | None:
    """``session.get`` for rows read again and again in one unit of work (the tenant,
    its settings): kept in ``session.info`` for the session's life, since the identity
    map holds objects weakly and a row no longer referenced is loaded again; and loaded
    through a reused statement. ``ident`` is the primary key (a tuple if composite)."""
    pinned: dict[tuple[type[Any], Any], Any] = session.info.setdefault("pinned", {})
    key = (model, ident)
    if key in pinned:
        return cast(S | None, pinned[key])
    columns = class_mapper(model).primary_key
    values = ident if isinstance(ident, tuple) else (ident,)
    stmt = cached_statement(
        (model, "pinned_get"),
        lambda: select(model).where(*(col == bindparam(f"pk{i}") for i, col in enumerate(columns))),
    )
    found = session.scalars(stmt, {f"pk{i}": v for i, v in enumerate(values)}).first()
    pinned[key] = found
    return found


class TenantRepository(Generic[M]):
    """SQL for one table family, always inside one tenant."""

    model: type[M]

    def __init__(self, session: Session, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def scoped(
        self, stmt: Select[Any] | None = None, model: type[Any] | None = None
    ) -> Select[Any]:
        """Add the tenant condition. The only way repositories start a query."""
        target = model or self.model
        base = stmt if stmt is not None else select(target)
        return base.where(target.tenant_id == self.tenant_id)

    def get(self, id_: uuid.UUID | None, *, lock: bool = False) -> M | None:
        if id_ is None:
            return None
        model = self.model

        def build() -> Select[Any]:
            stmt = select(model).where(
                model.tenant_id == bindparam("tenant_id"), model.id == bindparam("id")
            )
            return for_update(self.session, stmt) if lock else stmt

        stmt = cached_statement((model, "get", lock and dialect(self.session)), build)
        return self.session.scalars(stmt, {"tenant_id": self.tenant_id, "id": id_}).first()

    def add(self, obj: M) -> M:
        obj.tenant_id = self.tenant_id
        self.session.add(obj)
        self.session.flush()
        return obj

    def page(self, stmt: Select[Any], page: Page, *order_by: Any) -> tuple[list[Any], int]:
        """One page of ``stmt`` and the total count of rows it matches."""
        total = self.session.scalar(
            select(func.count()).select_from(stmt.order_by(None).subquery())
        )
        rows = self.session.scalars(stmt.order_by(*order_by).limit(page.limit).offset(page.offset))
        return list(rows), int(total or 0)

    def after_page(
        self, stmt: Select[Any], cursor: Cursor, model: type[Any] | None = None
    ) -> tuple[list[Any], bool]:
        """One keyset page of ``stmt`` (rows of ``model``, default the repository's):
        the rows created after the cursor's row, oldest first (``created_at``, then
        ``id``), and whether more follow. An ``after`` that names no row of the tenant
        is a 400 naming the face's parameter."""
        target: Any = model or self.model
        if cursor.after is not None:
            anchor = self.session.scalar(
                select(target.created_at).where(
                    target.tenant_id == self.tenant_id, target.id == cursor.after
                )
            )
            if anchor is None:
                name = cursor.names[1]
                raise ValidationFailed(f"{name}: no item has this id", field=name)
            stmt = stmt.where(
                tuple_(target.created_at, target.id)
                > tuple_(
                    literal(anchor, target.created_at.type),
                    literal(cursor.after, target.id.type),
                )
            )
        rows = list(
            self.session.scalars(
                stmt.order_by(target.created_at, target.id).limit(cursor.limit + 1)
            )
        )
        return rows[: cursor.limit], len(rows) > cursor.limit
