"""A StopIteration escaping work run in a thread reaches the awaiting request as an
error instead of leaving it waiting for ever."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from punchcard.kit.futures import EscapedStopIteration, guarded


def _stray_next() -> int:
    return next(iter([]))


def test_unguarded_work_would_never_answer() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        with ThreadPoolExecutor(1) as pool:
            fut = loop.run_in_executor(pool, _stray_next)
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(asyncio.shield(fut), timeout=0.5)

    asyncio.run(main())


def test_guarded_work_raises_instead() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        with ThreadPoolExecutor(1) as pool:
            with pytest.raises(EscapedStopIteration):
                await asyncio.wait_for(loop.run_in_executor(pool, guarded(_stray_next)), 5)

    asyncio.run(main())


def test_guarded_work_returns_its_value() -> None:
    assert guarded(lambda: 7)() == 7
