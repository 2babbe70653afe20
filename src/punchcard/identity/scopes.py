"""Scopes (``<resource>:read`` / ``<resource>:write``) and presets."""

from __future__ import annotations

from enum import StrEnum

RESOURCES = (
    "stores",
    "members",
    "points",
    "orders",
    "catalog",
    "tags",
    "captures",
    "coupons",
    "rewards",
    "ambassador",
    "tracking",
    "community",
    "webhooks",
    "settings",
    "metrics",
)

ALL_SCOPES: tuple[str, ...] = tuple(f"{r}:{a}" for r in RESOURCES for a in ("read", "write"))
READ_SCOPES: tuple[str, ...] = tuple(s for s in ALL_SCOPES if s.endswith(":read"))

PRESETS: dict[str, tuple[str, ...]] = {"read": READ_SCOPES, "write": ALL_SCOPES}


class Role(StrEnum):
    owner = "owner"
    admin = "admin"
    viewer = "viewer"


def scopes_for_role(role: str) -> frozenset[str]:
    """A dashboard session acts with its role's scopes: viewers read, others write."""
    return frozenset(READ_SCOPES if role == Role.viewer else ALL_SCOPES)


def expand(scopes: list[str] | None, preset: str | None) -> list[str]:
    """Resolve a key's requested scopes and preset to a sorted list of scopes.

    Raises ValueError naming the offending value.
    """
    result: set[str] = set()
    if preset is not None:
        if preset not in PRESETS:
            raise ValueError(f"preset must be one of {', '.join(PRESETS)}")
        result.update(PRESETS[preset])
    for scope in scopes or []:
        if scope in PRESETS:
            result.update(PRESETS[scope])
        elif scope in ALL_SCOPES:
            result.add(scope)
        else:
            raise ValueError(f"unknown scope {scope!r}")
    if not result:
        result.update(PRESETS["write"] if scopes is None and preset is None else ())
    if not result:
        raise ValueError("at least one scope is required")
    # A write scope implies reading the same resource.
    for scope in list(result):
        if scope.endswith(":write"):
            result.add(scope.replace(":write", ":read"))
    return sorted(result)
