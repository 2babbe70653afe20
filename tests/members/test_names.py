"""One ``name`` onto first and last name and back (``members.service.split_name`` /
``full_name``), as the advocate face maps its ``name``."""

from __future__ import annotations

import pytest

from punchcard.errors import ValidationFailed
from punchcard.members.service import NAME_PART_MAX, full_name, split_name


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Ada", ("Ada", None)),
        ("Ada Lovelace", ("Ada", "Lovelace")),
        ("Ada King Lovelace", ("Ada", "King Lovelace")),
        ("  Ada   King  ", ("Ada", "King")),
        ("", (None, None)),
        ("   ", (None, None)),
        (None, (None, None)),
    ],
)
def test_the_first_word_is_the_first_name_and_the_rest_the_last_name(
    name: str | None, parts: tuple[str | None, str | None]
) -> None:
    assert split_name(name) == parts


@pytest.mark.parametrize("name", ["Ada", "Ada Lovelace", "Ada King Lovelace", "Jean-Luc Picard"])
def test_a_split_name_joins_back_to_itself(name: str) -> None:
    assert full_name(*split_name(name)) == name


def test_no_name_joins_to_none() -> None:
    assert full_name(None, None) is None and full_name("", None) is None


@pytest.mark.parametrize("name", ["x" * (NAME_PART_MAX + 1), "Ada " + "y" * (NAME_PART_MAX + 1)])
def test_a_part_longer_than_its_column_is_a_400_naming_the_field(name: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        split_name(name, field="fullName")
    assert refused.value.field == "fullName"
