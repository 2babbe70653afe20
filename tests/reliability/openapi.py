"""The faces' OpenAPI documents, read at import time (test generation needs them before
any fixture runs), and the operations in them."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from functools import cache
from typing import Any

from fastapi.testclient import TestClient

from punchcard.app import create_app
from punchcard.config import Settings
from tests.reliability.seed import ADDGLOW, ADVOCATE, LOYALTY, NATIVE, path_params

FACES = {
    "native": NATIVE,
    "advocate": ADVOCATE,
    "shopsocially": LOYALTY,
    "addglow": ADDGLOW,
}
METHODS = ("get", "post", "put", "patch", "delete")


@cache
def document(face: str) -> dict[str, Any]:
    """The face's OpenAPI document as its server serves it (no database needed)."""
    tmp = tempfile.mkdtemp(prefix="punchcard-openapi-")
    app = create_app(Settings(database_url=f"sqlite:///{tmp}/unused.db", run_worker=False))
    r = TestClient(app).get(FACES[face] + "/openapi.json")
    assert r.status_code == 200, r.text
    return dict(r.json())


@dataclass(frozen=True)
class Operation:
    face: str
    method: str
    path: str
    raw: Any

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def scope(self) -> str | None:
        """``x-required-scope``: a scope, ``session``, ``admin-session``, or None (public)."""
        value = self.raw.get("x-required-scope")
        return str(value) if value else None

    @property
    def takes_path_id(self) -> bool:
        return bool(path_params(self.path))

    @property
    def writes(self) -> bool:
        return self.method != "get"

    def body_schema(self, doc: dict[str, Any]) -> dict[str, Any] | None:
        """The JSON (or form) schema of the request body, references resolved one level."""
        content = (self.raw.get("requestBody") or {}).get("content") or {}
        for media in ("application/json", "application/x-www-form-urlencoded"):
            if media in content:
                return _resolve(doc, content[media].get("schema") or {})
        return None


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        node: Any = doc
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        return dict(node)
    return schema


def operations(face: str) -> list[Operation]:
    doc = document(face)
    return [
        Operation(face, method, path, op)
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        if method in METHODS
    ]
