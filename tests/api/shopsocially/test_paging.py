"""ShopSocially's pages: `count` up to 1000 (the core's largest page), `start_index`
from 0; anything else refused in the document's envelope, naming the parameter."""

from __future__ import annotations

import pytest

from tests.api.shopsocially.conftest import Loyalty, ok, refused

ALL_TIME = {"from_date": "01/01/2000", "to_date": "12/31/2099"}
LISTS = [("/users", ALL_TIME), ("/redemptions", {})]


@pytest.mark.parametrize(("path", "query"), LISTS)
def test_a_page_of_1000_is_allowed(ss: Loyalty, path: str, query: dict[str, str]) -> None:
    assert ok(ss.get(path, {**query, "count": 1000}))["next_start_index"] == 1000


@pytest.mark.parametrize(("path", "query"), LISTS)
def test_a_page_of_1001_is_refused_naming_count(
    ss: Loyalty, path: str, query: dict[str, str]
) -> None:
    r = ss.get(path, {**query, "count": 1001})
    assert refused(r, 400) == "Invalid count: Input should be less than or equal to 1000"


@pytest.mark.parametrize(("path", "query"), LISTS)
def test_a_negative_start_index_is_refused_naming_it(
    ss: Loyalty, path: str, query: dict[str, str]
) -> None:
    r = ss.get(path, {**query, "start_index": -1})
    assert refused(r, 400) == "Invalid start_index: Input should be greater than or equal to 0"
