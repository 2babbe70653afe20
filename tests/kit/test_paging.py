"""The core's page limits, checked by ``Page`` itself, and the page walker."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from punchcard.errors import ValidationFailed
from punchcard.kit.paging import LARGEST_LIMIT, MAX_LIMIT, MAX_OFFSET, Page, every


def test_a_page_within_the_limits_is_accepted() -> None:
    assert Page(limit=MAX_LIMIT, offset=MAX_OFFSET) == Page(MAX_LIMIT, MAX_OFFSET)


@pytest.mark.parametrize("limit", [0, -1, MAX_LIMIT + 1])
def test_a_limit_outside_the_core_limits_is_refused_naming_the_limit(limit: int) -> None:
    with pytest.raises(ValidationFailed) as caught:
        Page(limit=limit)
    assert caught.value.field == "limit"


@pytest.mark.parametrize("offset", [-1, MAX_OFFSET + 1])
def test_an_offset_outside_the_core_limits_is_refused_naming_the_offset(offset: int) -> None:
    with pytest.raises(ValidationFailed) as caught:
        Page(offset=offset)
    assert caught.value.field == "offset"


def test_a_refusal_names_the_parameters_the_face_passes() -> None:
    names = ("count", "start_index")
    with pytest.raises(ValidationFailed) as caught:
        Page(limit=LARGEST_LIMIT + 1, max_limit=LARGEST_LIMIT, names=names)
    assert caught.value.field == "count"
    assert caught.value.message == f"count: Input should be less than or equal to {LARGEST_LIMIT}"
    with pytest.raises(ValidationFailed) as caught:
        Page(offset=-1, names=names)
    assert caught.value.field == "start_index"


def test_a_face_may_allow_pages_up_to_the_largest_limit() -> None:
    assert Page(limit=LARGEST_LIMIT, max_limit=LARGEST_LIMIT).limit == LARGEST_LIMIT


def test_no_face_may_allow_pages_past_the_largest_limit() -> None:
    with pytest.raises(ValueError):
        Page(limit=1, max_limit=LARGEST_LIMIT + 1)


def _listing(rows: Sequence[int], seen: list[Page]):  # type: ignore[no-untyped-def]
    def fetch(page: Page) -> tuple[Sequence[int], int]:
        seen.append(page)
        return rows[page.offset : page.offset + page.limit], len(rows)

    return fetch


def test_every_fetches_every_page_in_order() -> None:
    seen: list[Page] = []
    rows = list(range(450))
    assert every(_listing(rows, seen)) == rows
    assert [p.offset for p in seen] == [0, 200, 400]


def test_every_stops_at_an_empty_page_even_if_the_total_says_more() -> None:
    seen: list[Page] = []
    assert every(lambda page: (seen.append(page) or [], 10)) == []
    assert len(seen) == 1


def test_every_of_an_empty_list_fetches_one_page() -> None:
    seen: list[Page] = []
    assert every(_listing([], seen)) == []
    assert len(seen) == 1
