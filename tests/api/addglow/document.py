"""AddGlow's Brand API document (``seeds/004_…``, copied verbatim as
``document.txt``) read into its operations: for each, the query parameters and body
fields with their rules as the document states them (required, nullable, type, format,
bounds, default).

The document is the text of its rendered reference, which drops each operation's
method and path; :data:`OPERATIONS` gives them, in the document's order, with each
operation's title, and the reader checks the title stands where it says. The rendering
also drops the names of two object fields (a group's badge, a bulk call's upserts):
``unnamed`` names them.

Contract tests (``test_document.py``) hold the face's OpenAPI document and its answers
to every field's rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

TEXT = (Path(__file__).parent / "document.txt").read_text()


@dataclass(frozen=True)
class Op:
    title: str
    method: str
    path: str
    unnamed: tuple[str, ...] = ()


OPERATIONS = (
    Op("Create magic link", "POST", "/auth/magic-link"),
    Op("Get member", "GET", "/members/{id}"),
    Op("Update member", "PATCH", "/members/{id}"),
    Op("List members", "GET", "/members"),
    Op("List member groups", "GET", "/member-groups"),
    Op("Create member group", "POST", "/member-groups", ("brandMemberBadge",)),
    Op("Get member group by ID", "GET", "/member-groups/{id}"),
    Op("Update member group", "PATCH", "/member-groups/{id}", ("brandMemberBadge",)),
    Op("Delete member group", "DELETE", "/member-groups/{id}"),
    Op("List posts", "GET", "/posts"),
    Op("List products", "GET", "/products"),
    Op("Create product", "POST", "/products"),
    Op("Get product details", "GET", "/products/{id}"),
    Op("Update product", "PATCH", "/products/{id}"),
    Op("Delete product", "DELETE", "/products/{id}"),
    Op("Bulk product operations", "POST", "/products/bulk", ("upsertRecords",)),
    Op("List product variants", "GET", "/product-variants"),
    Op("Create product variant", "POST", "/product-variants"),
    Op("Get variant details", "GET", "/product-variants/{id}"),
    Op("Update product variant", "PATCH", "/product-variants/{id}"),
    Op("Delete product variant", "DELETE", "/product-variants/{id}"),
    Op("Bulk product variant operations", "POST", "/product-variants/bulk", ("upsertRecords",)),
)

WEBHOOKS = ("user.joined", "post.created", "post.liked", "post_comment.created",
            "post_comment.liked")  # fmt: skip


@dataclass(frozen=True)
class Field:
    name: str
    where: str  # "path", "query" or "body"
    kind: str  # "string", "integer", "boolean", "object", "array"
    required: bool = False
    nullable: bool = False
    format: str | None = None  # "email", "uri", "uuid", "date-time"
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None
    max_items: int | None = None
    pattern: str | None = None
    default: int | None = None


@dataclass(frozen=True)
class Operation:
    op: Op
    fields: tuple[Field, ...] = field(default_factory=tuple)

    @property
    def id(self) -> str:
        return f"{self.op.method} {self.op.path}"

    def where(self, where: str) -> list[Field]:
        return [f for f in self.fields if f.where == where]


_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TYPE = re.compile(
    r"^(?P<array>Array of )?(?P<kind>string|integer|boolean|object|strings|objects)"
    r"(?P<null> or null)?(?P<rest>.*)$"
)


def _field(lines: list[str], where: str, name: str) -> Field:
    required = lines[0] == "required"
    if required:
        lines = lines[1:]
    m = _TYPE.match(lines[0])
    assert m, f"{name}: unreadable type {lines[0]!r}"
    rest = m["rest"]
    kind = "array" if m["array"] else m["kind"]
    fmt = re.search(r"<(email|uri|uuid|date-time)>", rest)
    bounds = re.search(r"\[ (\d+) \.\. (\d+) \]", rest)
    length = re.search(r"<= (\d+) characters", rest)
    items = re.search(r"<= (\d+) items", rest)
    pattern = re.search(r"characters (\^\S*)$", rest)
    default = next((int(x.split(": ")[1]) for x in lines[1:] if x.startswith("Default: ")), None)
    return Field(
        name=name,
        where=where,
        kind=kind,
        required=required,
        nullable=bool(m["null"]),
        format=fmt[1] if fmt and kind != "array" else None,
        minimum=int(bounds[1]) if bounds else None,
        maximum=int(bounds[2]) if bounds else None,
        max_length=int(length[1]) if length else None,
        max_items=int(items[1]) if items else None,
        pattern=pattern[1] if pattern else None,
        default=default,
    )


def _section(block: str, where: str, unnamed: list[str]) -> list[Field]:
    """The fields of one "path/query Parameters" or "Request Body schema" block: a
    paragraph per field (name, ``required``?, type, bounds, default, example), then a
    paragraph of prose."""
    out: list[Field] = []
    for para in block.split("\n\n"):
        lines = [x.strip() for x in para.strip().splitlines() if x.strip()]
        if not lines:
            continue
        if (
            _NAME.match(lines[0])
            and len(lines) > 1
            and (lines[1] == "required" or _TYPE.match(lines[1]))
        ):
            out.append(_field(lines[1:], where, lines[0]))
        elif _TYPE.match(lines[0]) and lines[0].split()[0] in ("object", "Array"):
            # A field whose name the rendering dropped (an object, an array of objects).
            out.append(_field(lines, where, unnamed.pop(0)))
    return out


def _read() -> list[Operation]:
    parts = TEXT.split("Authorizations:\nBearerApiKeyAuth\n")
    preludes, bodies = parts[:-1], parts[1:]
    ops: list[Operation] = []
    for op, prelude, body in zip(OPERATIONS, preludes, bodies, strict=False):
        assert f"\n{op.title}\n" in prelude[-600:], f"{op.title} is not where the table says"
        spec = body.split("\nResponses\n", 1)[0]
        unnamed = list(op.unnamed)
        fields: list[Field] = []
        for heading, where in (
            ("path Parameters", "path"),
            ("query Parameters", "query"),
            ("Request Body schema: application/json", "body"),
        ):
            if heading in spec:
                block = spec.split(heading, 1)[1]
                for stop in ("query Parameters", "Request Body schema"):
                    if stop != heading and stop in block:
                        block = block.split(stop, 1)[0]
                block = block.removeprefix("\nrequired\n") if where == "body" else block
                fields += _section(block, where, unnamed)
        assert not unnamed, f"{op.title}: unnamed fields left {unnamed}"
        ops.append(Operation(op, tuple(fields)))
    return ops


DOCUMENT = _read()
assert len(DOCUMENT) == len(OPERATIONS) == 22
