"""Phone numbers in E.164, through Google's libphonenumber (the ``phonenumbers`` package).

A member's phone is stored and looked up as E.164 (``+12125550100``), so
``(212) 555-0100``, ``212.555.0100`` and ``+1 212 555 0100`` are one number, one member.
A number written without a country code is read in the tenant's country (its
``country`` setting, else :func:`default_country`).
"""

from __future__ import annotations

import functools
import re
from importlib import resources

import phonenumbers

REGIONS: frozenset[str] = frozenset(phonenumbers.SUPPORTED_REGIONS)
FALLBACK_COUNTRY = "US"
# What people write a number with: digits and the usual separators. Not letters
# (libphonenumber would read "CALL NOW" as a keypad's 2255 669) nor other scripts' digits.
_WRITTEN = re.compile(r"[0-9 ().+\-/]{1,64}")


def to_e164(raw: str, country: str) -> str | None:
    """``raw`` as E.164, read in ``country`` when it has no ``+``/country code; None
    when it cannot be a number: unparseable, or a length no number of its country has.
    Possible rather than "valid" (in an allocated range): the metadata lags the
    operators' new ranges, and a member's real number must never be refused."""
    if not _WRITTEN.fullmatch(raw):
        return None
    try:
        number = phonenumbers.parse(raw, country)
    except phonenumbers.NumberParseException:
        return None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@functools.cache
def _zone_countries() -> dict[str, str]:
    """IANA zone → ISO 3166 country, from tzdata's ``zone.tab`` (one country per zone)."""
    out: dict[str, str] = {}
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return out
    for line in text.splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            if len(parts) >= 3:
                out[parts[2]] = parts[0]
    return out


def default_country(timezone: str | None, currency: str | None) -> str:
    """The country a tenant without a ``country`` setting reads phones in: its
    timezone's country (``Europe/Paris`` → ``FR``, from tzdata's ``zone.tab``), else
    its currency's (an ISO 4217 code starts with its country's code: ``GBP`` → ``GB``;
    not ``EUR`` or the ``X..`` codes), else ``US``."""
    by_zone = _zone_countries().get(timezone or "")
    if by_zone in REGIONS:
        return by_zone
    prefix = (currency or "")[:2].upper()
    if prefix in REGIONS:
        return prefix
    return FALLBACK_COUNTRY
