"""The merchant's templates: variables of their kind only, no loops, calls or attribute
access (the sandbox narrowed), errors that say what and where."""

from __future__ import annotations

import pytest

from punchcard.notifications import templates
from punchcard.notifications.templates import DEFAULTS, Kind, TemplateRefused

VALUES = {
    "first_name": "Ada",
    "balance": 10,
    "tier_name": "Gold",
    "previous_tier": "Silver",
    "promoted": True,
    "points_expiring": 5,
    "expiry_date": "1 January 2027",
    "portal_url": "https://x.example/portal/p/",
    "shop_name": "Shop",
}


@pytest.mark.parametrize("kind", list(Kind))
def test_the_defaults_render(kind: Kind) -> None:
    subject, body = DEFAULTS[kind]
    out = templates.render(kind, subject, body, VALUES)
    assert out.subject and "\n" not in out.subject
    assert out.text.startswith("Hi Ada,") and "https://x.example/portal/p/" in out.text


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("{% for c in first_name %}{{ c }}{% endfor %}", "loops are not allowed"),
        ("{{ first_name.__class__ }}", "attributes are not allowed"),
        ("{{ first_name['x'] }}", "item access is not allowed"),
        ("{{ first_name.upper() }}", "calls are not allowed"),
        ("{{ range(10) }}", "calls are not allowed"),
        ("{% set x = 1 %}", "set is not allowed"),
        ("{{ balance * 1000000 }}", "arithmetic is not allowed"),
        ("{{ first_name|replace('a', 'aaaa') }}", "unknown filter 'replace'"),
        ("{{ nickname }}", "unknown variable 'nickname'"),
        ("Hello {{ first_name ", "line 1:"),
    ],
)
def test_unsafe_or_broken_templates_are_refused(source: str, says: str) -> None:
    with pytest.raises(TemplateRefused, match=says.replace("(", r"\(").replace("[", r"\[")):
        templates.check(Kind.points_expiring, source, limit=1000)


def test_a_variable_of_the_other_kind_is_refused() -> None:
    with pytest.raises(TemplateRefused, match="unknown variable 'expiry_date'"):
        templates.check(Kind.tier_changed, "{{ expiry_date }}", limit=1000)
    templates.check(Kind.points_expiring, "{{ expiry_date }}", limit=1000)


def test_values_are_not_html_escaped_in_plain_text_and_subject_is_one_line() -> None:
    out = templates.render(
        Kind.tier_changed,
        "{{ first_name }}\nline two",
        "{{ first_name|upper }} <{{ tier_name }}>",
        {**VALUES, "first_name": "Zoë & Co"},
    )
    assert out.subject == "Zoë & Co line two"
    assert out.text == "ZOË & CO <Gold>"


def test_a_template_longer_than_its_limit_is_refused() -> None:
    with pytest.raises(TemplateRefused, match="longer than 10 characters"):
        templates.check(Kind.points_expiring, "x" * 11, limit=10)
