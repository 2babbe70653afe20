"""Per-face OpenAPI documents with each operation's required scope and error bodies."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant

from punchcard.api.common.auth import ADMIN_ATTR, SCOPE_ATTR

if TYPE_CHECKING:
    from punchcard.api.common.face import Face

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "example": "VALIDATION_ERROR"},
                "message": {"type": "string"},
                "field": {"type": ["string", "null"]},
            },
        }
    },
}

ERROR_DESCRIPTIONS = {
    "400": "Validation error (the `field` names the input to blame)",
    "401": "Missing, invalid or revoked credentials",
    "403": "The key lacks the required scope, or the role is not allowed",
    "404": "Not found (or another tenant's id)",
    "409": "Conflict or duplicate",
    "422": "Business rule refused (e.g. INSUFFICIENT_POINTS, IDEMPOTENCY_KEY_REUSED)",
    "413": (
        "PAYLOAD_TOO_LARGE: the body is over `PUNCHCARD_MAX_BODY_BYTES` (default 1 MB), "
        "counted as it arrives, chunked or not"
    ),
    "415": "UNSUPPORTED_MEDIA_TYPE: send `application/json` (or `application/*+json`)",
    "429": (
        "RATE_LIMITED: the key's plan allows no more requests now; retry after "
        "`Retry-After` seconds (every answer carries `X-RateLimit-*`)"
    ),
}
BULK_413 = (
    "PAYLOAD_TOO_LARGE: the body is over `PUNCHCARD_MAX_BULK_BODY_BYTES` (default 10 MB: "
    "this batch endpoint takes more than the 1 MB others do)"
)


def required_auth(dependant: Dependant) -> str | None:
    """The scope (or "admin-session") a route demands, found in its dependency tree."""
    for dep in dependant.dependencies:
        call = dep.call
        if getattr(call, ADMIN_ATTR, False):
            return "admin-session"
        scope = getattr(call, SCOPE_ATTR, None)
        if scope:
            return str(scope)
        inner = required_auth(dep)
        if inner:
            return inner
    return None


def face_openapi(app: FastAPI, face: Face) -> dict[str, Any]:
    """The app's OpenAPI document cut down to one face's mount, with its error
    envelope, then the face's own touches (``customise_openapi``)."""
    full = copy.deepcopy(app.openapi())
    prefix = face.prefix
    doc: dict[str, Any] = {
        "openapi": full["openapi"],
        "info": {"title": face.title, "version": app.version, "description": face.description},
        "paths": {p: ops for p, ops in full.get("paths", {}).items() if p.startswith(prefix)},
        "components": full.get("components", {}),
    }
    doc.setdefault("components", {}).setdefault("schemas", {})["Error"] = copy.deepcopy(
        dict(face.error_schema)
    )
    for _path, ops in doc["paths"].items():
        for method, op in ops.items():
            auth = op.get("x-required-scope")
            if auth:
                note = (
                    f"**Requires:** `{auth}`"
                    if auth != "admin-session"
                    else ("**Requires:** a session token of an owner or admin")
                )
                op["description"] = (
                    (op.get("description") or "") + ("\n\n" if op.get("description") else "") + note
                )
            responses = op.setdefault("responses", {})
            responses.pop("422", None)
            codes = ["400", "404", "409", "422"] if method != "get" else ["400", "404"]
            if auth:
                # Any route a key calls counts against the tenant's plan (a plan other
                # than `unlimited` answers 429 once spent), whichever route spent it.
                codes += ["401", "403", "429"]
            # A body can be too large on any method but GET; only a JSON body can be
            # of the wrong type (a face reading another one documents its own 415).
            codes += ["413"] if method != "get" else []
            codes += ["415"] if "requestBody" in op else []
            bulk = op.get("x-body-limit") == "bulk"
            for code in codes:
                responses.setdefault(
                    code,
                    {
                        "description": BULK_413
                        if bulk and code == "413"
                        else ERROR_DESCRIPTIONS[code],
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                )
            if method == "post" and auth:
                params = op.setdefault("parameters", [])
                params.append(
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 255},
                        "description": "Replays the first response for 24 h; never runs twice",
                    }
                )
    # FastAPI's default validation schemas are never produced: drop them.
    schemas = doc["components"]["schemas"]
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    doc = face.customise_openapi(doc) if face.customise_openapi is not None else doc
    return own_components(doc)


def own_components(doc: dict[str, Any]) -> dict[str, Any]:
    """Keep only the components the document's operations use: the schemas reachable
    from its paths (and the face's ``Error``), and the security schemes its operations
    name. The app builds one document for every face; without this each face's
    document listed every other face's schemas, and its Authorize dialog offered the
    other faces' credentials."""
    components = doc.get("components", {})
    used_security = {name for requirement in doc.get("security", []) for name in requirement} | {
        name
        for ops in doc.get("paths", {}).values()
        for op in ops.values()
        if isinstance(op, dict)
        for requirement in op.get("security", [])
        for name in requirement
    }
    schemes = components.get("securitySchemes")
    if schemes is not None:
        components["securitySchemes"] = {k: v for k, v in schemes.items() if k in used_security}
        if not components["securitySchemes"]:
            del components["securitySchemes"]
    reached: set[tuple[str, str]] = set()
    pending: list[Any] = [doc.get("paths", {}), {"$ref": "#/components/schemas/Error"}]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/"):
                kind, _, name = ref.removeprefix("#/components/").partition("/")
                if (kind, name) not in reached and name in components.get(kind, {}):
                    reached.add((kind, name))
                    pending.append(components[kind][name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    for kind in [k for k in components if k != "securitySchemes"]:
        components[kind] = {k: v for k, v in components[kind].items() if (kind, k) in reached}
    return doc
