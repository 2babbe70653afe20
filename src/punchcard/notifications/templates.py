"""Merchant-written mail templates: what they may contain, the defaults, rendering.

A template is Jinja2 run in a sandbox narrowed further: only the variables of its kind,
``if``/``else``, a few harmless filters and string joining (``~``). No loops, calls,
attribute or item access, macros, includes or blocks, so rendering is linear in the
template's length whatever a merchant writes (no ``range`` loop to spin a worker). An
unknown variable is refused at save (a typo must not mail "Hi ,"). Mails are plain
text (``punchcard.mail``), so nothing is HTML-escaped here; the dashboard's preview is
shown through the page's autoescaping templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from jinja2 import StrictUndefined, TemplateError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment

SUBJECT_MAX = 200
BODY_MAX = 10_000


class Kind(StrEnum):
    points_expiring = "points_expiring"
    tier_changed = "tier_changed"


COMMON = ("first_name", "balance", "tier_name", "portal_url", "shop_name")
VARIABLES: dict[Kind, tuple[str, ...]] = {
    Kind.points_expiring: (*COMMON, "points_expiring", "expiry_date"),
    Kind.tier_changed: (*COMMON, "previous_tier", "promoted"),
}

DEFAULTS: dict[Kind, tuple[str, str]] = {
    Kind.points_expiring: (
        "{{ points_expiring }} of your {{ shop_name }} points expire on {{ expiry_date }}",
        "Hi {{ first_name or 'there' }},\n\n"
        "{{ points_expiring }} of your points expire on {{ expiry_date }}. "
        "Use them before then: your balance is {{ balance }} points.\n\n"
        "See your rewards: {{ portal_url }}\n\n"
        "{{ shop_name }}\n",
    ),
    Kind.tier_changed: (
        "{% if promoted %}Welcome to {{ tier_name }}!{% else %}Your {{ shop_name }} tier is now "
        "{{ tier_name }}{% endif %}",
        "Hi {{ first_name or 'there' }},\n\n"
        "{% if promoted %}Congratulations: you have reached {{ tier_name }}"
        "{% if previous_tier %} (up from {{ previous_tier }}){% endif %}."
        "{% else %}Your tier is now {{ tier_name }}"
        "{% if previous_tier %} (it was {{ previous_tier }}){% endif %}."
        "{% endif %}\n\n"
        "Your balance is {{ balance }} points. See your benefits: {{ portal_url }}\n\n"
        "{{ shop_name }}\n",
    ),
}

# Filters that can only shorten, case or default a value (none multiplies its input).
FILTERS = ("upper", "lower", "title", "capitalize", "trim", "default", "d", "string", "int")
# Node types a template may hold; anything else is refused with its name.
ALLOWED: tuple[type[nodes.Node], ...] = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Const,
    nodes.If,
    nodes.Filter,
    nodes.Test,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Concat,
    nodes.CondExpr,
)
NAMES = {
    nodes.For: "loops are",
    nodes.Call: "calls are",
    nodes.Getattr: "attributes are",
    nodes.Getitem: "item access is",
    nodes.Macro: "macros are",
    nodes.Include: "includes are",
    nodes.Import: "imports are",
    nodes.FromImport: "imports are",
    nodes.Extends: "extends is",
    nodes.Block: "blocks are",
    nodes.Assign: "set is",
    nodes.AssignBlock: "set is",
    nodes.BinExpr: "arithmetic is",
}


class _Sandbox(SandboxedEnvironment):
    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return False  # no attribute of anything: the variables are plain values


ENV = _Sandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
ENV.filters = {name: ENV.filters[name] for name in FILTERS}
ENV.globals.clear()
ENV.tests = {name: ENV.tests[name] for name in ("defined", "none", "number", "string")}


class TemplateRefused(ValueError):
    """The template cannot be used; ``str(exc)`` says why, in the merchant's words."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str


def check(kind: Kind, source: str, *, limit: int) -> None:
    """Raise ``TemplateRefused`` unless ``source`` is a template of ``kind``."""
    if len(source) > limit:
        raise TemplateRefused(f"is longer than {limit} characters")
    try:
        tree = ENV.parse(source)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        raise TemplateRefused(f"line {line}: {exc.message}" if line else str(exc)) from None
    for node in tree.find_all(nodes.Node):
        if not isinstance(node, ALLOWED):
            what = next(
                (v for k, v in NAMES.items() if isinstance(node, k)), f"'{type(node).__name__}' is"
            )
            raise TemplateRefused(f"{what} not allowed in a mail template")
        if isinstance(node, nodes.Filter) and node.name not in ENV.filters:
            raise TemplateRefused(f"unknown filter '{node.name}'")
        if isinstance(node, nodes.Test) and node.name not in ENV.tests:
            raise TemplateRefused(f"unknown test '{node.name}'")
    unknown = sorted(meta.find_undeclared_variables(tree) - set(VARIABLES[kind]))
    if unknown:
        raise TemplateRefused(
            f"unknown variable '{unknown[0]}' (use: {', '.join(VARIABLES[kind])})"
        )


def render_one(kind: Kind, source: str, values: Mapping[str, Any]) -> str:
    """``source`` (checked) rendered with ``values``; ``TemplateRefused`` on failure."""
    check(kind, source, limit=max(SUBJECT_MAX, BODY_MAX))
    try:
        return ENV.from_string(source).render({k: values[k] for k in VARIABLES[kind]})
    except TemplateError as exc:
        raise TemplateRefused(str(exc)) from None


def render(kind: Kind, subject: str, body: str, values: Mapping[str, Any]) -> Rendered:
    """The mail's subject (one line, whitespace collapsed, cut to ``SUBJECT_MAX``) and
    text."""
    line = " ".join(render_one(kind, subject, values).split())[:SUBJECT_MAX]
    return Rendered(subject=line, text=render_one(kind, body, values))
