"""Reading an import file as a stream of records, and mapping each platform's columns
to the native API's field names (see ``docs/import.md`` for every mapping and the
public document it follows).

A file is read line by line (bytes counted for the progress bar), never held whole:
``read`` yields ``Source`` rows (the line they start on, the raw row as read, and the
record in native field names, or the reason it cannot be read).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

KINDS = ("members", "orders", "products", "balances")
FORMATS = ("csv", "jsonl", "shopify", "shopsocially", "smile", "yotpo")

# (kind, format) pairs shipped: a platform whose export of that kind has no public
# description is not (docs/import.md says which and why).
SUPPORTED: dict[str, tuple[str, ...]] = {
    "csv": KINDS,
    "jsonl": KINDS,
    "shopify": ("members", "products"),
    "shopsocially": ("members", "balances"),
    "smile": ("balances",),
    "yotpo": ("members", "balances"),
}
# The file layout each format is read as.
LAYOUT = {
    "csv": "csv",
    "jsonl": "jsonl",
    "shopify": "csv",
    "shopsocially": "jsonl",
    "smile": "csv",
    "yotpo": "csv",
}


class UnsupportedFormat(ValueError):
    """A kind the format has no documented export of."""


class UnreadableFile(ValueError):
    """The file stops being readable (not UTF-8, a broken CSV quote): the import stops
    there, the chunks before it kept (a rerun resumes)."""


@dataclass(frozen=True)
class Source:
    line: int
    raw: dict[str, Any]
    record: dict[str, Any] | None
    error: str | None = None


class _Counting:
    """The file's lines decoded, with the bytes read so far (for the progress bar)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.bytes = 0
        self.lines = 0

    def __iter__(self) -> Iterator[str]:
        first = True
        for chunk in self.stream:
            self.bytes += len(chunk)
            self.lines += 1
            try:
                text = chunk.decode("utf-8")
            except UnicodeDecodeError:
                raise UnreadableFile(f"line {self.lines}: not UTF-8 text") from None
            if first:
                text = text.removeprefix("\ufeff")  # a spreadsheet's byte order mark
                first = False
            yield text


