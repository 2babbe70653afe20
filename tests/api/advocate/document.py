# ruff: noqa: E501
"""The advocate-marketing document's endpoint tables (`seeds/002_…`), verbatim, and
their reading: method, path, listed query parameters, body fields, response statuses
and the top-level keys of each response.

Contract tests (`test_document.py`) check the face's OpenAPI document against every
row, so an endpoint, parameter, body field, status or response key the document lists
cannot go missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Copied from the document: one row per endpoint.
TABLE = """\
| GET | /api/v1/advocatesParams: page, limit, search, tier | List all advocates with pagination | 200: { advocates: [], total, page } |
| GET | /api/v1/advocates/:id | Get a single advocate by ID | 200: { advocate } | 404: Not found |
| POST | /api/v1/advocatesBody: { email, name, metadata } | Create a new advocate | 201: { advocate } | 400: Validation error |
| PATCH | /api/v1/advocates/:idBody: { name, tier, metadata } | Update an advocate | 200: { advocate } | 404: Not found |
| POST | /api/v1/advocates/:id/pointsBody: { amount, description, type } | Award or deduct points | 200: { transaction, newBalance } |
| GET | /api/v1/rewardsParams: status, type | List all rewards | 200: { rewards: [] } |
| GET | /api/v1/rewards/:id | Get reward details | 200: { reward } | 404: Not found |
| POST | /api/v1/rewardsBody: { name, description, pointsCost, type, stock } | Create a new reward | 201: { reward } | 400: Validation error |
| POST | /api/v1/rewards/:id/redeemBody: { advocateId } | Redeem a reward for an advocate | 200: { redemption } | 400: Insufficient points |
| GET | /api/v1/questsParams: status | List all quests | 200: { quests: [] } |
| GET | /api/v1/quests/:id | Get quest with tasks | 200: { quest, tasks: [] } | 404: Not found |
| POST | /api/v1/questsBody: { title, description, tasks, reward } | Create a new quest | 201: { quest } | 400: Validation error |
| POST | /api/v1/quests/:id/completeBody: { advocateId, taskId } | Mark a task as complete for an advocate | 200: { completion, pointsAwarded } |
| GET | /api/v1/referrals | List all referral codes | 200: { referrals: [] } |
| GET | /api/v1/referrals/:code/stats | Get referral statistics | 200: { clicks, conversions, revenue } |
| POST | /api/v1/referrals/trackBody: { code, visitorId } | Track a referral click | 200: { tracked: true } |
| POST | /api/v1/referrals/convertBody: { code, orderId, orderValue } | Track a conversion | 200: { conversion, pointsAwarded } |
| GET | /api/v1/testimonialsParams: status, rating | List all testimonials | 200: { testimonials: [], total } |
| PATCH | /api/v1/testimonials/:idBody: { status } | Approve or reject a testimonial | 200: { testimonial } | 404: Not found |
| GET | /api/v1/feedback/boards | List feedback boards | 200: { boards: [] } |
| GET | /api/v1/feedback/boards/:id/ideasParams: status, sort | List ideas in a board | 200: { ideas: [], total } |
| PATCH | /api/v1/feedback/ideas/:idBody: { status } | Update idea status | 200: { idea } | 404: Not found |
| POST | /api/v1/sso/recognizeBody: { businessId, externalCustomerId, timestamp, signature } | Recognize a customer via SSO token | 200: { advocateId, sessionToken } |
| GET | /api/v1/sso/mappings | List customer mappings | 200: { mappings: [] } |
| POST | /api/v1/sso/mappingsBody: { advocateId, externalCustomerId, externalEmail, externalName } | Create a customer mapping | 201: { mapping } | 400: Validation error |
"""


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # FastAPI's spelling: ``/advocates/{id}`` (the document's ``:id``)
    params: tuple[str, ...]
    body: tuple[str, ...]
    statuses: tuple[int, ...]
    keys: dict[int, tuple[str, ...]]  # status -> top-level keys of its body

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


_ENDPOINT = re.compile(
    r"^/api/v1(?P<path>[^ A-Z]*?)(?:(?:Params: (?P<params>.*))|(?:Body: \{(?P<body>.*)\}))?$"
)
_RESPONSE = re.compile(r"(\d{3}): ([^|]*)")


def _keys(shape: str) -> tuple[str, ...]:
    """``{ advocates: [], total, page }`` -> (advocates, total, page); a description
    such as ``Not found`` has none."""
    shape = shape.strip()
    if not shape.startswith("{"):
        return ()
    return tuple(k.split(":")[0].strip() for k in shape.strip("{} ").split(",") if k.strip())


def _row(line: str) -> Row:
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    method, endpoint, responses = cells[0], cells[1], "|".join(cells[3:])
    m = _ENDPOINT.match(endpoint)
    assert m, endpoint
    path = re.sub(r":(\w+)", r"{\1}", m["path"])
    params = tuple(p.strip() for p in (m["params"] or "").split(",") if p.strip())
    body = tuple(p.strip() for p in (m["body"] or "").split(",") if p.strip())
    found = _RESPONSE.findall(responses)
    return Row(
        method=method,
        path=path,
        params=params,
        body=body,
        statuses=tuple(int(s) for s, _ in found),
        keys={int(s): _keys(shape) for s, shape in found},
    )


ROWS: list[Row] = [_row(line) for line in TABLE.splitlines() if line.strip()]

# The document's status table (every endpoint may answer these).
STATUSES = (200, 201, 400, 401, 403, 404, 429, 500)
