"""The tenant snapshot's rule, checked on every statement the suite runs: a write to a
snapshotted table (``tenants.snapshot.WATCHED``: tenants, tiers, activities, webhook
endpoints) must come after a ``tenants.snapshot.bump`` in the same transaction, or a
process keeps serving the old configuration.

The ORM's writes are bumped by the flush hook before they run; a Core statement must
call ``bump`` first. Watched per connection from the statements themselves (engine
events, whatever the code path): a ``BEGIN`` or a ``SAVEPOINT`` (each group-commit
request has its own) starts afresh, the bump statement marks it bumped, and a write
to a watched column of a watched table that finds it unmarked is a violation, recorded
here and failed by the test it ran in (``tests/conftest.py``).
"""

from __future__ import annotations

import re
import threading
from typing import Any

from sqlalchemy import Engine, event

from punchcard.tenants.snapshot import WATCHED

_WRITE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)\"?", re.I)
_SET = re.compile(r"\bSET\s+(.*?)(?:\s+WHERE\s|\s+RETURNING\s|$)", re.I | re.S)
_ASSIGNED = re.compile(r"(?:^|,)\s*\"?(\w+)\"?\s*=")
_BUMPED = "config_guard_bumped"
VERSION_TABLE, VERSION_COLUMN = "tenants", "config_version"


def written(sql: str) -> tuple[str, str, set[str]] | None:
    """(verb, table, assigned columns) of an INSERT, UPDATE or DELETE, else None."""
    match = _WRITE.match(sql)
    if match is None:
        return None
    verb, table = match.group(1).split()[0].upper(), match.group(2).lower()
    columns: set[str] = set()
    if verb == "UPDATE":
        found = _SET.search(sql)
        if found is not None:
            columns = {c.lower() for c in _ASSIGNED.findall(found.group(1))}
    return verb, table, columns


def needs_bump(verb: str, table: str, columns: set[str]) -> bool:
    if table not in WATCHED:
        return False
    if table == VERSION_TABLE:
        # A new tenant has no snapshot yet; its settings and its deletion count.
        if verb == "INSERT":
            return False
        if verb == "UPDATE":
            watched = WATCHED[table]
            return watched is None or bool(columns & watched)
        return True
    watched = WATCHED[table]
    if verb == "UPDATE" and watched is not None:
        return bool(columns & watched)
    return True


class ConfigWriteGuard:
    """Records every unbumped write to a snapshotted table on any engine."""

    def __init__(self) -> None:
        self.violations: list[str] = []
        self._lock = threading.Lock()

    def install(self) -> None:
        event.listen(Engine, "begin", self._fresh)
        event.listen(Engine, "savepoint", self._fresh_savepoint)
        event.listen(Engine, "before_cursor_execute", self._check)

    def uninstall(self) -> None:
        event.remove(Engine, "begin", self._fresh)
        event.remove(Engine, "savepoint", self._fresh_savepoint)
        event.remove(Engine, "before_cursor_execute", self._check)

    def take(self) -> list[str]:
        with self._lock:
            found, self.violations = self.violations, []
        return found

    def _fresh(self, conn: Any) -> None:
        conn.info[_BUMPED] = False

    def _fresh_savepoint(self, conn: Any, name: str) -> None:
        conn.info[_BUMPED] = False

    def _check(self, conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        write = written(sql)
        if write is None:
            return
        verb, table, columns = write
        if table == VERSION_TABLE and verb == "UPDATE" and VERSION_COLUMN in columns:
            conn.info[_BUMPED] = True
            return
        if needs_bump(verb, table, columns) and not conn.info.get(_BUMPED, False):
            with self._lock:
                self.violations.append(" ".join(sql.split())[:200])
