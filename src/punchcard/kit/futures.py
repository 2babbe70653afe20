"""Work handed to a thread pool and awaited through an asyncio future.

A ``StopIteration`` escaping such work (a stray ``next()`` on an empty iterator) cannot
be set on an asyncio future: the loop logs a ``TypeError`` and the awaiting request
waits for ever. :func:`guarded` turns it into a ``RuntimeError`` that reaches the
request like any other bug (a 500), so nothing ever hangs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class EscapedStopIteration(RuntimeError):
    """A ``StopIteration`` escaped work run in a thread."""


def guarded(fn: Callable[[], T]) -> Callable[[], T]:
    def run() -> T:
        try:
            return fn()
        except StopIteration as exc:
            raise EscapedStopIteration(f"StopIteration escaped {fn!r}") from exc

    return run
