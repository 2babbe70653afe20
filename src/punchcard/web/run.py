"""How a page handler reaches the core: its own transaction, run in the thread pool.

Pages are not a face's routes (no API credentials, HTML answers), so they do not use
the faces' unit-of-work route: each handler runs its work in one transaction of its
own, retried once when a pooled connection turns out dead before anything was written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from punchcard.db.uow import Database, retry_lost

T = TypeVar("T")


def in_transaction(request: Request, work: Callable[[Session], T], *, write: bool) -> T:
    """``work`` in one transaction (committed when it returns, rolled back if it raises)."""
    db: Database = request.app.state.db

    def once() -> T:
        with db.transaction(write=write) as session:
            return work(session)

    return retry_lost(once)


async def in_thread(request: Request, work: Callable[[Session], T], *, write: bool) -> T:
    """:func:`in_transaction` from an ``async`` handler (one that read its form first)."""
    return await run_in_threadpool(in_transaction, request, work, write=write)