def check(kind: str, fmt: str) -> None:
    if kind not in KINDS:
        raise UnsupportedFormat(f"unknown kind {kind!r}: one of {', '.join(KINDS)}")
    if fmt not in FORMATS:
        raise UnsupportedFormat(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    if kind not in SUPPORTED[fmt]:
        raise UnsupportedFormat(
            f"--format {fmt} has no {kind} mapping (its export of {kind} has no public "
            f"description; see docs/import.md); it reads: {', '.join(SUPPORTED[fmt])}"
        )


def guess_format(path: Path) -> str:
    return "jsonl" if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv"


class Reader:
    """``iter(reader)``: the file's ``Source`` rows; ``reader.bytes``: bytes read so far."""

    def __init__(self, path: Path, kind: str, fmt: str) -> None:
        check(kind, fmt)
        self.path = path
        self.size = path.stat().st_size
        self.kind = kind
        self.fmt = fmt
        self._counting: _Counting | None = None

    @property
    def bytes(self) -> int:
        return self._counting.bytes if self._counting else 0

    def __iter__(self) -> Iterator[Source]:
        mapper = MAPPERS[(self.fmt, self.kind)]
        with self.path.open("rb") as stream:
            self._counting = _Counting(stream)
            rows = _csv_rows if LAYOUT[self.fmt] == "csv" else _jsonl_rows
            for line, raw in rows(self._counting):
                if isinstance(raw, str):
                    yield Source(line, {}, None, raw)
                    continue
                try:
                    record = mapper(raw)
                except RowError as exc:
                    yield Source(line, raw, None, str(exc))
                    continue
                yield Source(line, raw, record)


def _csv_rows(lines: _Counting) -> Iterator[tuple[int, dict[str, Any] | str]]:
    reader = csv.reader(iter(lines))
    header: list[str] | None = None
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise UnreadableFile(f"line {reader.line_num}: {exc}") from None
        if header is None:
            header = [h.strip() for h in row]
            start = reader.line_num + 1
            continue
        line = start
        start = reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            yield line, f"{len(row)} cells for {len(header)} columns"
            continue
        yield line, {h: (v.strip() or None) for h, v in zip(header, row, strict=False) if h}


def _jsonl_rows(lines: _Counting) -> Iterator[tuple[int, dict[str, Any] | str]]:
    for line, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            yield line, f"not JSON: {exc.msg}"
            continue
        if not isinstance(value, dict):
            yield line, "a line must hold one JSON object"
            continue
        yield line, value


class RowError(ValueError):
    """A row that cannot be read; its message names the field."""


# Values --------------------------------------------------------------------------


def text(raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise RowError(f"{key}: expected text")
    value = str(value).strip()
    return value or None


def integer(raw: dict[str, Any], key: str) -> int | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise RowError(f"{key}: expected a whole number")
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip().replace(",", ""))
    except ValueError:
        raise RowError(f"{key}: {value!r} is not a whole number") from None


def _pick(raw: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: raw.get(k) for k in keys if raw.get(k) not in (None, "")}


# Native (csv/jsonl): the native API's field names, kept as they are ---------------

MEMBER_FIELDS = ("email", "phone", "firstName", "lastName", "externalId")
ORDER_FIELDS = (
    "externalOrderId",
    "memberId",
    "memberEmail",
    "memberExternalId",
    "storeId",
    "channel",
    "total",
    "currency",
    "eligibleAmount",
    "placedAt",
    "items",
)
PRODUCT_FIELDS = (
    "storeId",
    "title",
    "description",
    "onlineStoreUrl",
    "imageUrl",
    "imageWidth",
    "imageHeight",
)
BALANCE_FIELDS = ("email", "externalId", "points", "lifetimePoints", "tier", "expiresAt", "lots")


def native_member(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: text(raw, k) for k in MEMBER_FIELDS if raw.get(k) not in (None, "")}


def native_order(raw: dict[str, Any]) -> dict[str, Any]:
    record = _pick(raw, *ORDER_FIELDS)
    if isinstance(record.get("items"), str):
        try:
            record["items"] = json.loads(record["items"])
        except json.JSONDecodeError:
            raise RowError("items: not a JSON list") from None
    return record


def native_product(raw: dict[str, Any]) -> dict[str, Any]:
    return _pick(raw, *PRODUCT_FIELDS)


def native_balance(raw: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "email": text(raw, "email"),
        "externalId": text(raw, "externalId"),
        "points": integer(raw, "points"),
        "lifetimePoints": integer(raw, "lifetimePoints"),
        "tier": text(raw, "tier"),
    }
    lots = raw.get("lots")
    if isinstance(lots, str):
        try:
            lots = json.loads(lots)
        except json.JSONDecodeError:
            raise RowError("lots: not a JSON list") from None
    if lots is not None:
        if not isinstance(lots, list) or not all(isinstance(x, dict) for x in lots):
            raise RowError("lots: expected a list of {points, expiresAt}")
        record["lots"] = [
            {"points": integer(x, "points"), "expiresAt": text(x, "expiresAt")} for x in lots
        ]
    elif record["points"] is not None:
        record["lots"] = [{"points": record["points"], "expiresAt": text(raw, "expiresAt")}]
    return record


# Shopify: the customers CSV (docs/import.md cites the column table) ---------------


def shopify_member(raw: dict[str, Any]) -> dict[str, Any]:
    record = {
        "email": text(raw, "Email"),
        "phone": text(raw, "Phone") or text(raw, "Default Address Phone"),
        "firstName": text(raw, "First Name"),
        "lastName": text(raw, "Last Name"),
        "externalId": text(raw, "Customer ID"),
    }
    return {k: v for k, v in record.items() if v is not None}


def shopify_product(raw: dict[str, Any]) -> dict[str, Any]:
    """A product row of Shopify's product CSV, in either generation of its headings
    (``Handle``/``Body (HTML)``/``Image Src``, now ``URL handle``/``Description``/
    ``Product image URL``). A row with a handle and no title continues the product
    above it (another variant or image): marked, and skipped."""
    handle = text(raw, "Handle") or text(raw, "URL handle")
    title = text(raw, "Title")
    record: dict[str, Any] = {
        "storeId": handle,
        "title": title,
        "description": text(raw, "Body (HTML)") or text(raw, "Description") or "",
        "imageUrl": text(raw, "Image Src") or text(raw, "Product image URL"),
    }
    if handle and not title:
        record["continuation"] = True
    return {k: v for k, v in record.items() if v is not None}


# ShopSocially: one ``loyalty_users`` record of GET /v2/loyalty/users per line ------


def shopsocially_member(raw: dict[str, Any]) -> dict[str, Any]:
    record = {
        "email": text(raw, "user_email"),
        "firstName": text(raw, "first_name"),
        "lastName": text(raw, "last_name"),
        "externalId": text(raw, "user_id"),
    }
    return {k: v for k, v in record.items() if v is not None}


def shopsocially_balance(raw: dict[str, Any]) -> dict[str, Any]:
    available = integer(raw, "available_points")
    redeemed = integer(raw, "redeemed_points") or 0
    return {
        "email": text(raw, "user_email"),
        "externalId": text(raw, "user_id"),
        "points": available,
        # Earned = what is left + what was redeemed (expired points are not in the record).
        "lifetimePoints": None if available is None else available + redeemed,
        "tier": text(raw, "loyalty_level_name"),
        "lots": [{"points": available, "expiresAt": None}],
    }


# Smile.io: the points CSV (email, points) ------------------------------------------


def smile_balance(raw: dict[str, Any]) -> dict[str, Any]:
    points = integer(raw, "points")
    return {
        "email": text(raw, "email"),
        "points": points,
        "lots": [{"points": points, "expiresAt": None}],
    }


# Yotpo Loyalty & Referrals: the customers and points CSV ---------------------------


def _yotpo_names(raw: dict[str, Any]) -> tuple[str | None, str | None]:
    first, last = text(raw, "First Name"), text(raw, "Last Name")
    full = text(raw, "Full Name")
    if first is None and last is None and full:
        head, _, tail = full.partition(" ")
        return head, tail or None
    return first, last


def yotpo_member(raw: dict[str, Any]) -> dict[str, Any]:
    first, last = _yotpo_names(raw)
    record = {"email": text(raw, "Email"), "firstName": first, "lastName": last}
    return {k: v for k, v in record.items() if v is not None}


def yotpo_balance(raw: dict[str, Any]) -> dict[str, Any]:
    points = integer(raw, "Points Balance")
    spent = integer(raw, "Points Spent") or 0
    return {
        "email": text(raw, "Email"),
        "points": points,
        "lifetimePoints": None if points is None else points + spent,
        "lots": [{"points": points, "expiresAt": None}],
    }


MAPPERS: dict[tuple[str, str], Callable[[dict[str, Any]], dict[str, Any]]] = {
    **{(f, "members"): native_member for f in ("csv", "jsonl")},
    **{(f, "orders"): native_order for f in ("csv", "jsonl")},
    **{(f, "products"): native_product for f in ("csv", "jsonl")},
    **{(f, "balances"): native_balance for f in ("csv", "jsonl")},
    ("shopify", "members"): shopify_member,
    ("shopify", "products"): shopify_product,
    ("shopsocially", "members"): shopsocially_member,
    ("shopsocially", "balances"): shopsocially_balance,
    ("smile", "balances"): smile_balance,
    ("yotpo", "members"): yotpo_member,
    ("yotpo", "balances"): yotpo_balance,
}
